// Fuzzes the state file decoder: never crashes, and whatever it decodes
// encodes and decodes again to the same records.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_target.h"
#include "src/table/state_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto first = exact::table::DecodeState(text);
  auto second = exact::table::DecodeState(exact::table::EncodeState(first.records));
  if (second.records.size() != first.records.size() || second.bad_lines != 0) std::abort();
  for (size_t i = 0; i < first.records.size(); ++i) {
    if (second.records[i].address != first.records[i].address ||
        second.records[i].user != first.records[i].user ||
        second.records[i].expiry != first.records[i].expiry) {
      std::abort();
    }
  }
  return 0;
}
