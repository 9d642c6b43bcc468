// Reads login lines from the systemd journal (libsystemd's sd_journal) and
// renders each admitted entry as one syslog-style text line for the matcher.
//
// Why: a syslog file cannot tell who wrote a line; any local user can run
// `logger -t dovecot "imap-login: Login: ..."`. journald records fields that
// a client cannot set (`_SYSTEMD_UNIT`, `_COMM`, `_UID`, `_PID`, `_HOSTNAME`
// and the entry's time stamp), so an entry is admitted only when its
// *trusted* fields name a configured unit or command. SYSLOG_IDENTIFIER,
// which the client chooses, only renders the tag of an entry already
// admitted. Entries that merely claim one of our tags (SYSLOG_IDENTIFIER is
// a configured command or a unit's name without its suffix) are read too,
// but only to be counted as untrusted: a forgery, or a short-lived process
// whose cgroup journald could not look up.
//
// Journal files come and go (rotation, vacuuming, a journald restart, the
// flush from /run to /var); libsystemd notices through inotify, but only
// when sd_journal_process() runs. Read() runs it first, and fd() lets an
// event loop run Process() as soon as something changes, so a reader that
// only calls Read() on a timer still follows every new file (fail2ban's
// journal backend went silent after rotations for want of this: its issues
// #3396 and #2139). Reading continues after the last entry consumed, so no
// entry is lost or repeated across those changes. docs/journald.md has the
// whole story, including the cursor checkpoint and the residual risks.
//
// Thread safety: one thread owns a JournalSource and makes every call. An
// sd_journal cannot be used in a child after fork(): open it after any fork.
#ifndef EXACT_SRC_INGEST_JOURNAL_SOURCE_H_
#define EXACT_SRC_INGEST_JOURNAL_SOURCE_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sd_journal;  // <systemd/sd-journal.h>; kept out of our headers.

namespace exact::ingest {

struct JournalOptions {
  std::vector<std::string> units;     // admit entries whose _SYSTEMD_UNIT is one of these
  std::vector<std::string> commands;  // ... or whose _COMM is one of these
  // Non-empty: an admitted entry must also have a _UID in this list. _COMM is
  // the process's own name, which any user can choose (a copy of logger
  // named imap-login); the uid is what makes a command match trustworthy.
  std::vector<uid_t> uids;
  std::vector<std::string> files;  // non-empty: sd_journal_open_files (tests, forensics)
  std::string directory;           // non-empty: sd_journal_open_directory; else the system journal
  std::string cursor;              // resume after this entry; "" = see from_start / since_us
  bool from_start = false;         // no cursor: from the oldest entry, else from since_us
  int64_t since_us = 0;            // no cursor and !from_start: seek to this realtime (0 = tail)
};

class JournalSource {
 public:
  // Opens the journal the options name: `files`, else `directory` (every
  // *.journal in it and in its machine-id subdirectories), else the local
  // system journal (system services and the kernel: neither user journals
  // nor other machines'). Positions the reader as the options say and
  // installs the change notification (fd()).
  // Errors: InvalidArgument for options that could never admit anything or
  // contradict each other (every problem in one message), or for a cursor
  // libsystemd cannot parse; otherwise the errno's code from the failing
  // libsystemd call (NotFound for a missing file in `files` or a missing
  // `directory`). The caller should report it and not start the input.
  static absl::StatusOr<std::unique_ptr<JournalSource>> Open(const JournalOptions& options);

  JournalSource(const JournalSource&) = delete;
  JournalSource& operator=(const JournalSource&) = delete;
  ~JournalSource();

  // Appends rendered lines (each ends with '\n') for admitted entries to `out`, reading at most
  // `max_entries` entries (admitted or not). Returns how many lines were appended. Never blocks.
  // Runs Process() first. Either appends lines and returns their number or
  // appends nothing and returns an error: an error met after some entries
  // were consumed is held back for the next call, so lines and cursor()
  // always agree. Errors are Process()'s, or carry libsystemd's errno (a
  // corrupted or vanished file); cursor() stays after the last entry
  // consumed, and the caller may log the error and call Read() again later.
  absl::StatusOr<size_t> Read(std::string* out, size_t max_entries);

  // The cursor of the last entry Read() consumed (admitted or not): store it to resume.
  // Before anything is consumed: the cursor Open() was given; in tail mode
  // the entry that was newest at Open(); else "" (resuming with "" and the
  // same options sees the same entries).
  const std::string& cursor() const { return cursor_; }

  // An fd to poll for POLLIN (sd_journal_get_fd); after it fires, call Process().
  // Owned by the source; valid until it is destroyed.
  int fd() const { return fd_; }

  // The poll() timeout in milliseconds, -1 for none. Not -1 only when the
  // journal is on a file system without reliable inotify (NFS): then the
  // caller must call Process() that often even without POLLIN.
  absl::StatusOr<int> PollTimeoutMs();

  // sd_journal_process: handles SD_JOURNAL_APPEND / INVALIDATE (new or rotated files, journald
  // restart) so that reading continues from the cursor without loss or repeats.
  // On INVALIDATE the source re-seeks to its own cursor() rather than trust
  // a position in a file that may just have been closed, and runs
  // CheckAccess(), returning its PermissionDenied: libsystemd silently skips
  // a journal file it cannot open, which after a privilege drop would stop
  // the input without a word. Other errors carry libsystemd's errno.
  absl::Status Process();

  // Checks that the effective user can read every journal file this source
  // would open now: the `files`; the journal files in `directory` and its
  // machine-id subdirectories; the system*.journal files in
  // /var/log/journal/MACHINE-ID and /run/log/journal/MACHINE-ID.
  // PermissionDenied names each one it cannot read and says the fix (group
  // systemd-journal). Call it after dropping privileges.
  absl::Status CheckAccess() const;

  // entries = admitted + untrusted + bad, over every entry Read() consumed.
  struct Counts {
    uint64_t entries = 0, admitted = 0, untrusted = 0, bad = 0;
    uint64_t truncated = 0;      // Admitted entries whose MESSAGE was cut to fit the line.
    uint64_t invalidations = 0;  // Changes to the set of journal files seen by Process().
  };
  const Counts& counts() const { return counts_; }

 private:
  explicit JournalSource(const JournalOptions& options);
  // To cursor_, else to where the options start; SeekTail() for the tail.
  absl::Status Seek();
  absl::Status SeekTail();
  // Reads the current entry's fields; classifies and, if admitted, renders it.
  void Consume(std::string* out, size_t* lines);
  bool Trusted() const;

  JournalOptions options_;
  sd_journal* journal_ = nullptr;
  int fd_ = -1;
  std::string cursor_;
  // After a seek to cursor_, the first entry may be that very entry, which
  // was already consumed.
  bool skip_cursor_entry_ = false;
  absl::Status held_error_;
  Counts counts_;
  // The current entry's fields, reused from entry to entry.
  std::string unit_, comm_, uid_, pid_, host_, identifier_, message_;
  bool has_unit_ = false, has_comm_ = false, has_uid_ = false, has_message_ = false;
};

// The longest line RenderJournalLine() produces, without its '\n': the
// LogReader's default max_line_bytes, so that no journal line is ever
// dropped downstream as oversized.
inline constexpr size_t kMaxJournalLineBytes = 64 * 1024;

// Renders one entry as "YYYY-MM-DDTHH:MM:SS.uuuuuu+00:00 HOST TAG[PID]: MESSAGE" where TAG is
// SYSLOG_IDENTIFIER when present else _COMM, PID is _PID, time is __REALTIME_TIMESTAMP (UTC).
// MESSAGE bytes that would break the one-entry-one-line rule (\n, \r, NUL) become spaces; a
// MESSAGE over 64 KiB is cut. Exposed for tests and the fuzzer.
// Precisely: the line ends with its only '\n' and, without it, is at most
// kMaxJournalLineBytes long (MESSAGE is cut to fit). HOST, TAG and PID are
// cut to 255 bytes each, and their bytes that would shift the syslog header
// the matcher anchors on become '_': controls, space and DEL in all three,
// and '[', ']' and ':' in TAG and PID. An empty HOST or TAG renders as "-";
// an empty PID drops the brackets.
std::string RenderJournalLine(int64_t realtime_us, absl::string_view host, absl::string_view tag,
                              absl::string_view pid, absl::string_view message);

// RenderJournalLine() appended to `out`; returns whether MESSAGE was cut.
bool AppendJournalLine(std::string* out, int64_t realtime_us, absl::string_view host,
                       absl::string_view tag, absl::string_view pid, absl::string_view message);

}  // namespace exact::ingest

#endif  // EXACT_SRC_INGEST_JOURNAL_SOURCE_H_
