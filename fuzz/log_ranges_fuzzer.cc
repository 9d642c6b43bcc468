// Fuzzes the two ways a replay cuts a file into chunks of whole lines: the
// reader's own read()s and ranges that the consumer pread()s (FillChunk).
// The first two bytes pick max_line_bytes and the chunk capacity; the rest is
// the file. Either way the output must be the file's lines, in order, whole,
// with every line up to max_line_bytes kept, every line too long for a chunk
// dropped, each drop counted, and a final unterminated line kept if it fits.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "src/ingest/log_reader.h"

namespace {

using exact::ingest::Chunk;
using exact::ingest::ChunkPool;
using exact::ingest::LogReader;
using exact::ingest::ReaderOptions;
using exact::ingest::SpscRing;

struct Replayed {
  std::string bytes;
  uint64_t oversized = 0;
  int ranges = 0;
};

Replayed Replay(const std::string& path, size_t capacity, size_t max_line, bool ranges) {
  ChunkPool pool(4, capacity);
  SpscRing<Chunk*> ring(4);
  ReaderOptions options;
  options.follow = false;
  options.from_start = true;
  options.max_line_bytes = max_line;
  options.consumer_reads = ranges;
  LogReader reader({path}, options, &pool, &ring);
  if (!reader.Open().ok()) std::abort();
  std::thread t([&] { reader.Run(); });
  Replayed out;
  Chunk* c;
  while (ring.Pop(&c)) {
    if (c->unread) ++out.ranges;
    exact::ingest::FillChunk(c);
    out.bytes.append(c->text().data(), c->text().size());
    pool.Release(c);
  }
  t.join();
  out.oversized = reader.counts().oversized_lines.load();
  return out;
}

// Checks `got` against the file's lines as the header comment says.
void Check(const std::string& file, const Replayed& got, size_t capacity, size_t max_line) {
  size_t in = 0, out = 0;
  uint64_t dropped = 0;
  while (in < file.size()) {
    size_t nl = file.find('\n', in);
    const bool terminated = nl != std::string::npos;
    const size_t end = terminated ? nl + 1 : file.size();
    const size_t length = end - in - (terminated ? 1 : 0);
    if (got.bytes.compare(out, end - in, file, in, end - in) == 0) {
      if (length >= capacity) std::abort();  // Cannot have fit in a chunk.
      out += end - in;
    } else {
      if (length <= max_line) std::abort();  // A line that fits was lost or cut.
      ++dropped;
    }
    in = end;
  }
  if (out != got.bytes.size()) std::abort();  // Bytes that are no line of the file.
  if (dropped != got.oversized) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > (1 << 20)) return 0;
  const size_t max_line = 16 + data[0] % 200;
  const size_t capacity = 2 * (max_line + 1) + 1 + data[1] % 400;
  const std::string file(reinterpret_cast<const char*>(data) + 2, size - 2);

  // One scratch file for the whole run, removed at exit.
  static const struct ScratchFile {
    ScratchFile() {
      char tmpl[] = "/tmp/exact-log-ranges-fuzz-XXXXXX";
      int fd = ::mkstemp(tmpl);
      if (fd < 0) std::abort();
      ::close(fd);
      path = tmpl;
    }
    ~ScratchFile() { ::unlink(path.c_str()); }
    std::string path;
  } scratch;
  const std::string& path = scratch.path;
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0 || ::write(fd, file.data(), file.size()) != static_cast<ssize_t>(file.size())) {
    std::abort();
  }
  ::close(fd);

  const Replayed reads = Replay(path, capacity, max_line, false);
  const Replayed ranges = Replay(path, capacity, max_line, true);
  if (reads.ranges != 0 || (!file.empty() && ranges.ranges == 0)) std::abort();
  Check(file, reads, capacity, max_line);
  Check(file, ranges, capacity, max_line);
  return 0;
}
