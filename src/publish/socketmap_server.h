// Live lookups with no file: a socketmap server, the netstring protocol of
// Postfix's socketmap_table(5) and Sendmail's socket map, answering from the
// relay table itself. A request is the netstring "NAME KEY"; the reply is
// "OK EXPIRY" for a live address (Postfix's access(5) reads an all-numeric
// value as OK), "NOTFOUND " otherwise, "PERM reason" for a malformed request.
// Connections may carry many requests.
//
// Thread safety: Start() once; the server runs on its own thread and reads
// the table through its thread-safe Lookup(). Stop() from any thread.
#ifndef EXACT_SRC_PUBLISH_SOCKETMAP_SERVER_H_
#define EXACT_SRC_PUBLISH_SOCKETMAP_SERVER_H_

#include <sys/types.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/base/clock.h"
#include "src/base/files.h"
#include "src/match/network.h"
#include "src/table/relay_table.h"

namespace exact::publish {

// Answers one request payload ("NAME KEY") from `table`: the reply payload.
// `statics` answer "OK" whatever the table holds.
std::string SocketmapReply(absl::string_view request, const table::RelayTable& table,
                           base::UnixSeconds now, const match::NetworkSet& statics = {});

// Decodes netstrings from the front of `buffer`. Returns the payloads it
// could take whole, erases them from `buffer`; false on a malformed or
// oversized netstring (the connection should then be closed).
bool TakeNetstrings(std::string* buffer, std::vector<std::string>* payloads);
std::string Netstring(absl::string_view payload);

class SocketmapServer {
 public:
  // `address`: "unix:/path" or "inet:HOST:PORT". A unix socket is created
  // mode 0660 and given to `owner`/`group` (-1 keeps them): call before
  // privileges are dropped.
  static absl::StatusOr<std::unique_ptr<SocketmapServer>> Listen(const std::string& address,
                                                                 uid_t owner, gid_t group);
  ~SocketmapServer();

  void Start(const table::RelayTable* table, const base::Clock* clock,
             match::NetworkSet statics = {});
  void Stop();

  // Lookups answered so far: an address found live (or static), and not.
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  SocketmapServer() = default;
  void Run();

  base::UniqueFd listen_fd_;
  base::UniqueFd wake_fd_;
  std::string unix_path_;
  const table::RelayTable* table_ = nullptr;
  const base::Clock* clock_ = nullptr;
  match::NetworkSet statics_;
  std::thread thread_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace exact::publish

#endif  // EXACT_SRC_PUBLISH_SOCKETMAP_SERVER_H_
