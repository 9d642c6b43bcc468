// The checkpoint book.
#include "src/ingest/checkpoint_book.h"

#include <algorithm>

namespace exact::ingest {

void CheckpointBook::Open(uint64_t gen, const base::LogPosition& start) {
  base::MutexLock lock(&mu_);
  entries_[gen].position = start;
}

void CheckpointBook::SetHead(uint64_t gen, uint32_t head_len, uint32_t head_crc) {
  base::MutexLock lock(&mu_);
  auto it = entries_.find(gen);
  if (it == entries_.end()) return;
  it->second.position.head_len = head_len;
  it->second.position.head_crc = head_crc;
}

void CheckpointBook::Close(uint64_t gen, uint64_t end) {
  base::MutexLock lock(&mu_);
  auto it = entries_.find(gen);
  if (it == entries_.end()) return;
  if (it->second.position.offset >= end) {
    entries_.erase(it);
    return;
  }
  it->second.closed = true;
  it->second.end = end;
}

void CheckpointBook::Applied(uint64_t gen, uint64_t end) {
  base::MutexLock lock(&mu_);
  auto it = entries_.find(gen);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  e.position.offset = std::max(e.position.offset, end);
  if (e.closed && e.position.offset >= e.end) entries_.erase(it);
}

std::vector<base::LogPosition> CheckpointBook::Positions() const {
  base::MutexLock lock(&mu_);
  std::vector<base::LogPosition> out;
  out.reserve(entries_.size());
  for (const auto& [gen, e] : entries_) out.push_back(e.position);
  return out;
}

void CheckpointBook::SetJournalCursor(const std::string& cursor) {
  base::MutexLock lock(&mu_);
  journal_cursor_ = cursor;
}

std::string CheckpointBook::JournalCursor() const {
  base::MutexLock lock(&mu_);
  return journal_cursor_;
}

}  // namespace exact::ingest
