// Table micro-benchmarks: upserts/s with 1 M and 10 M live addresses, the
// pipeline's batched apply (UpsertAll) with users that change as in
// bench/login_cost's log, and the snapshot a publish takes.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/table/relay_table.h"

namespace {

using exact::match::IpAddress;
using exact::table::RelayTable;

void Fill(RelayTable* t, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) t->Upsert(IpAddress::FromV4(0x0a000000 + i), "user", 1000, 1800);
}

void BM_Upsert(benchmark::State& state) {
  const auto live = static_cast<uint32_t>(state.range(0));
  RelayTable t;
  Fill(&t, live);
  uint32_t i = 0;
  for (auto _ : state) {
    // Half refreshes of live entries, half new addresses.
    uint32_t a = (i & 1) ? (i * 2654435761u) % live : live + i;
    t.Upsert(IpAddress::FromV4(0x0a000000 + a), "user", 1001, 1800);
    ++i;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Upsert)->Arg(1 << 20)->Arg(10 << 20)->Unit(benchmark::kNanosecond);

// A chunk's worth of logins at a time (~80 k in a 1 MiB chunk of an 8 %-login
// log would be 700; 1,024 here), into 1 M live addresses: a fifth new, the
// rest refreshes, each with a user drawn from 100,000 ("user%d", as
// exact-loggen writes them), so most refreshes change the user.
void BM_UpsertAllChangingUsers(benchmark::State& state) {
  const uint32_t live = 1 << 20;
  RelayTable t;
  Fill(&t, live);
  std::vector<std::string> users;
  for (int u = 0; u < 100000; ++u) users.push_back(absl::StrCat("user", u));
  std::vector<RelayTable::Login> batch(1024);
  uint32_t i = 0;
  exact::table::UnixSeconds now = 1001;
  for (auto _ : state) {
    for (RelayTable::Login& l : batch) {
      const uint32_t r = ++i * 2654435761u;
      const uint32_t a = r % 5 == 0 ? live + i : r % live;
      l = {IpAddress::FromV4(0x0a000000 + a), users[(r >> 8) % users.size()], now, now + 1800};
    }
    benchmark::DoNotOptimize(t.UpsertAll(batch, now));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.size()));
}
BENCHMARK(BM_UpsertAllChangingUsers)->Unit(benchmark::kMicrosecond);

void BM_Snapshot(benchmark::State& state) {
  RelayTable t;
  Fill(&t, static_cast<uint32_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(t.Snapshot(1000).size());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * state.range(0)));
}
BENCHMARK(BM_Snapshot)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

}  // namespace
