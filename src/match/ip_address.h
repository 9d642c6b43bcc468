// A validated client address. Parsing is strict: IPv4 dotted quad without
// leading zeros, or any RFC 4291 IPv6 text form; nothing else (no brackets,
// zone ids, host names or ports). IPv4-mapped IPv6 becomes IPv4, because
// that is what every MTA looks up. Text output is canonical: dotted quad, or
// RFC 5952 (lowercase, longest zero run compressed).
// Thread safety: a value type.
#ifndef EXACT_SRC_MATCH_IP_ADDRESS_H_
#define EXACT_SRC_MATCH_IP_ADDRESS_H_

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace exact::match {

class IpAddress {
 public:
  // The longest text form we accept (a full IPv6 with embedded IPv4).
  static constexpr size_t kMaxTextLength = 45;

  static std::optional<IpAddress> Parse(absl::string_view text);
  static IpAddress FromV4(uint32_t host_order);
  static IpAddress FromBytes(const std::array<uint8_t, 16>& v6_bytes);

  bool is_v4() const;
  // False for addresses that can never be a client: unspecified, multicast,
  // IPv4 limited broadcast and 0.0.0.0/8.
  bool IsUnicast() const;

  std::string ToString() const;  // Postfix's key form.
  // Exim's key form for net-lsearch/net-cdb: IPv6 as eight 4-digit groups
  // joined by '.'.
  std::string ToEximKey() const;

  // IPv4 is held as ::ffff:a.b.c.d.
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  // IPv4 before IPv6, each in numeric order.
  friend std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
    if (a.is_v4() != b.is_v4()) {
      return a.is_v4() ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    return a.bytes_ <=> b.bytes_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& a) {
    return H::combine_contiguous(std::move(h), a.bytes_.data(), a.bytes_.size());
  }

 private:
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_IP_ADDRESS_H_
