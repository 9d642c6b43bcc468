// The reader: read() into pooled chunks (no mmap: first-touch page faults
// made mmap 2-10x slower than read() here, see docs/performance.md), cut at
// the last newline, carry the rest into the next read.
#include "src/ingest/log_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "src/base/log.h"

namespace exact::ingest {
namespace {

// Lines written out of order by a few minutes (several hosts into one file)
// still fall inside a startup replay.
constexpr int64_t kReplayMarginUs = 300LL * 1000000;
// An open failure that does not change is repeated this often.
constexpr absl::Duration kOpenErrorRepeat = absl::Minutes(1);

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// Why a file of this kind cannot be a maillog.
absl::Status NotTailable(const std::string& path, mode_t mode) {
  const char* kind = S_ISDIR(mode)    ? "a directory"
                     : S_ISCHR(mode)  ? "a character device"
                     : S_ISBLK(mode)  ? "a block device"
                     : S_ISSOCK(mode) ? "a socket"
                                      : "not a regular file";
  return absl::FailedPreconditionError(
      absl::StrCat(path, " is ", kind, ": a maillog must be a regular file or a FIFO"));
}

}  // namespace

absl::Status CheckLogKind(const std::string& path) {
  struct stat st;
  if (path == "-") {
    if (::fstat(STDIN_FILENO, &st) != 0) return base::ErrnoStatus(errno, "standard input");
  } else if (::stat(path.c_str(), &st) != 0) {
    return base::ErrnoStatus(errno, absl::StrCat("stat ", path));
  }
  if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || (path == "-" && !S_ISDIR(st.st_mode))) {
    return absl::OkStatus();
  }
  return NotTailable(path, st.st_mode);
}

LogReader::LogReader(std::vector<std::string> paths, ReaderOptions options, ChunkPool* pool,
                     SpscRing<Chunk*>* out)
    : paths_(std::move(paths)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &own_clock_),
      pool_(pool),
      out_(out) {
  sources_.resize(paths_.size());
  for (size_t i = 0; i < sources_.size(); ++i) {
    sources_[i].index = static_cast<uint32_t>(i);
    sources_[i].name = paths_[i];
  }
}

LogReader::~LogReader() = default;

void LogReader::BeginGeneration(Source* src) {
  src->generation = next_generation_++;
  if (options_.book == nullptr || src->stream) return;
  base::LogPosition p;
  p.index = src->index;
  p.path = paths_[src->index];
  p.dev = src->dev;
  p.ino = src->ino;
  p.offset = src->emitted;
  p.head_len = src->head.len;
  p.head_crc = src->head.crc;
  options_.book->Open(src->generation, p);
}

void LogReader::EndGeneration(Source* src) {
  if (options_.book != nullptr && src->generation != 0) {
    options_.book->Close(src->generation, src->emitted);
  }
  src->generation = 0;
}

absl::Status LogReader::OpenSource(Source* src, uint64_t offset) {
  const std::string& path = src->name;
  base::UniqueFd fd;
  if (path == "-") {
    fd.Reset(::dup(STDIN_FILENO));
  } else {
    fd.Reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  }
  if (!fd.valid()) return base::ErrnoStatus(errno, absl::StrCat("open ", path));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return base::ErrnoStatus(errno, absl::StrCat("stat ", path));
  const bool stream = !S_ISREG(st.st_mode);
  if (stream && !S_ISFIFO(st.st_mode) && path != "-") return NotTailable(path, st.st_mode);
  if (!stream) ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  // A replayed stream is read to its end, blocking; a followed one is polled.
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (stream && flags >= 0) {
    ::fcntl(fd.get(), F_SETFL, options_.follow ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
  }
  src->dev = st.st_dev;
  src->ino = st.st_ino;
  src->stream = stream;
  src->offset = 0;
  src->carry.clear();
  src->skipping = false;
  src->head = stream ? FileHead{} : ReadHead(fd.get());
  if (!stream && offset != 0 && st.st_size > 0) {
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    src->offset = std::min(offset, size);
    src->skipping = StartsMidLine(fd.get(), src->offset);
    ::lseek(fd.get(), static_cast<off_t>(src->offset), SEEK_SET);
  }
  src->emitted = src->offset;
  src->fd = std::move(fd);
  src->open_errno = 0;
  src->looked_ns = absl::ToUnixNanos(absl::Now());
  BeginGeneration(src);
  return absl::OkStatus();
}

void LogReader::ReportOpenError(Source* src, const absl::Status& status) {
  const int err = absl::IsNotFound(status)           ? ENOENT
                  : absl::IsPermissionDenied(status) ? EACCES
                                                     : -1;
  const absl::Time now = Now();
  if (err == src->open_errno && now - src->open_reported < kOpenErrorRepeat) return;
  counts_.open_errors.fetch_add(1, std::memory_order_relaxed);
  src->open_errno = err;
  src->open_reported = now;
  if (err == ENOENT) {
    base::LogWarning("%s; waiting for it to appear", std::string(status.message()));
  } else {
    base::LogError("cannot read the mail log: %s; retrying (logins in it are not seen until then)",
                   std::string(status.message()));
  }
}

void LogReader::AddFinite(uint32_t index, LocatedFile file, uint64_t offset) {
  Source s;
  s.index = index;
  s.name = file.name;
  s.finite = true;
  struct stat st;
  if (::fstat(file.fd.get(), &st) != 0) return;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.head = ReadHead(file.fd.get());
  s.offset = offset;
  s.emitted = offset;
  s.skipping = StartsMidLine(file.fd.get(), offset);
  ::lseek(file.fd.get(), static_cast<off_t>(offset), SEEK_SET);
  s.fd = std::move(file.fd);
  BeginGeneration(&s);
  draining_.push_back(std::move(s));
}

absl::Status LogReader::OpenLog(uint32_t index) {
  Source* src = &sources_[index];
  const std::string& path = paths_[index];
  if (path == "-" || options_.from_start) return OpenSource(src, 0);
  std::vector<const base::LogPosition*> saved;
  for (const base::LogPosition& p : options_.resume) {
    if (p.index == index && p.path == path) saved.push_back(&p);
  }
  if (!saved.empty()) {
    bool current_found = false;
    uint64_t current_offset = 0;
    // The newest rotated file the checkpoint names: a rotated sibling newer
    // than it was made after the checkpoint, and is read whole.
    int64_t newest_mtime_ns = INT64_MIN;
    std::vector<std::pair<dev_t, ino_t>> located;
    for (const base::LogPosition* p : saved) {
      std::optional<LocatedFile> f = Locate(*p, path);
      if (!f) {
        counts_.lost_files.fetch_add(1, std::memory_order_relaxed);
        base::LogWarning(
            "%s: the file exact was reading at offset %d (inode %d) is gone "
            "(deleted or compressed); lines written to it after that offset, if "
            "any, were not read",
            path, p->offset, p->ino);
        continue;
      }
      struct stat st;
      if (::fstat(f->fd.get(), &st) == 0) located.emplace_back(st.st_dev, st.st_ino);
      if (f->is_current && !current_found) {
        current_found = true;
        current_offset = p->offset;
        continue;
      }
      newest_mtime_ns = std::max(newest_mtime_ns, MtimeNs(st));
      base::LogInfo("%s: finishing %s from offset %d, where exact stopped", path, f->name,
                    p->offset);
      if (!f->by_inode) counts_.copies_read.fetch_add(1, std::memory_order_relaxed);
      AddFinite(index, std::move(*f), p->offset);
    }
    // A sibling newer than what the checkpoint names, or modified since the
    // checkpoint was written (less a margin), may hold unread lines: read it
    // whole. Too many is harmless, since a line applied twice changes
    // nothing; too few loses logins.
    constexpr int64_t kMarginNs = 10LL * 1000000000;
    int64_t since_ns = newest_mtime_ns == INT64_MIN ? INT64_MAX : newest_mtime_ns;
    if (options_.resume_written_ns > 0) {
      since_ns = std::min(since_ns, options_.resume_written_ns - kMarginNs);
    }
    if (since_ns != INT64_MAX) {
      newest_mtime_ns = since_ns;
      std::vector<std::string> siblings = RotatedSiblings(path);
      std::reverse(siblings.begin(), siblings.end());  // Oldest first.
      for (const std::string& name : siblings) {
        base::UniqueFd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
        struct stat st;
        if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || MtimeNs(st) <= newest_mtime_ns) continue;
        if (std::find(located.begin(), located.end(), std::make_pair(st.st_dev, st.st_ino)) !=
            located.end()) {
          continue;
        }
        base::LogInfo("%s: reading %s, rotated since exact stopped", path, name);
        LocatedFile f;
        f.name = name;
        f.fd = std::move(fd);
        AddFinite(index, std::move(f), 0);
      }
    }
    // The log itself: where it was, or (it is a newer file) from its start.
    absl::Status st = OpenSource(src, current_found ? current_offset : 0);
    if (st.ok() && current_found) base::LogInfo("%s: resuming at offset %d", path, current_offset);
    return st;
  }
  if (options_.replay_since_us == 0 || !options_.time_of) return OpenSource(src, kEnd);
  // No checkpoint: replay the last `timeout` of the log and its newest
  // rotation, found by bisection.
  const int64_t since = options_.replay_since_us - kReplayMarginUs;
  const std::vector<std::string> siblings = RotatedSiblings(path);
  if (!siblings.empty()) {
    base::UniqueFd fd(::open(siblings.front().c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    struct stat st;
    if (fd.valid() && ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) &&
        static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000 >= since) {
      const uint64_t at =
          OffsetOfTime(fd.get(), static_cast<uint64_t>(st.st_size), since, options_.time_of);
      LocatedFile f;
      f.name = siblings.front();
      f.fd = std::move(fd);
      AddFinite(index, std::move(f), at);
    }
  }
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  struct stat st;
  uint64_t at = 0;
  if (fd.valid() && ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode)) {
    at = OffsetOfTime(fd.get(), static_cast<uint64_t>(st.st_size), since, options_.time_of);
  }
  return OpenSource(src, at);
}

absl::Status LogReader::Open() {
  if (options_.journal) {
    JournalOptions j = *options_.journal;
    if (j.cursor.empty() && !j.from_start && j.since_us == 0) j.since_us = options_.replay_since_us;
    absl::StatusOr<std::unique_ptr<JournalSource>> source = JournalSource::Open(j);
    if (!source.ok()) return source.status();
    journal_ = std::move(*source);
    if (absl::Status st = journal_->CheckAccess(); !st.ok()) return st;
  }
  for (uint32_t i = 0; i < sources_.size(); ++i) {
    Source& src = sources_[i];
    // Before the first read: a write after it then wakes the reader.
    if (options_.follow && paths_[i] != "-") watcher_.Watch(paths_[i]);
    absl::Status s = OpenLog(i);
    if (s.ok()) continue;
    if (absl::IsFailedPrecondition(s)) return s;  // Not a file we can tail.
    if (!options_.follow) return s;
    ReportOpenError(&src, s);
  }
  return absl::OkStatus();
}

bool LogReader::DrainJournal(int rounds) {
  if (!journal_) return false;
  const size_t capacity = pool_->chunk_capacity();
  bool consumed = false;
  auto emit = [&] {
    if (journal_lines_.empty()) return;
    Chunk* c = TakeChunk();
    c->file_index = static_cast<uint32_t>(paths_.size());
    c->generation = 0;
    c->file_offset = 0;
    c->head = 0;
    std::memcpy(c->data.get(), journal_lines_.data(), journal_lines_.size());
    c->size = journal_lines_.size();
    c->journal_cursor = journal_->cursor();
    journal_lines_.clear();
    Emit(c);
  };
  for (int i = 0; i < rounds; ++i) {
    // Each entry renders to at most kMaxJournalLineBytes: read no more than
    // the chunk has room for.
    size_t entries = (capacity - journal_lines_.size()) / kMaxJournalLineBytes;
    if (entries == 0) {
      emit();
      entries = capacity / kMaxJournalLineBytes;
    }
    const std::string before = journal_->cursor();
    absl::StatusOr<size_t> n = journal_->Read(&journal_lines_, std::min<size_t>(entries, 64));
    if (!n.ok()) {
      counts_.read_errors.fetch_add(1, std::memory_order_relaxed);
      base::LogError("journal: %s", std::string(n.status().message()));
      break;
    }
    if (journal_->cursor() == before) break;
    consumed = true;
  }
  emit();
  return consumed;
}

void LogReader::Stop() {
  {
    base::MutexLock lock(&mu_);
    stop_requested_.store(true, std::memory_order_release);
    mu_.NotifyAll();
  }
  watcher_.Wake();
}

bool LogReader::WaitForStop(absl::Duration d) {
  if (stop_requested_.load(std::memory_order_acquire)) return true;
  if (d <= absl::ZeroDuration()) return false;
  base::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout([this] { return stop_requested_.load(std::memory_order_acquire); },
                              absl::ToChronoNanoseconds(d));
}

Chunk* LogReader::TakeChunk() {
  Chunk* c = spare_ != nullptr ? spare_ : pool_->Acquire();
  spare_ = nullptr;
  c->head = 0;
  c->size = 0;
  return c;
}

void LogReader::Emit(Chunk* chunk) { out_->Push(chunk); }

ssize_t LogReader::ReadOnce(Source* src) {
  Chunk* c = TakeChunk();
  size_t used = src->carry.size();
  const size_t lead = Chunk::Lead(src->offset - used);
  char* data = c->data.get() + lead;
  std::memcpy(data, src->carry.data(), used);
  c->file_index = src->index;
  c->generation = src->generation;
  c->file_offset = src->offset - used;
  src->carry.clear();

  ssize_t n;
  do {
    n = ::read(src->fd.get(), data + used, c->capacity - used);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    if (n < 0 && errno != EAGAIN) {
      counts_.read_errors.fetch_add(1, std::memory_order_relaxed);
      base::LogError("read %s: %s", src->name, std::strerror(errno));
    }
    src->carry.assign(data, used);
    spare_ = c;
    return n < 0 && errno == EAGAIN ? 0 : n;
  }
  // The identifying head grows with what is read of the file's first bytes.
  if (!src->stream && src->head.len < base::kHeadBytes && src->offset == src->head.len) {
    const size_t take = std::min<size_t>(static_cast<size_t>(n), base::kHeadBytes - src->head.len);
    src->head.crc = ExtendCrc(src->head.crc, absl::string_view(data + used, take));
    src->head.len += static_cast<uint32_t>(take);
    if (options_.book != nullptr) {
      options_.book->SetHead(src->generation, src->head.len, src->head.crc);
    }
  }
  src->offset += static_cast<uint64_t>(n);
  counts_.bytes.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
  size_t len = used + static_cast<size_t>(n);

  size_t start = 0;
  if (src->skipping) {
    auto* nl = static_cast<char*>(std::memchr(data, '\n', len));
    if (nl == nullptr) {
      spare_ = c;
      return n;
    }
    start = static_cast<size_t>(nl - data) + 1;
    src->skipping = false;
  }
  auto* last_nl = static_cast<char*>(::memrchr(data + start, '\n', len - start));
  size_t complete_end = last_nl == nullptr ? start : static_cast<size_t>(last_nl - data) + 1;
  if (len - complete_end > options_.max_line_bytes) {
    counts_.oversized_lines.fetch_add(1, std::memory_order_relaxed);
    src->skipping = true;
  } else {
    src->carry.assign(data + complete_end, len - complete_end);
  }
  if (complete_end == start) {
    spare_ = c;
    return n;
  }
  c->head = lead + start;
  c->file_offset += start;
  c->size = complete_end - start;
  src->emitted = c->file_offset + c->size;
  Emit(c);
  return n;
}

bool LogReader::Drain(Source* src, int max_reads) {
  bool progressed = false;
  for (int i = 0; i < max_reads && src->fd.valid(); ++i) {
    if (ReadOnce(src) <= 0) break;
    progressed = true;
  }
  return progressed;
}

void LogReader::FlushCarry(Source* src) {
  if (src->carry.empty() || src->skipping) {
    src->carry.clear();
    return;
  }
  Chunk* c = TakeChunk();
  c->file_index = src->index;
  c->generation = src->generation;
  c->file_offset = src->offset - src->carry.size();
  c->head = Chunk::Lead(c->file_offset);
  std::memcpy(c->data.get() + c->head, src->carry.data(), src->carry.size());
  c->size = src->carry.size();
  src->carry.clear();
  src->emitted = c->file_offset + c->size;
  Emit(c);
}

void LogReader::OnTruncated(Source* src, const char* why) {
  counts_.truncations.fetch_add(1, std::memory_order_relaxed);
  const std::string& path = paths_[src->index];
  // The unread tail of the old contents: a copytruncate left it in a copy
  // beside the log (same head, at least as long as we had read).
  const uint64_t line_start = src->offset - src->carry.size();
  base::LogPosition old;
  old.dev = src->dev;
  old.ino = static_cast<uint64_t>(-1);  // Never the truncated file itself.
  old.offset = line_start;
  old.head_len = src->head.len;
  old.head_crc = src->head.crc;
  if (std::optional<LocatedFile> copy = Locate(old, path); copy && !copy->is_current) {
    base::LogInfo("%s was %s; reading the rest of the old contents from %s", path, why, copy->name);
    counts_.copies_read.fetch_add(1, std::memory_order_relaxed);
    AddFinite(src->index, std::move(*copy), line_start);
  } else {
    base::LogInfo("%s was %s; reading it again from the start", path, why);
  }
  EndGeneration(src);
  ::lseek(src->fd.get(), 0, SEEK_SET);
  src->offset = 0;
  src->emitted = 0;
  src->carry.clear();
  src->skipping = false;
  src->head = ReadHead(src->fd.get());
  BeginGeneration(src);
}

void LogReader::CheckRotation(Source* src) {
  const std::string& path = paths_[src->index];
  if (path == "-" || (src->stream && src->fd.valid())) return;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (!src->fd.valid())
      ReportOpenError(src, base::ErrnoStatus(errno, absl::StrCat("open ", path)));
    return;  // Gone for now: keep reading what we have.
  }
  if (!src->fd.valid()) {
    src->name = path;
    absl::Status s = OpenSource(src, 0);
    if (s.ok()) {
      watcher_.Rearm(path);
      base::LogInfo("%s appeared; reading it from the start", path);
    } else {
      ReportOpenError(src, s);
    }
    return;
  }
  if (st.st_dev != src->dev || st.st_ino != src->ino) {
    // Rotated: keep draining the old file a while (syslog may still write
    // there until it reopens), read the new one from its start.
    counts_.rotations.fetch_add(1, std::memory_order_relaxed);
    const int64_t looked_ns = src->looked_ns;
    Source old = std::move(*src);
    *src = Source();
    src->index = old.index;
    src->name = path;
    old.drain_until = Now() + options_.rotate_wait;
    draining_.push_back(std::move(old));
    absl::Status s = OpenSource(src, 0);
    if (!s.ok()) {
      ReportOpenError(src, s);  // The next poll retries.
      return;
    }
    watcher_.Rearm(path);
    base::LogInfo("%s was rotated; following the new file", path);
    FollowUnseenSiblings(*src, looked_ns);
    return;
  }
  src->looked_ns = absl::ToUnixNanos(absl::Now());
  struct stat fst;
  if (::fstat(src->fd.get(), &fst) != 0) return;
  if (static_cast<uint64_t>(fst.st_size) < src->offset) {
    OnTruncated(src, "truncated");
  } else if (src->head.len > 0 && !HeadMatches(src->fd.get(), src->head)) {
    // Truncated and rewritten past our offset between two polls.
    OnTruncated(src, "truncated and rewritten");
  }
}

void LogReader::FollowUnseenSiblings(const Source& current, int64_t looked_ns) {
  // Coarse file times lag the clock by a tick; a margin keeps a file made
  // just after the last look. Reading a known line twice changes nothing.
  constexpr int64_t kMarginNs = 1000000000;
  const std::string& path = paths_[current.index];
  std::vector<std::string> siblings = RotatedSiblings(path);
  std::reverse(siblings.begin(), siblings.end());  // Oldest first.
  for (const std::string& name : siblings) {
    base::UniqueFd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    struct stat st;
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        MtimeNs(st) < looked_ns - kMarginNs) {
      continue;
    }
    auto same = [&st](const Source& s) { return s.dev == st.st_dev && s.ino == st.st_ino; };
    if (same(current) || std::any_of(draining_.begin(), draining_.end(), same)) {
      continue;
    }
    base::LogInfo("%s: reading %s, rotated away before exact saw it", path, name);
    counts_.rotations.fetch_add(1, std::memory_order_relaxed);
    LocatedFile f;
    f.name = name;
    f.fd = std::move(fd);
    AddFinite(current.index, std::move(f), 0);
    // The writer may still hold it open, as with any rotated file.
    draining_.back().finite = false;
    draining_.back().drain_until = absl::Now() + options_.rotate_wait;
  }
}

bool LogReader::EmitRanges(Source* src) {
  const size_t capacity = pool_->chunk_capacity();
  if (!options_.consumer_reads || capacity <= 2 * (options_.max_line_bytes + 1)) return false;
  struct stat st;
  if (!src->fd.valid() || src->stream || src->skipping || ::fstat(src->fd.get(), &st) != 0 ||
      !S_ISREG(st.st_mode)) {
    return false;
  }
  // The capacity beyond a range holds its last line, up to max_line_bytes.
  const uint64_t range_bytes = capacity - options_.max_line_bytes - 1;
  uint64_t size = static_cast<uint64_t>(st.st_size);
  while (!WaitForStop(absl::ZeroDuration())) {
    if (src->offset >= size) {
      // Caught up; a file that grew while it was replayed is followed to its new end.
      if (::fstat(src->fd.get(), &st) != 0 || static_cast<uint64_t>(st.st_size) <= src->offset) {
        break;
      }
      size = static_cast<uint64_t>(st.st_size);
    }
    Chunk* c = TakeChunk();
    uint64_t end = std::min(size, src->offset + range_bytes);
    c->file_index = src->index;
    c->generation = src->generation;
    c->unread = FileRange{src->fd.get(), src->offset, end, &src->name, &counts_};
    counts_.bytes.fetch_add(end - src->offset, std::memory_order_relaxed);
    src->offset = end;
    Emit(c);
  }
  src->emitted = src->offset;
  return true;
}

void LogReader::Run() {
  if (!options_.follow) {
    // Rotated files first, then each log: log order, oldest first.
    auto replay = [this](Source* src) {
      if (!EmitRanges(src)) {
        while (src->fd.valid() && !WaitForStop(absl::ZeroDuration())) {
          if (ReadOnce(src) <= 0) break;
        }
        FlushCarry(src);
      }
      EndGeneration(src);
    };
    // Kept, not cleared: range chunks still in flight read their files.
    for (Source& src : draining_) replay(&src);
    for (Source& src : sources_) replay(&src);
    while (!WaitForStop(absl::ZeroDuration()) && DrainJournal(16)) {
    }
    out_->Close();
    return;
  }
  // Reads per source per round, so one busy log cannot starve the others.
  constexpr int kReadsPerRound = 16;
  for (;;) {
    bool progressed = false;
    absl::Time now = Now();
    for (auto it = draining_.begin(); it != draining_.end();) {
      const bool read = Drain(&*it, kReadsPerRound);
      progressed |= read;
      if ((it->finite && !read) || (!it->finite && now >= it->drain_until)) {
        FlushCarry(&*it);
        EndGeneration(&*it);
        it = draining_.erase(it);
      } else {
        ++it;
      }
    }
    for (Source& src : sources_) progressed |= Drain(&src, kReadsPerRound);
    progressed |= DrainJournal(kReadsPerRound);
    for (Source& src : sources_) CheckRotation(&src);
    if (WaitForStop(absl::ZeroDuration())) break;
    if (!progressed) {
      // A stream has no name to watch: poll it.
      bool streams = journal_ != nullptr;  // Its descriptor is not the watcher's.
      for (const Source& src : sources_) streams |= src.stream || paths_[src.index] == "-";
      watcher_.Wait(streams ? options_.poll_interval
                            : watcher_.PollInterval(options_.poll_interval));
      if (WaitForStop(absl::ZeroDuration())) break;
    }
  }
  out_->Close();
}

}  // namespace exact::ingest
