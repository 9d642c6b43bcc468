// Table micro-benchmarks: upserts/s with 1 M and 10 M live addresses, and
// the snapshot a publish takes.
#include <benchmark/benchmark.h>

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

void BM_Snapshot(benchmark::State& state) {
  RelayTable t;
  Fill(&t, static_cast<uint32_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(t.Snapshot(1000).size());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * state.range(0)));
}
BENCHMARK(BM_Snapshot)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

}  // namespace
