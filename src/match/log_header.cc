// The header parser: one hand-written scanner per form, chosen by the
// line's first byte, with our own calendar arithmetic. absl is asked only
// for what needs the zone's rules, and its answer is cached per civil hour
// per thread: a lookup costs more than parsing the whole header, and a log
// stays within one hour for thousands of lines.
//
// Every read is bounds-checked against the line's end; nothing allocates.
#include "src/match/log_header.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "absl/time/civil_time.h"

namespace exact::match {

namespace log_header_internal {

// A stamp as written: civil fields, fraction and optional offset.
struct Stamp {
  int64_t year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int32_t frac_us = 0;
  int32_t precision_us = 1'000'000;
  bool has_offset = false;
  int32_t offset_s = 0;  // east of UTC
};

}  // namespace log_header_internal

namespace {

using log_header_internal::Stamp;

constexpr int64_t kUsPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
// now_us is clamped to [1970, 10000) so the year search cannot overflow.
constexpr int64_t kMaxNowUs = 253'402'300'799 * kUsPerSecond;
// The TAI64 label of the Unix epoch's TAI second, and today's TAI - UTC:
// the 10 s the label's epoch already differs by, plus the 27 leap seconds
// inserted since 1972.
constexpr uint64_t kTai64Epoch = uint64_t{1} << 62;
constexpr int64_t kTaiMinusUtc = 10 + 27;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (H. Hinnant's days_from_civil: years counted from March, so the leap day
// is the last day of its year).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_era = y - era * 400;
  const int64_t day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146'097 + day_of_era - 719'468;
}

int64_t CivilAsUtc(const Stamp& s) {
  return (DaysFromCivil(s.year, s.month, s.day) * 24 + s.hour) * 3600 + s.minute * 60 + s.second;
}

absl::string_view View(const char* begin, const char* end) {
  return absl::string_view(begin, static_cast<size_t>(end - begin));
}

bool Eat(const char*& p, const char* end, char c) {
  if (p == end || *p != c) return false;
  ++p;
  return true;
}

// Exactly `n` decimal digits.
bool ReadDigits(const char*& p, const char* end, int n, int* value) {
  if (end - p < n) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    if (!IsDigit(p[i])) return false;
    v = v * 10 + (p[i] - '0');
  }
  p += n;
  *value = v;
  return true;
}

void SkipSpaces(const char*& p, const char* end) {
  while (p != end && *p == ' ') ++p;
}

// A stamp ends at a space (skipped, with any that follow) or at the line's end.
bool EndOfStamp(const char*& p, const char* end) {
  if (p == end) return true;
  if (*p != ' ') return false;
  SkipSpaces(p, end);
  return true;
}

// A fraction of 1-9 digits at p (after its '.' or ','). Digits past the
// sixth are dropped; the precision is what the digits written can tell
// apart.
bool ReadFraction(const char*& p, const char* end, int32_t* frac_us, int32_t* precision_us) {
  const char* q = p;
  int digits = 0;
  int32_t frac = 0;
  for (; q != end && IsDigit(*q); ++q, ++digits) {
    if (digits == 9) return false;
    if (digits < 6) frac = frac * 10 + (*q - '0');
  }
  if (digits == 0) return false;
  int32_t precision = 1;
  for (int i = digits; i < 6; ++i) {
    frac *= 10;
    precision *= 10;
  }
  *frac_us = frac;
  *precision_us = precision;
  p = q;
  return true;
}

// "YYYY<sep>MM<sep>DD", a real date.
bool ReadDate(const char*& p, const char* end, char sep, Stamp* s) {
  int year;
  if (!ReadDigits(p, end, 4, &year) || !Eat(p, end, sep) || !ReadDigits(p, end, 2, &s->month) ||
      !Eat(p, end, sep) || !ReadDigits(p, end, 2, &s->day)) {
    return false;
  }
  s->year = year;
  return s->month >= 1 && s->month <= 12 && s->day >= 1 && s->day <= DaysInMonth(s->year, s->month);
}

// "HH:MM:SS" and an optional fraction after '.' (or ',' when `comma_ok`;
// *comma says which was used).
bool ReadClock(const char*& p, const char* end, bool comma_ok, Stamp* s, bool* comma) {
  if (!ReadDigits(p, end, 2, &s->hour) || s->hour > 23 || !Eat(p, end, ':') ||
      !ReadDigits(p, end, 2, &s->minute) || s->minute > 59 || !Eat(p, end, ':') ||
      !ReadDigits(p, end, 2, &s->second) || s->second > 60) {
    return false;
  }
  // A leap second is reported as the second before it: absl, like POSIX
  // time, has no 23:59:60.
  if (s->second == 60) s->second = 59;
  *comma = false;
  if (p == end || !(*p == '.' || (comma_ok && *p == ','))) return true;
  *comma = *p == ',';
  ++p;
  return ReadFraction(p, end, &s->frac_us, &s->precision_us);
}

// "Z", or "+HH", "+HHMM", "+HH:MM" (or '-') within 14 hours.
bool ReadOffset(const char*& p, const char* end, Stamp* s) {
  if (p == end) return false;
  if (*p == 'Z' || *p == 'z') {
    ++p;
    s->has_offset = true;
    s->offset_s = 0;
    return true;
  }
  if (*p != '+' && *p != '-') return false;
  const bool west = *p == '-';
  ++p;
  int hours, minutes = 0;
  if (!ReadDigits(p, end, 2, &hours)) return false;
  if (Eat(p, end, ':')) {
    if (!ReadDigits(p, end, 2, &minutes)) return false;
  } else if (p != end && IsDigit(*p) && !ReadDigits(p, end, 2, &minutes)) {
    return false;
  }
  if (minutes > 59 || hours * 60 + minutes > 14 * 60) return false;
  s->has_offset = true;
  s->offset_s = (west ? -1 : 1) * (hours * 3600 + minutes * 60);
  return true;
}

// "tag: " or "tag[pid]: " at p (the space may be the line's end). The tag
// is anything up to a space, '[' or ':'; the pid is digits. A ':' that is
// not followed by a space ends no tag, so "fe80::1" is not the tag "fe80".
bool ReadTag(const char*& p, const char* end, LogHeader* out) {
  const char* q = p;
  while (q != end && *q != ' ' && *q != '[' && *q != ':') ++q;
  if (q == p || q == end || *q == ' ') return false;
  const char* tag_end = q;
  const char* pid_begin = q;
  const char* pid_end = q;
  if (*q == '[') {
    pid_begin = ++q;
    while (q != end && IsDigit(*q)) ++q;
    if (q == pid_begin || q == end || *q != ']') return false;
    pid_end = q++;
    if (q == end || *q != ':') return false;
  }
  ++q;  // The ':'.
  if (q != end && *q++ != ' ') return false;
  out->tag = View(p, tag_end);
  out->pid = View(pid_begin, pid_end);
  p = q;
  return true;
}

// Solaris syslogd's "[ID 583609 mail.info] " in front of the message.
void SkipSolarisId(const char*& p, const char* end) {
  if (end - p < 4 || std::memcmp(p, "[ID ", 4) != 0) return;
  const char* q = p + 4;
  const char* digits = q;
  while (q != end && IsDigit(*q)) ++q;
  if (q == digits || !Eat(q, end, ' ')) return;
  const char* facility = q;
  while (q != end && *q != ']' && *q != ' ') ++q;
  if (q == facility || !Eat(q, end, ']')) return;
  if (q != end && *q++ != ' ') return;
  p = q;
}

// An optional "tag[pid]: " at p, then the message.
void ReadTagMessage(const char* p, const char* end, LogHeader* out) {
  if (ReadTag(p, end, out)) SkipSolarisId(p, end);
  out->message = View(p, end);
}

// What follows a syslog-style stamp: "[host ][tag[pid]: ]message". The
// first token is a tag, not a host, when it is shaped like one (ends in
// ':'); returns true then (no host).
bool ReadHostTagMessage(const char* p, const char* end, LogHeader* out) {
  {
    const char* q = p;
    if (ReadTag(q, end, out)) {
      SkipSolarisId(q, end);
      out->message = View(q, end);
      return true;
    }
  }
  const char* host_end = p;
  const char* last = p;  // After the last '/' or '@': syslog-ng's chained names.
  for (; host_end != end && *host_end != ' '; ++host_end) {
    if (*host_end == '/' || *host_end == '@') last = host_end + 1;
  }
  out->host = last != host_end ? View(last, host_end) : View(p, host_end);
  p = host_end;
  SkipSpaces(p, end);
  ReadTagMessage(p, end, out);
  return false;
}

// A run of non-space bytes, at least one.
bool ReadToken(const char*& p, const char* end, absl::string_view* token) {
  const char* q = p;
  while (q != end && *q != ' ') ++q;
  if (q == p) return false;
  *token = View(p, q);
  p = q;
  return true;
}

// RFC 5424 STRUCTURED-DATA: "-" or one or more "[id param="value" ...]",
// where a value may hold "\]", "\"" and "\\".
bool SkipStructuredData(const char*& p, const char* end) {
  if (Eat(p, end, '-')) return true;
  if (p == end || *p != '[') return false;
  while (p != end && *p == '[') {
    bool quoted = false;
    for (++p;; ++p) {
      if (p == end) return false;
      if (quoted && *p == '\\') {
        if (++p == end) return false;
      } else if (*p == '"') {
        quoted = !quoted;
      } else if (!quoted && *p == ']') {
        break;
      }
    }
    ++p;
  }
  return true;
}

// 1-12 for "Jan".."Dec" at p (3 bytes readable), else 0.
int MonthFromName(const char* p) {
  static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  for (int m = 0; m < 12; ++m) {
    if (std::memcmp(p, kMonths + 3 * m, 3) == 0) return m + 1;
  }
  return 0;
}

bool IsWeekdayName(const char* p) {
  static constexpr char kDays[] = "MonTueWedThuFriSatSun";
  for (int d = 0; d < 7; ++d) {
    if (std::memcmp(p, kDays + 3 * d, 3) == 0) return true;
  }
  return false;
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The per-thread caches. Entries hold the id of the parser that filled
// them; ids start at 1, so a zeroed entry matches none.
struct HourEntry {
  uint64_t parser = 0;
  int64_t hour = 0;    // Civil hours since 1970-01-01T00 (as if UTC).
  int64_t offset = 0;  // Civil-as-UTC seconds minus Unix seconds, all hour.
};
// Eight hours, not one: the year search looks at two years around New
// Year, and a thread may alternate between logs of different hours.
constexpr int kHourCacheSize = 8;
thread_local HourEntry hour_cache[kHourCacheSize];

struct YearEntry {
  uint64_t parser = 0;
  int64_t begin_s = 0;  // [begin_s, end_s) in Unix seconds is local `year`.
  int64_t end_s = 0;
  int64_t year = 0;
};
thread_local YearEntry year_cache;

std::atomic<uint64_t> next_parser_id{1};

}  // namespace

absl::string_view HeaderFormName(HeaderForm form) {
  switch (form) {
    case HeaderForm::kNone:
      return "kNone";
    case HeaderForm::kBsd:
      return "kBsd";
    case HeaderForm::kBsdNoHost:
      return "kBsdNoHost";
    case HeaderForm::kRfc3339:
      return "kRfc3339";
    case HeaderForm::kRfc5424:
      return "kRfc5424";
    case HeaderForm::kJournalFull:
      return "kJournalFull";
    case HeaderForm::kUnix:
      return "kUnix";
    case HeaderForm::kTai64n:
      return "kTai64n";
    case HeaderForm::kIsoNoHost:
      return "kIsoNoHost";
    case HeaderForm::kNginx:
      return "kNginx";
    case HeaderForm::kZimbra:
      return "kZimbra";
  }
  return "?";
}

HeaderParser::HeaderParser(absl::TimeZone zone)
    : zone_(zone), id_(next_parser_id.fetch_add(1, std::memory_order_relaxed)) {}

int64_t HeaderParser::LocalToUnix(const Stamp& s, absl::string_view abbr) const {
  const int64_t hour = DaysFromCivil(s.year, s.month, s.day) * 24 + s.hour;
  const int64_t civil_s = hour * 3600 + s.minute * 60 + s.second;
  HourEntry& entry = hour_cache[hour & (kHourCacheSize - 1)];
  if (entry.parser == id_ && entry.hour == hour) return civil_s - entry.offset;
  // An hour is cached only when one offset holds from its first second to
  // its last: both unique and 3599 s apart.
  const absl::CivilSecond start(s.year, s.month, s.day, s.hour, 0, 0);
  const absl::TimeZone::TimeInfo first = zone_.At(start);
  if (first.kind == absl::TimeZone::TimeInfo::UNIQUE) {
    const absl::TimeZone::TimeInfo last = zone_.At(start + 3599);
    if (last.kind == absl::TimeZone::TimeInfo::UNIQUE &&
        last.pre - first.pre == absl::Seconds(3599)) {
      entry = {id_, hour, hour * 3600 - absl::ToUnixSeconds(first.pre)};
      return civil_s - entry.offset;
    }
  }
  // An hour with a transition in it. A repeated time is the earlier instant
  // (absl's `pre`) unless the stamp's abbreviation names the later one; a
  // skipped time is read with the offset in force before the gap (`pre`
  // again).
  const absl::TimeZone::TimeInfo info =
      zone_.At(absl::CivilSecond(s.year, s.month, s.day, s.hour, s.minute, s.second));
  absl::Time t = info.pre;
  if (info.kind == absl::TimeZone::TimeInfo::REPEATED && !abbr.empty()) {
    const absl::string_view later = zone_.At(info.post).zone_abbr;
    if (later == abbr && zone_.At(info.pre).zone_abbr != abbr) t = info.post;
  }
  return absl::ToUnixSeconds(t);
}

int64_t HeaderParser::LocalYear(int64_t unix_s) const {
  YearEntry& entry = year_cache;
  if (entry.parser == id_ && unix_s >= entry.begin_s && unix_s < entry.end_s) return entry.year;
  const int64_t year = zone_.At(absl::FromUnixSeconds(unix_s)).cs.year();
  entry = {id_, absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(year, 1, 1), zone_)),
           absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(year + 1, 1, 1), zone_)), year};
  return year;
}

void HeaderParser::SetTime(const Stamp& s, absl::string_view abbr, LogHeader* out) const {
  const int64_t unix_s = s.has_offset ? CivilAsUtc(s) - s.offset_s : LocalToUnix(s, abbr);
  out->has_time = true;
  out->time_us = unix_s * kUsPerSecond + s.frac_us;
  out->precision_us = s.precision_us;
  out->zone_given = s.has_offset;
}

bool HeaderParser::Parse(absl::string_view line, int64_t now_us, LogHeader* out) const {
  *out = LogHeader{};
  now_us = std::clamp<int64_t>(now_us, 0, kMaxNowUs);
  const char* p = line.data();
  const char* end = p + line.size();
  bool ok = false;
  if (p != end && *p == '<') {
    // "<PRI>": 1-3 digits, at most 191 (facility 23, severity 7).
    const char* q = p + 1;
    int priority = 0;
    int digits = 0;
    for (; q != end && IsDigit(*q) && digits < 3; ++q, ++digits)
      priority = priority * 10 + *q - '0';
    if (digits > 0 && Eat(q, end, '>') && priority <= 191) {
      out->priority = priority;
      if (end - q >= 2 && q[0] == '1' && q[1] == ' ') {
        ok = ParseRfc5424(q + 2, end, out);
      } else {
        ok = ParseBody(q, end, now_us, out);
      }
    }
  } else {
    ok = ParseBody(p, end, now_us, out);
  }
  if (!ok) {
    *out = LogHeader{};
    out->message = line;
  }
  return ok;
}

bool HeaderParser::ParseBody(const char* p, const char* end, int64_t now_us, LogHeader* out) const {
  if (end - p < 4) return false;
  const char c = *p;
  if (c >= 'A' && c <= 'Z') {
    if (p[3] != ' ') return false;
    if (MonthFromName(p) != 0) return ParseBsd(p, end, now_us, out);
    if (IsWeekdayName(p)) return ParseJournalFull(p + 4, end, out);
    return false;
  }
  if (c == '@') {
    // TAI64N: '@', 16 hex digits of label, 8 of nanoseconds.
    if (end - p < 25) return false;
    uint64_t label = 0;
    uint32_t nanos = 0;
    for (int i = 1; i <= 24; ++i) {
      const int v = HexValue(p[i]);
      if (v < 0) return false;
      if (i <= 16) {
        label = label << 4 | static_cast<uint64_t>(v);
      } else {
        nanos = nanos << 4 | static_cast<uint32_t>(v);
      }
    }
    // Labels before 1970 TAI or past the year 5000 are no multilog stamp.
    if (label < kTai64Epoch || label - kTai64Epoch > 100'000'000'000 || nanos >= 1'000'000'000) {
      return false;
    }
    p += 25;
    if (!EndOfStamp(p, end)) return false;
    out->form = HeaderForm::kTai64n;
    out->has_time = true;
    out->time_us =
        (static_cast<int64_t>(label - kTai64Epoch) - kTaiMinusUtc) * kUsPerSecond + nanos / 1000;
    out->precision_us = 1;
    out->zone_given = true;
    ReadTagMessage(p, end, out);
    return true;
  }
  if (!IsDigit(c)) return false;
  if (end - p >= 5 && IsDigit(p[1]) && IsDigit(p[2]) && IsDigit(p[3])) {
    if (p[4] == '-') return ParseIso(p, end, out);
    if (p[4] == '/') return ParseNginx(p, end, out);
  }
  // journalctl -o short-unix: 9-11 digits of seconds (1973 to 5138), '.',
  // 1-9 digits of fraction. Both parts are required: a bare number starts
  // too many messages.
  const char* q = p;
  int64_t seconds = 0;
  while (q != end && IsDigit(*q) && q - p < 12) seconds = seconds * 10 + (*q++ - '0');
  if (q - p < 9 || q - p > 11 || !Eat(q, end, '.')) return false;
  int32_t frac_us, precision_us;
  if (!ReadFraction(q, end, &frac_us, &precision_us) || !EndOfStamp(q, end)) return false;
  out->form = HeaderForm::kUnix;
  out->has_time = true;
  out->time_us = seconds * kUsPerSecond + frac_us;
  out->precision_us = precision_us;
  out->zone_given = true;
  ReadHostTagMessage(q, end, out);
  return true;
}

bool HeaderParser::ParseBsd(const char* p, const char* end, int64_t now_us, LogHeader* out) const {
  Stamp s;
  s.month = MonthFromName(p);
  p += 4;
  // The day: " 2" (RFC 3164's padding), "2" or "02".
  if (p != end && *p == ' ') ++p;
  if (p == end || !IsDigit(*p)) return false;
  s.day = *p++ - '0';
  if (p != end && IsDigit(*p)) s.day = s.day * 10 + (*p++ - '0');
  // Feb 29 passes here; the year search skips the years without one.
  if (s.day < 1 || s.day > DaysInMonth(2000, s.month) || !Eat(p, end, ' ')) return false;
  bool comma;
  if (!ReadClock(p, end, false, &s, &comma) || !EndOfStamp(p, end)) return false;
  // The most recent year that puts the stamp no later than now + 1 day. Nine
  // years reach back from Feb 29 2104 to 2096, over the non-leap 2100.
  const int64_t limit_us = now_us + kSecondsPerDay * kUsPerSecond;
  int64_t year = LocalYear(limit_us / kUsPerSecond);
  for (int i = 0; i < 9; ++i, --year) {
    if (s.day > DaysInMonth(year, s.month)) continue;
    s.year = year;
    const int64_t t_us = LocalToUnix(s, {}) * kUsPerSecond + s.frac_us;
    if (t_us > limit_us) continue;
    out->has_time = true;
    out->time_us = t_us;
    out->precision_us = s.precision_us;
    out->form = ReadHostTagMessage(p, end, out) ? HeaderForm::kBsdNoHost : HeaderForm::kBsd;
    return true;
  }
  return false;
}

bool HeaderParser::ParseJournalFull(const char* p, const char* end, LogHeader* out) const {
  Stamp s;
  bool comma;
  if (!ReadDate(p, end, '-', &s) || !Eat(p, end, ' ') || !ReadClock(p, end, false, &s, &comma) ||
      !Eat(p, end, ' ')) {
    return false;
  }
  // The zone as journalctl prints it: an abbreviation ("CET"), or the
  // numeric name tzdata gives zones without one ("+03", "-0330").
  absl::string_view abbr;
  const char* zone_begin = p;
  if (!ReadToken(p, end, &abbr)) return false;
  if (abbr[0] == '+' || abbr[0] == '-') {
    const char* z = zone_begin;
    if (!ReadOffset(z, p, &s) || z != p) return false;
  } else if (abbr == "UTC" || abbr == "GMT" || abbr == "UT" || abbr == "Z") {
    s.has_offset = true;
  } else {
    if (abbr.size() > 6) return false;
    for (char c : abbr) {
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
    }
  }
  if (!EndOfStamp(p, end)) return false;
  SetTime(s, abbr, out);
  ReadHostTagMessage(p, end, out);
  out->form = HeaderForm::kJournalFull;
  return true;
}

bool HeaderParser::ParseIso(const char* p, const char* end, LogHeader* out) const {
  Stamp s;
  bool comma;
  if (!ReadDate(p, end, '-', &s) || p == end || (*p != 'T' && *p != 't' && *p != ' ')) {
    return false;
  }
  ++p;
  if (!ReadClock(p, end, true, &s, &comma)) return false;
  if (comma) {
    // log4j's ISO8601 stamp, as Zimbra writes it: ",mmm", then the level
    // padded to five columns, then "[thread] [context] logger - message".
    if (s.precision_us != 1'000 || !Eat(p, end, ' ')) return false;
    const char* level = p;
    while (p != end && *p >= 'A' && *p <= 'Z') ++p;
    if (p == level || p == end || *p != ' ') return false;
    SetTime(s, {}, out);
    out->form = HeaderForm::kZimbra;
    out->level = View(level, p);
    SkipSpaces(p, end);
    out->message = View(p, end);
    return true;
  }
  if (p != end && *p != ' ' && !ReadOffset(p, end, &s)) return false;
  if (!EndOfStamp(p, end)) return false;
  SetTime(s, {}, out);
  out->form = ReadHostTagMessage(p, end, out) ? HeaderForm::kIsoNoHost : HeaderForm::kRfc3339;
  return true;
}

bool HeaderParser::ParseNginx(const char* p, const char* end, LogHeader* out) const {
  Stamp s;
  bool comma;
  if (!ReadDate(p, end, '/', &s) || !Eat(p, end, ' ') || !ReadClock(p, end, false, &s, &comma) ||
      s.precision_us != kUsPerSecond || !Eat(p, end, ' ') || !Eat(p, end, '[')) {
    return false;
  }
  const char* level = p;
  while (p != end && *p >= 'a' && *p <= 'z') ++p;
  if (p == level || p == end || *p != ']') return false;
  out->level = View(level, p);
  ++p;
  if (p != end && *p++ != ' ') return false;
  // "PID#TID: ", which nginx writes on every error_log line.
  const char* q = p;
  const char* pid = q;
  while (q != end && IsDigit(*q)) ++q;
  const char* pid_end = q;
  if (q != pid && Eat(q, end, '#')) {
    const char* tid = q;
    while (q != end && IsDigit(*q)) ++q;
    if (q != tid && Eat(q, end, ':') && (q == end || *q++ == ' ')) {
      out->pid = View(pid, pid_end);
      p = q;
    }
  }
  SetTime(s, {}, out);
  out->form = HeaderForm::kNginx;
  out->message = View(p, end);
  return true;
}

bool HeaderParser::ParseRfc5424(const char* p, const char* end, LogHeader* out) const {
  // TIMESTAMP: "-" (none), or RFC 3339 with 'T'.
  if (!Eat(p, end, '-')) {
    Stamp s;
    bool comma;
    if (!ReadDate(p, end, '-', &s) || !(Eat(p, end, 'T') || Eat(p, end, 't')) ||
        !ReadClock(p, end, false, &s, &comma)) {
      return false;
    }
    if (p != end && *p != ' ' && !ReadOffset(p, end, &s)) return false;
    SetTime(s, {}, out);
  }
  absl::string_view host, app, procid, msgid;
  if (!Eat(p, end, ' ') || !ReadToken(p, end, &host) || !Eat(p, end, ' ') ||
      !ReadToken(p, end, &app) || !Eat(p, end, ' ') || !ReadToken(p, end, &procid) ||
      !Eat(p, end, ' ') || !ReadToken(p, end, &msgid) || !Eat(p, end, ' ') ||
      !SkipStructuredData(p, end)) {
    return false;
  }
  if (p != end && *p++ != ' ') return false;
  // MSG may start with a UTF-8 byte order mark (RFC 5424 6.4).
  if (end - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
  out->form = HeaderForm::kRfc5424;
  out->host = host == "-" ? absl::string_view() : host;
  out->tag = app == "-" ? absl::string_view() : app;
  out->pid = procid == "-" ? absl::string_view() : procid;
  out->message = View(p, end);
  return true;
}

}  // namespace exact::match
