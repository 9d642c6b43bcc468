// Address parsing by hand with glibc inet_pton's strict grammar (no leading
// zeros in IPv4, no zone ids; every login's address is parsed, and the C
// library's version copies the text to terminate it and is several times
// slower), and our own RFC 5952 formatter, so output never depends on the C
// library's choice of form. Tests and a fuzzer hold both parsers to
// inet_pton.
#include "src/match/ip_address.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace exact::match {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool IsDigit(char ch) { return ch >= '0' && ch <= '9'; }

// inet_pton(AF_INET)'s grammar as glibc has it: four decimal octets split by
// dots, none above 255, none with a leading zero; nothing else.
bool ParseV4(absl::string_view text, uint8_t out[4]) {
  // Octet by octet, up to three digits each read straight, not a state per
  // byte: BM_ParseAddress 42 -> 25 ns (performance.md).
  const char* p = text.data();
  const char* const end = p + text.size();
  for (int k = 0; k < 4; ++k) {
    if (p == end || !IsDigit(*p)) return false;
    unsigned value = static_cast<unsigned>(*p++ - '0');
    if (p != end && IsDigit(*p)) {
      if (value == 0) return false;  // A leading zero.
      value = value * 10 + static_cast<unsigned>(*p++ - '0');
      if (p != end && IsDigit(*p)) {
        value = value * 10 + static_cast<unsigned>(*p++ - '0');
        if (value > 255 || (p != end && IsDigit(*p))) return false;
      }
    }
    out[k] = static_cast<uint8_t>(value);
    if (k < 3) {
      if (p == end || *p != '.') return false;
      ++p;
    }
  }
  return p == end;
}

int HexValue(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

// inet_pton(AF_INET6)'s grammar as glibc has it: up to eight groups of one
// to four hex digits split by colons, at most one "::" standing for one or
// more zero groups, optionally ending in a dotted IPv4 address (ParseV4's
// grammar) in place of the last two groups; nothing else (no zone ids).
bool ParseV6(absl::string_view text, uint8_t out[16]) {
  uint8_t words[16] = {};
  size_t filled = 0;  // Bytes of `words` written.
  int gap = -1;       // Where "::" stands, in bytes; -1 if none.
  size_t i = 0;
  if (text[0] == ':') {
    if (text.size() < 2 || text[1] != ':') return false;
    ++i;  // The first colon of a leading "::"; the loop reads the second.
  }
  size_t group_start = i;  // Where the current group's text starts.
  unsigned value = 0;
  int digits = 0;
  // Stores the group just read; false when there is no room for it.
  auto store_group = [&] {
    if (filled + 2 > 16) return false;
    words[filled++] = static_cast<uint8_t>(value >> 8);
    words[filled++] = static_cast<uint8_t>(value);
    value = 0;
    digits = 0;
    return true;
  };
  for (; i < text.size(); ++i) {
    const char ch = text[i];
    const int digit = HexValue(ch);
    if (digit >= 0) {
      if (digits == 4) return false;
      value = (value << 4) | static_cast<unsigned>(digit);
      ++digits;
      continue;
    }
    if (ch == ':') {
      group_start = i + 1;
      if (digits == 0) {
        if (gap >= 0) return false;  // A second "::", or ":::".
        gap = static_cast<int>(filled);
        continue;
      }
      if (i + 1 == text.size()) return false;  // A trailing single colon.
      if (!store_group()) return false;
      continue;
    }
    // A dot: the rest of the text, from this group's start, is IPv4.
    if (ch == '.' && filled + 4 <= 16 && ParseV4(text.substr(group_start), words + filled)) {
      filled += 4;
      digits = 0;
      break;
    }
    return false;
  }
  if (digits > 0 && !store_group()) return false;
  if (gap >= 0) {
    if (filled == 16) return false;  // "::" must stand for at least one group.
    const size_t tail = filled - static_cast<size_t>(gap);
    std::memmove(words + 16 - tail, words + gap, tail);
    std::memset(words + gap, 0, 16 - tail - static_cast<size_t>(gap));
    filled = 16;
  }
  if (filled != 16) return false;
  std::memcpy(out, words, 16);
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
  // IPv4 first, with no scan for ':' ahead of it: ParseV4 refuses a colon
  // at once, and a login's address is IPv4 mostly.
  if (ParseV4(text, a.bytes_.data() + 12)) {
    std::memcpy(a.bytes_.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size());
    return a;
  }
  if (text.find(':') == absl::string_view::npos) return std::nullopt;
  // A mapped address is already in IPv4 form.
  if (!ParseV6(text, a.bytes_.data())) return std::nullopt;
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
