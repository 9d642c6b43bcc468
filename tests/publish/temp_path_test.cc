// The temp-path attacks of issue 12, as root in a sticky, world-writable
// directory (what /tmp is, and what a careless map directory may be):
// another local user plants a symlink, or a file of their own that they
// hold open, at the very name exact is about to use for its temp. The
// fault-injecting file system's create hook plants it at that name, so
// every temp path of every format is attacked, not a guessed one.
// Needs root (it acts as `nobody`); CI runs it as root.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/base/fault_injecting_file_system.h"
#include "src/publish/map_reader.h"
#include "src/publish/map_writer.h"

namespace exact::publish {
namespace {

using base::FileOp;
using config::MapFormat;

std::string ReadAll(const std::string& path) {
  auto text = base::ReadFileToString(path);
  return text.ok() ? *text : "<unreadable>";
}

class TempPath : public ::testing::TestWithParam<MapFormat> {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (CI runs it as root)";
    struct passwd* pw = ::getpwnam("nobody");
    ASSERT_NE(pw, nullptr);
    nobody_uid_ = pw->pw_uid;
    nobody_gid_ = pw->pw_gid;
    char tmpl[] = "/tmp/exact-sticky-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    ASSERT_EQ(::chmod(dir_.c_str(), 01777), 0);
    victim_ = dir_ + "/victim";
    ASSERT_TRUE(base::Directory::Open(dir_).ok());
    int fd = ::open(victim_.c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "precious\n", 9), 9);
    ::close(fd);
  }
  std::unique_ptr<MapWriter> Open() {
    auto w = OpenMapWriter({GetParam(), dir_ + "/relay", "", 0640, static_cast<gid_t>(-1), &fs_});
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? std::move(*w) : nullptr;
  }
  std::string File() const { return MapFileName(GetParam(), dir_ + "/relay"); }
  std::vector<std::string> Keys() {
    auto entries = ReadMapFile(GetParam(), File());
    EXPECT_TRUE(entries.ok()) << entries.status();
    std::vector<std::string> keys;
    if (entries.ok()) {
      for (const MapEntry& e : *entries) keys.push_back(e.key);
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  }
  static table::RelaySnapshot Records(const char* a) {
    return table::RelaySnapshot::Of({{*match::IpAddress::Parse(a), "u", 1, 1795000000}});
  }

  uid_t nobody_uid_ = 0;
  gid_t nobody_gid_ = 0;
  std::string dir_, victim_;
  base::FaultInjectingFileSystem fs_;
};

TEST_P(TempPath, PublishesIntoAStickyWorldWritableDirectory) {
  auto dir = base::Directory::Open(dir_);
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->shared_reason(), "sticky and world-writable");  // What the daemon warns of.
  auto w = Open();
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->Write(Records("192.0.2.1")).ok());
  EXPECT_EQ(Keys(), std::vector<std::string>{"192.0.2.1"});
  struct stat st;
  ASSERT_EQ(::stat(File().c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_P(TempPath, ASymlinkPlantedAtEveryTempPathIsNeverFollowed) {
  auto w = Open();
  ASSERT_NE(w, nullptr);
  std::vector<std::string> planted;
  // Every create exact makes finds a symlink to the victim already there,
  // as if the attacker guessed each random name; after 3 the attacker
  // stops guessing and exact's fourth name is free.
  fs_.SetBeforeCreate([&](int dir_fd, const char* name) {
    if (planted.size() >= 3) return;
    ASSERT_EQ(::symlinkat(victim_.c_str(), dir_fd, name), 0);
    planted.push_back(name);
  });
  ASSERT_TRUE(w->Write(Records("192.0.2.1")).ok());
  EXPECT_EQ(planted.size(), 3u);
  EXPECT_EQ(fs_.count(FileOp::kCreate), 4);
  EXPECT_EQ(ReadAll(victim_), "precious\n");
  for (const std::string& name : planted) {
    char target[4096] = {};
    EXPECT_GT(::readlink((dir_ + "/" + name).c_str(), target, sizeof target - 1), 0) << name;
    EXPECT_EQ(std::string(target), victim_);
  }
  EXPECT_EQ(Keys(), std::vector<std::string>{"192.0.2.1"});
  struct stat st;
  ASSERT_EQ(::lstat(File().c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_P(TempPath, AnAttackerWhoTakesEveryNameBlocksOnlyThisPublishLoudly) {
  auto w = Open();
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->Write(Records("192.0.2.1")).ok());
  fs_.SetBeforeCreate(
      [&](int dir_fd, const char* name) { ::symlinkat(victim_.c_str(), dir_fd, name); });
  absl::Status s = w->Write(Records("192.0.2.2"));
  EXPECT_TRUE(absl::IsAlreadyExists(s)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), dir_)) << s;  // Names the directory.
  EXPECT_EQ(ReadAll(victim_), "precious\n");
  EXPECT_EQ(Keys(), std::vector<std::string>{"192.0.2.1"});
}

TEST_P(TempPath, AFileAnotherUserPreCreatedAndHoldsOpenNeverBecomesTheMap) {
  auto w = Open();
  ASSERT_NE(w, nullptr);
  // `nobody` creates a file at exact's first temp name and keeps it open,
  // then appends 6.6.6.6 through that descriptor after the publish.
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = -1;
  ino_t planted_ino = 0;
  fs_.SetBeforeCreate([&](int dir_fd, const char* name) {
    if (child != -1) return;
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    child = ::fork();
    if (child == 0) {
      if (::setgid(nobody_gid_) != 0 || ::setgroups(0, nullptr) != 0 ||
          ::setuid(nobody_uid_) != 0) {
        ::_exit(2);
      }
      int fd = ::openat(dir_fd, name, O_CREAT | O_WRONLY | O_APPEND, 0666);
      if (fd < 0) ::_exit(3);
      (void)!::write(ready[1], "r", 1);
      char c;
      if (::read(go[0], &c, 1) != 1) ::_exit(4);
      if (::write(fd, "6.6.6.6\n", 8) != 8) ::_exit(5);
      ::_exit(0);
    }
    ::close(ready[1]);
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    ::close(ready[0]);
    struct stat st;
    ASSERT_EQ(::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
    ASSERT_EQ(st.st_uid, nobody_uid_);
    planted_ino = st.st_ino;
  });
  ASSERT_TRUE(w->Write(Records("192.0.2.1")).ok());
  ASSERT_GT(child, 0);
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  struct stat st;
  ASSERT_EQ(::stat(File().c_str(), &st), 0);
  EXPECT_NE(st.st_ino, planted_ino);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(Keys(), std::vector<std::string>{"192.0.2.1"});  // No 6.6.6.6.
  ::close(go[0]);
  ::close(go[1]);
}

TEST_P(TempPath, TempNamesAreFreshEachPublishAndUseTheMapsPrefix) {
  auto w = Open();
  ASSERT_NE(w, nullptr);
  std::vector<std::string> names;
  fs_.SetBeforeCreate([&](int, const char* name) { names.push_back(name); });
  ASSERT_TRUE(w->Write(Records("192.0.2.1")).ok());
  ASSERT_TRUE(w->Write(Records("192.0.2.2")).ok());
  ASSERT_EQ(names.size(), 2u);
  EXPECT_NE(names[0], names[1]);
  const std::string prefix = base::SplitPath(File()).second + ".tmp.";
  for (const std::string& n : names) {
    EXPECT_TRUE(absl::StartsWith(n, prefix)) << n;
    EXPECT_EQ(n.size(), prefix.size() + 12) << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, TempPath,
                         ::testing::Values(MapFormat::kText, MapFormat::kDb, MapFormat::kLmdb,
                                           MapFormat::kCdb, MapFormat::kEximText,
                                           MapFormat::kEximCdb),
                         [](const auto& p) {
                           std::string n = config::MapFormatName(p.param);
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(TempPathText, AuthtempIsThePrefixOfTheRandomTempNames) {
  char tmpl[] = "/tmp/exact-map-test-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  base::FaultInjectingFileSystem fs;
  std::vector<std::string> names;
  fs.SetBeforeCreate([&](int, const char* name) { names.push_back(name); });
  auto w = OpenMapWriter(
      {MapFormat::kText, dir + "/relay", dir + "/relay.new", 0640, static_cast<gid_t>(-1), &fs});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(table::RelaySnapshot()).ok());
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(names[0], "relay.new.")) << names[0];
}

}  // namespace
}  // namespace exact::publish
