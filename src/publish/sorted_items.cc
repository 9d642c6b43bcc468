#include "src/publish/sorted_items.h"

#include <algorithm>
#include <cstring>

#include "src/base/parallel_sort.h"

namespace exact::publish {

void SortedItems::Reserve(size_t items, size_t bytes) {
  items_.reserve(items);
  arena_.reserve(bytes);
}

void SortedItems::Add(absl::string_view key, absl::string_view value) {
  uint64_t prefix = 0;
  for (size_t i = 0; i < 8; ++i) {
    prefix = (prefix << 8) | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0u);
  }
  items_.push_back(Item{prefix, static_cast<uint32_t>(arena_.size()),
                        static_cast<uint16_t>(key.size()), static_cast<uint16_t>(value.size())});
  arena_.append(key.data(), key.size());
  arena_.append(value.data(), value.size());
}

void SortedItems::SortAndDedupe() {
  auto compare_keys = [this](const Item& a, const Item& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix ? -1 : 1;
    const size_t n = std::min(a.key_len, b.key_len);
    if (n > 8) {
      int c = std::memcmp(arena_.data() + a.offset + 8, arena_.data() + b.offset + 8, n - 8);
      if (c != 0) return c;
    }
    return a.key_len == b.key_len ? 0 : (a.key_len < b.key_len ? -1 : 1);
  };
  base::ParallelSort(items_.begin(), items_.end(), [&](const Item& a, const Item& b) {
    int c = compare_keys(a, b);
    return c != 0 ? c < 0 : a.offset < b.offset;  // The earlier addition first.
  });
  items_.erase(std::unique(items_.begin(), items_.end(),
                           [&](const Item& a, const Item& b) { return compare_keys(a, b) == 0; }),
               items_.end());
}

}  // namespace exact::publish
