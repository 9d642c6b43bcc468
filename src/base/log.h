// The process-wide diagnostic log: stderr (foreground), syslog (facility
// mail, ident "exact") or an append-only file (`logging internal`).
// Severities follow Postfix msg(3). Thread safety: all functions may be called
// from any thread; lines are written whole.
#ifndef EXACT_SRC_BASE_LOG_H_
#define EXACT_SRC_BASE_LOG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace exact::base {

enum class Severity { kDebug, kInfo, kWarning, kError, kFatal };

enum class LogSink { kStderr, kSyslog, kFile };

// Selects where log lines go. For kFile, `path` is opened for append with
// mode 0640 (before privileges are dropped, so the descriptor stays usable).
absl::Status ConfigureLog(LogSink sink, const std::string& path = "");
void SetLogDebug(bool on);
// While on, errors and warnings also go to stderr whatever the sink: a
// daemon still starting up says what stopped it on the operator's terminal.
void SetLogEchoErrors(bool on);
bool LogDebugEnabled();

void LogMessage(Severity severity, absl::string_view message);

template <typename... Args>
void LogInfo(const absl::FormatSpec<Args...>& format, const Args&... args) {
  LogMessage(Severity::kInfo, absl::StrFormat(format, args...));
}
template <typename... Args>
void LogWarning(const absl::FormatSpec<Args...>& format, const Args&... args) {
  LogMessage(Severity::kWarning, absl::StrFormat(format, args...));
}
template <typename... Args>
void LogError(const absl::FormatSpec<Args...>& format, const Args&... args) {
  LogMessage(Severity::kError, absl::StrFormat(format, args...));
}
template <typename... Args>
void LogDebug(const absl::FormatSpec<Args...>& format, const Args&... args) {
  if (LogDebugEnabled()) LogMessage(Severity::kDebug, absl::StrFormat(format, args...));
}

// Makes attacker-controlled text (user names, log excerpts) safe to print:
// bytes outside printable ASCII, backslash and tab become \xHH escapes, and
// the result is cut at `max_bytes` with "..." appended.
std::string Printable(absl::string_view text, size_t max_bytes = 256);

}  // namespace exact::base

#endif  // EXACT_SRC_BASE_LOG_H_
