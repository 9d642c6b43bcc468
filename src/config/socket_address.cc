// Socket address parsing: inet_pton for the host, a strict decimal port.
#include "src/config/socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace exact::config {
namespace {

absl::Status Bad(absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat(
      "bad socket address \"", text, "\"; expected unix:PATH, inet:IPV4:PORT or inet:[IPV6]:PORT"));
}

}  // namespace

absl::StatusOr<SocketAddress> ParseSocketAddress(absl::string_view text) {
  SocketAddress out;
  if (absl::StartsWith(text, "unix:")) {
    out.is_unix = true;
    out.path = std::string(text.substr(5));
    if (out.path.empty() || out.path.size() >= sizeof(sockaddr_un{}.sun_path) ||
        out.path.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("bad socket path \"", out.path, "\""));
    }
    return out;
  }
  if (!absl::StartsWith(text, "inet:")) return Bad(text);
  absl::string_view rest = text.substr(5);
  size_t colon = rest.rfind(':');
  if (colon == absl::string_view::npos) return Bad(text);
  absl::string_view host = rest.substr(0, colon);
  absl::string_view port_text = rest.substr(colon + 1);
  int port = 0;
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(port_text, &port) || port < 0 || port > 65535) {
    return Bad(text);
  }
  out.port = port;
  if (absl::ConsumePrefix(&host, "[")) {
    if (!absl::ConsumeSuffix(&host, "]")) return Bad(text);
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET6, std::string(host).c_str(), &sin6.sin6_addr) != 1) return Bad(text);
    const unsigned char* b = sin6.sin6_addr.s6_addr;
    out.loopback = IN6_IS_ADDR_LOOPBACK(&sin6.sin6_addr) ||
                   (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr) && b[12] == 127);
    std::memcpy(&out.inet, &sin6, sizeof sin6);
    out.inet_length = sizeof sin6;
    return out;
  }
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(static_cast<uint16_t>(port));
  if (host.find(':') != absl::string_view::npos ||
      ::inet_pton(AF_INET, std::string(host).c_str(), &sin.sin_addr) != 1) {
    return Bad(text);  // An IPv6 address needs brackets: inet:[::1]:PORT.
  }
  out.loopback = (ntohl(sin.sin_addr.s_addr) >> 24) == 127;
  std::memcpy(&out.inet, &sin, sizeof sin);
  out.inet_length = sizeof sin;
  return out;
}

}  // namespace exact::config
