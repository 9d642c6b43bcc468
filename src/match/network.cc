// CIDR parsing and containment over the 16-byte address form.
#include "src/match/network.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace exact::match {

std::optional<Network> Network::Parse(absl::string_view text, std::string* error) {
  size_t slash = text.find('/');
  absl::string_view addr_text = text.substr(0, slash);
  std::optional<IpAddress> addr = IpAddress::Parse(addr_text);
  if (!addr) {
    *error = absl::StrCat("\"", addr_text, "\" is not an IPv4 or IPv6 address");
    return std::nullopt;
  }
  int len = addr->is_v4() ? 32 : 128;
  if (slash != absl::string_view::npos) {
    int max = len;
    if (!absl::SimpleAtoi(text.substr(slash + 1), &len) || len < 0 || len > max) {
      *error = absl::StrCat("bad prefix length in \"", text, "\"; expected /0 to /", max);
      return std::nullopt;
    }
  }
  Network n;
  n.prefix_ = addr->is_v4() ? 96 + len : len;
  std::array<uint8_t, 16> bytes = addr->bytes();
  bool host_bits = false;
  for (int bit = n.prefix_; bit < 128; ++bit) {
    uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
    if (bytes[static_cast<size_t>(bit / 8)] & mask) host_bits = true;
    bytes[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~mask);
  }
  n.base_ = IpAddress::FromBytes(bytes);
  if (host_bits) {
    // Postfix's wording for the same mistake in cidr tables.
    *error = absl::StrCat("non-null host address bits in \"", text, "\", perhaps you should use \"",
                          n.ToString(), "\" instead");
    return std::nullopt;
  }
  return n;
}

bool Network::Contains(const IpAddress& address) const {
  const auto& a = address.bytes();
  const auto& b = base_.bytes();
  int full = prefix_ / 8;
  for (int i = 0; i < full; ++i) {
    if (a[static_cast<size_t>(i)] != b[static_cast<size_t>(i)]) return false;
  }
  if (prefix_ % 8 == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - prefix_ % 8));
  return (a[static_cast<size_t>(full)] & mask) == b[static_cast<size_t>(full)];
}

std::string Network::ToString() const {
  int len = base_.is_v4() ? prefix_ - 96 : prefix_;
  return is_host() ? base_.ToString() : absl::StrCat(base_.ToString(), "/", len);
}

std::optional<std::string> Network::PostfixKey() const {
  if (is_host()) return base_.ToString();
  if (!base_.is_v4() || prefix_ < 96 + 8 || (prefix_ - 96) % 8 != 0) return std::nullopt;
  const auto& b = base_.bytes();
  std::string key = absl::StrCat(b[12]);
  for (int i = 1; i < (prefix_ - 96) / 8; ++i)
    absl::StrAppend(&key, ".", b[static_cast<size_t>(12 + i)]);
  return key;
}

NetworkSet ParseNetworks(const std::vector<std::pair<std::string, config::SourceLocation>>& items,
                         const char* key, config::Diagnostics* diags) {
  std::vector<Network> out;
  for (const auto& [text, at] : items) {
    std::string error;
    std::optional<Network> n = Network::Parse(text, &error);
    if (n) {
      out.push_back(*n);
    } else {
      diags->Error(at, absl::StrCat("in `", key, "`: ", error));
    }
  }
  return NetworkSet(std::move(out));
}

bool NetworkSet::Contains(const IpAddress& address) const {
  for (const Network& n : networks_) {
    if (n.Contains(address)) return true;
  }
  return false;
}

}  // namespace exact::match
