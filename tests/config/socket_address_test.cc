// Socket addresses: the accepted forms, loopback detection, and refusals.
#include "src/config/socket_address.h"

#include <netinet/in.h>

#include "gtest/gtest.h"

namespace exact::config {
namespace {

TEST(SocketAddress, ParsesUnixIpv4AndBracketedIpv6) {
  absl::StatusOr<SocketAddress> u = ParseSocketAddress("unix:/run/exact/relay.sock");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_TRUE(u->is_unix);
  EXPECT_EQ(u->path, "/run/exact/relay.sock");

  absl::StatusOr<SocketAddress> v4 = ParseSocketAddress("inet:127.0.0.2:9999");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->inet.ss_family, AF_INET);
  EXPECT_EQ(v4->port, 9999);
  EXPECT_TRUE(v4->loopback);

  absl::StatusOr<SocketAddress> v6 = ParseSocketAddress("inet:[::1]:25");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->inet.ss_family, AF_INET6);
  EXPECT_EQ(v6->port, 25);
  EXPECT_TRUE(v6->loopback);
}

TEST(SocketAddress, OnlyLoopbackIsLoopback) {
  for (const char* text : {"inet:0.0.0.0:1", "inet:192.0.2.1:1", "inet:[::]:1",
                           "inet:[2001:db8::1]:1", "inet:128.0.0.1:1"}) {
    absl::StatusOr<SocketAddress> a = ParseSocketAddress(text);
    ASSERT_TRUE(a.ok()) << text;
    EXPECT_FALSE(a->loopback) << text;
  }
  absl::StatusOr<SocketAddress> mapped = ParseSocketAddress("inet:[::ffff:127.0.0.1]:1");
  ASSERT_TRUE(mapped.ok());
  EXPECT_TRUE(mapped->loopback);
}

TEST(SocketAddress, BadFormsAreRefusedWithTheAcceptedOnes) {
  for (const char* text : {"inet:::1:25", "inet:[::1:25", "inet:1.2.3.4", "inet:1.2.3.4:",
                           "inet:1.2.3.4:65536", "inet:1.2.3.4:-1", "inet:1.2.3.4:+5",
                           "inet:host.example:25", "inet:[1.2.3.4]:25", "tcp:1.2.3.4:25", ""}) {
    absl::StatusOr<SocketAddress> a = ParseSocketAddress(text);
    ASSERT_FALSE(a.ok()) << text;
    EXPECT_EQ(a.status().message(),
              std::string("bad socket address \"") + text +
                  "\"; expected unix:PATH, inet:IPV4:PORT or inet:[IPV6]:PORT");
  }
  EXPECT_FALSE(ParseSocketAddress("unix:").ok());
  EXPECT_FALSE(ParseSocketAddress("unix:/" + std::string(200, 'x')).ok());
}

}  // namespace
}  // namespace exact::config
