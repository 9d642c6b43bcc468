// The expiring table of addresses allowed to relay: address → (user, last
// login, expiry). A login slides the window to its own expiry (login time +
// timeout, see grant.h), never backwards: logins carry the time they were
// logged, so a line applied twice, or an older line applied after a newer
// one (a restart re-reading its checkpointed tail), changes nothing. An
// entry is live while now < expiry, exact to the second.
//
// Revokes (exactctl remove): a revoked address is taken out at once, and
// every login logged at or before the revoke is refused for it, so neither
// a later line of the same session nor a replay after a restart grants it
// again. The first login logged after the revoke clears it. A revoke is
// kept until its `hold_until` (revoke time + timeout): after that no login
// old enough to be refused could still be live.
//
// Ownership and threads: the pipeline's ordered output stage is the only
// writer, so updates happen in log order and results never depend on thread
// timing. The table is sharded, each shard behind its own mutex, so that
// readers (the publisher, USR1 dumps, future live lookups) never stall the
// writer for long. Thread safety: every method may be called concurrently.
#ifndef EXACT_SRC_TABLE_RELAY_TABLE_H_
#define EXACT_SRC_TABLE_RELAY_TABLE_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/match/ip_address.h"
#include "src/table/relay_snapshot.h"
#include "src/table/user_arena.h"

namespace exact::table {

class RelayTable {
 public:
  static constexpr size_t kDefaultShards = 16;
  // No live expiry: the earliest-expiry hint when the table is empty.
  static constexpr UnixSeconds kNever = INT64_MAX;

  explicit RelayTable(size_t shards = kDefaultShards);

  enum class UpsertResult { kAdded, kRefreshed, kRevoked };
  // Records a login at `now`; the entry lives at least until now + timeout
  // (a manual grant, a test). A manual grant clears a revoke of the address
  // (the operator asked for it); kRevoked is never returned.
  UpsertResult Upsert(const IpAddress& address, absl::string_view user, UnixSeconds now,
                      UnixSeconds timeout);

  // A revoke: see the header comment. Removes the entry (returns whether
  // there was a live one) and refuses logins logged at or before `at` until
  // the first login after it, or until `hold_until`. A later revoke of the
  // same address replaces an earlier one.
  struct Revoke {
    UnixSeconds at = 0;
    UnixSeconds hold_until = 0;
  };
  bool Remove(const IpAddress& address, Revoke revoke, UnixSeconds now);
  // Puts back a revoke from a saved state file (no entry is removed: the
  // state file held none for it).
  void RestoreRevoke(const IpAddress& address, Revoke revoke, UnixSeconds now);
  // The revokes still held at `now`, sorted by address: saved in the state
  // file with each publish. Drops those past their hold_until.
  std::vector<std::pair<IpAddress, Revoke>> Revokes(UnixSeconds now);
  // Logins refused so far because of a revoke.
  uint64_t revoked_logins() const { return revoked_logins_.load(std::memory_order_relaxed); }

  // One login for UpsertAll, with its times in the table's frame.
  struct Login {
    IpAddress address;
    absl::string_view user;
    UnixSeconds last_login = 0;
    UnixSeconds expiry = 0;
  };
  // Applies each login in turn; returns how many were kAdded (new, or
  // back after expiring). A login refused by a revoke counts in
  // revoked_logins(). An entry keeps the latest expiry it was given,
  // and the user of its latest login. The same table as one call per
  // login, for less: a shard's mutex is taken once per call, and each slot
  // is fetched from memory while the one before it is updated (the
  // pipeline applies a chunk's logins so).
  // With `results`, each login's own result lands at its index (the
  // per-address debug log).
  size_t UpsertAll(const std::vector<Login>& logins, UnixSeconds now,
                   std::vector<UpsertResult>* results = nullptr);

  // Puts back an entry from a saved state file, unless already expired or
  // already present with a later expiry. The expiry is clamped to
  // `max_expiry` and the last login to `now`: a state file is not trusted
  // to grant more than a login could.
  void Restore(const RelayRecord& record, UnixSeconds now, UnixSeconds max_expiry = kNever);

  // Removes every entry with expiry <= now. Returns how many were removed;
  // with `expired`, also which (the per-address debug log).
  size_t Expire(UnixSeconds now, std::vector<IpAddress>* expired = nullptr);

  // A time at or before the earliest live expiry (kNever when empty). It may
  // be early after a refresh; Expire() then finds nothing and recomputes it.
  UnixSeconds NextExpiry() const { return next_expiry_.load(std::memory_order_acquire); }

  // Live entries (expiry > now), sorted by address (IPv4 first, numerically).
  RelaySnapshot Snapshot(UnixSeconds now) const;

  std::optional<RelayRecord> Lookup(const IpAddress& address, UnixSeconds now) const;
  size_t size() const;

 private:
  // 16 bytes, so that a slot with its key is 32: the table's memory at a
  // million addresses is mostly slots.
  struct Entry {
    UnixSeconds expiry = 0;
    uint32_t user = 0;       // Handle in the shard's UserArena.
    uint32_t login_age = 0;  // expiry - last login, in seconds (saturating).
  };
  struct Shard {
    mutable base::Mutex mu;
    absl::flat_hash_map<IpAddress, Entry> entries ABSL_GUARDED_BY(mu);
    UserArena users ABSL_GUARDED_BY(mu);
    // Few or none: each login checks empty() first.
    absl::flat_hash_map<IpAddress, Revoke> revokes ABSL_GUARDED_BY(mu);
  };

  size_t ShardIndex(const IpAddress& address) const;
  Shard& ShardFor(const IpAddress& address) const { return *shards_[ShardIndex(address)]; }
  // The body of Upsert, with the shard locked.
  static UpsertResult UpsertLocked(Shard* shard, const IpAddress& address, absl::string_view user,
                                   UnixSeconds now, UnixSeconds last_login, UnixSeconds expiry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu);
  static RelayRecord ToRecord(const Shard& shard, const IpAddress& address, const Entry& e)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  // Points `e` at `user`: a new entry gets a new name; an existing one keeps
  // its name when unchanged, else the old name becomes garbage.
  static void SetUser(Shard* shard, Entry* e, bool new_entry, absl::string_view user)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu);
  static void CompactUsers(Shard* shard) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu);
  void LowerNextExpiry(UnixSeconds expiry);

  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<UnixSeconds> next_expiry_{kNever};
  std::atomic<uint64_t> revoked_logins_{0};
};

}  // namespace exact::table

#endif  // EXACT_SRC_TABLE_RELAY_TABLE_H_
