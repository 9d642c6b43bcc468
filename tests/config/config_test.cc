// Whole-config loading: stanza selection and the 1.41 compatibility promise.
#include "src/config/config.h"

#include <fstream>

#include "gtest/gtest.h"
#include "src/base/files.h"

namespace exact::config {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/exact-config-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

constexpr char kServers[] =
    "<server uw-imap>\n"
    "    order username,address\n"
    "    match (Login|Auth|Authenticated) user=([^ ]*).*\\[([^ ]*)\\]\n"
    "</server>\n"
    "<server cyrus>\n"
    "    order address,username\n"
    "    match (login):.*\\[([0-9\\.]*)\\] ([^ ]*) .*\n"
    "</server>\n";

TEST_F(ConfigTest, AnEXACT141ConfigLoadsUnchanged) {
  Write("exact-servers.conf", kServers);
  std::string conf = Write("exact.conf",
                           "user\t\t\tmail\ngroup\t\t\tmail\n"
                           "pidfile\t\t\t/var/run/exact/exact.pid\n"
                           "maillog\t\t\t/var/log/mail.log\n"
                           "serverdefs\t\t" +
                               dir_ +
                               "/exact-servers.conf\n"
                               "server\t\t\tcyrus\nauthtype\t\tdb\n"
                               "authfile\t\t/var/state/exact/relay\n"
                               "authtemp\t\t/var/state/exact/relay.tmp\n"
                               "dumpfile\t\t/var/state/exact/dump\n"
                               "timeout\t\t\t1800\nflush\t\t\t300\nsuspicious\t\t120\n"
                               "logging\t\t\tsyslog\nlogfile\t\t\t/var/log/exact/exact.log\n");
  LoadResult r = LoadConfig(conf);
  ASSERT_TRUE(r.config) << r.diagnostics.ToString();
  ASSERT_EQ(r.config->stanzas.size(), 1u);
  EXPECT_EQ(r.config->stanzas[0].name, "cyrus");
  EXPECT_EQ(r.config->settings.statefile, "/var/state/exact/relay.state");
}

// A 1.41 file loads, and every selected stanza that reads whole lines is
// named in a warning that says what to change; `legacy` silences it.
TEST_F(ConfigTest, A141StanzaFileWarnsOfEachUnanchoredStanza) {
  Write("s.conf", std::string(kServers) +
                      "<server accepted>\n    legacy\n    order username,address\n"
                      "    match (L) u=([^ ]+) ip=([0-9.]+)\n</server>\n");
  LoadResult r = LoadConfig(Write("e.conf", "serverdefs s.conf\nserver all\n"));
  ASSERT_TRUE(r.config) << r.diagnostics.ToString();
  EXPECT_EQ(r.config->stanzas.size(), 3u);
  std::vector<std::string> got;
  for (const Diagnostic& x : r.diagnostics.all()) got.push_back(x.ToString());
  const std::string advice =
      "\" matches whole lines and trusts no program tag, so text an attacker puts into "
      "another program's line (a mail sender, a failed user name) can pose as a login; add "
      "`program TAG` naming the server's syslog tag and match the message only, or add "
      "`legacy` to accept the risk";
  EXPECT_EQ(got, (std::vector<std::string>{
                     dir_ + "/s.conf:1:1: warning: stanza \"uw-imap" + advice,
                     dir_ + "/s.conf:5:1: warning: stanza \"cyrus" + advice,
                 }));
}

TEST_F(ConfigTest, AllSelectsEveryStanzaInFileOrder) {
  Write("s.conf", kServers);
  LoadResult r = LoadConfig(Write("e.conf", "serverdefs s.conf\nserver all\n"));
  ASSERT_TRUE(r.config) << r.diagnostics.ToString();
  ASSERT_EQ(r.config->stanzas.size(), 2u);
  EXPECT_EQ(r.config->stanzas[0].name, "uw-imap");
  EXPECT_EQ(r.config->stanzas[1].name, "cyrus");
}

TEST_F(ConfigTest, ListedStanzasKeepFileOrder) {
  Write("s.conf", kServers);
  LoadResult r = LoadConfig(Write("e.conf", "serverdefs s.conf\nserver cyrus,uw-imap\n"));
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->stanzas[0].name, "uw-imap");
}

TEST_F(ConfigTest, ThreeMistakesGiveThreeLocatedErrors) {
  Write("s.conf", kServers);
  std::string conf = Write("e.conf",
                           "serverdefs s.conf\n"
                           "server cyrsu\n"
                           "timout 60\n"
                           "flush soon\n");
  LoadResult r = LoadConfig(conf);
  EXPECT_FALSE(r.config);
  std::vector<std::string> got;
  for (const Diagnostic& d : r.diagnostics.all()) got.push_back(d.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{
                     conf + ":3:1: error: unknown key \"timout\" (did you mean \"timeout\"?)",
                     conf + ":4:7: error: \"flush\" must be a positive number of seconds (or "
                            "30m, 2h, 1d); got \"soon\"",
                     conf + ":2:8: error: no stanza named \"cyrsu\" in " + dir_ +
                         "/s.conf (did you mean \"cyrus\"?); it has: uw-imap, cyrus",
                 }));
}

TEST_F(ConfigTest, UnreadableServerdefsIsReportedAtItsKey) {
  LoadResult r = LoadConfig(Write("e.conf", "serverdefs missing.conf\n"));
  ASSERT_EQ(r.diagnostics.error_count(), 1);
  EXPECT_EQ(r.diagnostics.all()[0].location.line, 1);
  EXPECT_EQ(r.diagnostics.all()[0].location.column, 12);
}

TEST_F(ConfigTest, AuthtempMustShareTheMapDirectory) {
  Write("s.conf", kServers);
  LoadResult r =
      LoadConfig(Write("e.conf", "serverdefs s.conf\nauthfile /a/relay\nauthtemp /b/relay.tmp\n"));
  EXPECT_FALSE(r.config);
  EXPECT_NE(r.diagnostics.ToString().find("must be in the same directory"), std::string::npos);
}

}  // namespace
}  // namespace exact::config
