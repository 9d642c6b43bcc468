// The pipeline gives the same table whatever the thread count, the chunk
// size and which thread reads the file (reader or matching threads),
// and that table is the generator's known answer.
#include "src/daemon/pipeline.h"

#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "src/base/files.h"
#include "src/config/servers_conf.h"
#include "src/ingest/log_reader.h"
#include "tools/loggen/log_generator.h"

namespace exact::daemon {
namespace {

std::shared_ptr<const match::StanzaMatcher> BundledMatcher() {
  auto text = base::ReadFileToString(std::string(EXACT_SOURCE_DIR) + "/conf/exact-servers.conf");
  config::Diagnostics d;
  auto stanzas = config::ParseServersConf(*text, "exact-servers.conf", &d);
  auto m = match::StanzaMatcher::Create(stanzas, &d);
  EXPECT_TRUE(m.ok()) << d.ToString();
  return std::move(*m);
}

std::map<std::string, std::string> RunPipeline(const std::string& log, int threads,
                                               size_t chunk_bytes, bool consumer_reads,
                                               PipelineStats* stats_out) {
  ingest::ChunkPool pool(8, chunk_bytes);
  ingest::SpscRing<ingest::Chunk*> ring(8);
  ingest::ReaderOptions ropts;
  ropts.follow = false;
  ropts.from_start = true;
  ropts.max_line_bytes = chunk_bytes / 4;
  ropts.consumer_reads = consumer_reads;
  ingest::LogReader reader({log}, ropts, &pool, &ring);
  EXPECT_TRUE(reader.Open().ok());
  table::RelayTable table;
  // 2026-12-01 00:00 UTC: exact-loggen's stamps are Nov 1-28 without a
  // year, so they are this November's, and a 60-day timeout keeps all live.
  base::FakeClock clock(1796083200);
  PipelineOptions popts;
  popts.threads = threads;
  popts.tokens = 4;
  Pipeline pipeline(&ring, &pool, &table, &clock, popts);
  pipeline.SetMatcher(BundledMatcher());
  pipeline.SetTimeout(60 * 86400);
  std::thread reader_thread([&] { reader.Run(); });
  pipeline.Run();
  reader_thread.join();
  std::map<std::string, std::string> out;
  for (const table::RecordView r : table.Snapshot(clock.Now())) {
    out[r.address.ToString()] = std::string(r.user());
  }
  stats_out->logins = pipeline.stats().logins.load();
  stats_out->lines = pipeline.stats().lines.load();
  return out;
}

TEST(Pipeline, SameTableForAnyThreadCountAndChunkSize) {
  loggen::GeneratorOptions gopts;
  gopts.seed = 42;
  gopts.login_share = 0.08;
  gopts.unique_addresses = 3000;  // Many repeat logins: the last user must win.
  loggen::LogGenerator gen(gopts);
  gen.set_track_answer(true);
  std::string text;
  gen.AppendBytes(&text, 8 << 20);
  char tmpl[] = "/tmp/exact-pipeline-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string log = dir + "/mail.log";
  std::ofstream(log) << text;
  ASSERT_GT(gen.answer().size(), 2000u);

  for (int threads : {1, 2, 4}) {
    for (size_t chunk : {size_t{4096}, size_t{65536}, size_t{1} << 20}) {
      // Ranges read by the matching threads, or chunks read by the reader.
      for (bool consumer_reads : {true, false}) {
        PipelineStats stats;
        std::map<std::string, std::string> got =
            RunPipeline(log, threads, chunk, consumer_reads, &stats);
        EXPECT_EQ(got, gen.answer()) << threads << " threads, " << chunk << " byte chunks, "
                                     << (consumer_reads ? "ranges" : "reads");
        EXPECT_EQ(stats.logins.load(), gen.logins());
        EXPECT_EQ(stats.lines.load(), gen.lines());
      }
    }
  }
}

}  // namespace
}  // namespace exact::daemon
