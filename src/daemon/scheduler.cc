#include "src/daemon/scheduler.h"

#include <algorithm>

#include "src/table/relay_table.h"

namespace exact::daemon {

Scheduler::Scheduler(const base::Clock* clock, int64_t publish_interval_ms, int64_t flush_seconds)
    : clock_(clock),
      publish_interval_ms_(publish_interval_ms),
      flush_seconds_(flush_seconds),
      next_flush_(clock->Now() + flush_seconds) {}

void Scheduler::SetIntervals(int64_t publish_interval_ms, int64_t flush_seconds) {
  publish_interval_ms_ = publish_interval_ms;
  flush_seconds_ = flush_seconds;
}

void Scheduler::Changed() {
  publish_due_ms_ =
      std::min(publish_due_ms_, std::max(NowMillis(), last_publish_ms_ + publish_interval_ms_));
}

// At a million live addresses something expires nearly every second: an
// expiry waits for the interval like any change, or every one would
// rewrite every map.
void Scheduler::Expired() { Changed(); }

void Scheduler::PublishNow() { publish_due_ms_ = std::min(publish_due_ms_, NowMillis()); }

void Scheduler::Published(bool ok) {
  const int64_t now_ms = NowMillis();
  last_publish_ms_ = now_ms;
  publish_due_ms_ = ok ? kNever : now_ms + kRetryMillis;
}

int Scheduler::PollTimeoutMillis(base::UnixSeconds next_expiry) const {
  const int64_t now_ms = NowMillis();
  int64_t timeout_ms = publish_due_ms_ == kNever ? kNever : publish_due_ms_ - now_ms;
  const base::UnixSeconds wall_deadline = std::min(next_expiry, next_flush_);
  if (wall_deadline != table::RelayTable::kNever) {
    timeout_ms = std::min(timeout_ms, wall_deadline * 1000 - now_ms);
  }
  if (timeout_ms == kNever) return -1;
  return static_cast<int>(std::clamp<int64_t>(timeout_ms, 0, 3600000));
}

bool Scheduler::TakeFlush() {
  const base::UnixSeconds now = clock_->Now();
  if (now < next_flush_) return false;
  next_flush_ = now + flush_seconds_;
  return true;
}

}  // namespace exact::daemon
