// When the control loop publishes, expires and flushes, on an injected
// clock (the table's frame: RealClock runs it on CLOCK_MONOTONIC, so a
// wall-clock step moves no deadline).
//
//   - A change (a new address, an expiry) publishes at once after a quiet
//     spell; a burst is coalesced into one publish per `publish_interval`,
//     so an expired address may stay in the maps up to that long.
//   - PublishNow() (SIGALRM, refreshed logins at a flush) publishes at once.
//   - A failed publish is retried after kRetryMillis.
//   - Expiry is due when the table's next expiry is reached; a flush every
//     `flush` seconds.
// The scheduler decides and never acts: the loop asks what is due, does it,
// and reports back, so every rule here is testable on a FakeClock.
//
// Thread safety: one thread (the control loop).
#ifndef EXACT_SRC_DAEMON_SCHEDULER_H_
#define EXACT_SRC_DAEMON_SCHEDULER_H_

#include <cstdint>

#include "src/base/clock.h"

namespace exact::daemon {

class Scheduler {
 public:
  static constexpr int64_t kRetryMillis = 5000;
  static constexpr int64_t kNever = INT64_MAX;

  Scheduler(const base::Clock* clock, int64_t publish_interval_ms, int64_t flush_seconds);

  // A reload's new intervals; the next flush keeps its time.
  void SetIntervals(int64_t publish_interval_ms, int64_t flush_seconds);

  // Events.
  void Changed();
  void Expired();
  void PublishNow();
  void Published(bool ok);

  // Milliseconds until something may be due (given the table's next
  // expiry, table::RelayTable::kNever for none), clamped to [0, 1 h];
  // -1: nothing will be due until an event.
  int PollTimeoutMillis(base::UnixSeconds next_expiry) const;
  bool ExpiryDue(base::UnixSeconds next_expiry) const { return clock_->Now() >= next_expiry; }
  // True once per flush interval; re-arms the next flush.
  bool TakeFlush();
  bool PublishDue() const { return NowMillis() >= publish_due_ms_; }

 private:
  int64_t NowMillis() const { return clock_->NowMicros() / 1000; }

  const base::Clock* clock_;
  int64_t publish_interval_ms_;
  int64_t flush_seconds_;
  int64_t publish_due_ms_ = kNever;
  int64_t last_publish_ms_ = INT64_MIN / 2;
  base::UnixSeconds next_flush_;
};

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_SCHEDULER_H_
