// State and dump file codecs.
#include "src/table/state_file.h"


#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/base/log.h"
#include "src/match/stanza_matcher.h"

namespace exact::table {
namespace {

constexpr absl::string_view kHeader = "exact-state 1";

// Reverses base::Printable's \xHH escapes.
std::string Unescape(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    int hi, lo;
    auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' &&
        (hi = hex(s[i + 2])) >= 0 && (lo = hex(s[i + 3])) >= 0) {
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::string EncodeState(const RelaySnapshot& snapshot) {
  std::string out = absl::StrCat(kHeader, "\n");
  // Generous: pages reserved but never written cost no memory, while a
  // string that outgrows its buffer holds two copies as it moves.
  out.reserve(out.size() + snapshot.size() * 96);
  for (const RecordView r : snapshot) {
    absl::StrAppend(&out, r.address.ToString(), "\t", r.expiry, "\t", r.last_login, "\t",
                    base::Printable(r.user(), match::kMaxUserBytes * 4), "\n");
  }
  return out;
}

DecodedState DecodeState(absl::string_view text) {
  DecodedState state;
  bool first = true;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (first) {
      first = false;
      state.header_ok = line == kHeader;
      if (!state.header_ok) return state;  // Not ours, or a future format.
      continue;
    }
    std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits('\t', 3));
    RelayRecord r;
    std::optional<IpAddress> address;
    if (f.size() != 4 || !(address = IpAddress::Parse(f[0])) ||
        !absl::SimpleAtoi(f[1], &r.expiry) || !absl::SimpleAtoi(f[2], &r.last_login)) {
      ++state.bad_lines;
      continue;
    }
    r.address = *address;
    r.user = Unescape(f[3]);
    if (r.user.size() > match::kMaxUserBytes) r.user.resize(match::kMaxUserBytes);
    state.records.push_back(std::move(r));
  }
  return state;
}

std::string EncodeDump(const RelaySnapshot& snapshot) {
  std::string out;
  for (const RecordView r : snapshot) {
    absl::StrAppend(&out, r.address.ToString(), "\t", base::Printable(r.user()), "\t", r.expiry,
                    " (", base::FormatLocalTime(r.expiry), ")\n");
  }
  return out;
}

}  // namespace exact::table
