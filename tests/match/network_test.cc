// CIDR lists: parsing, containment, Postfix keys, and located errors.
#include "src/match/network.h"

#include "gtest/gtest.h"

namespace exact::match {
namespace {

Network Net(const char* text) {
  std::string error;
  auto n = Network::Parse(text, &error);
  EXPECT_TRUE(n.has_value()) << text << ": " << error;
  return n.value_or(Network());
}

IpAddress Ip(const char* s) { return *IpAddress::Parse(s); }

TEST(Network, ContainsByPrefix) {
  EXPECT_TRUE(Net("192.0.2.0/24").Contains(Ip("192.0.2.200")));
  EXPECT_FALSE(Net("192.0.2.0/24").Contains(Ip("192.0.3.1")));
  EXPECT_TRUE(Net("10.0.0.0/9").Contains(Ip("10.127.255.255")));
  EXPECT_FALSE(Net("10.0.0.0/9").Contains(Ip("10.128.0.0")));
  EXPECT_TRUE(Net("2001:db8::/32").Contains(Ip("2001:db8:ffff::1")));
  EXPECT_FALSE(Net("2001:db8::/32").Contains(Ip("2001:db9::1")));
  EXPECT_TRUE(Net("0.0.0.0/0").Contains(Ip("203.0.113.9")));
  EXPECT_FALSE(Net("0.0.0.0/0").Contains(Ip("2001:db8::1")));  // IPv4 only.
  EXPECT_TRUE(Net("192.0.2.7").Contains(Ip("::ffff:192.0.2.7")));
}

TEST(Network, PostfixKeysForWhatAKeyedMapCanHold) {
  EXPECT_EQ(Net("192.0.2.0/24").PostfixKey().value_or("-"), "192.0.2");
  EXPECT_EQ(Net("10.0.0.0/8").PostfixKey().value_or("-"), "10");
  EXPECT_EQ(Net("192.0.2.7").PostfixKey().value_or("-"), "192.0.2.7");
  EXPECT_EQ(Net("2001:db8::7").PostfixKey().value_or("-"), "2001:db8::7");
  EXPECT_FALSE(Net("10.0.0.0/9").PostfixKey());
  EXPECT_FALSE(Net("2001:db8::/32").PostfixKey());
}

TEST(Network, BadEntriesAreReportedAtTheirColumns) {
  config::Diagnostics d;
  NetworkSet set = ParseNetworks({{"192.0.2.0/24", {"e.conf", 3, 8}},
                                  {"192.0.2.1/24", {"e.conf", 3, 21}},
                                  {"host.example", {"e.conf", 3, 34}},
                                  {"10.0.0.0/33", {"e.conf", 3, 47}}},
                                 "ignore", &d);
  EXPECT_EQ(set.networks().size(), 1u);
  std::vector<std::string> got;
  for (const auto& x : d.all()) got.push_back(x.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "e.conf:3:21: error: in `ignore`: non-null host address bits in "
                     "\"192.0.2.1/24\", perhaps you should use \"192.0.2.0/24\" instead",
                     "e.conf:3:34: error: in `ignore`: \"host.example\" is not an IPv4 or IPv6 "
                     "address",
                     "e.conf:3:47: error: in `ignore`: bad prefix length in \"10.0.0.0/33\"; "
                     "expected /0 to /32",
                 }));
}

}  // namespace
}  // namespace exact::match
