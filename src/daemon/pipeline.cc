// TBB wiring of the three stages.
#include "src/daemon/pipeline.h"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "src/base/log.h"
#include "src/table/grant.h"

namespace exact::daemon {
namespace {

struct Work {
  ingest::Chunk* chunk = nullptr;
  std::shared_ptr<const match::StanzaMatcher> matcher;
  std::vector<match::Login> logins;
  std::vector<table::LoginStamp> stamps;  // One per login.
  match::ScanCounts counts;
  int64_t now_us = 0;  // The wall clock when the chunk was taken: the year reference.
};

// A thread's scratch, remade when a reload swaps the matcher, and the
// buffer it reads replayed ranges into. Keyed by the matcher's generation,
// not its address: a new matcher may be allocated where a freed one was,
// and a scratch sized for another database fails every scan.
struct ThreadScratch {
  uint64_t generation = 0;  // Of the matcher `scratch` was made for; 0: none.
  std::unique_ptr<match::StanzaMatcher::Scratch> scratch;
  ingest::Chunk::Buffer buffer;
  size_t buffer_capacity = 0;
};

// Failures logged one by one before they are only counted (and then
// logged every kLogEveryFailure-th time), so a broken matcher cannot flood
// the log with a line per chunk.
constexpr uint64_t kFailuresLoggedInFull = 20;
constexpr uint64_t kLogEveryFailure = 1000;

absl::Status EnsureScratch(const match::StanzaMatcher& matcher, ThreadScratch* ts) {
  if (ts->scratch && ts->generation == matcher.generation()) return absl::OkStatus();
  ts->scratch.reset();
  ts->generation = 0;
  absl::StatusOr<std::unique_ptr<match::StanzaMatcher::Scratch>> s = matcher.NewScratch();
  if (!s.ok()) return s.status();
  ts->scratch = std::move(*s);
  ts->generation = matcher.generation();
  return absl::OkStatus();
}

absl::Status TryScan(const match::StanzaMatcher& matcher, absl::string_view text, ThreadScratch* ts,
                     std::vector<match::Login>* logins, match::ScanCounts* counts) {
  if (absl::Status st = EnsureScratch(matcher, ts); !st.ok()) return st;
  return matcher.Scan(text, ts->scratch.get(), logins, counts);
}

// Scans `chunk` into `logins` and `counts`; a failure is retried once,
// then logged and counted in `stats`.
void ScanChunk(const match::StanzaMatcher& matcher, const ingest::Chunk* chunk, ThreadScratch* ts,
               std::vector<match::Login>* logins, match::ScanCounts* counts, PipelineStats* stats) {
  absl::Status st = TryScan(matcher, chunk->text(), ts, logins, counts);
  if (st.ok()) return;
  // Once more with a fresh scratch: a failed scan leaves no partial result.
  stats->scan_retries.fetch_add(1, std::memory_order_relaxed);
  ts->scratch.reset();
  ts->generation = 0;
  const absl::Status first = st;
  st = TryScan(matcher, chunk->text(), ts, logins, counts);
  if (st.ok()) {
    base::LogWarning("a scan failed (%s) and succeeded with a fresh scratch",
                     std::string(first.message()));
    return;
  }
  const uint64_t n = stats->scan_failures.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n <= kFailuresLoggedInFull || n % kLogEveryFailure == 0) {
    base::LogError(
        "cannot scan %zu bytes of log (file %u, offset %llu): %s; their logins are lost "
        "(%llu chunk(s) so far)",
        chunk->size, chunk->file_index, static_cast<unsigned long long>(chunk->file_offset),
        std::string(st.message()), static_cast<unsigned long long>(n));
  }
}

}  // namespace

bool PipelineFillsEveryCore(int threads) {
  return threads <= 0 || threads >= tbb::info::default_concurrency();
}

Pipeline::Pipeline(ingest::SpscRing<ingest::Chunk*>* in, ingest::ChunkPool* pool,
                   table::RelayTable* table, const base::Clock* clock, PipelineOptions options)
    : in_(in),
      pool_(pool),
      table_(table),
      clock_(clock),
      options_(options),
      headers_(absl::LocalTimeZone()) {
  for (size_t i = 0; i < options_.logs; ++i) log_counts_.push_back(std::make_unique<LogCounts>());
}

std::vector<std::pair<std::string, uint64_t>> Pipeline::LoginsByStanza() const {
  base::MutexLock lock(&stanza_mu_);
  std::vector<std::pair<std::string, uint64_t>> out(logins_by_stanza_.begin(),
                                                    logins_by_stanza_.end());
  std::sort(out.begin(), out.end());
  return out;
}

void Pipeline::SetMatcher(std::shared_ptr<const match::StanzaMatcher> matcher) {
  matcher_.store(std::move(matcher));
}

void Pipeline::Run() {
  tbb::enumerable_thread_specific<ThreadScratch> scratches;
  int threads = options_.threads > 0 ? options_.threads : tbb::info::default_concurrency();
  tbb::task_arena arena(threads);

  auto take = [this](tbb::flow_control& fc) -> Work* {
    ingest::Chunk* chunk = nullptr;
    if (!in_->Pop(&chunk)) {
      fc.stop();
      return nullptr;
    }
    auto* work = new Work;
    work->chunk = chunk;
    work->matcher = matcher_.load();
    work->now_us = clock_->WallMicros();
    return work;
  };
  auto scan = [this, &scratches](Work* work) -> Work* {
    ThreadScratch& ts = scratches.local();
    ingest::Chunk* chunk = work->chunk;
    // A replayed range is read here, on this core, into this thread's own
    // buffer: it stays in the core's cache, where the chunk's own buffer was
    // last written a pool's worth of chunks ago. The chunk gets its buffer
    // back once scanned; no later stage reads the text.
    const bool range = chunk->unread.has_value();
    if (range) {
      if (ts.buffer_capacity != chunk->capacity) {
        ts.buffer = ingest::Chunk::NewBuffer(chunk->capacity);
        ts.buffer_capacity = chunk->capacity;
      }
      std::swap(chunk->data, ts.buffer);
    }
    ingest::FillChunk(chunk);
    ScanChunk(*work->matcher, chunk, &ts, &work->logins, &work->counts, &stats_);
    // Login lines only: the header parse costs nothing on the rest.
    work->stamps.resize(work->logins.size());
    match::LogHeader header;
    for (size_t i = 0; i < work->logins.size(); ++i) {
      const match::Login& login = work->logins[i];
      if (headers_.Parse(chunk->text().substr(login.line_offset, login.line_size), work->now_us,
                         &header) &&
          header.has_time) {
        work->stamps[i] = {true, header.time_us, header.precision_us};
      }
    }
    if (range) std::swap(chunk->data, ts.buffer);
    return work;
  };
  auto apply = [this](Work* work) {
    const base::UnixSeconds now = clock_->Now();
    const int64_t wall_us = clock_->WallMicros();
    const int64_t timeout = timeout_.load();
    uint64_t ignored = 0, stale = 0, untimed = 0, future = 0;
    const bool debug = base::LogDebugEnabled();
    const auto& stanzas = work->matcher->stanzas();
    auto stanza_name = [&](uint32_t i) -> absl::string_view {
      return i < stanzas.size() ? absl::string_view(stanzas[i].name) : "?";
    };
    std::vector<table::RelayTable::Login> grants;
    std::vector<uint32_t> grant_stanza;  // For the debug lines.
    grants.reserve(work->logins.size());
    uint64_t paired = 0;
    if (work->counts.logins != work->logins.size()) {  // Some are two-line halves.
      std::vector<int64_t> times(work->logins.size());
      for (size_t i = 0; i < times.size(); ++i) {
        times[i] = work->stamps[i].has_time ? work->stamps[i].time_us : wall_us;
      }
      paired = pairer_.Join(&work->logins, times);
    }
    for (size_t i = 0; i < work->logins.size(); ++i) {
      const match::Login& login = work->logins[i];
      if (login.kind != match::LoginKind::kLogin) continue;
      if (!ignore_.empty() && ignore_.Contains(login.address)) {
        ++ignored;
        if (debug) {
          base::LogDebug("rejected %s (user \"%s\", stanza %s): an ignored network",
                         login.address.ToString(), base::Printable(login.user, 64),
                         stanza_name(login.stanza));
        }
        continue;
      }
      const table::Grant g = table::GrantFor(work->stamps[i], wall_us, now, timeout);
      untimed += !g.from_log;
      future += g.capped;
      if (!g.live) {
        ++stale;
        if (debug) {
          base::LogDebug("rejected %s (user \"%s\", stanza %s): stale, logged at %d",
                         login.address.ToString(), base::Printable(login.user, 64),
                         stanza_name(login.stanza), g.last_login);
        }
        continue;
      }
      grants.push_back({login.address, login.user, g.last_login, g.expiry});
      if (debug) grant_stanza.push_back(login.stanza);
    }
    std::vector<table::RelayTable::UpsertResult> results;
    const uint64_t added = table_->UpsertAll(grants, now, debug ? &results : nullptr);
    if (debug) {
      using R = table::RelayTable::UpsertResult;
      for (size_t i = 0; i < grants.size(); ++i) {
        const char* what = results[i] == R::kAdded       ? "granted"
                           : results[i] == R::kRefreshed ? "refreshed"
                                                         : "rejected (revoked by exactctl)";
        base::LogDebug("%s %s (user \"%s\", stanza %s) until %d", what,
                       grants[i].address.ToString(), base::Printable(grants[i].user, 64),
                       stanza_name(grant_stanza[i]), grants[i].expiry);
      }
    }
    if (!work->logins.empty()) {
      absl::flat_hash_map<uint32_t, uint64_t> by_stanza;
      for (const match::Login& login : work->logins) {
        if (login.kind == match::LoginKind::kLogin) ++by_stanza[login.stanza];  // Not halves.
      }
      base::MutexLock lock(&stanza_mu_);
      for (const auto& [i, n] : by_stanza) logins_by_stanza_[std::string(stanza_name(i))] += n;
    }
    if (const size_t log = work->chunk->file_index; log < log_counts_.size()) {
      log_counts_[log]->bytes.fetch_add(work->chunk->size, std::memory_order_relaxed);
      log_counts_[log]->lines.fetch_add(work->counts.lines, std::memory_order_relaxed);
    }
    if (book_ != nullptr && !work->chunk->journal_cursor.empty()) {
      book_->SetJournalCursor(work->chunk->journal_cursor);
    } else if (book_ != nullptr && work->chunk->size > 0) {
      book_->Applied(work->chunk->generation, work->chunk->file_offset + work->chunk->size);
    }
    const match::ScanCounts& c = work->counts;
    stats_.chunks.fetch_add(1, std::memory_order_relaxed);
    stats_.bytes.fetch_add(work->chunk->size, std::memory_order_relaxed);
    stats_.lines.fetch_add(c.lines, std::memory_order_relaxed);
    stats_.candidates.fetch_add(c.candidates, std::memory_order_relaxed);
    stats_.logins.fetch_add(c.logins + paired, std::memory_order_relaxed);
    stats_.bad_address.fetch_add(c.bad_address, std::memory_order_relaxed);
    stats_.binary.fetch_add(c.binary, std::memory_order_relaxed);
    stats_.oversized.fetch_add(c.oversized, std::memory_order_relaxed);
    stats_.stale.fetch_add(stale, std::memory_order_relaxed);
    stats_.untimed.fetch_add(untimed, std::memory_order_relaxed);
    stats_.future.fetch_add(future, std::memory_order_relaxed);
    stats_.unconfirmed.fetch_add(c.unconfirmed, std::memory_order_relaxed);
    stats_.untrusted.fetch_add(c.untrusted, std::memory_order_relaxed);
    stats_.new_addresses.fetch_add(added, std::memory_order_relaxed);
    stats_.ignored.fetch_add(ignored, std::memory_order_relaxed);
    stats_.fast_extractions.fetch_add(c.fast_extractions, std::memory_order_relaxed);
    stats_.refreshed.fetch_add(grants.size() - added, std::memory_order_relaxed);
    pool_->Release(work->chunk);
    delete work;
    if (added > 0 && on_new_address_) on_new_address_();
  };

  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<size_t>(options_.tokens),
        tbb::make_filter<void, Work*>(tbb::filter_mode::serial_in_order, take) &
            tbb::make_filter<Work*, Work*>(tbb::filter_mode::parallel, scan) &
            tbb::make_filter<Work*, void>(tbb::filter_mode::serial_in_order, apply));
  });
}

}  // namespace exact::daemon
