// Matcher micro-benchmarks: scan throughput against the number of stanzas,
// and the cost of confirming and extracting one login line.
#include <benchmark/benchmark.h>

#include "absl/strings/str_cat.h"
#include "src/base/files.h"
#include "src/config/servers_conf.h"
#include "src/match/ip_address.h"
#include "src/match/stanza_matcher.h"
#include "tools/loggen/log_generator.h"

namespace {

using exact::match::StanzaMatcher;

std::vector<exact::config::Stanza> FromFile(const std::string& path) {
  auto text = exact::base::ReadFileToString(std::string(EXACT_SOURCE_DIR) + "/" + path);
  exact::config::Diagnostics d;
  std::vector<exact::config::Stanza> out;
  for (auto& s : exact::config::ParseServersConf(*text, path, &d)) {
    if (!s.opt_in) out.push_back(std::move(s));  // What `server all` selects.
  }
  return out;
}

std::vector<exact::config::Stanza> Bundled() { return FromFile("conf/exact-servers.conf"); }

std::unique_ptr<StanzaMatcher> Make(std::vector<exact::config::Stanza> s) {
  exact::config::Diagnostics d;
  return std::move(*StanzaMatcher::Create(std::move(s), &d));
}

std::string Log(double login_share, size_t bytes) {
  exact::loggen::GeneratorOptions o;
  o.login_share = login_share;
  exact::loggen::LogGenerator gen(o);
  std::string out;
  gen.AppendBytes(&out, bytes);
  return out;
}

// Scans 256 KiB chunks (the size every session's figures used) of a
// 5%-login log with the first N bundled stanzas.
void BM_ScanChunk(benchmark::State& state) {
  auto all = Bundled();
  all.resize(static_cast<size_t>(state.range(0)));
  auto m = Make(all);
  auto scratch = *m->NewScratch();
  std::string log = Log(0.05, 8 << 20);
  const size_t chunk = 256 * 1024;
  std::vector<exact::match::Login> logins;
  size_t offset = 0;
  for (auto _ : state) {
    size_t end = log.rfind('\n', std::min(offset + chunk, log.size()) - 1) + 1;
    logins.clear();
    exact::match::ScanCounts counts;
    (void)m->Scan(absl::string_view(log).substr(offset, end - offset), scratch.get(), &logins,
                  &counts);
    benchmark::DoNotOptimize(logins.data());
    state.SetBytesProcessed(state.bytes_processed() + static_cast<int64_t>(end - offset));
    offset = end >= log.size() - chunk ? 0 : end;
  }
}
BENCHMARK(BM_ScanChunk)->DenseRange(1, 8, 1);

// bench/compare's log (loggen --seed 7, 5 % logins) in 256 KiB chunks:
// argument 0 scans it with the eight stanzas shipped before issue 11
// (bench/baseline-servers.conf), 1 with every stanza shipped now. Compare
// the two in one run (docs/performance.md).
void BM_ScanCompareLog(benchmark::State& state) {
  auto m = Make(state.range(0) == 0 ? FromFile("bench/baseline-servers.conf") : Bundled());
  auto scratch = *m->NewScratch();
  exact::loggen::GeneratorOptions o;
  o.seed = 7;
  o.login_share = 0.05;
  exact::loggen::LogGenerator gen(o);
  std::string log;
  gen.AppendBytes(&log, 32 << 20);
  const size_t chunk = 256 * 1024;
  std::vector<exact::match::Login> logins;
  size_t offset = 0;
  uint64_t found = 0, candidates = 0, fast = 0;
  for (auto _ : state) {
    size_t end = log.rfind('\n', std::min(offset + chunk, log.size()) - 1) + 1;
    logins.clear();
    exact::match::ScanCounts counts;
    (void)m->Scan(absl::string_view(log).substr(offset, end - offset), scratch.get(), &logins,
                  &counts);
    found += logins.size();
    candidates += counts.candidates;
    fast += counts.fast_extractions;
    benchmark::DoNotOptimize(logins.data());
    state.SetBytesProcessed(state.bytes_processed() + static_cast<int64_t>(end - offset));
    offset = end >= log.size() - chunk ? 0 : end;
  }
  state.counters["logins_per_chunk"] =
      benchmark::Counter(static_cast<double>(found) / static_cast<double>(state.iterations()));
  state.counters["candidates_per_chunk"] =
      benchmark::Counter(static_cast<double>(candidates) / static_cast<double>(state.iterations()));
  state.counters["fast_per_chunk"] =
      benchmark::Counter(static_cast<double>(fast) / static_cast<double>(state.iterations()));
  state.SetLabel(state.range(0) == 0 ? "eight 1.x stanzas" : "all shipped stanzas");
}
BENCHMARK(BM_ScanCompareLog)->Arg(0)->Arg(1);

// The same log with no logins at all: the prefilter alone.
void BM_ScanChunkNoLogins(benchmark::State& state) {
  auto m = Make(Bundled());
  auto scratch = *m->NewScratch();
  std::string log = Log(0.0, 4 << 20);
  std::vector<exact::match::Login> logins;
  uint64_t candidates = 0;
  for (auto _ : state) {
    exact::match::ScanCounts counts;
    (void)m->Scan(log, scratch.get(), &logins, &counts);
    candidates += counts.candidates;
    benchmark::DoNotOptimize(counts);
  }
  state.counters["candidates"] =
      benchmark::Counter(static_cast<double>(candidates) / static_cast<double>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * log.size()));
}
BENCHMARK(BM_ScanChunkNoLogins);

// Confirm + extract: a chunk where every line is a login, per line.
void BM_ExtractPerLogin(benchmark::State& state) {
  auto m = Make(Bundled());
  auto scratch = *m->NewScratch();
  std::string log = Log(1.0, 1 << 20);
  std::vector<exact::match::Login> logins;
  uint64_t lines = 0;
  for (auto _ : state) {
    logins.clear();
    exact::match::ScanCounts counts;
    (void)m->Scan(log, scratch.get(), &logins, &counts);
    lines += counts.logins;
  }
  state.SetItemsProcessed(static_cast<int64_t>(lines));
}
BENCHMARK(BM_ExtractPerLogin);

}  // namespace

namespace {

// The address parse of every login: IPv4 and IPv6 as exact-loggen writes
// them (a tenth IPv6), from text as the extractor hands it over.
void BM_ParseAddress(benchmark::State& state) {
  std::vector<std::string> texts;
  for (uint32_t i = 0; i < 4096; ++i) {
    const uint32_t r = i * 2654435761u;
    texts.push_back(i % 10 == 9
                        ? absl::StrCat("2001:db8:", absl::Hex(r >> 16), "::", absl::Hex(r & 0xffff))
                        : absl::StrCat(10 + (r >> 24) % 200, ".", (r >> 16) & 255, ".",
                                       (r >> 8) & 255, ".", r & 255));
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(exact::match::IpAddress::Parse(texts[i++ & 4095]));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseAddress);

}  // namespace
