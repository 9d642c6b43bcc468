// Publishing benchmarks at scale, through the public API only: what one
// Publish() costs at 100 k and 1 M live addresses, step by step as the
// daemon takes them: the sorted snapshot of the table, the state file
// (encode + atomic write), and each map format written from that snapshot.
// BM_PublishEndToEnd is snapshot + state file + one map: one Publish() with
// `authtype` set to that format. Every address has its own user, as after a
// day of logins. Figures in docs/performance.md.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "src/base/files.h"
#include "src/publish/map_writer.h"
#include "src/table/relay_table.h"
#include "src/table/state_file.h"

namespace {

using exact::config::MapFormat;
using exact::table::RelayTable;

constexpr exact::base::UnixSeconds kNow = 1000;

const MapFormat kFormats[] = {MapFormat::kText, MapFormat::kDb,       MapFormat::kLmdb,
                              MapFormat::kCdb,  MapFormat::kEximText, MapFormat::kEximCdb};

// Tables are costly to build at 1 M: one per size, shared by every benchmark.
const RelayTable& TableOf(int64_t n) {
  static RelayTable* tables[2] = {nullptr, nullptr};
  RelayTable*& t = tables[n > 100000 ? 1 : 0];
  if (t == nullptr) {
    t = new RelayTable;
    for (int64_t i = 0; i < n; ++i) {
      // 10.0.0.0/8 then 2001:db8::/32, a fifth of them IPv6.
      exact::match::IpAddress a =
          i % 5 == 4 ? *exact::match::IpAddress::Parse(absl::StrCat("2001:db8::", absl::Hex(i)))
                     : exact::match::IpAddress::FromV4(0x0a000000 + static_cast<uint32_t>(i));
      t->Upsert(a, absl::StrCat("user", i), kNow, 1800 + i % 600);
    }
  }
  return *t;
}

struct ScratchDir {
  ScratchDir() {
    char tmpl[] = "/tmp/exact-publish-bench-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~ScratchDir() {
    std::string cmd = "rm -rf '" + path + "'";
    if (std::system(cmd.c_str()) != 0) std::abort();
  }
  std::string path;
};

void BM_PublishSnapshot(benchmark::State& state) {
  const RelayTable& t = TableOf(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(t.Snapshot(kNow));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_PublishStateFile(benchmark::State& state) {
  const exact::table::RelaySnapshot snapshot = TableOf(state.range(0)).Snapshot(kNow);
  ScratchDir dir;
  auto d = exact::base::Directory::Open(dir.path);
  if (!d.ok()) return state.SkipWithError("cannot open the scratch directory");
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = exact::table::EncodeState(snapshot);
    bytes = text.size();
    if (!d->WriteFileAtomically("relay.state", text, 0600).ok()) {
      return state.SkipWithError("write failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void BM_PublishMap(benchmark::State& state) {
  const auto format = static_cast<MapFormat>(state.range(1));
  const exact::table::RelaySnapshot snapshot = TableOf(state.range(0)).Snapshot(kNow);
  ScratchDir dir;
  auto writer = exact::publish::OpenMapWriter({format, dir.path + "/relay", "", 0640});
  if (!writer.ok()) return state.SkipWithError("cannot open the writer");
  for (auto _ : state) {
    if (!(*writer)->Write(snapshot).ok()) return state.SkipWithError("publish failed");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel(exact::config::MapFormatName(format));
}

void BM_PublishEndToEnd(benchmark::State& state) {
  const auto format = static_cast<MapFormat>(state.range(1));
  const RelayTable& t = TableOf(state.range(0));
  ScratchDir dir;
  auto d = exact::base::Directory::Open(dir.path);
  auto writer = exact::publish::OpenMapWriter({format, dir.path + "/relay", "", 0640});
  if (!d.ok() || !writer.ok()) return state.SkipWithError("cannot open the outputs");
  for (auto _ : state) {
    const exact::table::RelaySnapshot snapshot = t.Snapshot(kNow);
    if (!d->WriteFileAtomically("relay.state", exact::table::EncodeState(snapshot), 0600).ok() ||
        !(*writer)->Write(snapshot).ok()) {
      return state.SkipWithError("publish failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel(exact::config::MapFormatName(format));
}

void Sizes(benchmark::internal::Benchmark* b) {
  for (int64_t n : {100000, 1000000}) b->Args({n});
}

void SizesAndFormats(benchmark::internal::Benchmark* b) {
  for (int64_t n : {100000, 1000000}) {
    for (MapFormat f : kFormats) b->Args({n, static_cast<int64_t>(f)});
  }
}

BENCHMARK(BM_PublishSnapshot)->Apply(Sizes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PublishStateFile)->Apply(Sizes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PublishMap)->Apply(SizesAndFormats)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PublishEndToEnd)->Apply(SizesAndFormats)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
