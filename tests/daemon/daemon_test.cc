// Start-up and reload load a config the same way (LoadConfigAndMatcher):
// what one refuses, the other refuses too, and a refused reload keeps the
// running configuration.
#include "src/daemon/daemon.h"

#include <sysexits.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "src/daemon/loaded_config.h"

namespace exact::daemon {
namespace {

class DaemonConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/exact-daemon-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::ofstream(dir_ + "/mail.log") << "";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // A config that runs as the current user, in the scratch directory.
  std::string WriteConfig(const std::string& extra) {
    const std::string path = dir_ + "/exact.conf";
    std::ofstream(path) << "user root\n"
                        << "pidfile " << dir_ << "/exact.pid\n"
                        << "maillog " << dir_ << "/mail.log\n"
                        << "serverdefs " << EXACT_SOURCE_DIR << "/conf/exact-servers.conf\n"
                        << "server all\n"
                        << "authtype text\n"
                        << "authfile " << dir_ << "/relay\n"
                        << "statefile " << dir_ << "/state\n"
                        << "dumpfile " << dir_ << "/dump\n"
                        << extra;
    return path;
  }
  std::string dir_;
};

constexpr char kBadIgnore[] = "ignore banana/99\n";

TEST_F(DaemonConfigTest, LoaderRefusesABadIgnoreNetwork) {
  config::Diagnostics diags;
  EXPECT_FALSE(LoadConfigAndMatcher(WriteConfig(kBadIgnore), &diags).has_value());
  EXPECT_TRUE(diags.HasErrors());
  EXPECT_NE(diags.ToString().find("\"banana\""), std::string::npos) << diags.ToString();
}

TEST_F(DaemonConfigTest, LoaderAcceptsAGoodConfig) {
  config::Diagnostics diags;
  std::optional<LoadedConfig> loaded = LoadConfigAndMatcher(WriteConfig("timeout 60\n"), &diags);
  ASSERT_TRUE(loaded.has_value()) << diags.ToString();
  EXPECT_FALSE(diags.HasErrors());
  EXPECT_NE(loaded->matcher, nullptr);
  EXPECT_EQ(loaded->config.settings.timeout, 60);
}

TEST_F(DaemonConfigTest, StartRefusesABadIgnoreNetworkWithExitConfig) {
  DaemonOptions options;
  options.config_path = WriteConfig(kBadIgnore);
  options.foreground = true;
  Daemon daemon(options);
  EXPECT_EQ(daemon.Start(), EX_CONFIG);
}

TEST_F(DaemonConfigTest, ReloadRefusesWhatStartRefusesAndKeepsTheRunningConfig) {
  DaemonOptions options;
  options.config_path = WriteConfig("timeout 60\n");
  options.foreground = true;
  options.threads = 1;
  Daemon daemon(options);
  ASSERT_EQ(daemon.Start(), 0);

  WriteConfig(std::string("timeout 120\n") + kBadIgnore);
  EXPECT_FALSE(daemon.Reload());
  EXPECT_EQ(daemon.config().settings.timeout, 60);

  // The same file without the bad line reloads, and its timeout applies.
  WriteConfig("timeout 120\n");
  EXPECT_TRUE(daemon.Reload());
  EXPECT_EQ(daemon.config().settings.timeout, 120);
  daemon.Shutdown();
}

}  // namespace
}  // namespace exact::daemon
