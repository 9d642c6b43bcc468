// A chunk: a buffer of whole log lines from one file, the unit that flows
// from the reader through the pipeline. Chunks are pooled and recycled, so
// memory stays bounded (pool size × capacity) whatever the log size.
// Thread safety: a chunk is owned by one stage at a time.
#ifndef EXACT_SRC_INGEST_CHUNK_H_
#define EXACT_SRC_INGEST_CHUNK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/ingest/spsc_ring.h"

namespace exact::ingest {

struct Chunk {
  explicit Chunk(size_t cap) : data(new char[cap]), capacity(cap) {}

  std::unique_ptr<char[]> data;
  size_t capacity;
  size_t size = 0;            // Bytes of whole lines in data.
  uint32_t file_index = 0;    // Which maillog it came from.
  uint64_t file_offset = 0;   // Offset of data[0] in that file.

  absl::string_view text() const { return absl::string_view(data.get(), size); }
};

// A fixed set of chunks. Free chunks wait in a ring: the reader takes them,
// the pipeline's last stage gives them back.
class ChunkPool {
 public:
  ChunkPool(size_t count, size_t capacity) : free_(count) {
    for (size_t i = 0; i < count; ++i) {
      chunks_.push_back(std::make_unique<Chunk>(capacity));
      free_.Push(chunks_.back().get());
    }
  }

  // Blocks until a chunk is free.
  Chunk* Acquire() {
    Chunk* c = nullptr;
    free_.Pop(&c);
    c->size = 0;
    return c;
  }
  void Release(Chunk* c) { free_.Push(c); }
  size_t chunk_capacity() const { return chunks_.front()->capacity; }

 private:
  std::vector<std::unique_ptr<Chunk>> chunks_;
  SpscRing<Chunk*> free_;
};

}  // namespace exact::ingest

#endif  // EXACT_SRC_INGEST_CHUNK_H_
