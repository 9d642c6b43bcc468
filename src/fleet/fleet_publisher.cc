#include "src/fleet/fleet_publisher.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/base/log.h"

namespace exact::fleet {

using LiveSet = std::shared_ptr<const std::vector<Grant>>;

class FleetPublisher::Worker {
 public:
  Worker(std::unique_ptr<GrantStore> store, const base::Clock* clock,
         const PublisherOptions& options)
      : store_(std::move(store)), clock_(clock), options_(options) {}

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    {
      base::MutexLock lock(&mu_);
      stopping_ = true;
      mu_.NotifyAll();
    }
    if (thread_.joinable()) thread_.join();
  }

  // Never blocks beyond the mutex, which the worker holds only to move
  // items in or out.
  void Push(LiveSet live, const std::vector<Grant>& changes) {
    base::MutexLock lock(&mu_);
    live_ = std::move(live);
    for (const Grant& g : changes) {
      if (queue_.size() - queued_revokes_ >= options_.queue_bound) {
        counts_.overflowed.fetch_add(changes.size() - (&g - changes.data()));
        resync_ = true;
        break;
      }
      queue_.push_back(g);
    }
    mu_.NotifyAll();
  }
  void Revoke(const IpAddress& address) {
    base::MutexLock lock(&mu_);
    // In order with the grants, and outside the bound: a revoke is in no
    // snapshot, so a resync could not stand in for it.
    queue_.push_back(Grant{address, 0});
    ++queued_revokes_;
    mu_.NotifyAll();
  }

  const GrantStore& store() const { return *store_; }
  const StoreCounts& counts() const { return counts_; }

 private:
  void Run() {
    int64_t backoff_ms = options_.backoff_min_ms;
    bool connected = false;
    for (;;) {
      if (!connected) {
        {
          base::MutexLock lock(&mu_);
          if (stopping_) return;
        }
        absl::Status st = store_->Connect();
        if (!st.ok()) {
          counts_.failures.fetch_add(1);
          if (backoff_ms == options_.backoff_min_ms) {
            base::LogWarning("%s unreachable (%s); retrying with backoff", store_->name(),
                             std::string(st.message()));
          }
          base::MutexLock lock(&mu_);
          mu_.AwaitWithTimeout([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; },
                               std::chrono::milliseconds(backoff_ms));
          backoff_ms = std::min(backoff_ms * 2, options_.backoff_max_ms);
          continue;
        }
        base::LogInfo("%s connected; writing every live grant", store_->name());
        connected = true;
        counts_.connected.store(true);
        backoff_ms = options_.backoff_min_ms;
        base::MutexLock lock(&mu_);
        resync_ = true;
      }
      std::vector<Grant> batch;
      bool full = false;
      {
        base::MutexLock lock(&mu_);
        mu_.Await([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_ || resync_ || !queue_.empty();
        });
        if (stopping_ && queue_.empty() && !resync_) return;
        if (resync_ && live_) {
          // The snapshot holds every queued grant, or a later one; the
          // queued revokes follow it.
          full = true;
          resync_ = false;
          batch.assign(live_->begin(), live_->end());
          for (const Grant& g : queue_) {
            if (g.revoked()) batch.push_back(g);
          }
          queue_.clear();
          queued_revokes_ = 0;
        } else {
          resync_ = false;
          while (!queue_.empty() && batch.size() < options_.batch) {
            if (queue_.front().revoked()) --queued_revokes_;
            batch.push_back(queue_.front());
            queue_.pop_front();
          }
        }
      }
      if (!WriteAll(batch)) {
        connected = false;
        counts_.connected.store(false);
        base::MutexLock lock(&mu_);
        // Revokes are in no snapshot: keep them for the next connection,
        // ahead of anything queued since.
        for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
          if (!it->revoked()) continue;
          queue_.push_front(*it);
          ++queued_revokes_;
        }
        if (stopping_) return;
        continue;
      }
      if (full) counts_.resyncs.fetch_add(1);
      base::MutexLock lock(&mu_);
      if (stopping_ && queue_.empty()) return;
    }
  }

  bool WriteAll(const std::vector<Grant>& grants) {
    for (size_t i = 0; i < grants.size(); i += options_.batch) {
      const size_t n = std::min(options_.batch, grants.size() - i);
      absl::Status st = store_->Write(absl::MakeConstSpan(grants.data() + i, n), clock_->Now());
      if (!st.ok()) {
        counts_.failures.fetch_add(1);
        base::LogWarning("%s; reconnecting", std::string(st.message()));
        return false;
      }
      counts_.written.fetch_add(n);
    }
    return true;
  }

  std::unique_ptr<GrantStore> store_;
  const base::Clock* clock_;
  PublisherOptions options_;
  StoreCounts counts_;
  std::thread thread_;
  base::Mutex mu_;
  std::deque<Grant> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_revokes_ ABSL_GUARDED_BY(mu_) = 0;
  LiveSet live_ ABSL_GUARDED_BY(mu_);
  bool resync_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

FleetPublisher::FleetPublisher(std::vector<std::unique_ptr<GrantStore>> stores,
                               const base::Clock* clock, const PublisherOptions& options) {
  for (auto& s : stores) workers_.push_back(std::make_unique<Worker>(std::move(s), clock, options));
}

FleetPublisher::~FleetPublisher() { Stop(); }

void FleetPublisher::Start() {
  for (auto& w : workers_) w->Start();
}

void FleetPublisher::Stop() {
  for (auto& w : workers_) w->Stop();
}

void FleetPublisher::Offer(const table::RelaySnapshot& live) {
  auto now_live = std::make_shared<std::vector<Grant>>();
  now_live->reserve(live.size());
  for (const table::RecordView r : live) now_live->push_back(Grant{r.address, r.expiry});
  // Both sorted by address: one merge finds what is new or moved.
  std::vector<Grant> changes;
  auto prev = offered_.begin();
  for (const Grant& g : *now_live) {
    while (prev != offered_.end() && prev->address < g.address) ++prev;
    if (prev == offered_.end() || !(prev->address == g.address) || prev->expiry != g.expiry) {
      changes.push_back(g);
    }
  }
  offered_ = *now_live;
  LiveSet shared = std::move(now_live);
  for (auto& w : workers_) w->Push(shared, changes);
}

void FleetPublisher::Delete(const IpAddress& address) {
  for (auto& w : workers_) w->Revoke(address);
  offered_.erase(std::remove_if(offered_.begin(), offered_.end(),
                                [&](const Grant& g) { return g.address == address; }),
                 offered_.end());
}

std::string FleetPublisher::StoreName(size_t i) const { return workers_[i]->store().name(); }

const StoreCounts& FleetPublisher::counts(size_t i) const { return workers_[i]->counts(); }

std::string FleetPublisher::Summary() const {
  std::vector<std::string> parts;
  for (const auto& w : workers_) {
    const StoreCounts& c = w->counts();
    parts.push_back(absl::StrCat(w->store().name(), c.connected.load() ? " up" : " down", ": ",
                                 c.written.load(), " written, ", c.resyncs.load(), " resyncs, ",
                                 c.overflowed.load(), " overflowed, ", c.failures.load(),
                                 " failures"));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace exact::fleet
