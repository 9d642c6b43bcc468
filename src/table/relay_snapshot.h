// A copy of the live table at one moment, sorted by address: what every map
// writer, the state file and the USR1 dump are made from. Compact on
// purpose: 32 bytes per address plus its user name in one arena, against 64
// and a std::string each as a vector of RelayRecord, since a publish holds
// the snapshot and a map build side by side at peak memory.
//
// Thread safety: none while being built; const methods may then be called
// from any thread.
#ifndef EXACT_SRC_TABLE_RELAY_SNAPSHOT_H_
#define EXACT_SRC_TABLE_RELAY_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/base/clock.h"
#include "src/match/ip_address.h"
#include "src/table/user_arena.h"

namespace exact::table {

using base::UnixSeconds;
using match::IpAddress;

// One address with its user, as held by the table or a state file.
struct RelayRecord {
  IpAddress address;
  std::string user;
  UnixSeconds last_login = 0;
  UnixSeconds expiry = 0;
};

// One entry of a snapshot. The user name is read only when asked for: map
// writers never need it, and at a million entries each read is a cache miss.
struct RecordView {
  IpAddress address;
  UnixSeconds last_login = 0;
  UnixSeconds expiry = 0;
  const UserArena* users = nullptr;
  uint32_t user_handle = 0;

  absl::string_view user() const { return users->Get(user_handle); }  // Points into the snapshot.
};

class RelaySnapshot {
 public:
  RelaySnapshot() = default;
  // A snapshot of `records`, sorted by address (for tests and tools).
  static RelaySnapshot Of(const std::vector<RelayRecord>& records);

  void Reserve(size_t entries, size_t user_bytes);
  void Add(const IpAddress& address, absl::string_view user, UnixSeconds last_login,
           UnixSeconds expiry);
  // Sorts by address, on idle cores when there are any.
  void SortByAddress();

  size_t size() const { return slots_.size(); }
  bool empty() const { return slots_.empty(); }
  RecordView operator[](size_t i) const {
    const Slot& s = slots_[i];
    return RecordView{s.address, s.expiry - s.login_age, s.expiry, &users_, s.user};
  }
  std::vector<RelayRecord> ToRecords() const;

  class Iterator {
   public:
    Iterator(const RelaySnapshot* snapshot, size_t i) : snapshot_(snapshot), i_(i) {}
    RecordView operator*() const { return (*snapshot_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return i_ != other.i_; }

   private:
    const RelaySnapshot* snapshot_;
    size_t i_;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, slots_.size()); }

 private:
  struct Slot {
    IpAddress address;
    UnixSeconds expiry;
    uint32_t login_age;  // expiry - last login, saturating.
    uint32_t user;       // Handle in users_.
  };
  std::vector<Slot> slots_;
  UserArena users_;
};

// expiry - login as a table or snapshot stores it: at least 0, at most
// UINT32_MAX seconds.
uint32_t LoginAge(UnixSeconds expiry, UnixSeconds login);

}  // namespace exact::table

#endif  // EXACT_SRC_TABLE_RELAY_SNAPSHOT_H_
