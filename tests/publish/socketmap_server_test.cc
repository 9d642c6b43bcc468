// The socketmap protocol: netstring framing, replies, and a real socket.
#include "src/publish/socketmap_server.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace exact::publish {
namespace {

TEST(Socketmap, NetstringsAreTakenWholeAndInOrder) {
  std::string buf = "13:relay 1.2.3.4,3:a b,5:par";
  std::vector<std::string> got;
  ASSERT_TRUE(TakeNetstrings(&buf, &got));
  EXPECT_EQ(got, (std::vector<std::string>{"relay 1.2.3.4", "a b"}));
  EXPECT_EQ(buf, "5:par");  // Waits for the rest.
  buf += "tl,";
  got.clear();
  ASSERT_TRUE(TakeNetstrings(&buf, &got));
  EXPECT_EQ(got, std::vector<std::string>{"partl"});
}

TEST(Socketmap, MalformedNetstringsCloseTheConnection) {
  for (std::string bad : {"x:abc,", "3:abcd", "99999999:a,", "-1:a,", "1234567", "3:abc;"}) {
    std::vector<std::string> got;
    EXPECT_FALSE(TakeNetstrings(&bad, &got)) << bad;
  }
}

TEST(Socketmap, RepliesFromTheLiveTable) {
  table::RelayTable t;
  t.Upsert(*match::IpAddress::Parse("192.0.2.1"), "alice", 1000, 60);
  EXPECT_EQ(SocketmapReply("relay 192.0.2.1", t, 1000), "OK 1060");
  EXPECT_EQ(SocketmapReply("relay ::ffff:192.0.2.1", t, 1000), "OK 1060");
  EXPECT_EQ(SocketmapReply("relay 192.0.2.1", t, 1060), "NOTFOUND ");  // Expired.
  EXPECT_EQ(SocketmapReply("relay 192.0.2.2", t, 1000), "NOTFOUND ");
  EXPECT_EQ(SocketmapReply("relay unknown", t, 1000), "NOTFOUND ");
  EXPECT_EQ(SocketmapReply("nospace", t, 1000), "PERM expected \"NAME KEY\"");
}

TEST(Socketmap, StaticNetworksAlwaysAnswerOK) {
  table::RelayTable t;
  std::string error;
  match::NetworkSet statics({*match::Network::Parse("10.0.0.0/9", &error)});
  EXPECT_EQ(SocketmapReply("relay 10.100.1.1", t, 1000, statics), "OK");
  EXPECT_EQ(SocketmapReply("relay 10.200.1.1", t, 1000, statics), "NOTFOUND ");
}

TEST(Socketmap, ServesManyRequestsOnOneUnixConnection) {
  char tmpl[] = "/tmp/exact-socketmap-XXXXXX";
  std::string path = std::string(::mkdtemp(tmpl)) + "/sock";
  table::RelayTable t;
  base::FakeClock clock(1000);
  t.Upsert(*match::IpAddress::Parse("2001:db8::7"), "bob", 1000, 60);
  auto server = SocketmapServer::Listen("unix:" + path, static_cast<uid_t>(-1),
                                        static_cast<gid_t>(-1));
  ASSERT_TRUE(server.ok()) << server.status();
  (*server)->Start(&t, &clock);
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::strcpy(sun.sun_path, path.c_str());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun), 0);
  std::string req = Netstring("relay 2001:DB8::7") + Netstring("relay 192.0.2.9");
  ASSERT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::string want = Netstring("OK 1060") + Netstring("NOTFOUND ");
  std::string got;
  char buf[256];
  while (got.size() < want.size()) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    ASSERT_GT(n, 0);
    got.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(got, want);
  ::close(fd);
  (*server)->Stop();
  EXPECT_NE(::access(path.c_str(), F_OK), 0);  // The socket is removed on stop.
}

}  // namespace
}  // namespace exact::publish
