// Where a socket listens: "unix:PATH", "inet:IPV4:PORT" or "inet:[IPV6]:PORT",
// as exact.conf's `socketmap` and Postfix's socketmap: tables write it. Shared
// by the config check (is an inet: address loopback?) and the server (bind).
//
// Thread safety: value types and pure functions.
#ifndef EXACT_SRC_CONFIG_SOCKET_ADDRESS_H_
#define EXACT_SRC_CONFIG_SOCKET_ADDRESS_H_

#include <sys/socket.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace exact::config {

struct SocketAddress {
  bool is_unix = false;
  std::string path;  // For unix: as written (not resolved).
  // For inet: ready for bind(); family AF_INET or AF_INET6.
  sockaddr_storage inet{};
  socklen_t inet_length = 0;
  int port = 0;           // inet: 0 only asks the kernel for a free port (tests).
  bool loopback = false;  // inet: 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104.
};

// Parses `text`; a host must be a numeric address (no name lookups at start).
// InvalidArgument with a message that shows the accepted forms.
absl::StatusOr<SocketAddress> ParseSocketAddress(absl::string_view text);

}  // namespace exact::config

#endif  // EXACT_SRC_CONFIG_SOCKET_ADDRESS_H_
