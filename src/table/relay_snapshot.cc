// The compact snapshot: slots sorted in place, names in one arena.
#include "src/table/relay_snapshot.h"

#include "src/base/parallel_sort.h"

namespace exact::table {

uint32_t LoginAge(UnixSeconds expiry, UnixSeconds login) {
  const UnixSeconds age = expiry - login;
  return age <= 0 ? 0 : age >= UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(age);
}

RelaySnapshot RelaySnapshot::Of(const std::vector<RelayRecord>& records) {
  RelaySnapshot s;
  size_t user_bytes = 0;
  for (const RelayRecord& r : records) user_bytes += UserArena::BytesFor(r.user);
  s.Reserve(records.size(), user_bytes);
  for (const RelayRecord& r : records) s.Add(r.address, r.user, r.last_login, r.expiry);
  s.SortByAddress();
  return s;
}

void RelaySnapshot::Reserve(size_t entries, size_t user_bytes) {
  slots_.reserve(entries);
  users_.Reserve(user_bytes);
}

void RelaySnapshot::Add(const IpAddress& address, absl::string_view user, UnixSeconds last_login,
                        UnixSeconds expiry) {
  slots_.push_back(Slot{address, expiry, LoginAge(expiry, last_login), users_.Add(user)});
}

void RelaySnapshot::SortByAddress() {
  base::ParallelSort(slots_.begin(), slots_.end(),
                     [](const Slot& a, const Slot& b) { return a.address < b.address; });
}

std::vector<RelayRecord> RelaySnapshot::ToRecords() const {
  std::vector<RelayRecord> out;
  out.reserve(size());
  for (const RecordView r : *this) {
    out.push_back(RelayRecord{r.address, std::string(r.user()), r.last_login, r.expiry});
  }
  return out;
}

}  // namespace exact::table
