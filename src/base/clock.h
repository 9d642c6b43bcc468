// Time sources, injected so that expiry logic is testable without sleeping.
//
// Two frames. Log lines carry wall-clock stamps, so a login's age is taken
// on the wall clock (WallMicros). Expiries are kept in the table's frame
// (Now), which RealClock anchors to the wall clock at start and then runs on
// CLOCK_MONOTONIC: a wall-clock step backwards or forwards (a bad NTP
// server, an operator's `date -s`) then neither lengthens nor shortens a
// grant already made. A restart re-anchors the frame to the wall clock.
//
// Thread safety: RealClock is immutable after construction; FakeClock is
// safe for concurrent use.
#ifndef EXACT_SRC_BASE_CLOCK_H_
#define EXACT_SRC_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <ctime>
#include <string>

namespace exact::base {

// Seconds since the Unix epoch, the unit of every expiry in exact.
using UnixSeconds = int64_t;

// Milliseconds on CLOCK_MONOTONIC: for pacing (publish intervals), never for
// expiries.
inline int64_t MonotonicMillis() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// "YYYY-mm-dd HH:MM:SS" in local time, as dumps and tools show times.
std::string FormatLocalTime(UnixSeconds t);

class Clock {
 public:
  virtual ~Clock() = default;
  // The table's frame: what expiries are compared with.
  virtual UnixSeconds Now() const = 0;
  // The same frame in microseconds, for timers.
  virtual int64_t NowMicros() const { return Now() * 1000000; }
  // The system's wall clock in microseconds: the frame of log stamps.
  virtual int64_t WallMicros() const = 0;
};

class RealClock final : public Clock {
 public:
  RealClock();
  UnixSeconds Now() const override { return NowMicros() / 1000000; }
  int64_t NowMicros() const override;
  int64_t WallMicros() const override;

 private:
  int64_t anchor_wall_us_;  // Wall clock at construction...
  int64_t anchor_mono_us_;  // ...and the monotonic clock at the same moment.
};

// The real clock moved by a fixed amount: `exact --once --as-of TIME`
// evaluates logs as they stood at TIME (forensics, golden tests).
class ShiftedClock final : public Clock {
 public:
  explicit ShiftedClock(int64_t shift_us) : shift_us_(shift_us) {}
  UnixSeconds Now() const override { return NowMicros() / 1000000; }
  int64_t NowMicros() const override { return real_.NowMicros() + shift_us_; }
  int64_t WallMicros() const override { return real_.WallMicros() + shift_us_; }

 private:
  RealClock real_;
  int64_t shift_us_;
};

// Both frames from one settable value, unless SetWall() moved the wall
// clock alone (a step). Kept in microseconds, so that millisecond pacing
// (publish intervals) is testable too.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixSeconds start) : now_us_(start * 1000000), wall_us_(start * 1000000) {}
  UnixSeconds Now() const override { return now_us_.load() / 1000000; }
  int64_t NowMicros() const override { return now_us_.load(); }
  int64_t WallMicros() const override { return wall_us_.load(); }
  void Set(UnixSeconds t) {
    now_us_.store(t * 1000000);
    wall_us_.store(t * 1000000);
  }
  void Advance(UnixSeconds d) { AdvanceMicros(d * 1000000); }
  void AdvanceMicros(int64_t d) {
    now_us_.fetch_add(d);
    wall_us_.fetch_add(d);
  }
  void SetWall(int64_t wall_us) { wall_us_.store(wall_us); }

 private:
  std::atomic<int64_t> now_us_;
  std::atomic<int64_t> wall_us_;
};

}  // namespace exact::base

#endif  // EXACT_SRC_BASE_CLOCK_H_
