// The socketmap protocol and server: replies, a real socket, and every limit
// a hostile client can reach, each checked by its counter. Waits are bounded
// only so a broken server cannot hang the run; none is a timing assertion.
#include "src/publish/socketmap_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <thread>

#include "gtest/gtest.h"

namespace exact::publish {
namespace {

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

// Waits (bounded) until `done` holds.
bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// Reads until `want` bytes or EOF; "" on EOF or after 10 s.
std::string ReadBytes(int fd, size_t want) {
  std::string got;
  char buf[4096];
  while (got.size() < want) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return "";
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, want - got.size()));
    if (n <= 0) return "";
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

// True when the server closes `fd` (read returns 0 or an error) within 10 s.
bool ClosedByServer(int fd) {
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return false;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return true;
  }
}

bool WriteAll(int fd, const std::string& data) {
  return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
}

int64_t RssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

class SocketmapServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/exact-socketmap-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/sock";
    table_.Upsert(*match::IpAddress::Parse("2001:db8::7"), "bob", 1000, 60);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    ::rmdir(dir_.c_str());
  }
  void StartUnix(SocketmapLimits limits = {}) {
    auto s =
        SocketmapServer::Listen("unix:" + path_, static_cast<uid_t>(-1), static_cast<gid_t>(-1));
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
    SocketmapOptions options;
    options.limits = limits;
    server_->Start(&table_, &clock_, {}, std::move(options));
  }
  int Connect() {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strcpy(sun.sun_path, path_.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  // A lookup on a new connection, as `postmap -q` makes it.
  std::string Lookup(int fd, const std::string& address) {
    if (!WriteAll(fd, Netstring("relay " + address))) return "write failed";
    std::string head = ReadBytes(fd, 2);  // "7:" or "9:": every reply here is < 10 bytes.
    if (head.size() != 2) return "no reply";
    std::string rest = ReadBytes(fd, static_cast<size_t>(head[0] - '0') + 1);
    return rest.empty() ? "short reply" : rest.substr(0, rest.size() - 1);
  }

  std::string dir_, path_;
  table::RelayTable table_;
  base::FakeClock clock_{1000};
  std::unique_ptr<SocketmapServer> server_;
};

TEST_F(SocketmapServerTest, ServesManyRequestsOnOneUnixConnection) {
  StartUnix();
  int fd = Connect();
  ASSERT_GE(fd, 0);
  std::string req = Netstring("relay 2001:DB8::7") + Netstring("relay 192.0.2.9");
  ASSERT_TRUE(WriteAll(fd, req));
  std::string want = Netstring("OK 1060") + Netstring("NOTFOUND ");
  EXPECT_EQ(ReadBytes(fd, want.size()), want);
  ::close(fd);
  EXPECT_EQ(server_->counters().requests, 2u);
  server_->Stop();
  EXPECT_NE(::access(path_.c_str(), F_OK), 0);  // The socket is removed on stop.
}

TEST_F(SocketmapServerTest, AHalfClosedClientGetsEveryReplyBeforeTheClose) {
  StartUnix();
  int fd = Connect();
  ASSERT_GE(fd, 0);
  // More requests than fit under the reply bound, then end of input.
  std::string req;
  for (int i = 0; i < 20000; ++i) req += Netstring("relay 2001:db8::7");
  std::thread writer([&] {
    WriteAll(fd, req);
    ::shutdown(fd, SHUT_WR);
  });
  // Read only once the server has queued replies and seen (or could see)
  // the end: the replies it holds then must still go out.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::string one = Netstring("OK 1060");
  std::string got = ReadBytes(fd, one.size() * 20000);
  writer.join();
  EXPECT_EQ(got.size(), one.size() * 20000);
  EXPECT_TRUE(ClosedByServer(fd));
  EXPECT_EQ(server_->counters().requests, 20000u);
  ::close(fd);
}

TEST_F(SocketmapServerTest, AClientThatNeverReadsIsNotReadAndCostsOnlyTheBound) {
  StartUnix();
  const int64_t rss_before = RssKiB();
  int hog = Connect();
  ASSERT_GE(hog, 0);
  ::fcntl(hog, F_SETFL, O_NONBLOCK);
  // Requests until the socket blocks: the server stopped reading.
  std::string burst;
  for (int i = 0; i < 4096; ++i) burst += Netstring("relay 2001:db8::7");
  size_t written = 0;
  auto fill = [&] {  // Whole netstrings: a short send resumes where it stopped.
    for (;;) {
      const size_t at = written % burst.size();
      ssize_t n = ::send(hog, burst.data() + at, burst.size() - at, MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN;
      written += static_cast<size_t>(n);
    }
  };
  // The kernel holds a few hundred KiB of replies before the server's own
  // queue grows: keep writing until that queue passes the bound.
  for (int round = 0; round < 2000 && server_->counters().reads_paused == 0; ++round) {
    ASSERT_TRUE(fill());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GT(server_->counters().reads_paused, 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(fill());  // Whatever the server took before it stopped reading.
  SocketmapCounters c = server_->counters();
  EXPECT_EQ(c.reads_paused, 1u);
  EXPECT_GT(written, 256u * 1024);           // Far more went out than the server holds:
  EXPECT_LE(c.buffered_bytes, 512u * 1024);  // the bound (as capacity) and one read.
  EXPECT_LT(RssKiB() - rss_before, 16 * 1024);
  // Meanwhile another client is answered.
  int fd = Connect();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Lookup(fd, "2001:db8::7"), "OK 1060");
  ::close(fd);
  ::close(hog);
}

TEST_F(SocketmapServerTest, AnIdleConnectionIsClosed) {
  SocketmapLimits limits;
  limits.idle_timeout_ms = 100;
  StartUnix(limits);
  int fd = Connect();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Lookup(fd, "2001:db8::7"), "OK 1060");
  EXPECT_TRUE(ClosedByServer(fd));
  EXPECT_EQ(server_->counters().idle_timeouts, 1u);
  ::close(fd);
}

TEST_F(SocketmapServerTest, AThousandIdleConnectionsCloseTheQuietestAndLookupsGoOn) {
  rlimit lim;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);
  if (lim.rlim_cur < 1300) {
    lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, 4096);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lim), 0);
  }
  ASSERT_GE(lim.rlim_cur, 1300u) << "needs 1,300 descriptors: 1,000 clients and 256 served";
  StartUnix();
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    int fd = Connect();
    ASSERT_GE(fd, 0) << i;
    idle.push_back(fd);
  }
  ASSERT_TRUE(Eventually([&] { return server_->counters().accepted == 1000; }));
  SocketmapCounters c = server_->counters();
  EXPECT_EQ(c.evicted, 1000u - 256u);
  EXPECT_LE(c.open_connections, 256u);
  // The first ones are the quietest, so they were closed.
  EXPECT_TRUE(ClosedByServer(idle.front()));
  int fd = Connect();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Lookup(fd, "2001:db8::7"), "OK 1060");
  EXPECT_EQ(server_->counters().evicted, 1000u - 256u + 1);
  ::close(fd);
  for (int i : idle) ::close(i);
}

TEST_F(SocketmapServerTest, AnOversizedRequestClosesTheConnection) {
  StartUnix();
  int fd = Connect();
  ASSERT_GE(fd, 0);
  // Postfix's limit itself is answered ...
  std::string key(kMaxNetstringPayload - 6, 'x');
  ASSERT_TRUE(WriteAll(fd, Netstring("relay " + key)));
  EXPECT_EQ(ReadBytes(fd, 12), Netstring("NOTFOUND "));
  // ... one byte more is not even read.
  ASSERT_TRUE(WriteAll(fd, "100001:relay "));
  EXPECT_TRUE(ClosedByServer(fd));
  SocketmapCounters c = server_->counters();
  EXPECT_EQ(c.oversized, 1u);
  EXPECT_EQ(c.requests, 1u);
  ::close(fd);
}

TEST_F(SocketmapServerTest, AMalformedNetstringClosesTheConnection) {
  StartUnix();
  int fd = Connect();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "3:abc;"));
  EXPECT_TRUE(ClosedByServer(fd));
  EXPECT_EQ(server_->counters().malformed, 1u);
  ::close(fd);
}

TEST_F(SocketmapServerTest, OverTheMemoryCapTheBiggestConnectionIsClosed) {
  SocketmapLimits limits;
  limits.memory_cap_bytes = 256 * 1024;
  StartUnix(limits);
  // Each holds most of a 100,000-byte request it never finishes.
  std::vector<int> fds;
  const std::string partial = "100000:relay " + std::string(90000, 'x');
  for (int i = 0; i < 4; ++i) {
    int fd = Connect();
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(WriteAll(fd, partial));
    fds.push_back(fd);
  }
  ASSERT_TRUE(Eventually([&] { return server_->counters().memory_cap > 0; }));
  SocketmapCounters c = server_->counters();
  EXPECT_GE(c.memory_cap, 1u);
  EXPECT_TRUE(
      Eventually([&] { return server_->counters().buffered_bytes <= limits.memory_cap_bytes; }));
  int fd = Connect();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Lookup(fd, "2001:db8::7"), "OK 1060");
  ::close(fd);
  for (int i : fds) ::close(i);
}

// An inet: socketmap on `address` answering only `allow`: the reply to one
// lookup from loopback, or "" when the connection is refused.
std::string InetLookup(const std::string& address, const std::string& allow,
                       SocketmapCounters* counters) {
  table::RelayTable t;
  base::FakeClock clock(1000);
  t.Upsert(*match::IpAddress::Parse("192.0.2.1"), "alice", 1000, 60);
  auto server = SocketmapServer::Listen(address, static_cast<uid_t>(-1), static_cast<gid_t>(-1));
  if (!server.ok()) return std::string(server.status().message());
  SocketmapOptions options;
  std::string error;
  if (!allow.empty()) options.allow = match::NetworkSet({*match::Network::Parse(allow, &error)});
  (*server)->Start(&t, &clock, {}, std::move(options));
  const bool v6 = address.find('[') != std::string::npos;
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss{};
  socklen_t len;
  if (v6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>((*server)->port()));
    sin6->sin6_addr = in6addr_loopback;
    len = sizeof *sin6;
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>((*server)->port()));
    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *sin;
  }
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 &&
      WriteAll(fd, Netstring("relay 192.0.2.1"))) {
    reply = ReadBytes(fd, 10);  // "7:OK 1060,"
  }
  ::close(fd);
  (*server)->Stop();
  *counters = (*server)->counters();
  return reply;
}

TEST(SocketmapInet, AnswersOnIpv4AndIpv6Loopback) {
  SocketmapCounters c;
  EXPECT_EQ(InetLookup("inet:127.0.0.1:0", "", &c), Netstring("OK 1060"));
  EXPECT_EQ(InetLookup("inet:[::1]:0", "", &c), Netstring("OK 1060"));
}

TEST(SocketmapInet, AClientOutsideTheAllowListIsRefused) {
  SocketmapCounters c;
  EXPECT_EQ(InetLookup("inet:127.0.0.1:0", "192.0.2.0/24", &c), "");
  EXPECT_EQ(c.refused_clients, 1u);
  EXPECT_EQ(c.requests, 0u);
  EXPECT_EQ(InetLookup("inet:127.0.0.1:0", "127.0.0.0/8", &c), Netstring("OK 1060"));
  EXPECT_EQ(c.refused_clients, 0u);
  EXPECT_EQ(InetLookup("inet:[::1]:0", "::1", &c), Netstring("OK 1060"));
}

}  // namespace
}  // namespace exact::publish
