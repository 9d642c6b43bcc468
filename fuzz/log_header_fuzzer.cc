// Fuzzes the log header parser: any bytes give a consistent LogHeader whose
// views all point into the input; a stamp with its own zone reads the same
// under any parser zone; and parsing is deterministic across the per-thread
// caches that two parsers share on one thread.
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "fuzz/fuzz_target.h"
#include "src/match/log_header.h"

namespace {

using exact::match::HeaderForm;
using exact::match::HeaderParser;
using exact::match::LogHeader;

// 2026-12-01T00:00:00Z.
constexpr int64_t kNowUs = int64_t{1'796'083'200} * 1'000'000;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool Within(absl::string_view part, absl::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void CheckHeader(const LogHeader& h, bool returned, absl::string_view line) {
  Check(returned == (h.form != HeaderForm::kNone));
  Check(Within(h.message, line) && Within(h.host, line) && Within(h.tag, line) &&
        Within(h.pid, line) && Within(h.level, line));
  if (h.form == HeaderForm::kNone) {
    Check(h.message.data() == line.data() && h.message.size() == line.size());
    Check(!h.has_time && h.priority == -1 && h.host.empty() && h.tag.empty() && h.pid.empty());
  }
  if (h.has_time) {
    int32_t p = h.precision_us;
    Check(p > 0 && p <= 1'000'000);
    while (p % 10 == 0) p /= 10;
    Check(p == 1);  // A power of ten.
  } else {
    Check(h.precision_us == 0 && !h.zone_given);
  }
  Check(h.priority >= -1 && h.priority <= 191);
  for (char c : h.pid) Check(h.form == HeaderForm::kRfc5424 || (c >= '0' && c <= '9'));
}

bool Same(const LogHeader& a, const LogHeader& b) {
  return a.form == b.form && a.has_time == b.has_time && a.time_us == b.time_us &&
         a.precision_us == b.precision_us && a.zone_given == b.zone_given &&
         a.priority == b.priority && a.host == b.host && a.tag == b.tag && a.pid == b.pid &&
         a.message == b.message && a.level == b.level;
}

const HeaderParser& Utc() {
  static const HeaderParser* parser = new HeaderParser(absl::UTCTimeZone());
  return *parser;
}

// A zone with daylight saving time when tzdata is installed.
const HeaderParser& Berlin() {
  static const HeaderParser* parser = [] {
    absl::TimeZone zone = absl::FixedTimeZone(3600);
    absl::LoadTimeZone("Europe/Berlin", &zone);
    return new HeaderParser(zone);
  }();
  return *parser;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view line(reinterpret_cast<const char*>(data), size);
  LogHeader utc, berlin, again;
  CheckHeader(utc, Utc().Parse(line, kNowUs, &utc), line);
  CheckHeader(berlin, Berlin().Parse(line, kNowUs, &berlin), line);
  // The zone changes only the times of zone-less stamps.
  Check(utc.form == berlin.form && utc.message == berlin.message && utc.host == berlin.host);
  if (utc.zone_given && berlin.zone_given) Check(utc.time_us == berlin.time_us);
  // The caches hold the other parser's hours now; the answer must not move.
  Utc().Parse(line, kNowUs, &again);
  Check(Same(utc, again));
  return 0;
}
