// TBB wiring of the three stages.
#include "src/daemon/pipeline.h"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <utility>
#include <vector>

namespace exact::daemon {
namespace {

struct Work {
  ingest::Chunk* chunk = nullptr;
  std::shared_ptr<const match::StanzaMatcher> matcher;
  std::vector<match::Login> logins;
  match::ScanCounts counts;
};

// A thread's scratch, remade when a reload swaps the matcher, and the
// buffer it reads replayed ranges into.
struct ThreadScratch {
  const match::StanzaMatcher* owner = nullptr;
  std::unique_ptr<match::StanzaMatcher::Scratch> scratch;
  ingest::Chunk::Buffer buffer;
  size_t buffer_capacity = 0;
};

}  // namespace

bool PipelineFillsEveryCore(int threads) {
  return threads <= 0 || threads >= tbb::info::default_concurrency();
}

Pipeline::Pipeline(ingest::SpscRing<ingest::Chunk*>* in, ingest::ChunkPool* pool,
                   table::RelayTable* table, const base::Clock* clock, PipelineOptions options)
    : in_(in), pool_(pool), table_(table), clock_(clock), options_(options) {}

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
    return work;
  };
  auto scan = [&scratches](Work* work) -> Work* {
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
    if (ts.owner != work->matcher.get()) {
      ts.scratch = work->matcher->NewScratch();
      ts.owner = work->matcher.get();
    }
    work->matcher->Scan(chunk->text(), ts.scratch.get(), &work->logins, &work->counts);
    if (range) std::swap(chunk->data, ts.buffer);
    return work;
  };
  auto apply = [this](Work* work) {
    const base::UnixSeconds now = clock_->Now();
    const int64_t timeout = timeout_.load();
    uint64_t ignored = 0;
    std::vector<table::RelayTable::Login> grants;
    grants.reserve(work->logins.size());
    for (const match::Login& login : work->logins) {
      if (!ignore_.empty() && ignore_.Contains(login.address)) {
        ++ignored;
        continue;
      }
      grants.push_back({login.address, login.user});
    }
    const uint64_t added = table_->UpsertAll(grants, now, timeout);
    const match::ScanCounts& c = work->counts;
    stats_.chunks.fetch_add(1, std::memory_order_relaxed);
    stats_.bytes.fetch_add(work->chunk->size, std::memory_order_relaxed);
    stats_.lines.fetch_add(c.lines, std::memory_order_relaxed);
    stats_.candidates.fetch_add(c.candidates, std::memory_order_relaxed);
    stats_.logins.fetch_add(c.logins, std::memory_order_relaxed);
    stats_.bad_address.fetch_add(c.bad_address, std::memory_order_relaxed);
    stats_.binary.fetch_add(c.binary, std::memory_order_relaxed);
    stats_.unconfirmed.fetch_add(c.unconfirmed, std::memory_order_relaxed);
    stats_.new_addresses.fetch_add(added, std::memory_order_relaxed);
    stats_.ignored.fetch_add(ignored, std::memory_order_relaxed);
    stats_.fast_extractions.fetch_add(c.fast_extractions, std::memory_order_relaxed);
    stats_.refreshed.fetch_add(c.logins - added - ignored, std::memory_order_relaxed);
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
