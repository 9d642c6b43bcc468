// Live lookups with no file: a socketmap server, the netstring protocol of
// Postfix's socketmap_table(5) and Sendmail's socket map, answering from the
// relay table itself. A request is the netstring "NAME KEY"; the reply is
// "OK EXPIRY" for a live address (Postfix's access(5) reads an all-numeric
// value as OK), "NOTFOUND " otherwise, "PERM reason" for a malformed request.
// Connections may carry many requests.
//
// Every resource a client can make it hold is bounded (SocketmapLimits): the
// replies queued per connection (beyond it the connection is not read), time
// without traffic, the request size, the number of connections (the one
// quiet longest is closed for a new one) and all buffers together. Each limit
// is counted (counters()) and logged at most once a minute.
//
// Thread safety: Listen() and Start() once; the server runs on its own
// thread and reads the table through its thread-safe Lookup(). counters()
// and Stop() from any thread.
#ifndef EXACT_SRC_PUBLISH_SOCKETMAP_SERVER_H_
#define EXACT_SRC_PUBLISH_SOCKETMAP_SERVER_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/base/clock.h"
#include "src/base/files.h"
#include "src/match/network.h"
#include "src/publish/netstring.h"
#include "src/table/relay_table.h"

namespace exact::publish {

// Answers one request payload ("NAME KEY") from `table`: the reply payload.
// `statics` answer "OK" whatever the table holds.
std::string SocketmapReply(absl::string_view request, const table::RelayTable& table,
                           base::UnixSeconds now, const match::NetworkSet& statics = {});

struct SocketmapLimits {
  // A connection whose queued replies exceed this is not read until its
  // client has taken them (Redis's client-output-buffer-limit, as back-pressure).
  size_t max_queued_reply_bytes = 64 * 1024;
  // A connection that moves no byte either way this long is closed; this
  // also ends a client that stopped reading. Postfix reconnects on demand.
  int64_t idle_timeout_ms = 60 * 1000;
  // Postfix's own socketmap limit; a longer request closes the connection.
  size_t max_request_bytes = kMaxNetstringPayload;
  // At the limit a new connection closes the one that has been quiet longest.
  size_t max_connections = 256;
  // All connections' buffers together; beyond it the connection holding the
  // most is closed.
  size_t memory_cap_bytes = 8 << 20;
};

struct SocketmapOptions {
  SocketmapLimits limits;
  // For inet: the only client networks answered (a local MTA needs
  // 127.0.0.1 listed); empty = anyone, which the config allows only on a
  // loopback listener.
  match::NetworkSet allow;
};

// Totals since Start(), for metrics. Each limit has its own counter.
struct SocketmapCounters {
  uint64_t accepted = 0;          // Connections accepted.
  uint64_t requests = 0;          // Requests answered.
  uint64_t hits = 0;              // Of those, an address found live (or static).
  uint64_t misses = 0;            // And not.
  uint64_t reads_paused = 0;      // Times a connection's queued replies stopped its reads.
  uint64_t idle_timeouts = 0;     // Connections closed for idle_timeout_ms.
  uint64_t oversized = 0;         // Connections closed for a request over max_request_bytes.
  uint64_t malformed = 0;         // Connections closed for a malformed netstring.
  uint64_t evicted = 0;           // Connections closed for a new one at max_connections.
  uint64_t memory_cap = 0;        // Connections closed at memory_cap_bytes.
  uint64_t refused_clients = 0;   // inet: clients outside the allow-list.
  uint64_t accept_failures = 0;   // accept() failed (out of descriptors, ...).
  uint64_t open_connections = 0;  // Now.
  uint64_t buffered_bytes = 0;    // Now: all connections' buffers.
};

// "socketmap: N requests, ...; limits: ..." for the daemon's statistics line.
std::string FormatSocketmapCounters(const SocketmapCounters& c);

class SocketmapServer {
 public:
  // `address`: "unix:/path", "inet:IPV4:PORT" or "inet:[IPV6]:PORT". A unix
  // socket is created mode 0660 and given to `owner`/`group` (-1 keeps them):
  // call before privileges are dropped.
  static absl::StatusOr<std::unique_ptr<SocketmapServer>> Listen(const std::string& address,
                                                                 uid_t owner, gid_t group);
  ~SocketmapServer();

  void Start(const table::RelayTable* table, const base::Clock* clock,
             match::NetworkSet statics = {}, SocketmapOptions options = {});
  void Stop();

  SocketmapCounters counters() const;
  // The port bound (for inet:PORT 0 in tests); 0 for a unix socket.
  int port() const { return port_; }

 private:
  struct Counters;
  class Loop;
  SocketmapServer();

  base::UniqueFd listen_fd_;
  base::UniqueFd wake_fd_;
  std::string unix_path_;
  bool is_inet_ = false;
  int port_ = 0;
  const table::RelayTable* table_ = nullptr;
  const base::Clock* clock_ = nullptr;
  match::NetworkSet statics_;
  SocketmapOptions options_;
  std::unique_ptr<Counters> counters_;
  std::thread thread_;
};

}  // namespace exact::publish

#endif  // EXACT_SRC_PUBLISH_SOCKETMAP_SERVER_H_
