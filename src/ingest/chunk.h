// A chunk: a buffer of whole log lines from one file, the unit that flows
// from the reader through the pipeline. Chunks are pooled and recycled, so
// memory stays bounded (pool size × capacity) whatever the log size.
//
// The reader either fills a chunk itself (read(), as when following a live
// log) or, when replaying a regular file, only names a byte range of it and
// leaves the pread() to the consumer: the copy then runs in parallel on the
// scanning threads, and the bytes are still in that core's cache when the
// scan reads them. Consumers call FillChunk() before text().
//
// Thread safety: a chunk is owned by one stage at a time.
#ifndef EXACT_SRC_INGEST_CHUNK_H_
#define EXACT_SRC_INGEST_CHUNK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/base/mutex.h"

namespace exact::ingest {

struct ReaderCounts;

// A byte range of a regular file whose lines a chunk is to hold: the lines
// that *start* in [begin, end). The last of them may run past `end`; the
// chunk's spare capacity beyond the range holds it.
struct FileRange {
  int fd = -1;  // Kept open by the reader until it is destroyed.
  uint64_t begin = 0;
  uint64_t end = 0;
  const std::string* path = nullptr;  // For messages; owned by the reader.
  ReaderCounts* counts = nullptr;     // Where read errors and oversized lines go.
};

struct Chunk {
  // A byte from file offset f is stored at an address ≡ f (mod kAlign): the
  // kernel's copy into a buffer aligned differently from the page cache ran
  // at about a third of the speed (docs/performance.md, "Aligned reads").
  static constexpr size_t kAlign = 64;

  struct AlignedDelete {
    void operator()(char* p) const { ::operator delete[](p, std::align_val_t{kAlign}); }
  };
  using Buffer = std::unique_ptr<char[], AlignedDelete>;
  // A buffer for a chunk of capacity `cap`, with room for its lead.
  static Buffer NewBuffer(size_t cap) {
    return Buffer(static_cast<char*>(::operator new[](cap + kAlign, std::align_val_t{kAlign})));
  }

  explicit Chunk(size_t cap) : data(NewBuffer(cap)), capacity(cap) {}

  // Where bytes that start at file offset `offset` go: the first of `capacity`
  // bytes at the file's own alignment.
  static size_t Lead(uint64_t offset) { return offset % kAlign; }

  Buffer data;
  size_t capacity;             // Usable bytes from data + Lead(...).
  size_t head = 0;             // Bytes before the first line (the lead, a range's skipped part).
  size_t size = 0;             // Bytes of whole lines in data, from data[head].
  uint32_t file_index = 0;     // Which maillog it came from.
  uint64_t generation = 0;     // Which file of it (see CheckpointBook).
  std::string journal_cursor;  // Journal chunks: the cursor of their last entry.
  uint64_t file_offset = 0;    // Offset of data[head] in that file.
  std::optional<FileRange> unread;  // Set: the consumer reads the lines itself.

  absl::string_view text() const { return absl::string_view(data.get() + head, size); }
};

// Reads a chunk's `unread` range, if it has one, into its buffer: the lines
// that start in the range, whole. A line that does not fit in the capacity
// left after the range is dropped and counted as oversized; a line cut by
// the end of the file is kept, as the reader keeps a file's last line. A
// read error leaves the chunk empty and is counted and logged.
void FillChunk(Chunk* chunk);

// A fixed set of chunks. The reader takes free ones, the pipeline's last
// stage gives them back. A reader that outruns the pipeline (a replay) finds
// the pool empty; it then sleeps until half of the pool is free again, so it
// wakes once per batch of chunks rather than once per chunk (each wake-up is
// a futex round trip, an interrupt to the other core and a context switch;
// docs/performance.md, "Reader wake-ups", has the count).
// Half the pool still leaves the pipeline a quarter queued (16 chunks, 4 in
// flight) when the reader wakes.
class ChunkPool {
 public:
  ChunkPool(size_t count, size_t capacity) : refill_(count / 2 > 0 ? count / 2 : 1) {
    for (size_t i = 0; i < count; ++i) {
      chunks_.push_back(std::make_unique<Chunk>(capacity));
      free_.push_back(chunks_.back().get());
    }
  }

  // Blocks until a chunk is free.
  Chunk* Acquire() {
    base::MutexLock lock(&mu_);
    if (free_.empty()) {
      waiting_ = true;
      mu_.Await([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return free_.size() >= refill_; });
      waiting_ = false;
    }
    Chunk* c = free_.back();
    free_.pop_back();
    c->head = 0;
    c->size = 0;
    c->generation = 0;
    c->journal_cursor.clear();
    c->unread.reset();
    return c;
  }

  void Release(Chunk* c) {
    base::MutexLock lock(&mu_);
    free_.push_back(c);
    if (waiting_ && free_.size() == refill_) mu_.NotifyAll();
  }

  size_t chunk_capacity() const { return chunks_.front()->capacity; }

 private:
  const size_t refill_;
  std::vector<std::unique_ptr<Chunk>> chunks_;
  base::Mutex mu_;
  std::vector<Chunk*> free_ ABSL_GUARDED_BY(mu_);
  bool waiting_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace exact::ingest

#endif  // EXACT_SRC_INGEST_CHUNK_H_
