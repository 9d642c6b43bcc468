// Fuzzes the state file decoder: never crashes, and whatever it decodes
// (records and log positions) encodes and decodes again to the same.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <tuple>

#include "fuzz/fuzz_target.h"
#include "src/table/state_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto first = exact::table::DecodeState(text);
  auto second = exact::table::DecodeState(
      exact::table::EncodeState(exact::table::RelaySnapshot::Of(first.records), first.positions));
  if (second.records.size() != first.records.size() || second.bad_lines != 0) std::abort();
  if (second.verdict != exact::table::DecodedState::Verdict::kOk) std::abort();
  if (second.positions.logs != first.positions.logs) std::abort();
  if (second.positions.journal_cursor != first.positions.journal_cursor) std::abort();
  if (second.positions.revokes.size() != first.positions.revokes.size()) std::abort();
  // A snapshot is sorted by address: compare the two as sorted lists.
  auto fields = [](const exact::table::RelayRecord& r) {
    return std::make_tuple(r.address.bytes(), r.user, r.expiry);
  };
  auto by_fields = [&](const auto& a, const auto& b) { return fields(a) < fields(b); };
  std::sort(first.records.begin(), first.records.end(), by_fields);
  std::sort(second.records.begin(), second.records.end(), by_fields);
  for (size_t i = 0; i < first.records.size(); ++i) {
    if (fields(first.records[i]) != fields(second.records[i])) std::abort();
  }
  return 0;
}
