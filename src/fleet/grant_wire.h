// What a grant looks like on the wire to a shared store: the key Postfix's
// memcache_table(5) looks up, the value it returns, and the fields of a
// Redis stream entry that a relay-side subscriber reads back. The stream
// entry is the only input here that comes from the network, so its parser
// trusts nothing (fuzz/fleet_entry_fuzzer.cc).
#ifndef EXACT_SRC_FLEET_GRANT_WIRE_H_
#define EXACT_SRC_FLEET_GRANT_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/base/clock.h"
#include "src/fleet/endpoint.h"
#include "src/match/ip_address.h"

namespace exact::fleet {

using base::UnixSeconds;
using match::IpAddress;

// One address and when its right to relay ends (wall-clock seconds). An
// expiry of 0 is a revoke.
struct Grant {
  IpAddress address;
  UnixSeconds expiry = 0;

  bool revoked() const { return expiry == 0; }
  bool operator==(const Grant&) const = default;
};

// What Postfix's access table answers for a granted address.
inline constexpr absl::string_view kGrantValue = "OK";

// `prefix` + the address in Postfix's form ("192.0.2.1", "2001:db8::3"):
// with memcache_table's default key_format = %s and an empty prefix this is
// exactly the key check_client_access asks for.
std::string StoreKey(absl::string_view prefix, const IpAddress& address);

// Seconds an item should live: what is left of the grant, at least 1 (a
// TTL of 0 means "never expire" to memcached and is refused by Redis).
int64_t TimeToLive(UnixSeconds expiry, UnixSeconds now);

// A stream entry's field/value pairs: "a" the address, "e" the expiry.
std::vector<std::pair<std::string, std::string>> StreamFields(const Grant& grant);

// Reads a stream entry back. Unknown fields are ignored (a later version
// may add some); a missing, repeated or malformed "a" or "e" is an error.
absl::StatusOr<Grant> ParseStreamFields(
    const std::vector<std::pair<absl::string_view, absl::string_view>>& fields);

// A stream entry id "MILLIS-SEQ", as XADD returns and XREAD takes.
bool IsStreamId(absl::string_view id);

}  // namespace exact::fleet

#endif  // EXACT_SRC_FLEET_GRANT_WIRE_H_
