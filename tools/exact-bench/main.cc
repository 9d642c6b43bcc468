// exact-bench: replays mail logs through exact's real pipeline (reader
// thread → lock-free ring → TBB matching pipeline → relay table, optionally
// the final LMDB publish) and reports throughput as a ratio to a baseline
// measured in the same run: read() of the same files plus a newline count.
// Files are streamed through the chunk pool; nothing holds a whole file.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/base/clock.h"
#include "src/base/count_newlines.h"
#include "src/base/files.h"
#include "src/config/config.h"
#include "src/daemon/pipeline.h"
#include "src/ingest/log_reader.h"
#include "src/match/stanza_matcher.h"
#include "src/publish/map_writer.h"
#include "src/table/relay_table.h"

namespace {

using Clock = std::chrono::steady_clock;

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: exact-bench -c CONFIG [options] LOG...\n"
               "Replays LOGs through the real pipeline with CONFIG's stanzas.\n"
               "  --threads N   matching threads (default: one per core)\n"
               "  --tokens N    chunks in flight in the pipeline (default 4)\n"
               "  --chunk-kib N lines per chunk, in KiB of log (default 1024)\n"
               "  --reader-reads  the reader thread read()s every chunk, as when following\n"
               "                a live log (default when a core is left for it; otherwise\n"
               "                the matching threads pread() ranges themselves)\n"
               "  --publish     include the final LMDB publish of the table\n"
               "  --json        print one JSON object instead of text\n"
               "  --no-baseline skip the read+newline-count baseline\n"
               "  --print-patterns  print the stanzas as translated for Hyperscan/RE2, and exit\n"
               "  --print-prefilters  print what Hyperscan scans for on each stanza's behalf,\n"
               "                    and exit\n");
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Baseline {
  uint64_t bytes = 0;
  uint64_t lines = 0;
  double seconds = 0;
};

// The floor: read() into a 256 KiB buffer (which stays in the core's
// cache) and count newlines, one file after another, on one thread: the
// same floor as earlier sessions' figures.
Baseline MeasureBaseline(const std::vector<std::string>& files) {
  Baseline b;
  std::vector<char> buf(256 * 1024);
  auto start = Clock::now();
  for (const std::string& f : files) {
    int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    ssize_t n;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
      b.bytes += static_cast<uint64_t>(n);
      b.lines += exact::base::CountNewlines(buf.data(), static_cast<size_t>(n));
    }
    ::close(fd);
  }
  b.seconds = Seconds(Clock::now() - start);
  return b;
}

std::string HumanBytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return absl::StrFormat("%.1f %s", b, units[u]);
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  std::vector<std::string> files;
  int threads = 0, tokens = 4, chunk_kib = 1024;
  bool reader_reads = false;
  bool publish = false, json = false, baseline_on = true, print_patterns = false;
  bool print_prefilters = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      Usage(stdout);
      return 0;
    } else if (a == "-c" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (a == "--threads" && i + 1 < argc) {
      if (!absl::SimpleAtoi(argv[++i], &threads) || threads < 1) {
        Usage(stderr);
        return EX_USAGE;
      }
    } else if (a == "--tokens" && i + 1 < argc) {
      if (!absl::SimpleAtoi(argv[++i], &tokens) || tokens < 1) {
        Usage(stderr);
        return EX_USAGE;
      }
    } else if (a == "--chunk-kib" && i + 1 < argc) {
      if (!absl::SimpleAtoi(argv[++i], &chunk_kib) || chunk_kib < 4 || chunk_kib > 65536) {
        Usage(stderr);
        return EX_USAGE;
      }
    } else if (a == "--reader-reads") {
      reader_reads = true;
    } else if (a == "--publish") {
      publish = true;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--no-baseline") {
      baseline_on = false;
    } else if (a == "--print-patterns") {
      print_patterns = true;
    } else if (a == "--print-prefilters") {
      print_prefilters = true;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "exact-bench: unknown option %s\n", a.c_str());
      Usage(stderr);
      return EX_USAGE;
    } else {
      files.push_back(a);
    }
  }
  if (config_path.empty() || (files.empty() && !print_patterns && !print_prefilters)) {
    Usage(stderr);
    return EX_USAGE;
  }
  exact::config::LoadResult loaded = exact::config::LoadConfig(config_path);
  exact::config::Diagnostics diags = loaded.diagnostics;
  if (!loaded.config) {
    std::fputs(diags.ToString().c_str(), stderr);
    return EX_CONFIG;
  }
  if (print_patterns) {
    for (const auto& s : loaded.config->stanzas) std::printf("%s\n", s.pattern.c_str());
    return 0;
  }
  auto matcher = exact::match::StanzaMatcher::Create(loaded.config->stanzas, &diags);
  if (!matcher.ok()) {
    std::fputs(diags.ToString().c_str(), stderr);
    return EX_CONFIG;
  }
  if (print_prefilters) {
    for (size_t i = 0; i < (*matcher)->stanzas().size(); ++i) {
      const auto& p = (*matcher)->prefilter(i);
      std::printf("%s: %s\n", (*matcher)->stanzas()[i].name.c_str(),
                  p.literals ? "literals" : "pattern");
      for (const std::string& text : p.patterns) {
        std::printf("  \"%s\"\n", absl::CEscape(text).c_str());
      }
    }
    return 0;
  }
  uint64_t total = 0;
  for (const std::string& f : files) {
    struct stat st;
    if (::stat(f.c_str(), &st) != 0) {
      std::fprintf(stderr, "exact-bench: cannot read %s: %s\n", f.c_str(), std::strerror(errno));
      return EX_NOINPUT;
    }
    total += static_cast<uint64_t>(st.st_size);
  }

  // The first pass also warms the page cache for everything after it; the
  // faster of two passes is the baseline.
  Baseline base;
  if (baseline_on) {
    Baseline first = MeasureBaseline(files);
    base = MeasureBaseline(files);
    if (first.seconds < base.seconds) base = first;
  }

  exact::ingest::ReaderOptions ropts;
  ropts.follow = false;
  ropts.from_start = true;
  ropts.consumer_reads = !reader_reads && exact::daemon::PipelineFillsEveryCore(threads);
  ropts.max_line_bytes = std::min<size_t>(ropts.max_line_bytes, size_t{1024} * chunk_kib / 4);
  exact::ingest::ChunkPool pool(16, exact::ingest::ChunkCapacity(size_t{1024} * chunk_kib, ropts));
  exact::ingest::SpscRing<exact::ingest::Chunk*> ring(16);
  exact::ingest::LogReader reader(files, ropts, &pool, &ring);
  if (absl::Status s = reader.Open(); !s.ok()) {
    std::fprintf(stderr, "exact-bench: %s\n", std::string(s.message()).c_str());
    return EX_NOINPUT;
  }
  exact::table::RelayTable table;
  exact::base::RealClock clock;
  exact::daemon::PipelineOptions popts;
  popts.threads = threads;
  popts.tokens = tokens;
  exact::daemon::Pipeline pipeline(&ring, &pool, &table, &clock, popts);
  pipeline.SetMatcher(std::shared_ptr<const exact::match::StanzaMatcher>(std::move(*matcher)));
  // Every login is granted whatever its stamp's age, so that replaying an
  // old log still measures the table's updates as a live one would.
  constexpr int64_t kCenturySeconds = 100LL * 365 * 86400;
  pipeline.SetTimeout(kCenturySeconds);

  const bool progress = !json && ::isatty(STDERR_FILENO);
  std::atomic<bool> finished{false};
  auto start = Clock::now();
  std::thread monitor([&] {
    while (progress && !finished.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      double done = static_cast<double>(pipeline.stats().bytes.load());
      double secs = Seconds(Clock::now() - start);
      double rate = secs > 0 ? done / secs : 0;
      double eta = rate > 0 ? (static_cast<double>(total) - done) / rate : 0;
      std::fprintf(stderr, "\r%5.1f%%  %6.2f GB/s  ETA %5.1f s ",
                   total ? 100.0 * done / static_cast<double>(total) : 100.0, rate / 1e9, eta);
    }
  });
  std::thread reader_thread([&] { reader.Run(); });
  pipeline.Run();
  reader_thread.join();
  double scan_seconds = Seconds(Clock::now() - start);
  double publish_seconds = 0, snapshot_seconds = 0;
  size_t live = table.size();
  if (publish) {
    char tmpl[] = "/tmp/exact-bench-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    auto writer =
        exact::publish::OpenMapWriter({exact::config::MapFormat::kLmdb, dir + "/relay", "", 0640});
    auto t0 = Clock::now();
    auto records = table.Snapshot(clock.Now());
    snapshot_seconds = Seconds(Clock::now() - t0);
    absl::Status s = writer.ok() ? (*writer)->Write(records) : writer.status();
    publish_seconds = Seconds(Clock::now() - t0);
    ::unlink((dir + "/relay.lmdb").c_str());
    ::rmdir(dir.c_str());
    if (!s.ok()) {
      std::fprintf(stderr, "exact-bench: publish failed: %s\n", std::string(s.message()).c_str());
      return EX_CANTCREAT;
    }
  }
  double seconds = scan_seconds + publish_seconds;
  finished = true;
  monitor.join();
  if (progress) std::fprintf(stderr, "\r%60s\r", "");

  const auto& st = pipeline.stats();
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  double bytes = static_cast<double>(st.bytes.load());
  double gbps = bytes / seconds / 1e9;
  double lps = static_cast<double>(st.lines.load()) / seconds;
  double base_gbps = base.seconds > 0 ? static_cast<double>(base.bytes) / base.seconds / 1e9 : 0;
  int used_threads = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  if (json) {
    std::printf(
        "{\"bytes\":%llu,\"lines\":%llu,\"logins\":%llu,\"unique_addresses\":%zu,"
        "\"threads\":%d,\"seconds\":%.4f,\"publish_seconds\":%.4f,\"snapshot_seconds\":%.4f,"
        "\"gb_per_s\":%.3f,"
        "\"lines_per_s\":%.0f,\"peak_rss_bytes\":%lld,\"baseline_gb_per_s\":%.3f,"
        "\"ratio_to_baseline\":%.3f,\"bad_addresses\":%llu,\"candidates\":%llu,"
        "\"unconfirmed\":%llu}\n",
        static_cast<unsigned long long>(st.bytes.load()),
        static_cast<unsigned long long>(st.lines.load()),
        static_cast<unsigned long long>(st.logins.load()), live, used_threads, seconds,
        publish_seconds, snapshot_seconds, gbps, lps, static_cast<long long>(ru.ru_maxrss) * 1024,
        base_gbps, base_gbps > 0 ? gbps / base_gbps : 0,
        static_cast<unsigned long long>(st.bad_address.load()),
        static_cast<unsigned long long>(st.candidates.load()),
        static_cast<unsigned long long>(st.unconfirmed.load()));
  } else {
    std::printf("bytes             %s (%llu)\n", HumanBytes(bytes).c_str(),
                static_cast<unsigned long long>(st.bytes.load()));
    std::printf("lines             %llu\n", static_cast<unsigned long long>(st.lines.load()));
    std::printf("logins            %llu\n", static_cast<unsigned long long>(st.logins.load()));
    // Lines the prefilter flagged, and those of them no stanza confirmed.
    std::printf("candidates        %llu (%llu unconfirmed)\n",
                static_cast<unsigned long long>(st.candidates.load()),
                static_cast<unsigned long long>(st.unconfirmed.load()));
    std::printf("unique addresses  %zu\n", live);
    std::printf("threads           %d\n", used_threads);
    std::printf("time              %.3f s%s\n", seconds,
                publish ? absl::StrFormat(" (publish %.3f s: snapshot %.3f s, LMDB %.3f s)",
                                          publish_seconds, snapshot_seconds,
                                          publish_seconds - snapshot_seconds)
                              .c_str()
                        : "");
    std::printf("throughput        %.2f GB/s, %.1f M lines/s\n", gbps, lps / 1e6);
    std::printf("peak RSS          %s\n",
                HumanBytes(static_cast<double>(ru.ru_maxrss) * 1024).c_str());
    if (base.seconds > 0) {
      std::printf(
          "baseline          %.2f GB/s (read + newline count, 1 thread, same files, best of 2)\n",
          base_gbps);
      std::printf("ratio             %.2f of baseline\n", gbps / base_gbps);
    }
  }
  return 0;
}
