// Publishes the live relay set to shared stores (memcached, Redis) beside
// the pipeline. The control thread hands over each local publish's
// snapshot with Offer(); what changed since the last offer goes into a
// bounded queue per store, and one thread per store writes it out. Nothing
// here ever blocks the caller on the network.
//
// Past the queue's bound a change is dropped and counted, and that store is
// marked for a resync: its thread then writes every grant still live from
// the latest snapshot, which holds everything the dropped changes did. The
// same resync follows every (re)connect, so a server that was down or
// restarted empty gets every grant it missed. Revokes are in no snapshot,
// so they queue in order with the grants but outside the bound (they are
// manual, and rare); expiries need no message, since every item carries
// its TTL.
//
// Thread safety: Offer and Delete from one thread (the control loop's);
// counts and Summary from any.
#ifndef EXACT_SRC_FLEET_FLEET_PUBLISHER_H_
#define EXACT_SRC_FLEET_FLEET_PUBLISHER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/fleet/grant_store.h"
#include "src/table/relay_snapshot.h"

namespace exact::fleet {

// Per store; totals since start.
struct StoreCounts {
  std::atomic<uint64_t> written{0};     // Grants and revokes the server acknowledged.
  std::atomic<uint64_t> overflowed{0};  // Changes dropped past the queue bound.
  std::atomic<uint64_t> failures{0};    // Failed connects and writes.
  std::atomic<uint64_t> resyncs{0};     // Full rewrites of the live set.
  std::atomic<bool> connected{false};
};

struct PublisherOptions {
  size_t queue_bound = 65536;  // Changes waiting per store.
  size_t batch = 1000;         // Grants per pipelined write.
  int64_t backoff_min_ms = 100;
  int64_t backoff_max_ms = 5000;
};

class FleetPublisher {
 public:
  FleetPublisher(std::vector<std::unique_ptr<GrantStore>> stores, const base::Clock* clock,
                 const PublisherOptions& options = {});
  ~FleetPublisher();  // Stops: see Stop.
  FleetPublisher(const FleetPublisher&) = delete;
  FleetPublisher& operator=(const FleetPublisher&) = delete;

  void Start();
  // Gives each store one last chance to take what is queued (bounded by its
  // timeouts), then joins the threads.
  void Stop();

  // The table as just published locally. Queues each grant that is new or
  // whose expiry moved since the previous offer.
  void Offer(const table::RelaySnapshot& live);
  // A manual revoke: deletes the address from every store.
  void Delete(const IpAddress& address);

  size_t store_count() const { return workers_.size(); }
  std::string StoreName(size_t i) const;
  const StoreCounts& counts(size_t i) const;
  // One line for the periodic statistics log.
  std::string Summary() const;

 private:
  class Worker;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<Grant> offered_;  // Sorted by address; the control thread's own.
};

}  // namespace exact::fleet

#endif  // EXACT_SRC_FLEET_FLEET_PUBLISHER_H_
