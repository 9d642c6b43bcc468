// How long a login may relay, from the time it was logged.
//
// A login's time is the stamp on its line, capped at the wall clock plus a
// small skew (a forged or mis-set future stamp buys seconds, not hours). A
// stamp names an interval ("09:00:02" is any moment of that second), and a
// grant never ends before `timeout` has passed since the latest moment in
// it: expiry = ceil(stamp + precision) + timeout. A line without a usable
// stamp falls back to the read time. A login whose expiry has already passed
// is stale: it is counted, never granted, so replaying a 2019 log grants
// nothing.
//
// The age is measured on the wall clock (the frame the stamps are in); the
// result is in the table's frame (base::Clock::Now), so a wall-clock step
// does not move grants already made. Thread safety: pure functions.
#ifndef EXACT_SRC_TABLE_GRANT_H_
#define EXACT_SRC_TABLE_GRANT_H_

#include <cstdint>

#include "src/base/clock.h"

namespace exact::table {

using base::UnixSeconds;

// How far ahead of the wall clock a stamp may be: clock skew between the
// logging host and this one, not more.
inline constexpr int64_t kMaxFutureSkewMicros = 5'000'000;

struct LoginStamp {
  bool has_time = false;
  int64_t time_us = 0;               // Unix microseconds.
  int32_t precision_us = 1'000'000;  // The stamp's interval: [time_us, time_us + precision_us).
};

struct Grant {
  bool live = false;           // Still within `timeout`: grant it.
  bool from_log = false;       // The time came from the line (else the read time).
  bool capped = false;         // The stamp was in the future beyond the skew.
  UnixSeconds last_login = 0;  // Table frame.
  UnixSeconds expiry = 0;      // Table frame.
};

// `wall_us` is the wall clock now, `now` the table's clock at the same moment.
Grant GrantFor(const LoginStamp& stamp, int64_t wall_us, UnixSeconds now, UnixSeconds timeout);

}  // namespace exact::table

#endif  // EXACT_SRC_TABLE_GRANT_H_
