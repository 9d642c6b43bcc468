// Reload-proof scanning: 1,000 reloads while a replay runs through the
// pipeline give the same table as no reloads. The reloads alternate between
// two stanza sets whose Hyperscan scratches differ, and each matcher is
// freed once its chunks are scanned, so a new one is often allocated where
// a freed one was: a scratch cache keyed by the matcher's address would
// then scan with a scratch made for another database, and lose the chunk.
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "src/base/files.h"
#include "src/config/servers_conf.h"
#include "src/daemon/pipeline.h"
#include "tools/loggen/log_generator.h"

namespace exact::daemon {
namespace {

constexpr size_t kChunkBytes = 4096;
constexpr int kReloads = 1000;

std::string BundledConf() {
  return *base::ReadFileToString(std::string(EXACT_SOURCE_DIR) + "/conf/exact-servers.conf");
}

// The bundled stanzas, plus (if `extra`) one that matches nothing in the log
// but needs more of Hyperscan's scratch: the same logins, another database.
std::shared_ptr<const match::StanzaMatcher> MakeMatcher(bool extra) {
  std::string text = BundledConf();
  if (extra) {
    text +=
        "\n<server never>\n    order username,address\n"
        "    match ^([a-z]{30,300})([a-z0-9]{20,200}) ([0-9.]{7,15})[a-z]{20,90}$\n</server>\n";
  }
  config::Diagnostics d;
  auto stanzas = config::ParseServersConf(text, "exact-servers.conf", &d);
  auto m = match::StanzaMatcher::Create(stanzas, &d);
  EXPECT_TRUE(m.ok()) << d.ToString();
  return std::move(*m);
}

// Runs `log` through a pipeline in chunks of whole lines, calling `reload`
// before each chunk is handed over (while earlier ones are being scanned).
std::map<std::string, std::string> Replay(const std::string& log,
                                          const std::function<void(Pipeline*)>& reload,
                                          PipelineStats* stats_out) {
  ingest::ChunkPool pool(8, 2 * kChunkBytes);
  ingest::SpscRing<ingest::Chunk*> ring(8);
  table::RelayTable table;
  base::FakeClock clock(1796083200);  // 2026-12-01: loggen's November is this year's.
  PipelineOptions popts;
  popts.threads = 2;
  Pipeline pipeline(&ring, &pool, &table, &clock, popts);
  pipeline.SetMatcher(MakeMatcher(false));
  pipeline.SetTimeout(60 * 86400);
  std::thread feeder([&] {
    size_t offset = 0;
    while (offset < log.size()) {
      size_t end = log.rfind('\n', std::min(offset + kChunkBytes, log.size()) - 1);
      end = (end == std::string::npos || end < offset) ? log.size() : end + 1;
      if (reload) reload(&pipeline);
      ingest::Chunk* c = pool.Acquire();
      c->head = ingest::Chunk::Lead(offset);
      c->size = end - offset;
      c->file_offset = offset;
      c->generation = 1;
      std::memcpy(c->data.get() + c->head, log.data() + offset, c->size);
      ring.Push(c);
      offset = end;
    }
    ring.Close();
  });
  pipeline.Run();
  feeder.join();
  std::map<std::string, std::string> out;
  for (const table::RecordView r : table.Snapshot(clock.Now())) {
    out[r.address.ToString()] = std::string(r.user());
  }
  stats_out->logins = pipeline.stats().logins.load();
  stats_out->chunks = pipeline.stats().chunks.load();
  stats_out->scan_failures = pipeline.stats().scan_failures.load();
  stats_out->scan_retries = pipeline.stats().scan_retries.load();
  return out;
}

TEST(Reload, AScratchMadeForOneMatcherFailsOnTheOther) {
  // Why generations matter: this is what an address-keyed cache ran into.
  auto a = MakeMatcher(false);
  auto b = MakeMatcher(true);
  EXPECT_NE(a->generation(), b->generation());
  auto scratch = a->NewScratch();
  ASSERT_TRUE(scratch.ok());
  std::vector<match::Login> logins;
  match::ScanCounts counts;
  EXPECT_FALSE(b->Scan("Nov  1 00:00:00 mx x: y\n", scratch->get(), &logins, &counts).ok());
  EXPECT_EQ(counts.lines, 0u);  // A failed scan adds nothing.
}

TEST(Reload, AThousandReloadsDuringAReplayGiveTheSameTable) {
  loggen::GeneratorOptions gopts;
  gopts.seed = 7;
  gopts.login_share = 0.08;
  gopts.unique_addresses = 3000;
  loggen::LogGenerator gen(gopts);
  gen.set_track_answer(true);
  std::string log;
  gen.AppendBytes(&log, (kReloads + 100) * kChunkBytes);

  PipelineStats quiet;
  const std::map<std::string, std::string> expected = Replay(log, nullptr, &quiet);
  ASSERT_EQ(expected, gen.answer());
  ASSERT_GT(quiet.chunks.load(), static_cast<uint64_t>(kReloads));

  int reloads = 0;
  auto reload = [&](Pipeline* p) {
    if (reloads >= kReloads) return;
    // Period 3, so the matcher that reuses a freed one's address (two reloads
    // on) is often of the other kind. The old one is freed when its chunks are.
    p->SetMatcher(MakeMatcher(reloads % 3 == 0));
    ++reloads;
  };
  PipelineStats busy;
  EXPECT_EQ(Replay(log, reload, &busy), expected);
  EXPECT_EQ(reloads, kReloads);
  EXPECT_EQ(busy.logins.load(), quiet.logins.load());
  EXPECT_EQ(busy.scan_failures.load(), 0u);
  EXPECT_EQ(busy.scan_retries.load(), 0u);
}

}  // namespace
}  // namespace exact::daemon
