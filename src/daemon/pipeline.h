// The matching pipeline (oneTBB parallel_pipeline), the same for the live
// tail and for replays:
//   1. serial, in order: take the next chunk from the reader's ring;
//   2. parallel: scan it with the shared Hyperscan database (a scratch per
//      thread, remade when the matcher's generation changes), confirm and extract with RE2,
//      validate addresses, and read each login line's header for the time it was logged;
//   3. serial, in order: turn each login's time into a grant (stale ones
//      are counted, not granted: table/grant.h), apply the chunk's grants
//      to the table in log order, record in the checkpoint book how far the
//      chunk's file is applied, recycle the chunk, and tell the control
//      loop about new addresses.
// Stage 3 is the table's only writer, so the table after a run does not
// depend on thread timing. TBB stays here, at the wiring edge.
//
// Thread safety: Run() on one thread; the setters and stats() from any.
#ifndef EXACT_SRC_DAEMON_PIPELINE_H_
#define EXACT_SRC_DAEMON_PIPELINE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/ingest/checkpoint_book.h"
#include "src/ingest/chunk.h"
#include "src/ingest/spsc_ring.h"
#include "src/match/log_header.h"
#include "src/match/network.h"
#include "src/match/session_pairer.h"
#include "src/match/stanza_matcher.h"
#include "src/table/relay_table.h"

namespace exact::daemon {

struct PipelineStats {
  std::atomic<uint64_t> chunks{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> lines{0};
  std::atomic<uint64_t> candidates{0};
  std::atomic<uint64_t> logins{0};
  std::atomic<uint64_t> new_addresses{0};
  std::atomic<uint64_t> refreshed{0};
  std::atomic<uint64_t> bad_address{0};
  std::atomic<uint64_t> binary{0};
  std::atomic<uint64_t> oversized{0};  // Candidate lines over the line limit.
  std::atomic<uint64_t> stale{0};      // Logins already older than `timeout`.
  std::atomic<uint64_t> untimed{0};    // Logins without a usable stamp: read time used.
  std::atomic<uint64_t> future{0};     // Stamps ahead of the clock beyond the skew: capped.
  std::atomic<uint64_t> unconfirmed{0};
  std::atomic<uint64_t> untrusted{0};  // Matched under a program tag the stanza does not trust.
  std::atomic<uint64_t> ignored{0};    // Logins from `ignore` networks.
  std::atomic<uint64_t> fast_extractions{0};  // Logins read without RE2.
  // A chunk whose scan failed is retried once with a fresh scratch; one
  // that fails again is logged and counted here, never skipped in silence.
  std::atomic<uint64_t> scan_retries{0};
  std::atomic<uint64_t> scan_failures{0};
};

// Per maillog (by ingest::Chunk::file_index), for the metrics.
struct LogCounts {
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> lines{0};
};

struct PipelineOptions {
  int threads = 0;  // 0: one per core.
  size_t logs = 0;  // How many maillogs: per-log counts for file_index < logs.
  int tokens = 4;   // Chunks in flight; 4 measured best on 2 cores.
};

// Whether `threads` matching threads (0: one per core) leave no core idle.
// Then a replay's chunks are best read by the matching threads themselves
// (ingest::ReaderOptions::consumer_reads); with a core to spare, the reader
// thread's own read() runs beside them for free.
bool PipelineFillsEveryCore(int threads);

class Pipeline {
 public:
  Pipeline(ingest::SpscRing<ingest::Chunk*>* in, ingest::ChunkPool* pool, table::RelayTable* table,
           const base::Clock* clock, PipelineOptions options);

  // Chunks scanned after this call use `matcher` (a SIGHUP reload).
  void SetMatcher(std::shared_ptr<const match::StanzaMatcher> matcher);
  void SetTimeout(int64_t seconds) { timeout_.store(seconds); }
  // Logins from these networks are counted and dropped. Call before Run().
  void SetIgnore(match::NetworkSet networks) { ignore_ = std::move(networks); }
  // Called from stage 3 after a chunk that added at least one address.
  void SetOnNewAddress(std::function<void()> fn) { on_new_address_ = std::move(fn); }
  // Where stage 3 records applied offsets. Call before Run().
  void SetCheckpointBook(ingest::CheckpointBook* book) { book_ = book; }

  // Runs until the ring is closed and drained.
  void Run();

  const PipelineStats& stats() const { return stats_; }
  // Per-log counts; nullptr for an index >= PipelineOptions::logs.
  const LogCounts* log_counts(size_t index) const {
    return index < log_counts_.size() ? log_counts_[index].get() : nullptr;
  }
  // Logins so far by stanza name (every stanza that matched one).
  std::vector<std::pair<std::string, uint64_t>> LoginsByStanza() const;

 private:
  ingest::SpscRing<ingest::Chunk*>* in_;
  ingest::ChunkPool* pool_;
  table::RelayTable* table_;
  const base::Clock* clock_;
  PipelineOptions options_;
  match::HeaderParser headers_;
  // Two-line logins (popa3d): touched only by the serial apply stage,
  // which sees chunks in log order.
  match::SessionPairer pairer_;
  ingest::CheckpointBook* book_ = nullptr;
  std::atomic<std::shared_ptr<const match::StanzaMatcher>> matcher_;
  std::atomic<int64_t> timeout_{1800};
  match::NetworkSet ignore_;
  std::function<void()> on_new_address_;
  PipelineStats stats_;
  std::vector<std::unique_ptr<LogCounts>> log_counts_;
  mutable base::Mutex stanza_mu_;
  absl::flat_hash_map<std::string, uint64_t> logins_by_stanza_ ABSL_GUARDED_BY(stanza_mu_);
};

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_PIPELINE_H_
