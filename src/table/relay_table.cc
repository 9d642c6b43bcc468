// Sharded expiring table.
#include "src/table/relay_table.h"

#include <algorithm>

#include "absl/hash/hash.h"

namespace exact::table {

RelayTable::RelayTable(size_t shards) {
  shards_.reserve(std::max<size_t>(shards, 1));
  for (size_t i = 0; i < std::max<size_t>(shards, 1); ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

size_t RelayTable::ShardIndex(const IpAddress& address) const {
  size_t h = absl::Hash<IpAddress>{}(address);
  return (h >> 7) % shards_.size();  // Low bits pick flat_hash_map slots.
}

RelayRecord RelayTable::ToRecord(const Shard& shard, const IpAddress& address, const Entry& e) {
  return RelayRecord{address, std::string(shard.users.Get(e.user)), e.expiry - e.login_age,
                     e.expiry};
}

void RelayTable::SetUser(Shard* shard, Entry* e, bool new_entry, absl::string_view user) {
  if (!new_entry) {
    // A user of the same length (a NAT's next user, often) takes the old
    // name's bytes: no garbage, so no compaction walk of the shard for it.
    if (shard->users.ReplaceInPlace(e->user, user)) return;
    shard->users.Release(e->user);
  }
  e->user = shard->users.Add(user);
  if (shard->users.WantsCompaction()) CompactUsers(shard);
}

void RelayTable::CompactUsers(Shard* shard) {
  UserArena fresh;
  fresh.Reserve(shard->users.live_bytes());
  for (auto& [address, e] : shard->entries) e.user = fresh.Add(shard->users.Get(e.user));
  shard->users.Swap(&fresh);
}

void RelayTable::LowerNextExpiry(UnixSeconds expiry) {
  UnixSeconds current = next_expiry_.load(std::memory_order_relaxed);
  while (expiry < current &&
         !next_expiry_.compare_exchange_weak(current, expiry, std::memory_order_acq_rel)) {
  }
}

RelayTable::UpsertResult RelayTable::UpsertLocked(Shard* shard, const IpAddress& address,
                                                  absl::string_view user, UnixSeconds now,
                                                  UnixSeconds last_login, UnixSeconds expiry) {
  if (!shard->revokes.empty()) {
    auto r = shard->revokes.find(address);
    if (r != shard->revokes.end()) {
      if (last_login <= r->second.at && now < r->second.hold_until) {
        return UpsertResult::kRevoked;
      }
      shard->revokes.erase(r);
    }
  }
  auto [it, inserted] = shard->entries.try_emplace(address);
  Entry& e = it->second;
  // An entry may have expired without a sweep yet: that is a new relay
  // grant, and must be published as one.
  const bool fresh = inserted || e.expiry <= now;
  const UnixSeconds previous_login = fresh ? INT64_MIN : e.expiry - e.login_age;
  UnixSeconds latest_login = previous_login;
  if (last_login >= previous_login) {
    SetUser(shard, &e, inserted, user);
    latest_login = last_login;
  }
  e.expiry = fresh ? expiry : std::max(e.expiry, expiry);
  e.login_age = LoginAge(e.expiry, latest_login);
  return fresh ? UpsertResult::kAdded : UpsertResult::kRefreshed;
}

RelayTable::UpsertResult RelayTable::Upsert(const IpAddress& address, absl::string_view user,
                                            UnixSeconds now, UnixSeconds timeout) {
  Shard& shard = ShardFor(address);
  const UnixSeconds expiry = now + timeout;
  UpsertResult result;
  {
    base::MutexLock lock(&shard.mu);
    shard.revokes.erase(address);
    result = UpsertLocked(&shard, address, user, now, now, expiry);
  }
  LowerNextExpiry(expiry);
  return result;
}

size_t RelayTable::UpsertAll(const std::vector<Login>& logins, UnixSeconds now,
                             std::vector<UpsertResult>* results) {
  if (results != nullptr) results->assign(logins.size(), UpsertResult::kAdded);
  if (logins.empty()) return 0;
  // Each shard's logins, in log order: logins of one address stay in order,
  // and logins of different addresses commute.
  const size_t n = shards_.size();
  std::vector<uint32_t> by_shard(logins.size());
  std::vector<uint32_t> starts(n + 1, 0);
  std::vector<uint32_t> shard_of(logins.size());
  for (size_t i = 0; i < logins.size(); ++i) {
    shard_of[i] = static_cast<uint32_t>(ShardIndex(logins[i].address));
    ++starts[shard_of[i] + 1];
  }
  for (size_t s = 0; s < n; ++s) starts[s + 1] += starts[s];
  std::vector<uint32_t> next(starts.begin(), starts.end() - 1);
  for (size_t i = 0; i < logins.size(); ++i) {
    by_shard[next[shard_of[i]]++] = static_cast<uint32_t>(i);
  }

  size_t added = 0;
  uint64_t revoked = 0;
  UnixSeconds earliest = kNever;
  for (size_t s = 0; s < n; ++s) {
    if (starts[s] == starts[s + 1]) continue;
    Shard& shard = *shards_[s];
    base::MutexLock lock(&shard.mu);
    for (uint32_t j = starts[s]; j < starts[s + 1]; ++j) {
      // Two logins ahead: the slot's cache miss overlaps this update.
      if (j + 2 < starts[s + 1]) shard.entries.prefetch(logins[by_shard[j + 2]].address);
      const Login& login = logins[by_shard[j]];
      const UpsertResult r =
          UpsertLocked(&shard, login.address, login.user, now, login.last_login, login.expiry);
      if (results != nullptr) (*results)[by_shard[j]] = r;
      added += r == UpsertResult::kAdded;
      revoked += r == UpsertResult::kRevoked;
      earliest = std::min(earliest, login.expiry);
    }
  }
  LowerNextExpiry(earliest);
  if (revoked > 0) revoked_logins_.fetch_add(revoked, std::memory_order_relaxed);
  return added;
}

void RelayTable::Restore(const RelayRecord& record, UnixSeconds now, UnixSeconds max_expiry) {
  const UnixSeconds expiry = std::min(record.expiry, max_expiry);
  if (expiry <= now) return;
  Shard& shard = ShardFor(record.address);
  {
    base::MutexLock lock(&shard.mu);
    auto [it, inserted] = shard.entries.try_emplace(record.address);
    Entry& e = it->second;
    if (!inserted && e.expiry >= expiry) return;
    SetUser(&shard, &e, inserted, record.user);
    e.expiry = expiry;
    e.login_age = LoginAge(expiry, std::min(record.last_login, now));
  }
  LowerNextExpiry(expiry);
}

bool RelayTable::Remove(const IpAddress& address, Revoke revoke, UnixSeconds now) {
  Shard& shard = ShardFor(address);
  base::MutexLock lock(&shard.mu);
  shard.revokes[address] = revoke;
  auto it = shard.entries.find(address);
  if (it == shard.entries.end()) return false;
  const bool live = it->second.expiry > now;
  shard.users.Release(it->second.user);
  shard.entries.erase(it);
  return live;
}

void RelayTable::RestoreRevoke(const IpAddress& address, Revoke revoke, UnixSeconds now) {
  if (revoke.hold_until <= now) return;
  Shard& shard = ShardFor(address);
  base::MutexLock lock(&shard.mu);
  auto [it, inserted] = shard.revokes.try_emplace(address, revoke);
  if (!inserted && it->second.at < revoke.at) it->second = revoke;
}

std::vector<std::pair<IpAddress, RelayTable::Revoke>> RelayTable::Revokes(UnixSeconds now) {
  std::vector<std::pair<IpAddress, Revoke>> out;
  for (auto& shard : shards_) {
    base::MutexLock lock(&shard->mu);
    absl::erase_if(shard->revokes, [now](const auto& kv) { return kv.second.hold_until <= now; });
    for (const auto& kv : shard->revokes) out.push_back(kv);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

size_t RelayTable::Expire(UnixSeconds now, std::vector<IpAddress>* expired) {
  size_t removed = 0;
  UnixSeconds earliest = kNever;
  // Reset before the sweep, so that an Upsert racing with it still lowers
  // the hint and is never lost.
  next_expiry_.store(kNever, std::memory_order_release);
  for (auto& shard : shards_) {
    base::MutexLock lock(&shard->mu);
    UserArena* users = &shard->users;  // Held: the analysis cannot see into the lambda.
    absl::erase_if(shard->entries, [&](const auto& kv) {
      if (kv.second.expiry <= now) {
        ++removed;
        if (expired != nullptr) expired->push_back(kv.first);
        users->Release(kv.second.user);
        return true;
      }
      earliest = std::min(earliest, kv.second.expiry);
      return false;
    });
    if (shard->users.WantsCompaction()) CompactUsers(shard.get());
  }
  LowerNextExpiry(earliest);
  return removed;
}

RelaySnapshot RelayTable::Snapshot(UnixSeconds now) const {
  // Reserved exactly (unless an Upsert races with us; then it only regrows):
  // at a million addresses, vector doubling would be tens of megabytes.
  size_t entries = 0, user_bytes = 0;
  for (const auto& shard : shards_) {
    base::MutexLock lock(&shard->mu);
    entries += shard->entries.size();
    user_bytes += shard->users.live_bytes();
  }
  RelaySnapshot out;
  out.Reserve(entries, user_bytes);
  for (const auto& shard : shards_) {
    base::MutexLock lock(&shard->mu);
    for (const auto& [address, e] : shard->entries) {
      if (e.expiry > now) {
        out.Add(address, shard->users.Get(e.user), e.expiry - e.login_age, e.expiry);
      }
    }
  }
  // Publishing a million addresses is mostly this sort: use idle cores.
  out.SortByAddress();
  return out;
}

std::optional<RelayRecord> RelayTable::Lookup(const IpAddress& address, UnixSeconds now) const {
  Shard& shard = ShardFor(address);
  base::MutexLock lock(&shard.mu);
  auto it = shard.entries.find(address);
  if (it == shard.entries.end() || it->second.expiry <= now) return std::nullopt;
  return ToRecord(shard, address, it->second);
}

size_t RelayTable::size() const {
  size_t n = 0;
  for (const auto& shard : shards_) {
    base::MutexLock lock(&shard->mu);
    n += shard->entries.size();
  }
  return n;
}

}  // namespace exact::table
