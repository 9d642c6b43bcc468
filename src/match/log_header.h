// Parses the header in front of one log line: when it was logged, by which
// host and program, and where the program's own message starts. exact stamps
// each login with this time (not the time it read the line), and stanzas
// match only the message under program tags the operator trusts. Every form
// exact meets is recognised by its shape, with no configuration; each is
// described with an example in docs/log-headers.md, together with how a
// missing year is inferred and how stamps without a zone are read.
//
// The parser never allocates and never reads outside the line it is given;
// any bytes give a valid LogHeader (kNone when no header is recognised), and
// every view it returns points into that line.
//
// Thread safety: a HeaderParser is immutable and is shared by all matching
// threads. Parse() keeps small per-thread caches of the zone's offsets,
// keyed by the parser, so concurrent calls never touch shared state.
#ifndef EXACT_SRC_MATCH_LOG_HEADER_H_
#define EXACT_SRC_MATCH_LOG_HEADER_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace exact::match {

namespace log_header_internal {
struct Stamp;  // A stamp's fields as written; defined in log_header.cc.
}  // namespace log_header_internal

enum class HeaderForm : uint8_t {
  kNone,         // no recognised header: message = whole line, no time
  kBsd,          // "Nov 22 09:00:02 host tag[pid]: msg" (RFC 3164), optional "<PRI>" first
  kBsdNoHost,    // Dovecot log_path default: "Nov 22 09:00:02 imap-login: Info: ..." (no host)
  kRfc3339,      // "2026-11-22T09:00:02.123456+01:00 host tag[pid]: msg" (rsyslog), also "Z",
                 // "+0100" (journalctl -o short-iso), and ' ' instead of 'T'
  kRfc5424,      // "<22>1 2026-11-02T10:00:00Z host app procid msgid [sd...]|- msg"
  kJournalFull,  // journalctl -o short-full: "Sun 2026-11-22 09:00:02 CET host tag[pid]: msg"
  kUnix,         // journalctl -o short-unix: "1700000000.123456 host tag[pid]: msg"
  kTai64n,       // multilog: "@4000000063a1b2c3xxxxxxxx msg"
  kIsoNoHost,    // Dovecot log_path with log_timestamp "%Y-%m-%d %H:%M:%S ":
                 // "2013-08-11 03:56:40 imap-login: ..."
  kNginx,        // nginx error log: "2022/04/05 13:25:11 [info] 8#8: *24785 client logged in, ..."
  kZimbra,       // Zimbra mailbox.log/audit.log:
                 // "2015-03-26 21:51:36,505 INFO  [Pop3Server-13] [ip=..;] security - ..."
};

// "kBsd", "kRfc3339", ...: for test messages, benchmarks and diagnostics.
absl::string_view HeaderFormName(HeaderForm form);

struct LogHeader {
  HeaderForm form = HeaderForm::kNone;
  bool has_time = false;
  int64_t time_us = 0;        // logged time, Unix microseconds (UTC)
  int32_t precision_us = 0;   // width of the stamp's interval: 1'000'000 for whole seconds,
                              // 1'000 for ms, 1 for µs: the event happened in
                              // [time_us, time_us + precision_us); 0 without a time
  bool zone_given = false;    // true: the stamp carried an offset/Z or is absolute (unix, tai64n)
  int priority = -1;          // <PRI> when present
  absl::string_view host;     // "" when the form has none; syslog-ng "host/host" and
                              // "src@host" -> the last host
  absl::string_view tag;      // program tag, "" when none ("postfix/smtpd", "dovecot", "imapd")
  absl::string_view pid;      // digits inside [..] (or RFC5424 PROCID, '-' -> ""), "" when none
  absl::string_view message;  // the rest after "tag[pid]: " (Solaris "[ID 123 mail.info] "
                              // skipped; RFC5424 structured data and BOM skipped); whole
                              // line for kNone
  absl::string_view level;    // nginx "info", Zimbra "INFO"; "" for the other forms
};

class HeaderParser {
 public:
  // `zone`: the rules for zone-less stamps (the daemon passes absl::LocalTimeZone()).
  explicit HeaderParser(absl::TimeZone zone);

  // Parses the header of one line (no trailing newline; a trailing '\r' is
  // the caller's). `now_us` is the reference time for inferring a missing
  // year: the year is chosen so the stamp is the most recent one not later
  // than now + 1 day (so "Dec 31 23:59:59" read on Jan 1 is last year's;
  // Feb 29 picks the most recent leap year). Always fills every field of
  // *out; returns out->form != kNone. A recognised header whose stamp is
  // absent (RFC 5424 "-") has has_time false.
  bool Parse(absl::string_view line, int64_t now_us, LogHeader* out) const;

  const absl::TimeZone& zone() const { return zone_; }

 private:
  using Stamp = log_header_internal::Stamp;

  bool ParseBody(const char* p, const char* end, int64_t now_us, LogHeader* out) const;
  bool ParseBsd(const char* p, const char* end, int64_t now_us, LogHeader* out) const;
  bool ParseJournalFull(const char* p, const char* end, LogHeader* out) const;
  bool ParseIso(const char* p, const char* end, LogHeader* out) const;
  bool ParseNginx(const char* p, const char* end, LogHeader* out) const;
  bool ParseRfc5424(const char* p, const char* end, LogHeader* out) const;

  // Unix seconds of the zone-less civil second in zone_, the earlier instant
  // of a repeated hour unless `abbr` names the later one's abbreviation.
  int64_t LocalToUnix(const Stamp& s, absl::string_view abbr) const;
  // Unix seconds of Jan 1 00:00:00 of the local year that holds `unix_s`,
  // and that year.
  int64_t LocalYear(int64_t unix_s) const;
  // Fills the time fields of *out from `s` (zone-less stamps via zone_).
  void SetTime(const Stamp& s, absl::string_view abbr, LogHeader* out) const;

  absl::TimeZone zone_;
  // Tells parsers apart in the per-thread caches (two parsers with
  // different zones may live at the same address one after the other).
  uint64_t id_;
};

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_LOG_HEADER_H_
