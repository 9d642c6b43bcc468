// FillChunk: the consumer's half of a range chunk. The rule that makes ranges
// line-aligned without the reader looking at the bytes: a chunk owns the
// lines whose first byte lies in its range, so it skips the tail of a line
// begun before `begin` (looking one byte back to tell) and reads on past
// `end` to the newline of the last line it owns.
#include "src/ingest/chunk.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "src/base/files.h"
#include "src/base/log.h"
#include "src/ingest/log_reader.h"

namespace exact::ingest {
namespace {

// The tail beyond the range is read in steps this big: a log line is a few
// hundred bytes, so one step nearly always finds its newline.
constexpr size_t kTailStep = 4096;

void ReportReadError(const FileRange& range, uint64_t offset) {
  range.counts->read_errors.fetch_add(1, std::memory_order_relaxed);
  base::LogError("read %s at offset %d: %s", *range.path, offset, std::strerror(errno));
}

}  // namespace

void FillChunk(Chunk* chunk) {
  if (!chunk->unread) return;
  const FileRange range = *chunk->unread;
  chunk->unread.reset();
  chunk->head = 0;
  chunk->size = 0;
  chunk->file_offset = range.begin;
  // The buffer holds the file from `from`: one byte before the range, which
  // tells whether a line starts exactly at `begin`.
  const uint64_t from = range.begin > 0 ? range.begin - 1 : 0;
  const size_t lead = Chunk::Lead(from);
  char* buf = chunk->data.get() + lead;
  const size_t want = static_cast<size_t>(range.end - from);
  ssize_t n = base::PreadFull(range.fd, buf, want, from);
  if (n < 0) {
    ReportReadError(range, from);
    return;
  }
  size_t len = static_cast<size_t>(n);

  // First owned line: right after the first newline at or after `from`.
  size_t start = 0;
  if (range.begin > 0) {
    auto* nl = static_cast<const char*>(std::memchr(buf, '\n', len));
    if (nl == nullptr) return;  // Inside a line begun in an earlier range.
    start = static_cast<size_t>(nl - buf) + 1;
  }
  if (start >= want) return;  // The first line starting here starts after `end`.

  // End: just past the first newline at or after end - 1, reading on past
  // the range while the last line has not ended.
  size_t end_of_lines = 0;
  size_t search_from = want - 1;
  for (;;) {
    if (len > search_from) {
      auto* nl = static_cast<const char*>(std::memchr(buf + search_from, '\n', len - search_from));
      if (nl != nullptr) {
        end_of_lines = static_cast<size_t>(nl - buf) + 1;
        break;
      }
      search_from = len;
    }
    const size_t room = chunk->capacity - len;
    if (room == 0) {
      // The last line does not fit: drop it, keep the lines before it.
      range.counts->oversized_lines.fetch_add(1, std::memory_order_relaxed);
      auto* last_nl = static_cast<const char*>(::memrchr(buf + start, '\n', want - 1 - start));
      end_of_lines = last_nl == nullptr ? start : static_cast<size_t>(last_nl - buf) + 1;
      break;
    }
    ssize_t more = base::PreadFull(range.fd, buf + len, std::min(room, kTailStep), from + len);
    if (more < 0) {
      ReportReadError(range, from + len);
      return;
    }
    if (more == 0) {
      end_of_lines = len;  // The end of the file cuts the last line: keep it.
      break;
    }
    len += static_cast<size_t>(more);
  }
  chunk->head = lead + start;  // Not moved: a memmove of the chunk cost 4% of a replay.
  chunk->size = end_of_lines - start;
  chunk->file_offset = from + start;
}

}  // namespace exact::ingest
