// The checkpoint book: where each log file stands, as far as the table
// knows. The reader opens and closes file generations (a file from the
// offset it starts at; a rotation, truncation or copy starts a new one);
// the pipeline's in-order stage records how far each generation's lines are
// applied; the publisher copies the positions before it snapshots the
// table, so the state file never claims a line its entries do not hold.
// A closed generation leaves the book once its last line is applied.
//
// Thread safety: every method may be called from any thread.
#ifndef EXACT_SRC_INGEST_CHECKPOINT_BOOK_H_
#define EXACT_SRC_INGEST_CHECKPOINT_BOOK_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "src/base/log_position.h"
#include "src/base/mutex.h"

namespace exact::ingest {

class CheckpointBook {
 public:
  // Generation `gen` of a log starts at `start.offset`.
  void Open(uint64_t gen, const base::LogPosition& start);
  // The generation's identifying head grew (the reader read more of it).
  void SetHead(uint64_t gen, uint32_t head_len, uint32_t head_crc);
  // Nothing more will come from `gen`; its last emitted line ends at `end`.
  void Close(uint64_t gen, uint64_t end);
  // Lines of `gen` up to `end` are in the table. Called in reading order.
  void Applied(uint64_t gen, uint64_t end);
  // The position of every generation still open or still in flight, oldest
  // first.
  std::vector<base::LogPosition> Positions() const;

  // The journal's cursor: where reading resumes (set at start), then the
  // last entry of each applied journal chunk.
  void SetJournalCursor(const std::string& cursor);
  std::string JournalCursor() const;

 private:
  struct Entry {
    base::LogPosition position;  // .offset: applied so far.
    bool closed = false;
    uint64_t end = 0;
  };
  mutable base::Mutex mu_;
  std::map<uint64_t, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::string journal_cursor_ ABSL_GUARDED_BY(mu_);
};

}  // namespace exact::ingest

#endif  // EXACT_SRC_INGEST_CHECKPOINT_BOOK_H_
