// One shared store that grants are written to: a memcached or a Redis
// server. Each is driven by one StoreWorker thread, never by the pipeline,
// so a slow or dead server costs only its own thread's time.
#ifndef EXACT_SRC_FLEET_GRANT_STORE_H_
#define EXACT_SRC_FLEET_GRANT_STORE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "src/fleet/grant_wire.h"

namespace exact::fleet {

class GrantStore {
 public:
  virtual ~GrantStore() = default;
  // "memcached 127.0.0.1:11211", for logs.
  virtual std::string name() const = 0;
  // (Re)opens the connection; bounded by the store's timeouts.
  virtual absl::Status Connect() = 0;
  // Writes every grant (a revoke deletes), pipelined: one round trip for
  // the batch, not one per grant. An error means the connection is no
  // longer trusted; the caller reconnects and resends what is live.
  virtual absl::Status Write(absl::Span<const Grant> grants, UnixSeconds now) = 0;
};

struct StoreOptions {
  std::string key_prefix;
  int timeout_ms = 1000;  // Connect, and each read or write.
  // Redis only: the stream the grants are appended to, and its
  // approximate length cap (XADD MAXLEN ~).
  std::string stream = "exact:grants";
  int64_t stream_length = 100000;
};

std::unique_ptr<GrantStore> MakeMemcachedStore(const Endpoint& endpoint,
                                               const StoreOptions& options);
std::unique_ptr<GrantStore> MakeRedisStore(const Endpoint& endpoint, const StoreOptions& options);

}  // namespace exact::fleet

#endif  // EXACT_SRC_FLEET_GRANT_STORE_H_
