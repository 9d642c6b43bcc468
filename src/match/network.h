// A CIDR block of client addresses, for the `ignore` (never publish) and
// `static` (always publish) lists, like pop-before-smtp's handling of
// Postfix's mynetworks.
// Thread safety: value types.
#ifndef EXACT_SRC_MATCH_NETWORK_H_
#define EXACT_SRC_MATCH_NETWORK_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/config/diagnostic.h"
#include "src/match/ip_address.h"

namespace exact::match {

class Network {
 public:
  // "192.0.2.0/24", "2001:db8::/32", or a bare address (a host). On failure
  // returns nullopt and says why in `error`.
  static std::optional<Network> Parse(absl::string_view text, std::string* error);

  bool Contains(const IpAddress& address) const;
  bool is_host() const { return prefix_ == 128; }
  const IpAddress& base() const { return base_; }
  std::string ToString() const;

  // The key under which Postfix's check_client_access finds this network in
  // a keyed map: the address for a host, else the leading octets ("192.0.2"
  // for a /24). nullopt for anything else (IPv6 networks, IPv4 prefixes not
  // a multiple of 8), which such a map cannot express.
  std::optional<std::string> PostfixKey() const;

 private:
  IpAddress base_;    // Host bits cleared.
  int prefix_ = 128;  // In IPv6 terms: an IPv4 /24 is 120.
};

// Parses a configured list; every bad entry is reported at its location.
class NetworkSet;
NetworkSet ParseNetworks(const std::vector<std::pair<std::string, config::SourceLocation>>& items,
                         const char* key, config::Diagnostics* diags);

class NetworkSet {
 public:
  NetworkSet() = default;
  explicit NetworkSet(std::vector<Network> networks) : networks_(std::move(networks)) {}
  bool Contains(const IpAddress& address) const;
  const std::vector<Network>& networks() const { return networks_; }
  bool empty() const { return networks_.empty(); }

 private:
  std::vector<Network> networks_;
};

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_NETWORK_H_
