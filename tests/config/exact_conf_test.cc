// exact.conf parsing: 1.41 keys and defaults, new forms, and diagnostics.
#include "src/config/exact_conf.h"

#include "gtest/gtest.h"

namespace exact::config {
namespace {

Settings Parse(const std::string& text, Diagnostics* diags) {
  Settings s;
  ParseExactConf(text, "/etc/exact/exact.conf", &s, diags);
  return s;
}

TEST(ExactConf, DefaultsAreEXACT141s) {
  Settings s;
  EXPECT_EQ(s.user, "mail");
  EXPECT_EQ(s.group, "mail");
  EXPECT_EQ(s.maillog, std::vector<std::string>{"/var/log/mail.log"});
  EXPECT_EQ(s.servers, std::vector<std::string>{"uw-imap"});
  EXPECT_EQ(s.authfile, "/var/lib/exact/relay");
  EXPECT_EQ(s.timeout, 1800);
  EXPECT_EQ(s.flush, 300);
  EXPECT_EQ(s.suspicious, 120);
  EXPECT_TRUE(s.log_to_syslog);
}

TEST(ExactConf, Reads141StyleFileWithTabsAndComments) {
  Diagnostics d;
  Settings s = Parse(
      "# comment\n"
      "user\t\t\tnobody\n"
      "timeout\t\t\t900   # trailing comment\n"
      "maillog /var/log/a.log /var/log/b.log\n"
      "server cyrus, dovecot\n"
      "authtype text lmdb\n"
      "logging internal\n",
      &d);
  EXPECT_FALSE(d.HasErrors()) << d.ToString();
  EXPECT_EQ(s.user, "nobody");
  EXPECT_EQ(s.timeout, 900);
  EXPECT_EQ(s.maillog, (std::vector<std::string>{"/var/log/a.log", "/var/log/b.log"}));
  EXPECT_EQ(s.servers, (std::vector<std::string>{"cyrus", "dovecot"}));
  EXPECT_EQ(s.authtypes, (std::vector<MapFormat>{MapFormat::kText, MapFormat::kLmdb}));
  EXPECT_FALSE(s.log_to_syslog);
}

TEST(ExactConf, RelativePathsAreRelativeToTheFile) {
  Diagnostics d;
  Settings s = Parse("authfile ../state/relay\nmaillog log/mail.log\n", &d);
  EXPECT_EQ(s.authfile, "/etc/state/relay");
  EXPECT_EQ(s.maillog.front(), "/etc/exact/log/mail.log");
}

TEST(ExactConf, DurationsTakeUnits) {
  int64_t v = 0;
  EXPECT_TRUE(ParseDuration("30m", &v));
  EXPECT_EQ(v, 1800);
  EXPECT_TRUE(ParseDuration("2h", &v));
  EXPECT_EQ(v, 7200);
  EXPECT_FALSE(ParseDuration("0", &v));
  EXPECT_FALSE(ParseDuration("-5", &v));
  EXPECT_FALSE(ParseDuration("5x", &v));
  EXPECT_FALSE(ParseDuration("m", &v));
}

TEST(ExactConf, PublishIntervalTakesMilliseconds) {
  int64_t ms = 0;
  EXPECT_TRUE(ParseDurationMillis("250ms", &ms));
  EXPECT_EQ(ms, 250);
  EXPECT_TRUE(ParseDurationMillis("2", &ms));
  EXPECT_EQ(ms, 2000);
  EXPECT_TRUE(ParseDurationMillis("1m", &ms));
  EXPECT_EQ(ms, 60000);
  EXPECT_FALSE(ParseDurationMillis("0ms", &ms));
  EXPECT_FALSE(ParseDurationMillis("ms", &ms));
  EXPECT_FALSE(ParseDurationMillis("-5ms", &ms));
  EXPECT_FALSE(ParseDurationMillis("1.5s", &ms));

  Diagnostics d;
  EXPECT_EQ(Parse("publish_interval 750ms\n", &d).publish_interval_ms, 750);
  EXPECT_FALSE(d.HasErrors());
}

TEST(ExactConf, FleetKeysTakeServerListsAndRefuseBadOnes) {
  Diagnostics d;
  Settings s = Parse(
      "memcache 127.0.0.1:11211, [::1]:11212\nredis relay-store.example:6379\n"
      "subscribe 10.0.0.5:6379\nredis_prefix ip:\nfleet_queue 1000\n",
      &d);
  EXPECT_FALSE(d.HasErrors());
  EXPECT_EQ(s.memcache_servers, (std::vector<std::string>{"127.0.0.1:11211", "[::1]:11212"}));
  EXPECT_EQ(s.redis_servers, std::vector<std::string>{"relay-store.example:6379"});
  EXPECT_EQ(s.subscribe, "10.0.0.5:6379");
  EXPECT_EQ(s.redis_prefix, "ip:");
  EXPECT_EQ(s.fleet_queue, 1000);
  for (const char* bad : {"memcache 127.0.0.1\n", "redis host:99999\n", "subscribe ::1:6379\n",
                          "fleet_queue 0\n", "redis_stream_length ten\n"}) {
    Diagnostics bd;
    Settings b = Parse(bad, &bd);
    EXPECT_TRUE(bd.HasErrors()) << bad;
    EXPECT_TRUE(b.memcache_servers.empty() && b.redis_servers.empty() && b.subscribe.empty());
  }
}

TEST(ExactConf, UnknownKeySuggestsTheNearestKey) {
  Diagnostics d;
  Parse("\n  timout 60\n", &d);
  ASSERT_EQ(d.error_count(), 1);
  EXPECT_EQ(d.all()[0].ToString(),
            "/etc/exact/exact.conf:2:3: error: unknown key \"timout\" (did you mean "
            "\"timeout\"?)");
}

TEST(ExactConf, DuplicateKeyKeepsTheFirstWithAWarning) {
  Diagnostics d;
  Settings s = Parse("timeout 100\ntimeout 200\n", &d);
  EXPECT_FALSE(d.HasErrors());
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].severity, DiagnosticSeverity::kWarning);
  EXPECT_EQ(s.timeout, 100);
}

struct BadLine {
  const char* text;
  const char* expected;
};

class ExactConfBad : public ::testing::TestWithParam<BadLine> {};

TEST_P(ExactConfBad, ReportsFileLineColumnAndHint) {
  Diagnostics d;
  Parse(GetParam().text, &d);
  ASSERT_EQ(d.error_count(), 1) << d.ToString();
  EXPECT_EQ(d.all()[0].ToString(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ExactConfBad,
    ::testing::Values(
        BadLine{"timeout abc\n",
                "/etc/exact/exact.conf:1:9: error: \"timeout\" must be a positive number of "
                "seconds (or 30m, 2h, 1d); got \"abc\""},
        BadLine{"flush\n", "/etc/exact/exact.conf:1:6: error: missing value for \"flush\""},
        BadLine{"publish_interval soon\n",
                "/etc/exact/exact.conf:1:18: error: \"publish_interval\" must be a positive "
                "duration such as 500ms, 1s or 2; got \"soon\""},
        BadLine{"authtype xml\n",
                "/etc/exact/exact.conf:1:10: error: unknown authtype \"xml\"; expected text, db, "
                "lmdb, cdb, exim or exim-cdb"},
        BadLine{"authtype lmbd\n",
                "/etc/exact/exact.conf:1:10: error: unknown authtype \"lmbd\"; expected text, db, "
                "lmdb, cdb, exim or exim-cdb (did you mean \"lmdb\"?)"},
        BadLine{"logging console\n",
                "/etc/exact/exact.conf:1:9: error: \"logging\" must be \"syslog\" or "
                "\"internal\"; got \"console\""},
        BadLine{"order user,address\n",
                "/etc/exact/exact.conf:1:7: error: \"order\" must be \"username,address\" or "
                "\"address,username\"; got \"user,address\""},
        BadLine{"user mail nobody\n",
                "/etc/exact/exact.conf:1:6: error: \"user\" takes one value; found spaces in "
                "\"mail nobody\""},
        BadLine{"server all, cyrus\n",
                "/etc/exact/exact.conf:1:8: error: \"all\" selects every stanza; list it alone"}));

}  // namespace
}  // namespace exact::config

namespace exact::config {
namespace {

TEST(ExactConf, SocketmapTakesUnixAndInetOnIpv4OrBracketedIpv6) {
  for (std::string ok : {"socketmap unix:/run/exact/relay.sock\n",
                         "socketmap inet:127.0.0.1:9999\n", "socketmap inet:[::1]:9999\n"}) {
    Diagnostics d;
    Parse(ok, &d);
    EXPECT_FALSE(d.HasErrors()) << ok << d.ToString();
  }
  for (std::string bad : {"socketmap inet:::1:9999\n", "socketmap inet:127.0.0.1:0\n",
                          "socketmap inet:localhost:9999\n", "socketmap tcp:1.2.3.4:5\n"}) {
    Diagnostics d;
    Parse(bad, &d);
    EXPECT_NE(d.ToString().find("\"socketmap\" must be unix:PATH, inet:IPV4:PORT or "
                                "inet:[IPV6]:PORT"),
              std::string::npos)
        << bad << d.ToString();
  }
}

TEST(ExactConf, InetSocketmapBeyondLoopbackNeedsAnAllowList) {
  for (std::string exposed : {"socketmap inet:0.0.0.0:9999\n", "socketmap inet:[::]:9999\n",
                              "socketmap inet:192.0.2.1:9999\n"}) {
    Diagnostics d;
    Parse(exposed, &d);
    EXPECT_NE(d.ToString().find(":1:11: error: socketmap inet:"), std::string::npos)
        << exposed << d.ToString();
    EXPECT_NE(d.ToString().find("listens beyond loopback, and the protocol has no "
                                "authentication; list the client networks that may connect "
                                "with socketmap_allow"),
              std::string::npos)
        << d.ToString();
  }
  Diagnostics d;
  Settings s = Parse("socketmap inet:0.0.0.0:9999\nsocketmap_allow 192.0.2.0/24, 127.0.0.1\n", &d);
  EXPECT_FALSE(d.HasErrors()) << d.ToString();
  ASSERT_EQ(s.socketmap_allow.size(), 2u);
  EXPECT_EQ(s.socketmap_allow[1].first, "127.0.0.1");
  EXPECT_EQ(s.socketmap_allow[1].second.column, 31);
}

}  // namespace
}  // namespace exact::config
