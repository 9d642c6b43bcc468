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

RelayTable::Shard& RelayTable::ShardFor(const IpAddress& address) const {
  size_t h = absl::Hash<IpAddress>{}(address);
  return *shards_[(h >> 7) % shards_.size()];  // Low bits pick flat_hash_map slots.
}

void RelayTable::LowerNextExpiry(UnixSeconds expiry) {
  UnixSeconds current = next_expiry_.load(std::memory_order_relaxed);
  while (expiry < current &&
         !next_expiry_.compare_exchange_weak(current, expiry, std::memory_order_acq_rel)) {
  }
}

RelayTable::UpsertResult RelayTable::Upsert(const IpAddress& address, absl::string_view user,
                                            UnixSeconds now, UnixSeconds timeout) {
  Shard& shard = ShardFor(address);
  UnixSeconds expiry = now + timeout;
  UpsertResult result;
  {
    base::MutexLock lock(&shard.mu);
    auto [it, inserted] = shard.entries.try_emplace(address);
    Entry& e = it->second;
    // An entry may have expired without a sweep yet: that is a new relay
    // grant, and must be published as one.
    result = inserted || e.expiry <= now ? UpsertResult::kAdded : UpsertResult::kRefreshed;
    e.user.assign(user.data(), user.size());
    e.last_login = now;
    e.expiry = std::max(e.expiry, expiry);
  }
  LowerNextExpiry(expiry);
  return result;
}

void RelayTable::Restore(const RelayRecord& record, UnixSeconds now) {
  if (record.expiry <= now) return;
  Shard& shard = ShardFor(record.address);
  {
    base::MutexLock lock(&shard.mu);
    auto [it, inserted] = shard.entries.try_emplace(record.address);
    if (!inserted && it->second.expiry >= record.expiry) return;
    it->second = Entry{record.user, record.last_login, record.expiry};
  }
  LowerNextExpiry(record.expiry);
}

size_t RelayTable::Expire(UnixSeconds now) {
  size_t removed = 0;
  UnixSeconds earliest = kNever;
  // Reset before the sweep, so that an Upsert racing with it still lowers
  // the hint and is never lost.
  next_expiry_.store(kNever, std::memory_order_release);
  for (auto& shard : shards_) {
    base::MutexLock lock(&shard->mu);
    absl::erase_if(shard->entries, [&](const auto& kv) {
      if (kv.second.expiry <= now) {
        ++removed;
        return true;
      }
      earliest = std::min(earliest, kv.second.expiry);
      return false;
    });
  }
  LowerNextExpiry(earliest);
  return removed;
}

std::vector<RelayRecord> RelayTable::Snapshot(UnixSeconds now) const {
  std::vector<RelayRecord> out;
  for (const auto& shard : shards_) {
    base::MutexLock lock(&shard->mu);
    for (const auto& [address, e] : shard->entries) {
      if (e.expiry > now) out.push_back({address, e.user, e.last_login, e.expiry});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const RelayRecord& a, const RelayRecord& b) { return a.address < b.address; });
  return out;
}

std::optional<RelayRecord> RelayTable::Lookup(const IpAddress& address, UnixSeconds now) const {
  Shard& shard = ShardFor(address);
  base::MutexLock lock(&shard.mu);
  auto it = shard.entries.find(address);
  if (it == shard.entries.end() || it->second.expiry <= now) return std::nullopt;
  return RelayRecord{address, it->second.user, it->second.last_login, it->second.expiry};
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
