// The socketmap server: one thread, poll() over the listening socket and
// every connection, non-blocking I/O with per-connection buffers. Requests
// are taken one netstring at a time and only while the connection's queued
// replies are under the bound, so a client that never reads costs at most
// that bound plus one pending request.
#include "src/publish/socketmap_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/base/log.h"
#include "src/config/socket_address.h"
#include "src/publish/map_writer.h"

namespace exact::publish {
namespace {

constexpr size_t kReadBytes = 16 * 1024;
constexpr int kAcceptsPerWake = 64;
constexpr int64_t kLimitLogIntervalMs = 60 * 1000;
constexpr int64_t kAcceptRetryMs = 100;  // After EMFILE: the listener waits this long.
// A buffer emptied after holding more than this gives its memory back.
constexpr size_t kKeepCapacity = 16 * 1024;

std::optional<match::IpAddress> PeerAddress(const sockaddr_storage& peer) {
  if (peer.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&peer);
    return match::IpAddress::FromV4(ntohl(sin->sin_addr.s_addr));
  }
  if (peer.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&peer);
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), sin6->sin6_addr.s6_addr, 16);
    return match::IpAddress::FromBytes(bytes);
  }
  return std::nullopt;
}

void ReleaseIfEmpty(std::string* s) {
  if (s->empty() && s->capacity() > kKeepCapacity) std::string().swap(*s);
}

}  // namespace

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

std::string FormatSocketmapCounters(const SocketmapCounters& c) {
  return absl::StrFormat(
      "socketmap: %d connections (%d open, %d bytes buffered), %d requests; limits: %d reads "
      "paused, %d idle timeouts, %d oversized requests, %d malformed, %d evicted at the "
      "connection limit, %d closed at the memory cap, %d clients refused, %d accept failures",
      c.accepted, c.open_connections, c.buffered_bytes, c.requests, c.reads_paused, c.idle_timeouts,
      c.oversized, c.malformed, c.evicted, c.memory_cap, c.refused_clients, c.accept_failures);
}

struct SocketmapServer::Counters {
  std::atomic<uint64_t> accepted{0}, requests{0}, hits{0}, misses{0}, reads_paused{0},
      idle_timeouts{0}, oversized{0}, malformed{0}, evicted{0}, memory_cap{0}, refused_clients{0},
      accept_failures{0}, open_connections{0}, buffered_bytes{0};
};

SocketmapServer::SocketmapServer() : counters_(std::make_unique<Counters>()) {}

SocketmapCounters SocketmapServer::counters() const {
  const Counters& c = *counters_;
  SocketmapCounters out;
  out.accepted = c.accepted.load();
  out.requests = c.requests.load();
  out.hits = c.hits.load();
  out.misses = c.misses.load();
  out.reads_paused = c.reads_paused.load();
  out.idle_timeouts = c.idle_timeouts.load();
  out.oversized = c.oversized.load();
  out.malformed = c.malformed.load();
  out.evicted = c.evicted.load();
  out.memory_cap = c.memory_cap.load();
  out.refused_clients = c.refused_clients.load();
  out.accept_failures = c.accept_failures.load();
  out.open_connections = c.open_connections.load();
  out.buffered_bytes = c.buffered_bytes.load();
  return out;
}

absl::StatusOr<std::unique_ptr<SocketmapServer>> SocketmapServer::Listen(const std::string& address,
                                                                         uid_t owner, gid_t group) {
  absl::StatusOr<config::SocketAddress> parsed = config::ParseSocketAddress(address);
  if (!parsed.ok()) return parsed.status();
  auto server = std::unique_ptr<SocketmapServer>(new SocketmapServer);
  if (parsed->is_unix) {
    const std::string& path = parsed->path;
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
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
  } else {
    const int family = parsed->inet.ss_family;
    server->listen_fd_.Reset(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!server->listen_fd_.valid()) return base::ErrnoStatus(errno, "socket");
    int one = 1;
    ::setsockopt(server->listen_fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET6) {
      // inet:[::]:PORT means IPv6 only; IPv4 clients need their own listener.
      ::setsockopt(server->listen_fd_.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    if (::bind(server->listen_fd_.get(), reinterpret_cast<const sockaddr*>(&parsed->inet),
               parsed->inet_length) != 0) {
      return base::ErrnoStatus(errno, absl::StrCat("bind ", address));
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    if (::getsockname(server->listen_fd_.get(), reinterpret_cast<sockaddr*>(&bound), &len) == 0) {
      server->port_ =
          ntohs(family == AF_INET ? reinterpret_cast<const sockaddr_in*>(&bound)->sin_port
                                  : reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
    }
    server->is_inet_ = true;
  }
  if (::listen(server->listen_fd_.get(), 128) != 0) return base::ErrnoStatus(errno, "listen");
  server->wake_fd_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!server->wake_fd_.valid()) return base::ErrnoStatus(errno, "eventfd");
  return server;
}

SocketmapServer::~SocketmapServer() { Stop(); }

// The event loop's state; lives on the server's thread only.
class SocketmapServer::Loop {
 public:
  explicit Loop(SocketmapServer* server)
      : s_(*server), limits_(server->options_.limits), counters_(*server->counters_) {}
  void Run();

 private:
  struct Connection {
    base::UniqueFd fd;
    std::string in, out;
    int64_t last_active_ms = 0;
    bool paused = false;  // Not read: its queued replies are over the bound.
    bool closing = false;
    bool eof = false;  // The client has sent all it will; close once answered.
  };
  // One line per limit and minute, with how often it was hit since the last.
  struct LimitLog {
    const char* what;
    int64_t next_ms = 0;
    uint64_t since = 0;
  };

  void Accept(int64_t now);
  // Answers the requests at the front of c.in while c.out is under the bound.
  void Serve(Connection& c);
  void Flush(Connection& c, int64_t now);
  void Close(Connection& c, std::atomic<uint64_t>* counter, LimitLog* log);
  void Note(LimitLog* log);
  void EnforceMemoryCap();
  size_t Buffered() const;
  int PollTimeout(int64_t now) const;

  SocketmapServer& s_;
  const SocketmapLimits& limits_;
  Counters& counters_;
  std::vector<std::unique_ptr<Connection>> conns_;
  int64_t accept_paused_until_ms_ = 0;
  LimitLog paused_log_{"a client is not reading its replies; its connection is not read"};
  LimitLog idle_log_{"closing an idle connection"};
  LimitLog oversized_log_{"closing a connection whose request exceeds the size limit"};
  LimitLog malformed_log_{"closing a connection that sent a malformed netstring"};
  LimitLog evicted_log_{"at the connection limit: closing the connection quiet longest"};
  LimitLog memory_log_{"buffers over the memory cap: closing the connection holding most"};
  LimitLog refused_log_{"refusing a client outside socketmap_allow"};
  LimitLog accept_log_{"accept failed (out of descriptors?); retrying in 100 ms"};
};

void SocketmapServer::Loop::Note(LimitLog* log) {
  ++log->since;
  const int64_t now = base::MonotonicMillis();
  if (now < log->next_ms) return;
  base::LogWarning("socketmap: %s (%d time(s) since the last report)", log->what,
                   static_cast<int>(log->since));
  log->since = 0;
  log->next_ms = now + kLimitLogIntervalMs;
}

void SocketmapServer::Loop::Close(Connection& c, std::atomic<uint64_t>* counter, LimitLog* log) {
  if (c.closing) return;
  c.closing = true;
  if (counter != nullptr) counter->fetch_add(1);
  if (log != nullptr) Note(log);
}

size_t SocketmapServer::Loop::Buffered() const {
  size_t total = 0;
  for (const auto& c : conns_) total += c->in.capacity() + c->out.capacity();
  return total;
}

void SocketmapServer::Loop::Accept(int64_t now) {
  for (int i = 0; i < kAcceptsPerWake; ++i) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(s_.listen_fd_.get(), reinterpret_cast<sockaddr*>(&peer), &len,
                       SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) {
        return;
      }
      // Out of descriptors or memory: the pending client stays queued, and
      // the listener rests rather than spin on it.
      counters_.accept_failures.fetch_add(1);
      Note(&accept_log_);
      accept_paused_until_ms_ = now + kAcceptRetryMs;
      return;
    }
    base::UniqueFd owned(fd);
    if (s_.is_inet_) {
      std::optional<match::IpAddress> a = PeerAddress(peer);
      if (!a || (!s_.options_.allow.empty() && !s_.options_.allow.Contains(*a))) {
        counters_.refused_clients.fetch_add(1);
        Note(&refused_log_);
        continue;  // `owned` closes it.
      }
    }
    size_t open = 0;
    for (const auto& c : conns_) open += c->closing ? 0 : 1;
    if (open >= limits_.max_connections) {
      Connection* quietest = nullptr;
      for (const auto& c : conns_) {
        if (!c->closing && (quietest == nullptr || c->last_active_ms < quietest->last_active_ms)) {
          quietest = c.get();
        }
      }
      if (quietest != nullptr) Close(*quietest, &counters_.evicted, &evicted_log_);
    }
    auto c = std::make_unique<Connection>();
    c->fd = std::move(owned);
    c->last_active_ms = now;
    conns_.push_back(std::move(c));
    counters_.accepted.fetch_add(1);
  }
}

void SocketmapServer::Loop::Serve(Connection& c) {
  size_t pos = 0;
  const base::UnixSeconds now = s_.clock_->Now();
  while (c.out.size() < limits_.max_queued_reply_bytes) {
    NetstringRead r = ReadNetstring(absl::string_view(c.in).substr(pos), limits_.max_request_bytes);
    if (r.result == NetstringRead::kNeedMore) break;
    if (r.result == NetstringRead::kMalformed) {
      Close(c, &counters_.malformed, &malformed_log_);
      return;
    }
    if (r.result == NetstringRead::kTooLong) {
      Close(c, &counters_.oversized, &oversized_log_);
      return;
    }
    const std::string reply = SocketmapReply(r.payload, *s_.table_, now, s_.statics_);
    (absl::StartsWith(reply, "OK") ? counters_.hits : counters_.misses).fetch_add(1);
    c.out += Netstring(reply);
    counters_.requests.fetch_add(1);
    pos += r.consumed;
  }
  c.in.erase(0, pos);
  ReleaseIfEmpty(&c.in);
  const bool over = c.out.size() >= limits_.max_queued_reply_bytes;
  if (over && !c.paused) {
    counters_.reads_paused.fetch_add(1);
    Note(&paused_log_);
  }
  c.paused = over;
}

void SocketmapServer::Loop::Flush(Connection& c, int64_t now) {
  if (c.out.empty() || c.closing) return;
  ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n > 0) {
    c.out.erase(0, static_cast<size_t>(n));
    ReleaseIfEmpty(&c.out);
    c.last_active_ms = now;
  } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    Close(c, nullptr, nullptr);
  }
}

void SocketmapServer::Loop::EnforceMemoryCap() {
  size_t total = Buffered();
  while (total > limits_.memory_cap_bytes) {
    Connection* biggest = nullptr;
    size_t most = 0;
    for (const auto& c : conns_) {
      size_t held = c->in.capacity() + c->out.capacity();
      if (!c->closing && held > most) {
        most = held;
        biggest = c.get();
      }
    }
    if (biggest == nullptr) break;
    Close(*biggest, &counters_.memory_cap, &memory_log_);
    total -= most;
  }
}

int SocketmapServer::Loop::PollTimeout(int64_t now) const {
  int64_t wait = kLimitLogIntervalMs;
  for (const auto& c : conns_) {
    wait = std::min(wait, c->last_active_ms + limits_.idle_timeout_ms - now);
  }
  if (accept_paused_until_ms_ > now) wait = std::min(wait, accept_paused_until_ms_ - now);
  return static_cast<int>(std::max<int64_t>(wait, 0) + 1);
}

void SocketmapServer::Loop::Run() {
  std::vector<pollfd> fds;
  char buf[kReadBytes];
  for (;;) {
    int64_t now = base::MonotonicMillis();
    // Drop what was closed, and what has been quiet too long.
    for (auto& c : conns_) {
      if (!c->closing && now - c->last_active_ms >= limits_.idle_timeout_ms) {
        Close(*c, &counters_.idle_timeouts, &idle_log_);
      }
    }
    std::erase_if(conns_, [](const auto& c) { return c->closing; });
    counters_.open_connections.store(conns_.size());
    counters_.buffered_bytes.store(Buffered());

    fds.clear();
    fds.push_back({s_.wake_fd_.get(), POLLIN, 0});
    const bool accepting = now >= accept_paused_until_ms_;
    fds.push_back({s_.listen_fd_.get(), static_cast<short>(accepting ? POLLIN : 0), 0});
    for (const auto& c : conns_) {
      short events = c->paused || c->eof ? 0 : POLLIN;
      if (!c->out.empty()) events |= POLLOUT;
      fds.push_back({c->fd.get(), events, 0});
    }
    if (::poll(fds.data(), fds.size(), PollTimeout(now)) < 0) {
      if (errno == EINTR) continue;
      base::LogError("socketmap: poll: %s", std::strerror(errno));
      return;
    }
    if (fds[0].revents & POLLIN) return;
    now = base::MonotonicMillis();
    // Connections accepted below are after the polled ones in conns_.
    const size_t polled = conns_.size();
    for (size_t i = 0; i < polled; ++i) {
      Connection& c = *conns_[i];
      const short revents = fds[i + 2].revents;
      if (revents & POLLNVAL) {
        Close(c, nullptr, nullptr);
        continue;
      }
      if (revents & POLLOUT) {
        Flush(c, now);
        if (!c.closing && c.paused) Serve(c);  // Room again: take the waiting requests.
      }
      if ((revents & (POLLIN | POLLHUP | POLLERR)) && !c.paused && !c.eof && !c.closing) {
        ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
        if (n > 0) {
          c.in.append(buf, static_cast<size_t>(n));
          c.last_active_ms = now;
          Serve(c);
        } else if (n == 0) {
          c.eof = true;  // Half-closed: the replies still go out.
        } else if (errno != EAGAIN && errno != EINTR) {
          Close(c, nullptr, nullptr);
        }
      } else if ((revents & (POLLHUP | POLLERR)) && c.out.empty()) {
        Close(c, nullptr, nullptr);
      }
      Flush(c, now);
      if (c.eof && c.out.empty() && !c.paused) Close(c, nullptr, nullptr);
    }
    EnforceMemoryCap();
    if (fds[1].revents & POLLIN) Accept(now);
  }
}

void SocketmapServer::Start(const table::RelayTable* table, const base::Clock* clock,
                            match::NetworkSet statics, SocketmapOptions options) {
  table_ = table;
  clock_ = clock;
  statics_ = std::move(statics);
  options_ = std::move(options);
  thread_ = std::thread([this] { Loop(this).Run(); });
}

void SocketmapServer::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  (void)!::write(wake_fd_.get(), &one, sizeof one);
  thread_.join();
  if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

}  // namespace exact::publish
