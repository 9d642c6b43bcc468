// The socketmap server: one thread, poll() over the listening socket and
// every connection, non-blocking I/O with per-connection buffers.
#include "src/publish/socketmap_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/base/log.h"
#include "src/publish/map_writer.h"

namespace exact::publish {
namespace {

constexpr size_t kMaxRequest = 10000;   // Generous: a request is a name and an address.
constexpr size_t kMaxConnections = 256;

}  // namespace

std::string Netstring(absl::string_view payload) {
  return absl::StrCat(payload.size(), ":", payload, ",");
}

bool TakeNetstrings(std::string* buffer, std::vector<std::string>* payloads) {
  size_t pos = 0;
  while (pos < buffer->size()) {
    size_t colon = buffer->find(':', pos);
    if (colon == std::string::npos) {
      if (buffer->size() - pos > 6) return false;  // Length digits never run this long.
      break;
    }
    absl::string_view digits(buffer->data() + pos, colon - pos);
    size_t len;
    if (digits.empty() || digits.size() > 6 || !absl::SimpleAtoi(digits, &len) ||
        !absl::ascii_isdigit(static_cast<unsigned char>(digits[0])) || len > kMaxRequest) {
      return false;
    }
    if (buffer->size() < colon + 1 + len + 1) break;  // Not all here yet.
    if ((*buffer)[colon + 1 + len] != ',') return false;
    payloads->push_back(buffer->substr(colon + 1, len));
    pos = colon + 1 + len + 1;
  }
  buffer->erase(0, pos);
  return buffer->size() <= kMaxRequest + 8;
}

std::string SocketmapReply(absl::string_view request, const table::RelayTable& table,
                           base::UnixSeconds now, const match::NetworkSet& statics) {
  size_t space = request.find(' ');
  if (space == absl::string_view::npos || space == 0) return "PERM expected \"NAME KEY\"";
  std::optional<match::IpAddress> address = match::IpAddress::Parse(request.substr(space + 1));
  if (!address) return "NOTFOUND ";  // Host names ("unknown") and partial keys.
  if (statics.Contains(*address)) return "OK";
  std::optional<table::RelayRecord> r = table.Lookup(*address, now);
  if (!r) return "NOTFOUND ";
  return absl::StrCat("OK ", MapValue(r->expiry));
}

absl::StatusOr<std::unique_ptr<SocketmapServer>> SocketmapServer::Listen(
    const std::string& address, uid_t owner, gid_t group) {
  auto server = std::unique_ptr<SocketmapServer>(new SocketmapServer);
  if (absl::StartsWith(address, "unix:")) {
    std::string path = address.substr(5);
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
    mode_t old = ::umask(0117);
    int rc = ::bind(server->listen_fd_.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun);
    ::umask(old);
    if (rc != 0) return base::ErrnoStatus(errno, absl::StrCat("bind ", path));
    if ((owner != static_cast<uid_t>(-1) || group != static_cast<gid_t>(-1)) &&
        ::chown(path.c_str(), owner, group) != 0) {
      return base::ErrnoStatus(errno, absl::StrCat("chown ", path));
    }
    server->unix_path_ = path;
  } else if (absl::StartsWith(address, "inet:")) {
    std::string rest = address.substr(5);
    size_t colon = rest.rfind(':');
    int port;
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    if (colon == std::string::npos || !absl::SimpleAtoi(rest.substr(colon + 1), &port) ||
        port <= 0 || port > 65535 ||
        ::inet_pton(AF_INET, rest.substr(0, colon).c_str(), &sin.sin_addr) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad socketmap address \"", address, "\"; expected inet:IPV4:PORT"));
    }
    sin.sin_port = htons(static_cast<uint16_t>(port));
    server->listen_fd_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!server->listen_fd_.valid()) return base::ErrnoStatus(errno, "socket");
    int one = 1;
    ::setsockopt(server->listen_fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(server->listen_fd_.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
      return base::ErrnoStatus(errno, absl::StrCat("bind ", address));
    }
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("bad socketmap address \"", address, "\"; expected unix:PATH or inet:IP:PORT"));
  }
  if (::listen(server->listen_fd_.get(), 64) != 0) return base::ErrnoStatus(errno, "listen");
  server->wake_fd_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!server->wake_fd_.valid()) return base::ErrnoStatus(errno, "eventfd");
  return server;
}

SocketmapServer::~SocketmapServer() { Stop(); }

void SocketmapServer::Start(const table::RelayTable* table, const base::Clock* clock,
                            match::NetworkSet statics) {
  table_ = table;
  clock_ = clock;
  statics_ = std::move(statics);
  thread_ = std::thread([this] { Run(); });
}

void SocketmapServer::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  (void)!::write(wake_fd_.get(), &one, sizeof one);
  thread_.join();
  if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

void SocketmapServer::Run() {
  struct Connection {
    base::UniqueFd fd;
    std::string in, out;
  };
  std::map<int, Connection> conns;
  std::vector<pollfd> fds;
  for (;;) {
    fds.clear();
    fds.push_back({wake_fd_.get(), POLLIN, 0});
    fds.push_back({listen_fd_.get(), static_cast<short>(conns.size() < kMaxConnections ? POLLIN : 0), 0});
    for (auto& [fd, c] : conns) {
      fds.push_back({fd, static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      base::LogError("socketmap: poll: %s", std::strerror(errno));
      return;
    }
    if (fds[0].revents & POLLIN) return;
    if (fds[1].revents & POLLIN) {
      int fd = ::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) conns[fd].fd.Reset(fd);
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      auto it = conns.find(fds[i].fd);
      if (it == conns.end()) continue;
      Connection& c = it->second;
      bool close = (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
      if (fds[i].revents & POLLIN) {
        char buf[4096];
        ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
        if (n > 0) {
          c.in.append(buf, static_cast<size_t>(n));
          std::vector<std::string> requests;
          if (!TakeNetstrings(&c.in, &requests)) close = true;
          for (const std::string& r : requests) {
            const std::string reply = SocketmapReply(r, *table_, clock_->Now(), statics_);
            (absl::StartsWith(reply, "OK") ? hits_ : misses_)
                .fetch_add(1, std::memory_order_relaxed);
            c.out += Netstring(reply);
          }
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          close = true;
        }
      }
      if (!c.out.empty()) {
        ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) c.out.erase(0, static_cast<size_t>(n));
        else if (n < 0 && errno != EAGAIN && errno != EINTR) close = true;
      }
      if (close) conns.erase(it);
    }
  }
}

}  // namespace exact::publish
