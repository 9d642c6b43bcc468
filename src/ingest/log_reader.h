// Reads mail logs into chunks of whole lines and pushes them, in file order,
// onto the pipeline's ring.
//
// Two modes. Replay (follow = false): each file from its start (or from its
// end with !from_start) to its end, one file after another, then the ring is
// closed. Follow: every file is polled; a rename-and-create rotation (the
// name now points at another inode) is followed to the new file from its
// start, while the old one is still drained for `rotate_wait`; a
// copytruncate (size below our offset, or another head) reads the unread
// tail from the copy beside the log when there is one, then restarts at 0;
// a missing or unreadable file is waited for, and said so. Only complete
// lines are handed on: a partial last line is held until its newline
// arrives. A line longer than max_line_bytes is dropped and counted, never
// buffered without bound.
//
// Where each file starts: at a checkpoint (`resume`), found again by inode
// or head among the log's rotated siblings, so lines written or rotated
// away while exact was down are read; without one, at `replay_since_us`
// found by bisection on line stamps, in the log and its newest rotation; or
// else at the end (from the start with from_start). Every file read is a
// generation in the CheckpointBook. "-" is standard input, read as a
// stream; a FIFO is a stream too; any other kind of file is refused.
//
// A replayed regular file is, by default, not read here at all: it is cut
// into byte ranges that the scanning threads pread() themselves (see
// FillChunk in chunk.h), so that the copy out of the page cache is spread
// over every core instead of one.
//
// Thread safety: Run() on one thread; Stop() and counts() from any thread.
#ifndef EXACT_SRC_INGEST_LOG_READER_H_
#define EXACT_SRC_INGEST_LOG_READER_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "src/base/clock.h"
#include "src/base/files.h"
#include "src/base/log_position.h"
#include "src/base/mutex.h"
#include "src/ingest/checkpoint_book.h"
#include "src/ingest/chunk.h"
#include "src/ingest/file_watcher.h"
#include "src/ingest/journal_source.h"
#include "src/ingest/log_files.h"
#include "src/ingest/spsc_ring.h"

namespace exact::ingest {

struct ReaderOptions {
  bool follow = true;
  bool from_start = false;
  size_t max_line_bytes = 64 * 1024;
  // 50 ms: a read() returning 0 and a stat() per log, 20 times a second,
  // buys a fifth of a second of login-to-relay latency.
  absl::Duration poll_interval = absl::Milliseconds(50);
  absl::Duration rotate_wait = absl::Seconds(120);
  // Replay only: hand regular files on as ranges for the consumer to read,
  // each of chunk capacity - max_line_bytes - 1 bytes. Needs a capacity above
  // 2 × (max_line_bytes + 1); below that, or when false, the reader read()s
  // every chunk itself.
  bool consumer_reads = true;
  // Checkpoints to resume from (ignored with from_start), and when they were
  // written (ns since the epoch, 0: unknown): a rotated sibling of a log
  // modified since then is read whole unless a checkpoint names it.
  std::vector<base::LogPosition> resume;
  int64_t resume_written_ns = 0;
  // Without a checkpoint for a log: start at the first line stamped this
  // late (Unix µs; 0: at the end), in the log and its newest rotation.
  int64_t replay_since_us = 0;
  LineTime time_of;                // Needed for replay_since_us.
  CheckpointBook* book = nullptr;  // Optional: where generations are recorded.
  // What rotation drains and repeated open errors are timed on (the table's
  // frame); null: a RealClock of the reader's own. Must outlive the reader.
  const base::Clock* clock = nullptr;
  // Also read the journal (docs/journald.md); its chunks carry file index
  // paths.size() and the cursor of their last entry.
  std::optional<JournalOptions> journal;
};

// The chunk capacity that gives chunks of `lines_bytes` of log in either
// mode: room for the range plus its last line.
inline size_t ChunkCapacity(size_t lines_bytes, const ReaderOptions& options) {
  return lines_bytes + options.max_line_bytes + 1;
}

struct ReaderCounts {
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> oversized_lines{0};
  std::atomic<uint64_t> rotations{0};
  std::atomic<uint64_t> truncations{0};
  std::atomic<uint64_t> read_errors{0};
  std::atomic<uint64_t> open_errors{0};
  std::atomic<uint64_t> lost_files{0};   // Checkpointed files found nowhere.
  std::atomic<uint64_t> copies_read{0};  // Copytruncate tails read from the copy.
};

// Whether `path` can be tailed: a regular file or a FIFO ("-" too). The
// message names the kind of file otherwise.
absl::Status CheckLogKind(const std::string& path);

class LogReader {
 public:
  LogReader(std::vector<std::string> paths, ReaderOptions options, ChunkPool* pool,
            SpscRing<Chunk*>* out);
  ~LogReader();

  // Opens every file. Call before dropping privileges. In replay mode a
  // missing file is NotFound; when following, it is waited for.
  absl::Status Open();

  // The reader thread's body. Returns after Stop(), or in replay mode at the
  // end of the last file; either way the ring is closed on return.
  void Run();
  void Stop();

  const ReaderCounts& counts() const { return counts_; }

 private:
  struct Source {
    uint32_t index = 0;
    uint64_t generation = 0;
    std::string name;  // The file it is: the log or a rotated sibling.
    base::UniqueFd fd;
    dev_t dev = 0;
    ino_t ino = 0;
    bool stream = false;    // A FIFO or standard input: no size, no rotation.
    uint64_t offset = 0;    // Next byte to read.
    uint64_t emitted = 0;   // End of the last line handed on.
    std::string carry;      // A line still waiting for its newline.
    bool skipping = false;  // Inside an oversized (or half-seen) line.
    FileHead head;          // Its first bytes, as far as read.
    absl::Time drain_until;
    bool finite = false;  // A rotated file or a copy: read to its end, then closed.
    int open_errno = 0;   // The last open failure reported, to report changes only.
    absl::Time open_reported;
    // Wall time of the last look at the log's name: a rotated sibling
    // modified since then is one exact has not seen.
    int64_t looked_ns = 0;
  };

  // Opens `src->name` (the log itself unless set) at `offset`, as a new
  // generation. kEnd: at the end, skipping a partial last line.
  static constexpr uint64_t kEnd = UINT64_MAX;
  absl::Status OpenSource(Source* src, uint64_t offset);
  // Resumes or replays log `index` (sources_[index]) per the options.
  absl::Status OpenLog(uint32_t index);
  // A finished, rotated or copied file read from `offset` to its end.
  void AddFinite(uint32_t index, LocatedFile file, uint64_t offset);
  void BeginGeneration(Source* src);
  void EndGeneration(Source* src);
  void ReportOpenError(Source* src, const absl::Status& status);
  void OnTruncated(Source* src, const char* why);
  // Reads once; returns bytes read (0 at EOF, -1 on error).
  ssize_t ReadOnce(Source* src);
  // Reads until EOF or `max_reads`; returns whether anything was read.
  bool Drain(Source* src, int max_reads);
  // Hands on a final unterminated line (end of a replayed or rotated file).
  void FlushCarry(Source* src);
  void CheckRotation(Source* src);
  // After a rotation: siblings made since the last look, which a second
  // rotation before this look moved away unread (log.1 between log.2 and log).
  void FollowUnseenSiblings(const Source& current, int64_t looked_ns);
  // Replays a regular file as FileRange chunks; false if `src` is not one.
  bool EmitRanges(Source* src);
  void Emit(Chunk* chunk);
  Chunk* TakeChunk();
  bool WaitForStop(absl::Duration d);
  absl::Time Now() const { return absl::FromUnixMicros(clock_->NowMicros()); }
  // Reads journal entries into chunks, up to `rounds` reads; whether any
  // entry was consumed.
  bool DrainJournal(int rounds);

  std::vector<std::string> paths_;
  ReaderOptions options_;
  base::RealClock own_clock_;
  const base::Clock* clock_;  // options_.clock, or own_clock_.
  ChunkPool* pool_;
  SpscRing<Chunk*>* out_;
  std::vector<Source> sources_;
  std::deque<Source> draining_;  // Rotated-away files and copies still being read.
  uint64_t next_generation_ = 1;
  std::unique_ptr<JournalSource> journal_;
  std::string journal_lines_;  // Rendered, not yet handed on.
  Chunk* spare_ = nullptr;     // Taken from the pool but not yet filled.
  ReaderCounts counts_;

  // An idle reader sleeps in the watcher until a log changes (inotify), or
  // polls when it cannot watch.
  FileWatcher watcher_;
  // The flag is checked between reads without a syscall; the mutex and its
  // condition variable only serve the idle sleep in follow mode.
  std::atomic<bool> stop_requested_{false};
  base::Mutex mu_;
};

}  // namespace exact::ingest

#endif  // EXACT_SRC_INGEST_LOG_READER_H_
