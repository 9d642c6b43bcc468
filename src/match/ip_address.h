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
#include <cstring>
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

  // Two word compares, not memcmp: the table compares a key per login.
  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.RawWord(0) == b.RawWord(0) && a.RawWord(1) == b.RawWord(1);
  }
  // IPv4 before IPv6, each in numeric order. Integer compares only: this
  // orders every snapshot of the table (a million entries at ISP scale).
  friend std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
    const uint64_t ah = a.Word(0), al = a.Word(1), bh = b.Word(0), bl = b.Word(1);
    const bool av4 = ah == 0 && (al >> 32) == 0xffff, bv4 = bh == 0 && (bl >> 32) == 0xffff;
    if (av4 != bv4) return av4 ? std::strong_ordering::less : std::strong_ordering::greater;
    if (ah != bh) return ah <=> bh;
    return al <=> bl;
  }
  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& a) {
    return H::combine(std::move(h), a.RawWord(0), a.RawWord(1));
  }

 private:
  // 64-bit word `i` (0 or 1) of the address, in memory order.
  uint64_t RawWord(int i) const {
    uint64_t w;
    std::memcpy(&w, bytes_.data() + 8 * i, sizeof w);
    return w;
  }
  // The same word big-endian, for numeric order.
  uint64_t Word(int i) const { return __builtin_bswap64(RawWord(i)); }

  std::array<uint8_t, 16> bytes_{};
};

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_IP_ADDRESS_H_
