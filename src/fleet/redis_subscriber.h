// The relay side of the Redis fleet: follows the grant stream that front
// ends append to, and hands each batch of grants to `apply` (the daemon
// puts them in its own expiring table, which then publishes the local maps
// as if the logins had been seen here).
//
// Every (re)connect reads the stream from its start: the stream is capped
// (XADD MAXLEN ~), a grant applied twice changes nothing, and a Redis that
// restarted empty or from an older dump has ids this subscriber has not
// seen, so "from where I was" would skip grants. While Redis is down the
// table keeps what it has, and its entries expire on their own times.
//
// Thread safety: one thread of its own; `apply` runs on it.
#ifndef EXACT_SRC_FLEET_REDIS_SUBSCRIBER_H_
#define EXACT_SRC_FLEET_REDIS_SUBSCRIBER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "src/fleet/grant_wire.h"

namespace exact::fleet {

struct SubscriberCounts {
  std::atomic<uint64_t> entries{0};      // Stream entries read.
  std::atomic<uint64_t> bad_entries{0};  // Entries that were not a grant; skipped.
  std::atomic<uint64_t> revokes{0};      // Revoke entries (not applied; see docs/fleet.md).
  std::atomic<uint64_t> failures{0};     // Failed connects and reads.
  std::atomic<bool> connected{false};
};

class RedisSubscriber {
 public:
  using Apply = std::function<void(const std::vector<Grant>& grants)>;
  RedisSubscriber(const Endpoint& endpoint, std::string stream, Apply apply, int timeout_ms = 1000);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  void Start();
  void Stop();  // Returns within about one read timeout.
  const SubscriberCounts& counts() const { return counts_; }
  std::string Summary() const;

 private:
  void Run();

  Endpoint endpoint_;
  std::string stream_;
  Apply apply_;
  int timeout_ms_;
  SubscriberCounts counts_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace exact::fleet

#endif  // EXACT_SRC_FLEET_REDIS_SUBSCRIBER_H_
