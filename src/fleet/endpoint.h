// A store's address as exact.conf writes it: "host:port", or "[v6]:port".
// Apart from the rest of src/fleet so that the config parser can check it
// without linking the store clients.
#ifndef EXACT_SRC_FLEET_ENDPOINT_H_
#define EXACT_SRC_FLEET_ENDPOINT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace exact::fleet {

struct Endpoint {
  std::string host;  // A name, an IPv4 literal, or an IPv6 literal without brackets.
  int port = 0;
  std::string ToString() const;
};

// Host: letters, digits, '.', '-' (or a bracketed IPv6 literal); port
// 1..65535. Anything else is nullopt.
std::optional<Endpoint> ParseEndpoint(absl::string_view text);

}  // namespace exact::fleet

#endif  // EXACT_SRC_FLEET_ENDPOINT_H_
