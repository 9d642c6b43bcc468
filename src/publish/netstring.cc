// The netstring reader: the length is checked against the limit while its
// digits are read, so no overflow and no wait for a payload never accepted.
#include "src/publish/netstring.h"

#include "absl/strings/str_cat.h"

namespace exact::publish {
namespace {

constexpr size_t kMaxDigits = 10;  // Leading zeros may not go on for ever.

}  // namespace

NetstringRead ReadNetstring(absl::string_view input, size_t max_payload) {
  NetstringRead out;
  size_t length = 0;
  size_t i = 0;
  for (; i < input.size() && input[i] != ':'; ++i) {
    const char c = input[i];
    if (c < '0' || c > '9' || i == kMaxDigits) {
      out.result = NetstringRead::kMalformed;
      return out;
    }
    length = length * 10 + static_cast<size_t>(c - '0');
    if (length > max_payload) {
      out.result = NetstringRead::kTooLong;
      return out;
    }
  }
  if (i == input.size()) return out;  // kNeedMore: the digits may go on.
  if (i == 0) {
    out.result = NetstringRead::kMalformed;  // ":" with no length.
    return out;
  }
  const size_t start = i + 1;
  if (input.size() - start < length + 1) return out;  // kNeedMore.
  if (input[start + length] != ',') {
    out.result = NetstringRead::kMalformed;
    return out;
  }
  out.result = NetstringRead::kPayload;
  out.payload = input.substr(start, length);
  out.consumed = start + length + 1;
  return out;
}

std::string Netstring(absl::string_view payload) {
  return absl::StrCat(payload.size(), ":", payload, ",");
}

}  // namespace exact::publish
