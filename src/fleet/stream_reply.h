// Reads an XREAD reply (as hiredis parsed it from the wire) into grants.
// The reply comes from the network, so every level of it is checked: a
// reply of the wrong shape is an error, and a well-formed entry whose
// fields are not a grant is counted and skipped (fuzz/fleet_entry_fuzzer.cc).
#ifndef EXACT_SRC_FLEET_STREAM_REPLY_H_
#define EXACT_SRC_FLEET_STREAM_REPLY_H_

#include <hiredis/hiredis.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/fleet/grant_wire.h"

namespace exact::fleet {

struct StreamBatch {
  std::vector<Grant> grants;
  std::string last_id;  // "" when the reply held no entry.
  size_t bad_entries = 0;
};

// `reply` is XREAD ... STREAMS <one stream> <id>: nil (nothing new), or
// [[stream, [[id, [field, value, ...]], ...]]].
absl::StatusOr<StreamBatch> ReadStreamReply(const redisReply* reply);

}  // namespace exact::fleet

#endif  // EXACT_SRC_FLEET_STREAM_REPLY_H_
