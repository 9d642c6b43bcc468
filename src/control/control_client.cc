// exactctl's client.
#include "src/control/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/base/clock.h"
#include "src/base/files.h"

namespace exact::control {

absl::StatusOr<Response> Call(const std::string& path, const Request& request, int timeout_ms) {
  absl::StatusOr<std::string> line = EncodeRequest(request);
  if (!line.ok()) return line.status();
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof sun.sun_path) {
    return absl::InvalidArgumentError(absl::StrCat("bad socket path \"", path, "\""));
  }
  std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return base::ErrnoStatus(errno, "socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
    const int err = errno;
    if (err == EACCES || err == EPERM) {
      return absl::PermissionDeniedError(absl::StrCat("connect ", path, ": ", std::strerror(err)));
    }
    return absl::UnavailableError(
        absl::StrCat("connect ", path, ": ", std::strerror(err), " (is exact running?)"));
  }
  if (absl::Status st = base::WriteAll(fd.get(), *line); !st.ok()) return st;
  ::shutdown(fd.get(), SHUT_WR);
  const int64_t deadline = base::MonotonicMillis() + timeout_ms;
  std::string in;
  for (;;) {
    const int64_t left = deadline - base::MonotonicMillis();
    pollfd p = {fd.get(), POLLIN, 0};
    const int n = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::ErrnoStatus(errno, "poll");
    if (n == 0) {
      return absl::DeadlineExceededError(
          absl::StrCat("no answer from exact on ", path, " within ", timeout_ms, " ms"));
    }
    char buf[65536];
    const ssize_t got = ::read(fd.get(), buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return base::ErrnoStatus(errno, "read");
    in.append(buf, static_cast<size_t>(got));
    absl::StatusOr<std::optional<Response>> r = ParseResponse(in);
    if (!r.ok()) return r.status();
    if (*r) return std::move(**r);
    if (got == 0) {
      return absl::UnavailableError(
          in.empty() ? "exact closed the connection without an answer (not allowed to use it?)"
                     : "exact's answer was cut short");
    }
  }
}

}  // namespace exact::control
