// Address validation and canonical forms.
#include "src/match/ip_address.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <optional>
#include <random>

#include "gtest/gtest.h"

namespace exact::match {
namespace {

std::string Canonical(const char* text) {
  std::optional<IpAddress> a = IpAddress::Parse(text);
  return a ? a->ToString() : "<invalid>";
}

TEST(IpAddress, CanonicalForms) {
  EXPECT_EQ(Canonical("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(Canonical("::ffff:192.0.2.9"), "192.0.2.9");  // Mapped becomes IPv4.
  EXPECT_EQ(Canonical("::FFFF:c000:0209"), "192.0.2.9");
  EXPECT_EQ(Canonical("2001:DB8:0:0::25"), "2001:db8::25");
  EXPECT_EQ(Canonical("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");     // First longest run.
  EXPECT_EQ(Canonical("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");  // No '::' for one word.
  EXPECT_EQ(Canonical("fe80:0000:0000:0000:0000:0000:0000:0001"), "fe80::1");
  EXPECT_EQ(Canonical("::1"), "::1");
}

TEST(IpAddress, RejectsAnythingElse) {
  for (const char* bad :
       {"", "192.0.2", "192.0.2.256", "192.000.2.7", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4",
        "[192.0.2.7]", "192.0.2.7:25", "host.example", "fe80::1%eth0", "2001:db8:::1",
        "123.456.789.01", "not-an-ip;rm", "1.2.3.4\n", "::ffff:1.2.3"}) {
    EXPECT_FALSE(IpAddress::Parse(bad).has_value()) << bad;
  }
  EXPECT_FALSE(IpAddress::Parse(std::string("1.2.3.4\0", 8)).has_value());
}

// What glibc's inet_pton makes of `text`, as IpAddress holds it (IPv4 as
// ::ffff:a.b.c.d); nullopt when it refuses it. The text's ':' picks the
// family, as in IpAddress::Parse.
std::optional<std::array<uint8_t, 16>> InetPton(const std::string& text) {
  std::array<uint8_t, 16> bytes{};
  if (text.find(':') == std::string::npos) {
    in_addr v4;
    if (::inet_pton(AF_INET, text.c_str(), &v4) != 1) return std::nullopt;
    bytes[10] = bytes[11] = 0xff;
    std::memcpy(bytes.data() + 12, &v4, 4);
  } else {
    in6_addr v6;
    if (::inet_pton(AF_INET6, text.c_str(), &v6) != 1) return std::nullopt;
    std::memcpy(bytes.data(), &v6, 16);
  }
  return bytes;
}

// Parse accepts `text` exactly when inet_pton does, as the same address.
// Returns whether it was accepted.
bool ExpectParsedAsInetPton(const std::string& text) {
  const std::optional<std::array<uint8_t, 16>> want = InetPton(text);
  const std::optional<IpAddress> got = IpAddress::Parse(text);
  EXPECT_EQ(got.has_value(), want.has_value()) << text;
  if (!got || !want) return false;
  EXPECT_EQ(got->bytes(), *want) << text;
  return true;
}

TEST(IpAddress, Ipv4AcceptsExactlyWhatInetPtonAccepts) {
  // IPv4 is parsed by hand; glibc's inet_pton is the specification.
  std::mt19937 rng(11);
  const char alphabet[] = "0123456789.....x";
  int accepted = 0;
  for (int n = 0; n < 200000; ++n) {
    std::string text;
    if (n % 2 == 0) {  // Any string of the alphabet.
      const size_t len = 1 + rng() % 17;
      for (size_t i = 0; i < len; ++i) text += alphabet[rng() % (sizeof alphabet - 1)];
    } else {  // Dotted octets of 1 to 3 digits, some over 255 or with leading zeros.
      const int octets = 3 + static_cast<int>(rng() % 3);
      for (int o = 0; o < octets; ++o) {
        if (o > 0) text += '.';
        const int digits = 1 + static_cast<int>(rng() % 3);
        for (int d = 0; d < digits; ++d) text += static_cast<char>('0' + rng() % (d == 0 ? 3 : 10));
      }
    }
    accepted += ExpectParsedAsInetPton(text);
    ASSERT_FALSE(HasFailure()) << text;
  }
  EXPECT_GT(accepted, 1000);
}

TEST(IpAddress, Ipv6AcceptsExactlyWhatInetPtonAccepts) {
  std::mt19937 rng(12);
  // Groups of 0 to 5 hex digits (empty ones make "::" and ":::"), 1 to 9 of
  // them, sometimes ending in a dotted IPv4 part, sometimes with a stray byte.
  const char hex[] = "0123456789abcdefABCDEF";
  int accepted = 0, with_v4 = 0;
  for (int n = 0; n < 200000; ++n) {
    std::string text;
    const int groups = 1 + static_cast<int>(rng() % 9);
    for (int g = 0; g < groups; ++g) {
      if (g > 0) text += ':';
      const int digits = static_cast<int>(rng() % 6 == 0 ? 0 : 1 + rng() % 4 + (rng() % 20 == 0));
      for (int d = 0; d < digits; ++d) text += hex[rng() % (sizeof hex - 1)];
    }
    if (rng() % 4 == 0)
      text += ":" + std::to_string(rng() % 300) + "." + std::to_string(rng() % 256) + "." +
              std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
    if (rng() % 10 == 0) text.insert(rng() % (text.size() + 1), 1, ".:xg "[rng() % 5]);
    if (text.find(':') == std::string::npos) continue;
    const bool ok = ExpectParsedAsInetPton(text);
    ASSERT_FALSE(HasFailure()) << text;
    accepted += ok;
    with_v4 += ok && text.find('.') != std::string::npos;
  }
  EXPECT_GT(accepted, 5000);
  EXPECT_GT(with_v4, 500);
  for (const char* text : {"::", "::1", "1::", "::ffff:1.2.3.4", "1:2:3:4:5:6:7::",
                           "::2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4", "fe80::1:2"}) {
    ASSERT_TRUE(InetPton(text).has_value()) << text;
    ASSERT_TRUE(ExpectParsedAsInetPton(text)) << text;
  }
  for (const char* text : {":", ":::", "1:", ":1", "1::2::3", "1:2:3:4:5:6:7:8::", "::1.2.3",
                           "1:2:3:4:5:6:7:1.2.3.4", "12345::", "::01.2.3.4", "::1.2.3.4:5"}) {
    ASSERT_FALSE(InetPton(text).has_value()) << text;
    ASSERT_FALSE(ExpectParsedAsInetPton(text)) << text;
  }
}

TEST(IpAddress, UnicastOnly) {
  EXPECT_TRUE(IpAddress::Parse("192.0.2.1")->IsUnicast());
  EXPECT_TRUE(IpAddress::Parse("127.0.0.2")->IsUnicast());
  EXPECT_TRUE(IpAddress::Parse("2001:db8::1")->IsUnicast());
  EXPECT_FALSE(IpAddress::Parse("0.0.0.0")->IsUnicast());
  EXPECT_FALSE(IpAddress::Parse("224.0.0.1")->IsUnicast());
  EXPECT_FALSE(IpAddress::Parse("255.255.255.255")->IsUnicast());
  EXPECT_FALSE(IpAddress::Parse("::")->IsUnicast());
  EXPECT_FALSE(IpAddress::Parse("ff02::1")->IsUnicast());
}

TEST(IpAddress, EximKeyIsDottedFullIpv6) {
  EXPECT_EQ(IpAddress::Parse("2001:db8::2")->ToEximKey(),
            "2001.0db8.0000.0000.0000.0000.0000.0002");
  EXPECT_EQ(IpAddress::Parse("192.0.2.1")->ToEximKey(), "192.0.2.1");
}

TEST(IpAddress, SortsIpv4BeforeIpv6Numerically) {
  EXPECT_LT(*IpAddress::Parse("9.0.0.1"), *IpAddress::Parse("10.0.0.1"));
  EXPECT_LT(*IpAddress::Parse("255.0.0.1"), *IpAddress::Parse("::1"));
}

}  // namespace
}  // namespace exact::match
