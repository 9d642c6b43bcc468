// Key/value pairs for a map build, in one arena, sorted by key bytes
// (memcmp order; on a shared prefix the shorter key first). A million
// addresses take 16 bytes of index each plus their text: no string per
// key, and the sort compares an 8-byte prefix before touching the arena.
//
// Thread safety: none; one map build owns it.
#ifndef EXACT_SRC_PUBLISH_SORTED_ITEMS_H_
#define EXACT_SRC_PUBLISH_SORTED_ITEMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace exact::publish {

class SortedItems {
 public:
  void Reserve(size_t items, size_t bytes);
  // Keys and values up to 64 KiB each.
  void Add(absl::string_view key, absl::string_view value);
  // Sorts by key; of equal keys keeps the one added first.
  void SortAndDedupe();

  size_t size() const { return items_.size(); }
  absl::string_view key(size_t i) const {
    return absl::string_view(arena_.data() + items_[i].offset, items_[i].key_len);
  }
  absl::string_view value(size_t i) const {
    return absl::string_view(arena_.data() + items_[i].offset + items_[i].key_len,
                             items_[i].value_len);
  }

 private:
  struct Item {
    uint64_t prefix;  // The key's first 8 bytes, big-endian, zero-padded.
    uint32_t offset;  // Key then value, in the arena; grows with insertion.
    uint16_t key_len;
    uint16_t value_len;
  };
  std::string arena_;
  std::vector<Item> items_;
};

}  // namespace exact::publish

#endif  // EXACT_SRC_PUBLISH_SORTED_ITEMS_H_
