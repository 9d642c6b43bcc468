// Publishing micro-benchmarks: keys/s for each map format.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include "src/publish/map_writer.h"

namespace {

using exact::config::MapFormat;

std::vector<exact::table::RelayRecord> Records(uint32_t n) {
  std::vector<exact::table::RelayRecord> r;
  r.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    r.push_back({exact::match::IpAddress::FromV4(0x0a000000 + i), "user", 1000, 2800});
  }
  return r;
}

void BM_Publish(benchmark::State& state) {
  auto format = static_cast<MapFormat>(state.range(1));
  auto records = exact::table::RelaySnapshot::Of(Records(static_cast<uint32_t>(state.range(0))));
  char tmpl[] = "/tmp/exact-publish-bench-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto writer = exact::publish::OpenMapWriter({format, dir + "/relay", "", 0640});
  for (auto _ : state) {
    if (!(*writer)->Write(records).ok()) state.SkipWithError("publish failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * state.range(0)));
  state.SetLabel(exact::config::MapFormatName(format));
  ::unlink(exact::publish::MapFileName(format, dir + "/relay").c_str());
  ::rmdir(dir.c_str());
}
BENCHMARK(BM_Publish)
    ->ArgsProduct({{100000, 1 << 20}, {static_cast<int>(MapFormat::kText),
                                       static_cast<int>(MapFormat::kLmdb),
                                       static_cast<int>(MapFormat::kDb)}})
    ->Unit(benchmark::kMillisecond);

}  // namespace
