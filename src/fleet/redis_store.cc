// A Redis server through hiredis (Debian's libhiredis-dev). Each grant is a
// key with an expiry (SET ... EX, for direct lookups) and an entry in a
// capped stream (XADD ... MAXLEN ~), which relay-side subscribers follow; a
// revoke is DEL and an entry with e=0. A batch is pipelined: every command
// appended, then every reply read.
#include <hiredis/hiredis.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/fleet/grant_store.h"

namespace exact::fleet {
namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

class RedisStore : public GrantStore {
 public:
  RedisStore(const Endpoint& endpoint, const StoreOptions& options)
      : endpoint_(endpoint), options_(options) {}
  ~RedisStore() override { Close(); }

  std::string name() const override { return absl::StrCat("redis ", endpoint_.ToString()); }

  absl::Status Connect() override {
    Close();
    struct timeval tv = {options_.timeout_ms / 1000, (options_.timeout_ms % 1000) * 1000};
    ctx_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv);
    if (ctx_ == nullptr) return absl::ResourceExhaustedError("redisConnect failed");
    if (ctx_->err) return Failed("connect");
    if (redisSetTimeout(ctx_, tv) != REDIS_OK) return Failed("set timeout");
    return absl::OkStatus();
  }

  absl::Status Write(absl::Span<const Grant> grants, UnixSeconds now) override {
    if (ctx_ == nullptr || ctx_->err) return absl::UnavailableError(name() + ": not connected");
    const std::string cap = absl::StrCat(options_.stream_length);
    int commands = 0;
    for (const Grant& g : grants) {
      const std::string key = StoreKey(options_.key_prefix, g.address);
      const std::string addr = g.address.ToString(), expiry = absl::StrCat(g.expiry);
      if (g.revoked()) {
        Append({"DEL", key});
      } else {
        Append(
            {"SET", key, std::string(kGrantValue), "EX", absl::StrCat(TimeToLive(g.expiry, now))});
      }
      Append({"XADD", options_.stream, "MAXLEN", "~", cap, "*", "a", addr, "e", expiry});
      commands += 2;
    }
    absl::Status first_error;
    for (int i = 0; i < commands; ++i) {
      void* raw = nullptr;
      if (redisGetReply(ctx_, &raw) != REDIS_OK) return Failed("reply");
      Reply reply(static_cast<redisReply*>(raw));
      if (reply->type == REDIS_REPLY_ERROR && first_error.ok()) {
        // The server refused a command (out of memory, a wrong type at the
        // key): the connection is fine, but the batch did not all land.
        first_error =
            absl::UnavailableError(absl::StrCat(name(), ": ", std::string(reply->str, reply->len)));
      }
    }
    return first_error;
  }

 private:
  void Append(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data());
  }

  absl::Status Failed(const char* what) {
    return absl::UnavailableError(absl::StrCat(name(), ": ", what, ": ", ctx_->errstr));
  }

  void Close() {
    if (ctx_ != nullptr) redisFree(ctx_);
    ctx_ = nullptr;
  }

  Endpoint endpoint_;
  StoreOptions options_;
  redisContext* ctx_ = nullptr;
};

}  // namespace

std::unique_ptr<GrantStore> MakeRedisStore(const Endpoint& endpoint, const StoreOptions& options) {
  return std::make_unique<RedisStore>(endpoint, options);
}

}  // namespace exact::fleet
