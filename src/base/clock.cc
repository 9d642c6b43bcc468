// Time formatting and the monotonic-anchored clock.
#include "src/base/clock.h"

namespace exact::base {
namespace {

int64_t ClockMicros(clockid_t id) {
  struct timespec ts;
  ::clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace

std::string FormatLocalTime(UnixSeconds t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm_local;
  char buf[32];
  ::localtime_r(&tt, &tm_local);
  ::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm_local);
  return buf;
}

RealClock::RealClock()
    : anchor_wall_us_(ClockMicros(CLOCK_REALTIME)), anchor_mono_us_(ClockMicros(CLOCK_MONOTONIC)) {}

int64_t RealClock::NowMicros() const {
  return anchor_wall_us_ + (ClockMicros(CLOCK_MONOTONIC) - anchor_mono_us_);
}

int64_t RealClock::WallMicros() const { return ClockMicros(CLOCK_REALTIME); }

}  // namespace exact::base
