// Time source, injected so that expiry logic is testable without sleeping.
// Thread safety: RealClock is stateless; FakeClock is safe for concurrent use.
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
// expiries, which follow the wall clock that log lines and dumps use.
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
  virtual UnixSeconds Now() const = 0;
};

class RealClock final : public Clock {
 public:
  UnixSeconds Now() const override { return static_cast<UnixSeconds>(::time(nullptr)); }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixSeconds start) : now_(start) {}
  UnixSeconds Now() const override { return now_.load(); }
  void Set(UnixSeconds t) { now_.store(t); }
  void Advance(UnixSeconds d) { now_.fetch_add(d); }

 private:
  std::atomic<UnixSeconds> now_;
};

}  // namespace exact::base

#endif  // EXACT_SRC_BASE_CLOCK_H_
