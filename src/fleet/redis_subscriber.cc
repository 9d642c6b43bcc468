#include "src/fleet/redis_subscriber.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/base/log.h"
#include "src/fleet/stream_reply.h"

namespace exact::fleet {
namespace {

constexpr int kBlockMs = 500;  // How long one XREAD waits for news; bounds Stop().
constexpr int kEntriesPerRead = 1000;
constexpr int64_t kBackoffMinMs = 100, kBackoffMaxMs = 5000;

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};

}  // namespace

RedisSubscriber::RedisSubscriber(const Endpoint& endpoint, std::string stream, Apply apply,
                                 int timeout_ms)
    : endpoint_(endpoint),
      stream_(std::move(stream)),
      apply_(std::move(apply)),
      timeout_ms_(timeout_ms) {}

RedisSubscriber::~RedisSubscriber() { Stop(); }

void RedisSubscriber::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RedisSubscriber::Stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

std::string RedisSubscriber::Summary() const {
  return absl::StrCat("subscriber redis ", endpoint_.ToString(),
                      counts_.connected.load() ? " up" : " down", ": ", counts_.entries.load(),
                      " entries, ", counts_.bad_entries.load(), " bad, ", counts_.revokes.load(),
                      " revokes, ", counts_.failures.load(), " failures");
}

void RedisSubscriber::Run() {
  int64_t backoff_ms = kBackoffMinMs;
  auto pause = [&] {
    // In short steps, so Stop() is not held up by a long backoff.
    for (int64_t waited = 0; waited < backoff_ms && !stopping_.load(); waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    backoff_ms = std::min(backoff_ms * 2, kBackoffMaxMs);
  };
  while (!stopping_.load()) {
    struct timeval tv = {timeout_ms_ / 1000, (timeout_ms_ % 1000) * 1000};
    std::unique_ptr<redisContext, ContextDeleter> ctx(
        redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv));
    if (!ctx || ctx->err) {
      counts_.failures.fetch_add(1);
      if (backoff_ms == kBackoffMinMs) {
        base::LogWarning("subscriber: redis %s unreachable (%s); retrying with backoff",
                         endpoint_.ToString(), ctx ? ctx->errstr : "out of memory");
      }
      pause();
      continue;
    }
    // A read may block kBlockMs on the server before it answers.
    const int read_ms = timeout_ms_ + kBlockMs;
    struct timeval read_tv = {read_ms / 1000, (read_ms % 1000) * 1000};
    redisSetTimeout(ctx.get(), read_tv);
    base::LogInfo("subscriber: following stream %s on redis %s from its start", stream_,
                  endpoint_.ToString());
    counts_.connected.store(true);
    backoff_ms = kBackoffMinMs;
    std::string last_id = "0";
    const std::string count = absl::StrCat(kEntriesPerRead), block = absl::StrCat(kBlockMs);
    while (!stopping_.load()) {
      const char* argv[] = {"XREAD",       "COUNT",   count.c_str(),   "BLOCK",
                            block.c_str(), "STREAMS", stream_.c_str(), last_id.c_str()};
      size_t lens[8];
      for (int i = 0; i < 8; ++i) lens[i] = std::char_traits<char>::length(argv[i]);
      redisReply* raw = static_cast<redisReply*>(redisCommandArgv(ctx.get(), 8, argv, lens));
      if (raw == nullptr) {
        counts_.failures.fetch_add(1);
        base::LogWarning("subscriber: redis %s: %s; reconnecting", endpoint_.ToString(),
                         ctx->errstr);
        break;
      }
      absl::StatusOr<StreamBatch> batch = ReadStreamReply(raw);
      freeReplyObject(raw);
      if (!batch.ok()) {
        counts_.failures.fetch_add(1);
        base::LogWarning("subscriber: redis %s: %s; reconnecting", endpoint_.ToString(),
                         std::string(batch.status().message()));
        break;
      }
      if (batch->last_id.empty()) continue;
      last_id = batch->last_id;
      counts_.bad_entries.fetch_add(batch->bad_entries);
      counts_.entries.fetch_add(batch->grants.size() + batch->bad_entries);
      std::vector<Grant> grants;
      grants.reserve(batch->grants.size());
      for (const Grant& g : batch->grants) {
        if (g.revoked()) {
          counts_.revokes.fetch_add(1);
        } else {
          grants.push_back(g);
        }
      }
      if (!grants.empty()) apply_(grants);
    }
    counts_.connected.store(false);
    if (!stopping_.load()) pause();
  }
}

}  // namespace exact::fleet
