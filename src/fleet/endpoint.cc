#include "src/fleet/endpoint.h"

#include <arpa/inet.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace exact::fleet {

std::string Endpoint::ToString() const {
  return host.find(':') != std::string::npos ? absl::StrCat("[", host, "]:", port)
                                             : absl::StrCat(host, ":", port);
}

std::optional<Endpoint> ParseEndpoint(absl::string_view text) {
  Endpoint e;
  absl::string_view port;
  if (absl::StartsWith(text, "[")) {
    size_t close = text.find("]:");
    if (close == absl::string_view::npos) return std::nullopt;
    e.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
    struct in6_addr a6;
    if (::inet_pton(AF_INET6, e.host.c_str(), &a6) != 1) return std::nullopt;
  } else {
    size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos || colon == 0) return std::nullopt;
    e.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
    if (!std::all_of(e.host.begin(), e.host.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == '.' || c == '-'; })) {
      return std::nullopt;
    }
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return absl::ascii_isdigit(c); }) ||
      !absl::SimpleAtoi(port, &e.port) || e.port < 1 || e.port > 65535) {
    return std::nullopt;
  }
  return e;
}

}  // namespace exact::fleet
