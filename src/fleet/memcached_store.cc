// A memcached server through libmemcached (Debian's libmemcached-dev).
// Items are written with the text protocol, which Postfix's memcache client
// reads back, buffered and with `noreply` so that a batch is one write; a
// `version` round trip after it proves the server took the whole batch
// (memcached answers a connection's commands in order).
#include <libmemcached/memcached.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "src/fleet/grant_store.h"

namespace exact::fleet {
namespace {

class MemcachedStore : public GrantStore {
 public:
  MemcachedStore(const Endpoint& endpoint, const StoreOptions& options)
      : endpoint_(endpoint), options_(options) {}
  ~MemcachedStore() override { Close(); }

  std::string name() const override { return absl::StrCat("memcached ", endpoint_.ToString()); }

  absl::Status Connect() override {
    // A fresh handle each time: libmemcached's own retry would otherwise
    // keep a server it saw fail marked dead for its retry timeout.
    Close();
    mc_ = memcached_create(nullptr);
    if (mc_ == nullptr) return absl::ResourceExhaustedError("memcached_create failed");
    const uint64_t timeout = static_cast<uint64_t>(options_.timeout_ms);
    memcached_behavior_set(mc_, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, timeout);
    memcached_behavior_set(mc_, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, timeout);
    memcached_behavior_set(mc_, MEMCACHED_BEHAVIOR_SND_TIMEOUT, timeout * 1000);
    memcached_behavior_set(mc_, MEMCACHED_BEHAVIOR_RCV_TIMEOUT, timeout * 1000);
    memcached_behavior_set(mc_, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
    memcached_behavior_set(mc_, MEMCACHED_BEHAVIOR_BUFFER_REQUESTS, 1);
    memcached_behavior_set(mc_, MEMCACHED_BEHAVIOR_NOREPLY, 1);
    memcached_return_t rc =
        memcached_server_add(mc_, endpoint_.host.c_str(), static_cast<in_port_t>(endpoint_.port));
    if (rc != MEMCACHED_SUCCESS) return Failed("add server");
    return RoundTrip();
  }

  absl::Status Write(absl::Span<const Grant> grants, UnixSeconds now) override {
    if (mc_ == nullptr) return absl::UnavailableError("not connected");
    for (const Grant& g : grants) {
      const std::string key = StoreKey(options_.key_prefix, g.address);
      memcached_return_t rc;
      if (g.revoked()) {
        rc = memcached_delete(mc_, key.data(), key.size(), 0);
      } else {
        rc = memcached_set(mc_, key.data(), key.size(), kGrantValue.data(), kGrantValue.size(),
                           static_cast<time_t>(TimeToLive(g.expiry, now)), 0);
      }
      if (rc != MEMCACHED_SUCCESS && rc != MEMCACHED_BUFFERED && rc != MEMCACHED_NOTFOUND) {
        return Failed(g.revoked() ? "delete" : "set");
      }
    }
    if (memcached_flush_buffers(mc_) != MEMCACHED_SUCCESS) return Failed("flush");
    return RoundTrip();
  }

 private:
  absl::Status RoundTrip() {
    memcached_return_t rc = memcached_version(mc_);
    if (rc != MEMCACHED_SUCCESS) return Failed("version");
    return absl::OkStatus();
  }

  absl::Status Failed(const char* what) {
    std::string why = memcached_last_error_message(mc_) ? memcached_last_error_message(mc_) : "";
    return absl::UnavailableError(absl::StrCat(name(), ": ", what, ": ", why));
  }

  void Close() {
    if (mc_ != nullptr) memcached_free(mc_);
    mc_ = nullptr;
  }

  Endpoint endpoint_;
  StoreOptions options_;
  memcached_st* mc_ = nullptr;
};

}  // namespace

std::unique_ptr<GrantStore> MakeMemcachedStore(const Endpoint& endpoint,
                                               const StoreOptions& options) {
  return std::make_unique<MemcachedStore>(endpoint, options);
}

}  // namespace exact::fleet
