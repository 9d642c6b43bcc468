// One-connection-at-a-time request server.
#include "src/control/stream_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/base/clock.h"
#include "src/base/log.h"

namespace exact::control {
namespace {

constexpr int kMaxPeerGroups = 256;

Peer PeerOf(int fd) {
  Peer p;
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) return p;
  p.known = true;
  p.uid = cred.uid;
  p.gid = cred.gid;
  gid_t groups[kMaxPeerGroups];
  len = sizeof groups;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0) {
    p.groups.assign(groups, groups + len / sizeof(gid_t));
  }
  return p;
}

}  // namespace

bool PeerIsAllowed(const Peer& peer, uid_t self, gid_t group) {
  if (!peer.known) return false;
  if (peer.uid == 0 || peer.uid == self) return true;
  if (group == static_cast<gid_t>(-1)) return false;
  if (peer.gid == group) return true;
  for (gid_t g : peer.groups) {
    if (g == group) return true;
  }
  return false;
}

absl::StatusOr<std::unique_ptr<StreamServer>> StreamServer::ListenUnix(const std::string& path,
                                                                       uid_t owner, gid_t group) {
  auto server = std::unique_ptr<StreamServer>(new StreamServer);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof sun.sun_path) {
    return absl::InvalidArgumentError(absl::StrCat("bad socket path \"", path, "\""));
  }
  std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(path, " exists and is not a socket"));
    }
    ::unlink(path.c_str());  // A stale socket from an earlier run.
  }
  server->listen_fd_.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!server->listen_fd_.valid()) return base::ErrnoStatus(errno, "socket");
  // Created 0660 (never wider, even for an instant): the socket is the
  // access control, with the peer check behind it.
  const mode_t old = ::umask(0117);
  const int rc = ::bind(server->listen_fd_.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun);
  ::umask(old);
  if (rc != 0) return base::ErrnoStatus(errno, absl::StrCat("bind ", path));
  server->unix_path_ = path;
  if ((owner != static_cast<uid_t>(-1) || group != static_cast<gid_t>(-1)) &&
      ::chown(path.c_str(), owner, group) != 0) {
    return base::ErrnoStatus(errno, absl::StrCat("chown ", path));
  }
  if (::listen(server->listen_fd_.get(), 16) != 0) return base::ErrnoStatus(errno, "listen");
  server->wake_fd_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!server->wake_fd_.valid()) return base::ErrnoStatus(errno, "eventfd");
  return server;
}

absl::StatusOr<std::unique_ptr<StreamServer>> StreamServer::ListenLoopback(
    const std::string& host_port) {
  auto server = std::unique_ptr<StreamServer>(new StreamServer);
  const size_t colon = host_port.rfind(':');
  int port = -1;
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  std::string host = colon == std::string::npos ? "" : host_port.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  if (colon == std::string::npos || !absl::SimpleAtoi(host_port.substr(colon + 1), &port) ||
      port < 0 || port > 65535 || ::inet_pton(AF_INET, host.c_str(), &sin.sin_addr) != 1 ||
      (ntohl(sin.sin_addr.s_addr) >> 24) != 127) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad listen address \"", host_port, "\"; expected 127.x.y.z:PORT"));
  }
  sin.sin_port = htons(static_cast<uint16_t>(port));
  server->listen_fd_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!server->listen_fd_.valid()) return base::ErrnoStatus(errno, "socket");
  int one = 1;
  ::setsockopt(server->listen_fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(server->listen_fd_.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
    return base::ErrnoStatus(errno, absl::StrCat("bind ", host_port));
  }
  if (::listen(server->listen_fd_.get(), 16) != 0) return base::ErrnoStatus(errno, "listen");
  socklen_t len = sizeof sin;
  if (::getsockname(server->listen_fd_.get(), reinterpret_cast<sockaddr*>(&sin), &len) == 0) {
    server->port_ = ntohs(sin.sin_port);
  }
  server->wake_fd_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!server->wake_fd_.valid()) return base::ErrnoStatus(errno, "eventfd");
  return server;
}

StreamServer::~StreamServer() {
  Stop();
  if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

void StreamServer::Start(size_t max_request, int timeout_ms, Handler handler) {
  max_request_ = max_request;
  timeout_ms_ = timeout_ms;
  handler_ = std::move(handler);
  thread_ = std::thread([this] { Run(); });
}

void StreamServer::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  (void)!::write(wake_fd_.get(), &one, sizeof one);
  thread_.join();
}

void StreamServer::Run() {
  for (;;) {
    pollfd fds[2] = {{wake_fd_.get(), POLLIN, 0}, {listen_fd_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      base::LogError("control: poll: %s", std::strerror(errno));
      return;
    }
    if (fds[0].revents & POLLIN) return;
    if (fds[1].revents & POLLIN) {
      const int fd = ::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) Serve(base::UniqueFd(fd));
    }
  }
}

void StreamServer::Serve(base::UniqueFd fd) {
  const Peer peer = unix_path_.empty() ? Peer{} : PeerOf(fd.get());
  const int64_t deadline = base::MonotonicMillis() + timeout_ms_;
  auto wait = [&](short events) {
    for (;;) {
      const int64_t left = deadline - base::MonotonicMillis();
      if (left <= 0) return false;
      pollfd p[2] = {{fd.get(), events, 0}, {wake_fd_.get(), POLLIN, 0}};
      const int n = ::poll(p, 2, static_cast<int>(left));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || (p[1].revents & POLLIN)) return false;
      return true;
    }
  };
  std::string in;
  std::optional<std::string> reply;
  while (!reply) {
    if (!wait(POLLIN)) return;  // Too slow, or exact is stopping: drop the peer.
    char buf[4096];
    const size_t want = std::min(sizeof buf, max_request_ + 1 - in.size());
    const ssize_t n = ::read(fd.get(), buf, want);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return;
    in.append(buf, static_cast<size_t>(n));
    const bool final = n == 0 || in.size() > max_request_;
    if (in.size() > max_request_) in.resize(max_request_ + 1);
    reply = handler_(in, peer, final);
    if (final && !reply) return;
  }
  absl::string_view out = *reply;
  while (!out.empty()) {
    const ssize_t n = ::send(fd.get(), out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait(POLLOUT)) return;
      continue;
    }
    if (n <= 0) return;
    out.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace exact::control
