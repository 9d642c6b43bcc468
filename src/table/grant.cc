// Login time → expiry.
#include "src/table/grant.h"

#include <algorithm>

namespace exact::table {
namespace {

constexpr int64_t kMicros = 1'000'000;

int64_t FloorSeconds(int64_t us) {
  return us >= 0 ? us / kMicros : -((-us + kMicros - 1) / kMicros);
}
int64_t CeilSeconds(int64_t us) { return -FloorSeconds(-us); }

}  // namespace

Grant GrantFor(const LoginStamp& stamp, int64_t wall_us, UnixSeconds now, UnixSeconds timeout) {
  Grant g;
  int64_t logged = wall_us;
  int64_t precision = 1;
  if (stamp.has_time) {
    g.from_log = true;
    logged = stamp.time_us;
    precision = std::max<int64_t>(stamp.precision_us, 1);
    if (logged > wall_us + kMaxFutureSkewMicros) {
      logged = wall_us + kMaxFutureSkewMicros;
      g.capped = true;
    }
  }
  // Older than the timeout (with a margin for the interval): stale, and kept
  // away from arithmetic on absurd stamps.
  const int64_t oldest = wall_us - (timeout + 2) * kMicros;
  if (logged < oldest) return g;
  const int64_t wall_s = FloorSeconds(wall_us);
  const int64_t frame = now - wall_s;  // Table frame minus wall frame, in seconds.
  g.expiry = CeilSeconds(logged + precision) + timeout + frame;
  g.last_login = FloorSeconds(logged) + frame;
  g.live = g.expiry > now;
  return g;
}

}  // namespace exact::table
