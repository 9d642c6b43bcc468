// Address parsing with glibc inet_pton's strict grammar (no leading zeros in
// IPv4, no zone ids: IPv4 by hand, since every login's address is parsed,
// IPv6 by inet_pton itself) and our own RFC 5952 formatter, so output never
// depends on the C library's choice of form.
#include "src/match/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace exact::match {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// inet_pton(AF_INET)'s grammar as glibc has it: four decimal octets split by
// dots, none above 255, none with a leading zero; nothing else.
bool ParseV4(absl::string_view text, uint8_t out[4]) {
  int octets = 0;
  unsigned value = 0;
  bool in_octet = false;
  for (char ch : text) {
    if (ch >= '0' && ch <= '9') {
      if (in_octet && value == 0) return false;  // A leading zero.
      value = value * 10 + static_cast<unsigned>(ch - '0');
      if (value > 255) return false;
      if (!in_octet) {
        if (++octets > 4) return false;
        in_octet = true;
      }
    } else if (ch == '.' && in_octet) {
      if (octets == 4) return false;
      out[octets - 1] = static_cast<uint8_t>(value);
      value = 0;
      in_octet = false;
    } else {
      return false;
    }
  }
  if (octets < 4 || !in_octet) return false;
  out[3] = static_cast<uint8_t>(value);
  return true;
}

}  // namespace

IpAddress IpAddress::FromV4(uint32_t host_order) {
  IpAddress a;
  std::memcpy(a.bytes_.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size());
  a.bytes_[12] = static_cast<uint8_t>(host_order >> 24);
  a.bytes_[13] = static_cast<uint8_t>(host_order >> 16);
  a.bytes_[14] = static_cast<uint8_t>(host_order >> 8);
  a.bytes_[15] = static_cast<uint8_t>(host_order);
  return a;
}

IpAddress IpAddress::FromBytes(const std::array<uint8_t, 16>& v6_bytes) {
  IpAddress a;
  a.bytes_ = v6_bytes;
  return a;
}

std::optional<IpAddress> IpAddress::Parse(absl::string_view text) {
  if (text.empty() || text.size() > kMaxTextLength) return std::nullopt;
  IpAddress a;
  if (text.find(':') == absl::string_view::npos) {
    if (!ParseV4(text, a.bytes_.data() + 12)) return std::nullopt;
    std::memcpy(a.bytes_.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size());
    return a;
  }
  char buf[kMaxTextLength + 1];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (std::memchr(buf, '\0', text.size()) != nullptr) return std::nullopt;
  in6_addr v6;
  if (::inet_pton(AF_INET6, buf, &v6) != 1) return std::nullopt;
  std::memcpy(a.bytes_.data(), &v6, 16);  // A mapped address is already in IPv4 form.
  return a;
}

bool IpAddress::is_v4() const {
  return std::memcmp(bytes_.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0;
}

bool IpAddress::IsUnicast() const {
  if (is_v4()) {
    uint8_t first = bytes_[12];
    if (first == 0) return false;                    // 0.0.0.0/8 "this network"
    if (first >= 224 && first <= 239) return false;  // multicast
    if (bytes_[12] == 255 && bytes_[13] == 255 && bytes_[14] == 255 && bytes_[15] == 255) {
      return false;  // limited broadcast
    }
    return true;
  }
  if (bytes_[0] == 0xff) return false;  // multicast
  for (uint8_t b : bytes_) {
    if (b != 0) return true;
  }
  return false;  // ::
}

std::string IpAddress::ToString() const {
  if (is_v4()) {
    return absl::StrCat(bytes_[12], ".", bytes_[13], ".", bytes_[14], ".", bytes_[15]);
  }
  uint16_t words[8];
  for (int i = 0; i < 8; ++i) {
    words[i] = static_cast<uint16_t>((bytes_[2 * i] << 8) | bytes_[2 * i + 1]);
  }
  // RFC 5952 4.2: compress the longest run of two or more zero words, the
  // first such run on a tie.
  int best_start = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    absl::StrAppend(&out, absl::StrFormat("%x", words[i]));
  }
  return out;
}

std::string IpAddress::ToEximKey() const {
  if (is_v4()) return ToString();
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i > 0) out += '.';
    absl::StrAppend(&out, absl::StrFormat("%02x%02x", bytes_[2 * i], bytes_[2 * i + 1]));
  }
  return out;
}

}  // namespace exact::match
