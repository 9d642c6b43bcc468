// The user names of one table shard, packed in a byte arena: an entry keeps
// a 4-byte offset instead of a 32-byte std::string, which halves a table
// slot (a million addresses at ISP scale). Replaced and expired names
// become garbage; the owner compacts when garbage outweighs live names.
//
// Thread safety: none; the shard's mutex guards it.
#ifndef EXACT_SRC_TABLE_USER_ARENA_H_
#define EXACT_SRC_TABLE_USER_ARENA_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace exact::table {

class UserArena {
 public:
  // Arena bytes that Add(user) takes.
  static size_t BytesFor(absl::string_view user) {
    return 2 + (user.size() > 0xffff ? 0xffff : user.size());
  }

  // Stores `user` (cut to 65,535 bytes) and returns its handle.
  uint32_t Add(absl::string_view user) {
    const size_t len = user.size() > 0xffff ? 0xffff : user.size();
    const auto handle = static_cast<uint32_t>(bytes_.size());
    // Grow by a quarter, not std::string's doubling: at a million names the
    // spare capacity is the arena's largest cost.
    if (bytes_.size() + 2 + len > bytes_.capacity()) {
      bytes_.reserve(bytes_.capacity() + bytes_.capacity() / 4 + 2 + len);
    }
    bytes_.push_back(static_cast<char>(len & 0xff));
    bytes_.push_back(static_cast<char>(len >> 8));
    bytes_.insert(bytes_.end(), user.data(), user.data() + len);
    return handle;
  }

  absl::string_view Get(uint32_t handle) const {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes_.data() + handle);
    return absl::string_view(bytes_.data() + handle + 2, p[0] | (size_t{p[1]} << 8));
  }

  // Overwrites the name at `handle` with `user` when both are the same
  // length, leaving no garbage; false (nothing changed) otherwise. Each
  // entry owns its handle, so no other entry sees the change.
  bool ReplaceInPlace(uint32_t handle, absl::string_view user) {
    if (Get(handle).size() != user.size()) return false;
    std::memcpy(bytes_.data() + handle + 2, user.data(), user.size());
    return true;
  }

  // The name at `handle` is no longer referenced.
  void Release(uint32_t handle) { garbage_ += 2 + Get(handle).size(); }

  // A quarter garbage: compaction walks the shard, so it must stay rare,
  // but garbage is memory the table holds for nothing.
  bool WantsCompaction() const { return garbage_ > 4096 && garbage_ * 4 > bytes_.size(); }

  // Compaction: Reserve the live bytes, Add every live name to a fresh
  // arena, then swap it in.
  size_t live_bytes() const { return bytes_.size() - garbage_; }
  void Reserve(size_t bytes) { bytes_.reserve(bytes); }
  void Swap(UserArena* other) {
    bytes_.swap(other->bytes_);
    std::swap(garbage_, other->garbage_);
  }

 private:
  std::vector<char> bytes_;  // Not std::string, whose reserve() doubles anyway.
  size_t garbage_ = 0;
};

}  // namespace exact::table

#endif  // EXACT_SRC_TABLE_USER_ARENA_H_
