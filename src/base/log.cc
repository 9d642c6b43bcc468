// Log sinks. A mutex keeps whole lines together; the hot path never logs.
#include "src/base/log.h"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "src/base/mutex.h"

namespace exact::base {
namespace {

struct LogState {
  Mutex mu;
  LogSink sink ABSL_GUARDED_BY(mu) = LogSink::kStderr;
  int fd ABSL_GUARDED_BY(mu) = -1;
};

LogState& State() {
  static LogState* state = new LogState;
  return *state;
}

std::atomic<bool> g_debug{false};
std::atomic<bool> g_echo_errors{false};

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kDebug:
      return "debug";
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
    case Severity::kFatal:
      return "fatal";
  }
  return "?";
}

int SyslogPriority(Severity s) {
  switch (s) {
    case Severity::kDebug:
      return LOG_DEBUG;
    case Severity::kInfo:
      return LOG_INFO;
    case Severity::kWarning:
      return LOG_WARNING;
    case Severity::kError:
      return LOG_ERR;
    case Severity::kFatal:
      return LOG_CRIT;
  }
  return LOG_INFO;
}

void WriteFully(int fd, absl::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // Nowhere left to report a logging failure.
    s.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

absl::Status ConfigureLog(LogSink sink, const std::string& path) {
  LogState& st = State();
  int fd = -1;
  if (sink == LogSink::kFile) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open log file ", path));
  }
  if (sink == LogSink::kSyslog) ::openlog("exact", LOG_PID | LOG_NDELAY, LOG_DAEMON);
  MutexLock lock(&st.mu);
  if (st.fd >= 0) ::close(st.fd);
  st.fd = fd;
  st.sink = sink;
  return absl::OkStatus();
}

void SetLogDebug(bool on) { g_debug.store(on); }
void SetLogEchoErrors(bool on) { g_echo_errors.store(on); }
bool LogDebugEnabled() { return g_debug.load(std::memory_order_relaxed); }

void LogMessage(Severity severity, absl::string_view message) {
  LogState& st = State();
  MutexLock lock(&st.mu);
  if (st.sink != LogSink::kStderr && severity >= Severity::kWarning && g_echo_errors.load()) {
    WriteFully(STDERR_FILENO, absl::StrCat("exact: ", SeverityName(severity), ": ", message, "\n"));
  }
  switch (st.sink) {
    case LogSink::kSyslog:
      // Debug output never goes to syslog: exact may be reading that very log.
      if (severity == Severity::kDebug) return;
      ::syslog(SyslogPriority(severity), "%s: %.*s", SeverityName(severity),
               static_cast<int>(message.size()), message.data());
      return;
    case LogSink::kFile: {
      char stamp[32];
      time_t now = ::time(nullptr);
      struct tm tm_now;
      ::localtime_r(&now, &tm_now);
      ::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm_now);
      WriteFully(st.fd, absl::StrCat(stamp, " exact[", ::getpid(), "]: ", SeverityName(severity),
                                     ": ", message, "\n"));
      return;
    }
    case LogSink::kStderr:
      WriteFully(STDERR_FILENO,
                 absl::StrCat("exact: ", SeverityName(severity), ": ", message, "\n"));
      return;
  }
}

std::string Printable(absl::string_view text, size_t max_bytes) {
  std::string out;
  bool cut = text.size() > max_bytes;
  if (cut) text = text.substr(0, max_bytes);
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, absl::StrFormat("\\x%02x", c));
    }
  }
  if (cut) out += "...";
  return out;
}

}  // namespace exact::base
