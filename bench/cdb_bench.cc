// cdb: tinycdb (what cdb_map.cc uses) against the hand-written builder and
// reader exact had before, at map sizes exact publishes: the evidence for
// the switch, in docs/performance.md.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <optional>

#include "src/base/files.h"
#include "src/publish/map_reader.h"
#include "src/publish/map_writer.h"

namespace {

std::vector<std::pair<std::string, std::string>> Items(int64_t n) {
  std::vector<std::pair<std::string, std::string>> items;
  items.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    items.emplace_back(
        exact::match::IpAddress::FromV4(0x0a000000 + static_cast<uint32_t>(i)).ToString(),
        "1795000000");
  }
  return items;
}

// The hand-written builder exact had before tinycdb (in memory, then one
// write), kept here only as the baseline of the build benchmark.
uint32_t CdbHash(absl::string_view key) {
  uint32_t h = 5381;
  for (unsigned char c : key) h = ((h << 5) + h) ^ c;
  return h;
}

void AppendU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

absl::StatusOr<std::string> BuildCdb(
    const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out(2048, '\0');
  struct Slot {
    uint32_t hash, pos;
  };
  std::vector<std::vector<Slot>> buckets(256);
  for (const auto& [k, v] : items) {
    if (out.size() + 8 + k.size() + v.size() > UINT32_MAX) {
      return absl::ResourceExhaustedError("cdb map larger than 4 GiB");
    }
    uint32_t h = CdbHash(k);
    buckets[h & 255].push_back({h, static_cast<uint32_t>(out.size())});
    AppendU32(&out, static_cast<uint32_t>(k.size()));
    AppendU32(&out, static_cast<uint32_t>(v.size()));
    out += k;
    out += v;
  }
  std::string header;
  for (const auto& bucket : buckets) {
    const uint32_t slots = static_cast<uint32_t>(bucket.size() * 2);
    AppendU32(&header, static_cast<uint32_t>(out.size()));
    AppendU32(&header, slots);
    std::vector<Slot> table(slots, Slot{0, 0});
    for (const Slot& s : bucket) {
      uint32_t i = (s.hash >> 8) % slots;
      while (table[i].pos != 0) i = (i + 1) % slots;
      table[i] = s;
    }
    for (const Slot& s : table) {
      AppendU32(&out, s.hash);
      AppendU32(&out, s.pos);
    }
  }
  std::memcpy(out.data(), header.data(), header.size());
  return out;
}

std::string TempDir() {
  char tmpl[] = "/tmp/exact-cdb-bench-XXXXXX";
  return ::mkdtemp(tmpl);
}

exact::table::RelaySnapshot Snapshot(int64_t n) {
  std::vector<exact::table::RelayRecord> r;
  for (int64_t i = 0; i < n; ++i) {
    r.push_back({exact::match::IpAddress::FromV4(0x0a000000 + static_cast<uint32_t>(i)), "user",
                 1000, 1795000000});
  }
  return exact::table::RelaySnapshot::Of(r);
}

// The old writer: keys and values as strings, the file built in memory,
// then written, fsynced and renamed.
void BM_CdbPublishHandWritten(benchmark::State& state) {
  const auto snapshot = Snapshot(state.range(0));
  const std::string dir = TempDir();
  auto d = exact::base::Directory::Open(dir);
  for (auto _ : state) {
    std::vector<std::pair<std::string, std::string>> items;
    items.reserve(snapshot.size());
    for (const exact::table::RecordView r : snapshot) {
      items.emplace_back(r.address.ToString(), exact::publish::MapValue(r.expiry));
    }
    auto db = BuildCdb(items);
    if (!db.ok() || !d->WriteFileAtomically("relay.cdb", *db, 0640).ok()) {
      state.SkipWithError("build failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  ::unlink((dir + "/relay.cdb").c_str());
  ::rmdir(dir.c_str());
}
BENCHMARK(BM_CdbPublishHandWritten)->Arg(100000)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

// What exact does now (cdb_map.cc): tinycdb writes exact's temp, then the
// same fsync and rename.
void BM_CdbPublishTinycdb(benchmark::State& state) {
  const auto snapshot = Snapshot(state.range(0));
  const std::string dir = TempDir();
  auto writer =
      exact::publish::OpenMapWriter({exact::config::MapFormat::kCdb, dir + "/relay", "", 0640});
  for (auto _ : state) {
    if (!(*writer)->Write(snapshot).ok()) state.SkipWithError("publish failed");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  ::unlink((dir + "/relay.cdb").c_str());
  ::rmdir(dir.c_str());
}
BENCHMARK(BM_CdbPublishTinycdb)->Arg(100000)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

// The hand-written reader exact had before tinycdb (read the whole file,
// then probe), kept here only as the baseline of the lookup benchmark.
uint32_t ReadU32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<uint32_t>(u[3]) << 24);
}
std::optional<std::string> OldCdbFind(absl::string_view db, absl::string_view key) {
  if (db.size() < 2048) return std::nullopt;
  const uint32_t h = CdbHash(key);
  const uint32_t table = ReadU32(db.data() + (h & 255) * 8);
  const uint32_t slots = ReadU32(db.data() + (h & 255) * 8 + 4);
  if (slots == 0 || table > db.size() || (db.size() - table) / 8 < slots) return std::nullopt;
  for (uint32_t n = 0, i = (h >> 8) % slots; n < slots; ++n, i = (i + 1) % slots) {
    const char* slot = db.data() + table + 8 * i;
    const uint32_t pos = ReadU32(slot + 4);
    if (pos == 0) return std::nullopt;
    if (ReadU32(slot) != h || pos > db.size() - 8) continue;
    const uint32_t klen = ReadU32(db.data() + pos), vlen = ReadU32(db.data() + pos + 4);
    if (klen > db.size() - pos - 8 || vlen > db.size() - pos - 8 - klen) return std::nullopt;
    if (absl::string_view(db.data() + pos + 8, klen) == key) {
      return std::string(db.data() + pos + 8 + klen, vlen);
    }
  }
  return std::nullopt;
}

void BM_CdbLookupOldReader(benchmark::State& state) {
  const auto items = Items(state.range(0));
  const std::string dir = TempDir();
  auto d = exact::base::Directory::Open(dir);
  if (!d->WriteFileAtomically("relay.cdb", *BuildCdb(items), 0640).ok()) {
    state.SkipWithError("build failed");
  }
  const std::string file = dir + "/relay.cdb";
  size_t i = 0;
  for (auto _ : state) {
    auto db = exact::base::ReadFileToString(file);
    auto v = OldCdbFind(*db, items[i++ % items.size()].first);
    benchmark::DoNotOptimize(v);
  }
  ::unlink(file.c_str());
  ::rmdir(dir.c_str());
}
BENCHMARK(BM_CdbLookupOldReader)->Arg(100000)->Arg(1 << 20);

// exact-lookup's path: open, map, find, close, per lookup.
void BM_CdbLookupTinycdb(benchmark::State& state) {
  const auto items = Items(state.range(0));
  const std::string dir = TempDir();
  auto d = exact::base::Directory::Open(dir);
  if (!d->WriteFileAtomically("relay.cdb", *BuildCdb(items), 0640).ok()) {
    state.SkipWithError("build failed");
  }
  const std::string file = dir + "/relay.cdb";
  size_t i = 0;
  for (auto _ : state) {
    auto v = exact::publish::LookupMapFile(exact::config::MapFormat::kCdb, file,
                                           items[i++ % items.size()].first);
    benchmark::DoNotOptimize(v);
  }
  ::unlink(file.c_str());
  ::rmdir(dir.c_str());
}
BENCHMARK(BM_CdbLookupTinycdb)->Arg(100000)->Arg(1 << 20);

}  // namespace
