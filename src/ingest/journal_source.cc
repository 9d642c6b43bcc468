// Implementation of the journal source: sd_journal positioning, the
// per-entry trust check and the line renderer. Every libsystemd error
// (negative errno) goes through base::ErrnoStatus, naming the call.
//
// Thread safety: as the header says, one thread per JournalSource; the free
// render functions are thread-safe.
#include "src/ingest/journal_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "src/base/files.h"
#include "src/base/status_macros.h"

namespace exact::ingest {
namespace {

// Longest HOST, TAG and PID rendered: keeps the prefix small beside the
// line limit whatever a client put in SYSLOG_IDENTIFIER.
constexpr size_t kMaxFieldBytes = 255;

// The kernel keeps 15 bytes of a process name (TASK_COMM_LEN - 1), and
// journald's _COMM is that name.
constexpr size_t kMaxCommBytes = 15;

bool Contains(const std::vector<std::string>& list, absl::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Appends `value` with the bytes that would move a syslog field boundary
// replaced; `tag_like` also replaces the tag's own delimiters.
void AppendField(std::string* out, absl::string_view value, bool tag_like) {
  if (value.empty()) {
    out->push_back('-');
    return;
  }
  value = value.substr(0, kMaxFieldBytes);
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    const bool bad = u <= 0x20 || u == 0x7f || (tag_like && (c == '[' || c == ']' || c == ':'));
    out->push_back(bad ? '_' : c);
  }
}

void AppendTimestamp(std::string* out, int64_t realtime_us) {
  // Floor division: an entry before 1970 still gets microseconds in
  // [0, 999999] after the seconds it belongs to.
  int64_t seconds = realtime_us / 1000000;
  int64_t micros = realtime_us % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --seconds;
  }
  const absl::CivilSecond c =
      absl::ToCivilSecond(absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
  absl::StrAppendFormat(out, "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", c.year(), c.month(),
                        c.day(), c.hour(), c.minute(), c.second(), micros);
}

absl::Status OptionsStatus(const JournalOptions& o) {
  std::vector<std::string> problems;
  if (o.units.empty() && o.commands.empty()) {
    problems.push_back("neither a unit nor a command is given, so no entry could be admitted");
  }
  for (const std::string& unit : o.units) {
    if (unit.empty()) {
      problems.push_back("a unit name is empty");
    } else if (unit.find('.') == std::string::npos) {
      problems.push_back(absl::StrFormat(
          "unit \"%s\" has no type suffix, so no _SYSTEMD_UNIT can equal it (did you mean "
          "\"%s.service\"?)",
          unit, unit));
    }
  }
  for (const std::string& command : o.commands) {
    if (command.empty()) {
      problems.push_back("a command name is empty");
    } else if (command.size() > kMaxCommBytes) {
      problems.push_back(absl::StrFormat(
          "command \"%s\" is longer than the %d bytes the kernel keeps of a process name, so no "
          "_COMM can equal it (did you mean \"%s\"?)",
          command, kMaxCommBytes, command.substr(0, kMaxCommBytes)));
    }
  }
  if (!o.files.empty() && !o.directory.empty()) {
    problems.push_back("both journal files and a journal directory are given; give one");
  }
  if (o.since_us < 0) problems.push_back("since_us is negative");
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("journal input: ", absl::StrJoin(problems, "; ")));
}

// The SYSLOG_IDENTIFIERs an impostor would use: the commands, and each
// unit's name without its suffix ("dovecot" for dovecot.service, which is
// also the tag Dovecot logs under).
std::vector<std::string> ClaimedIdentifiers(const JournalOptions& o) {
  std::vector<std::string> ids = o.commands;
  for (const std::string& unit : o.units) ids.push_back(unit.substr(0, unit.rfind('.')));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

absl::Status AddMatches(sd_journal* j, const JournalOptions& o) {
  // sd_journal ORs matches on one field and ANDs different fields unless a
  // disjunction separates them: (units) OR (commands) OR (identifiers).
  const std::pair<absl::string_view, std::vector<std::string>> groups[] = {
      {"_SYSTEMD_UNIT", o.units},
      {"_COMM", o.commands},
      {"SYSLOG_IDENTIFIER", ClaimedIdentifiers(o)}};
  bool any = false;
  for (const auto& [field, values] : groups) {
    if (values.empty()) continue;
    if (any) {
      const int r = sd_journal_add_disjunction(j);
      if (r < 0) return base::ErrnoStatus(-r, "sd_journal_add_disjunction");
    }
    for (const std::string& value : values) {
      const std::string match = absl::StrCat(field, "=", value);
      const int r = sd_journal_add_match(j, match.data(), match.size());
      if (r < 0) return base::ErrnoStatus(-r, absl::StrCat("sd_journal_add_match ", match));
    }
    any = true;
  }
  return absl::OkStatus();
}

bool IsJournalFileName(absl::string_view name) {
  return absl::EndsWith(name, ".journal") || absl::EndsWith(name, ".journal~");
}

bool IsMachineId(absl::string_view name) {
  return name.size() == 32 && std::all_of(name.begin(), name.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

bool Readable(int dirfd, const char* name, int mode) {
  // AT_EACCESS: the effective ids, which a privilege drop changes.
  return ::faccessat(dirfd, name, mode, AT_EACCESS) == 0 || errno != EACCES;
}

// Adds to `denied` each journal file in `path` the effective user cannot
// read (all of `path` if it cannot list it); `subdirs`: also look one level
// down, in machine-id directories.
void CheckDirectory(const std::string& path, bool system_only, bool subdirs,
                    std::vector<std::string>* denied) {
  if (!Readable(AT_FDCWD, path.c_str(), R_OK | X_OK)) {
    denied->push_back(path + "/");
    return;
  }
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return;  // Missing (no persistent journal): nothing to read.
  std::vector<std::string> machine_dirs;
  while (const dirent* e = ::readdir(dir)) {
    const absl::string_view name = e->d_name;
    if (subdirs && IsMachineId(name)) machine_dirs.push_back(absl::StrCat(path, "/", name));
    if (!IsJournalFileName(name)) continue;
    if (system_only && name != "system.journal" && !absl::StartsWith(name, "system@")) continue;
    if (!Readable(::dirfd(dir), e->d_name, R_OK)) denied->push_back(absl::StrCat(path, "/", name));
  }
  ::closedir(dir);
  for (const std::string& sub : machine_dirs) CheckDirectory(sub, system_only, false, denied);
}

}  // namespace

bool AppendJournalLine(std::string* out, int64_t realtime_us, absl::string_view host,
                       absl::string_view tag, absl::string_view pid, absl::string_view message) {
  const size_t start = out->size();
  AppendTimestamp(out, realtime_us);
  out->push_back(' ');
  AppendField(out, host, false);
  out->push_back(' ');
  AppendField(out, tag, true);
  if (!pid.empty()) {
    out->push_back('[');
    AppendField(out, pid, true);
    out->push_back(']');
  }
  out->append(": ");
  const size_t room = kMaxJournalLineBytes - (out->size() - start);
  const bool cut = message.size() > room;
  if (cut) message = message.substr(0, room);
  const size_t body = out->size();
  out->append(message.data(), message.size());
  for (size_t i = body; i < out->size(); ++i) {
    char& c = (*out)[i];
    if (c == '\n' || c == '\r' || c == '\0') c = ' ';
  }
  out->push_back('\n');
  return cut;
}

std::string RenderJournalLine(int64_t realtime_us, absl::string_view host, absl::string_view tag,
                              absl::string_view pid, absl::string_view message) {
  std::string line;
  AppendJournalLine(&line, realtime_us, host, tag, pid, message);
  return line;
}

JournalSource::JournalSource(const JournalOptions& options) : options_(options) {}

JournalSource::~JournalSource() {
  if (journal_ != nullptr) sd_journal_close(journal_);
}

absl::StatusOr<std::unique_ptr<JournalSource>> JournalSource::Open(const JournalOptions& options) {
  EXACT_RETURN_IF_ERROR(OptionsStatus(options));
  auto source = absl::WrapUnique(new JournalSource(options));
  JournalOptions& o = source->options_;
  int r;
  std::string what;
  if (!o.files.empty()) {
    std::vector<const char*> paths;
    for (const std::string& f : o.files) paths.push_back(f.c_str());
    paths.push_back(nullptr);
    r = sd_journal_open_files(&source->journal_, paths.data(), 0);
    what = absl::StrCat("sd_journal_open_files ", absl::StrJoin(o.files, " "));
  } else if (!o.directory.empty()) {
    // libsystemd wants an absolute path; flags 0: every journal file there,
    // as journal-remote names its files after the sender, not "system".
    o.directory = base::AbsolutePath(o.directory);
    r = sd_journal_open_directory(&source->journal_, o.directory.c_str(), 0);
    what = absl::StrCat("sd_journal_open_directory ", o.directory);
  } else {
    // The local machine's system journal only: user journals hold what
    // users' own units log, and other machines' journals are only as
    // trustworthy as the machine that sent them.
    r = sd_journal_open(&source->journal_, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
    what = "sd_journal_open (system journal)";
  }
  if (r < 0) {
    source->journal_ = nullptr;
    return base::ErrnoStatus(-r, what);
  }
  // The whole MESSAGE the renderer can use, and no more: larger compressed
  // fields are not decompressed in full.
  r = sd_journal_set_data_threshold(source->journal_, kMaxJournalLineBytes + sizeof "MESSAGE=");
  if (r < 0) return base::ErrnoStatus(-r, "sd_journal_set_data_threshold");
  EXACT_RETURN_IF_ERROR(AddMatches(source->journal_, o));
  // Installs the inotify watches now, not at the first poll, so that no
  // file created in between is missed (and rescans the directories).
  source->fd_ = sd_journal_get_fd(source->journal_);
  if (source->fd_ < 0) return base::ErrnoStatus(-source->fd_, "sd_journal_get_fd");
  source->cursor_ = o.cursor;
  if (o.cursor.empty() && !o.from_start && o.since_us == 0) {
    EXACT_RETURN_IF_ERROR(source->SeekTail());
  } else {
    EXACT_RETURN_IF_ERROR(source->Seek());
  }
  return source;
}

absl::Status JournalSource::Seek() {
  int r;
  if (!cursor_.empty()) {
    r = sd_journal_seek_cursor(journal_, cursor_.c_str());
    if (r == -EINVAL) {
      return absl::InvalidArgumentError(
          absl::StrFormat("journal input: cursor \"%s\" is malformed", cursor_));
    }
    if (r < 0) return base::ErrnoStatus(-r, "sd_journal_seek_cursor");
    skip_cursor_entry_ = true;
    return absl::OkStatus();
  }
  // Nothing consumed yet: the start the options asked for.
  if (options_.from_start) {
    r = sd_journal_seek_head(journal_);
    return r < 0 ? base::ErrnoStatus(-r, "sd_journal_seek_head") : absl::OkStatus();
  }
  r = sd_journal_seek_realtime_usec(journal_, static_cast<uint64_t>(options_.since_us));
  return r < 0 ? base::ErrnoStatus(-r, "sd_journal_seek_realtime_usec") : absl::OkStatus();
}

absl::Status JournalSource::SeekTail() {
  // sd_journal_next() straight after sd_journal_seek_tail() returns the
  // newest entry (libsystemd 252), which would be read as new; so stand on
  // the newest entry instead, consumed, and read what follows it.
  int r = sd_journal_seek_tail(journal_);
  if (r < 0) return base::ErrnoStatus(-r, "sd_journal_seek_tail");
  r = sd_journal_previous(journal_);
  if (r < 0) return base::ErrnoStatus(-r, "sd_journal_previous");
  if (r == 0) {
    // Nothing (matching) yet, so everything that comes is new: from the
    // tail position the first read would jump to the newest of it.
    options_.from_start = true;
    return Seek();
  }
  char* cursor = nullptr;
  r = sd_journal_get_cursor(journal_, &cursor);
  if (r < 0) return base::ErrnoStatus(-r, "sd_journal_get_cursor");
  cursor_ = cursor;
  std::free(cursor);
  return absl::OkStatus();
}

absl::StatusOr<size_t> JournalSource::Read(std::string* out, size_t max_entries) {
  if (!held_error_.ok()) return std::exchange(held_error_, absl::OkStatus());
  EXACT_RETURN_IF_ERROR(Process());
  size_t lines = 0, consumed = 0;
  absl::Status error;
  while (consumed < max_entries) {
    int r = sd_journal_next(journal_);
    if (r < 0) {
      error = base::ErrnoStatus(-r, "sd_journal_next");
      break;
    }
    if (r == 0) break;
    if (skip_cursor_entry_) {
      skip_cursor_entry_ = false;
      // An error here reads the entry: a repeated login only refreshes its
      // address, a skipped one is lost.
      if (sd_journal_test_cursor(journal_, cursor_.c_str()) > 0) continue;
    }
    ++consumed;
    Consume(out, &lines);
  }
  if (consumed > 0) {
    char* cursor = nullptr;
    const int r = sd_journal_get_cursor(journal_, &cursor);
    if (r < 0) {
      if (error.ok()) error = base::ErrnoStatus(-r, "sd_journal_get_cursor");
    } else {
      cursor_ = cursor;
      std::free(cursor);
    }
  }
  if (!error.ok()) {
    if (consumed == 0) return error;
    held_error_ = std::move(error);
  }
  return lines;
}

void JournalSource::Consume(std::string* out, size_t* lines) {
  ++counts_.entries;
  has_unit_ = has_comm_ = has_uid_ = has_message_ = false;
  // One pass over the entry's fields: sd_journal_get_data() would walk them
  // once per field. Each value is copied, as the next call may reuse the
  // buffer it points into (decompressed fields).
  struct Wanted {
    absl::string_view prefix;
    std::string* value;
    bool* seen;
  };
  bool host_seen = false, pid_seen = false, identifier_seen = false;
  const Wanted wanted[] = {
      {"_SYSTEMD_UNIT=", &unit_, &has_unit_},
      {"_COMM=", &comm_, &has_comm_},
      {"_UID=", &uid_, &has_uid_},
      {"_PID=", &pid_, &pid_seen},
      {"_HOSTNAME=", &host_, &host_seen},
      {"SYSLOG_IDENTIFIER=", &identifier_, &identifier_seen},
      {"MESSAGE=", &message_, &has_message_},
  };
  for (const Wanted& w : wanted) w.value->clear();
  sd_journal_restart_data(journal_);
  for (;;) {
    const void* data;
    size_t size;
    const int r = sd_journal_enumerate_available_data(journal_, &data, &size);
    if (r < 0) {
      ++counts_.bad;  // A corrupted entry: nothing in it can be trusted.
      return;
    }
    if (r == 0) break;
    const absl::string_view field(static_cast<const char*>(data), size);
    for (const Wanted& w : wanted) {
      // The first copy wins; journald never writes a trusted field twice.
      if (*w.seen || !absl::StartsWith(field, w.prefix)) continue;
      const absl::string_view value = field.substr(w.prefix.size());
      w.value->assign(value.data(), value.size());
      *w.seen = true;
      break;
    }
  }
  if (!Trusted()) {
    ++counts_.untrusted;
    return;
  }
  uint64_t realtime = 0;
  if (!has_message_ || sd_journal_get_realtime_usec(journal_, &realtime) < 0) {
    ++counts_.bad;
    return;
  }
  ++counts_.admitted;
  const std::string& tag = identifier_.empty() ? comm_ : identifier_;
  if (AppendJournalLine(out, static_cast<int64_t>(realtime), host_, tag, pid_, message_)) {
    ++counts_.truncated;
  }
  ++*lines;
}

bool JournalSource::Trusted() const {
  const bool named = (has_unit_ && Contains(options_.units, unit_)) ||
                     (has_comm_ && Contains(options_.commands, comm_));
  if (!named) return false;
  if (options_.uids.empty()) return true;
  uint32_t uid;
  return has_uid_ && absl::SimpleAtoi(uid_, &uid) &&
         std::find(options_.uids.begin(), options_.uids.end(), static_cast<uid_t>(uid)) !=
             options_.uids.end();
}

absl::Status JournalSource::Process() {
  const int r = sd_journal_process(journal_);
  if (r < 0) return base::ErrnoStatus(-r, "sd_journal_process");
  if (r == SD_JOURNAL_INVALIDATE) {
    ++counts_.invalidations;
    // libsystemd keeps its position across file changes, but a re-seek to
    // our own cursor does not depend on that (other readers have looped or
    // stalled on a position in a removed file).
    EXACT_RETURN_IF_ERROR(Seek());
    return CheckAccess();
  }
  return absl::OkStatus();
}

absl::StatusOr<int> JournalSource::PollTimeoutMs() {
  uint64_t until = 0;
  const int r = sd_journal_get_timeout(journal_, &until);
  if (r < 0) return base::ErrnoStatus(-r, "sd_journal_get_timeout");
  if (until == UINT64_MAX) return -1;
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  if (until <= now) return 0;
  return static_cast<int>(std::min<uint64_t>((until - now + 999) / 1000, INT32_MAX));
}

absl::Status JournalSource::CheckAccess() const {
  std::vector<std::string> denied;
  if (!options_.files.empty()) {
    for (const std::string& f : options_.files) {
      if (!Readable(AT_FDCWD, f.c_str(), R_OK)) denied.push_back(f);
    }
  } else if (!options_.directory.empty()) {
    CheckDirectory(options_.directory, false, true, &denied);
  } else {
    sd_id128_t machine;
    const int r = sd_id128_get_machine(&machine);
    if (r < 0) return base::ErrnoStatus(-r, "sd_id128_get_machine");
    char id[SD_ID128_STRING_MAX];
    sd_id128_to_string(machine, id);
    for (const char* root : {"/var/log/journal/", "/run/log/journal/"}) {
      CheckDirectory(absl::StrCat(root, id), true, false, &denied);
    }
  }
  if (denied.empty()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrFormat(
      "journal input: uid %d cannot read %s, so the entries there are not read; add the user "
      "exact runs as to group systemd-journal",
      ::geteuid(), absl::StrJoin(denied, ", ")));
}

}  // namespace exact::ingest
