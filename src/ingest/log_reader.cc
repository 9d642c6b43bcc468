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

LogReader::LogReader(std::vector<std::string> paths, ReaderOptions options, ChunkPool* pool,
                     SpscRing<Chunk*>* out)
    : paths_(std::move(paths)), options_(options), pool_(pool), out_(out) {
  sources_.resize(paths_.size());
  for (size_t i = 0; i < sources_.size(); ++i) sources_[i].index = static_cast<uint32_t>(i);
}

LogReader::~LogReader() = default;

absl::Status LogReader::OpenSource(Source* src, bool at_end) {
  const std::string& path = paths_[src->index];
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return base::ErrnoStatus(errno, absl::StrCat("open ", path));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return base::ErrnoStatus(errno, absl::StrCat("stat ", path));
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  src->dev = st.st_dev;
  src->ino = st.st_ino;
  src->offset = 0;
  src->carry.clear();
  src->skipping = false;
  if (at_end && st.st_size > 0) {
    src->offset = static_cast<uint64_t>(st.st_size);
    char last = '\n';
    // Starting mid-line would hand on the tail of a line as if whole.
    if (::pread(fd.get(), &last, 1, st.st_size - 1) == 1 && last != '\n') src->skipping = true;
    ::lseek(fd.get(), st.st_size, SEEK_SET);
  }
  src->fd = std::move(fd);
  return absl::OkStatus();
}

absl::Status LogReader::Open() {
  for (Source& src : sources_) {
    absl::Status s = OpenSource(&src, !options_.from_start);
    if (s.ok()) continue;
    if (!options_.follow || !absl::IsNotFound(s)) return s;
    base::LogWarning("%s; waiting for it to appear", std::string(s.message()));
  }
  return absl::OkStatus();
}

void LogReader::Stop() {
  base::MutexLock lock(&mu_);
  stop_requested_.store(true, std::memory_order_release);
  mu_.NotifyAll();
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
  c->file_offset = src->offset - used;
  src->carry.clear();

  ssize_t n;
  do {
    n = ::read(src->fd.get(), data + used, c->capacity - used);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    if (n < 0 && errno != EAGAIN) {
      counts_.read_errors.fetch_add(1, std::memory_order_relaxed);
      base::LogError("read %s: %s", paths_[src->index], std::strerror(errno));
    }
    src->carry.assign(data, used);
    spare_ = c;
    return n < 0 && errno == EAGAIN ? 0 : n;
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
  c->file_offset = src->offset - src->carry.size();
  c->head = Chunk::Lead(c->file_offset);
  std::memcpy(c->data.get() + c->head, src->carry.data(), src->carry.size());
  c->size = src->carry.size();
  src->carry.clear();
  Emit(c);
}

void LogReader::CheckRotation(Source* src) {
  const std::string& path = paths_[src->index];
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return;  // Gone for now: keep reading what we have.
  if (!src->fd.valid()) {
    if (OpenSource(src, false).ok()) base::LogInfo("%s appeared; reading it from the start", path);
    return;
  }
  if (st.st_dev != src->dev || st.st_ino != src->ino) {
    // Rotated: keep draining the old file a while (syslog may still write
    // there until it reopens), read the new one from its start.
    counts_.rotations.fetch_add(1, std::memory_order_relaxed);
    Source old;
    old.index = src->index;
    old.fd = std::move(src->fd);
    old.offset = src->offset;
    old.carry = std::move(src->carry);
    old.skipping = src->skipping;
    old.drain_until = absl::Now() + options_.rotate_wait;
    draining_.push_back(std::move(old));
    if (!OpenSource(src, false).ok()) return;  // Vanished again; the next poll retries.
    base::LogInfo("%s was rotated; following the new file", path);
    return;
  }
  struct stat fst;
  if (::fstat(src->fd.get(), &fst) == 0 && static_cast<uint64_t>(fst.st_size) < src->offset) {
    counts_.truncations.fetch_add(1, std::memory_order_relaxed);
    base::LogInfo("%s was truncated; reading it again from the start", path);
    ::lseek(src->fd.get(), 0, SEEK_SET);
    src->offset = 0;
    src->carry.clear();
    src->skipping = false;
  }
}

bool LogReader::EmitRanges(Source* src) {
  const size_t capacity = pool_->chunk_capacity();
  if (!options_.consumer_reads || capacity <= 2 * (options_.max_line_bytes + 1)) return false;
  struct stat st;
  if (!src->fd.valid() || ::fstat(src->fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
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
    c->unread = FileRange{src->fd.get(), src->offset, end, &paths_[src->index], &counts_};
    counts_.bytes.fetch_add(end - src->offset, std::memory_order_relaxed);
    src->offset = end;
    Emit(c);
  }
  return true;
}

void LogReader::Run() {
  if (!options_.follow) {
    for (Source& src : sources_) {
      if (EmitRanges(&src)) continue;
      while (src.fd.valid() && !WaitForStop(absl::ZeroDuration())) {
        if (ReadOnce(&src) <= 0) break;
      }
      FlushCarry(&src);
    }
    out_->Close();
    return;
  }
  // Reads per source per round, so one busy log cannot starve the others.
  constexpr int kReadsPerRound = 16;
  for (;;) {
    bool progressed = false;
    absl::Time now = absl::Now();
    for (auto it = draining_.begin(); it != draining_.end();) {
      progressed |= Drain(&*it, kReadsPerRound);
      if (now >= it->drain_until) {
        FlushCarry(&*it);
        it = draining_.erase(it);
      } else {
        ++it;
      }
    }
    for (Source& src : sources_) progressed |= Drain(&src, kReadsPerRound);
    for (Source& src : sources_) CheckRotation(&src);
    if (progressed ? WaitForStop(absl::ZeroDuration()) : WaitForStop(options_.poll_interval)) {
      break;
    }
  }
  out_->Close();
}

}  // namespace exact::ingest
