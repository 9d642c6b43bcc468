// Netstrings (D. J. Bernstein's "LEN:PAYLOAD,"), the framing of Postfix's
// socketmap_table(5) and Sendmail's socket map. The reader takes one
// netstring at a time from the front of a buffer, so a server can stop
// taking requests while its replies are queued.
//
// Thread safety: pure functions.
#ifndef EXACT_SRC_PUBLISH_NETSTRING_H_
#define EXACT_SRC_PUBLISH_NETSTRING_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace exact::publish {

// Postfix's socketmap limit on a request or reply (socketmap_table(5)).
inline constexpr size_t kMaxNetstringPayload = 100000;

struct NetstringRead {
  enum Result {
    kNeedMore,   // A netstring has begun but is not all here yet.
    kPayload,    // `payload` is whole; `consumed` bytes of the input were used.
    kMalformed,  // Not a netstring: the connection should be closed.
    kTooLong,    // The declared length exceeds the limit: close it too.
  };
  Result result = kNeedMore;
  absl::string_view payload;  // Points into the input.
  size_t consumed = 0;
};

// Reads the netstring at the front of `input`, whose payload may be at most
// `max_payload` bytes. The length must be decimal digits, with no sign.
NetstringRead ReadNetstring(absl::string_view input, size_t max_payload = kMaxNetstringPayload);

// Encodes `payload` as a netstring.
std::string Netstring(absl::string_view payload);

}  // namespace exact::publish

#endif  // EXACT_SRC_PUBLISH_NETSTRING_H_
