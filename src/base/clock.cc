// Time formatting.
#include "src/base/clock.h"

namespace exact::base {

std::string FormatLocalTime(UnixSeconds t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm_local;
  char buf[32];
  ::localtime_r(&tt, &tm_local);
  ::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm_local);
  return buf;
}

}  // namespace exact::base
