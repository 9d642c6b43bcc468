// The pid file: locked for the daemon's life, refused to a second daemon,
// and never written through anything another user could have put there.
#include "src/daemon/pidfile.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace exact::daemon {
namespace {

class PidFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/exact-pidfile-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/exact.pid";
  }
  std::string Contents(const std::string& path) {
    auto text = base::ReadFileToString(path);
    return text.ok() ? *text : "<unreadable>";
  }
  std::string dir_, path_;
};

TEST_F(PidFileTest, WritesOurPidOverAStaleOne) {
  {
    int fd = ::open(path_.c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_EQ(::write(fd, "999999999\nleftover\n", 19), 19);
    ::close(fd);
  }
  auto pf = PidFile::Acquire(path_);
  ASSERT_TRUE(pf.ok()) << pf.status();
  EXPECT_EQ(Contents(path_), absl::StrCat(::getpid(), "\n"));
}

TEST_F(PidFileTest, ASecondProcessIsRefusedAndToldThePid) {
  auto pf = PidFile::Acquire(path_);
  ASSERT_TRUE(pf.ok()) << pf.status();
  // fcntl locks are per process: the second daemon must be another one.
  pid_t child = ::fork();
  if (child == 0) {
    auto second = PidFile::Acquire(path_);
    const bool refused =
        absl::IsFailedPrecondition(second.status()) &&
        absl::StrContains(second.status().message(), absl::StrCat("pid ", ::getppid()));
    ::_exit(refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(Contents(path_), absl::StrCat(::getpid(), "\n"));  // Untouched by the loser.
}

TEST_F(PidFileTest, ASymlinkAtThePathIsNeverFollowed) {
  const std::string victim = dir_ + "/victim";
  {
    int fd = ::open(victim.c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_EQ(::write(fd, "precious\n", 9), 9);
    ::close(fd);
  }
  ASSERT_EQ(::symlink(victim.c_str(), path_.c_str()), 0);
  EXPECT_FALSE(PidFile::Acquire(path_).ok());
  EXPECT_EQ(Contents(victim), "precious\n");
}

TEST_F(PidFileTest, AHardLinkToAnotherFileIsRefusedUntruncated) {
  const std::string victim = dir_ + "/victim";
  {
    int fd = ::open(victim.c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_EQ(::write(fd, "precious\n", 9), 9);
    ::close(fd);
  }
  ASSERT_EQ(::link(victim.c_str(), path_.c_str()), 0);
  auto pf = PidFile::Acquire(path_);
  EXPECT_TRUE(absl::IsPermissionDenied(pf.status())) << pf.status();
  EXPECT_EQ(Contents(victim), "precious\n");
}

TEST_F(PidFileTest, ADirectoryOthersMayWriteIsRefused) {
  for (mode_t mode : {0770, 0777, 01777}) {
    ASSERT_EQ(::chmod(dir_.c_str(), mode), 0);
    auto pf = PidFile::Acquire(path_);
    EXPECT_TRUE(absl::IsPermissionDenied(pf.status())) << pf.status();
    EXPECT_TRUE(absl::StrContains(pf.status().message(), dir_)) << pf.status();
    EXPECT_NE(::access(path_.c_str(), F_OK), 0) << "created in an unsafe directory";
  }
}

TEST_F(PidFileTest, ADirectoryOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the directory away (CI runs as root)";
  struct passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  // What 1.x did: the pid file's directory handed to `user`.
  ASSERT_EQ(::chown(dir_.c_str(), nobody->pw_uid, nobody->pw_gid), 0);
  auto pf = PidFile::Acquire(path_);
  EXPECT_TRUE(absl::IsPermissionDenied(pf.status())) << pf.status();
  EXPECT_TRUE(absl::StrContains(pf.status().message(), "chown root")) << pf.status();
  EXPECT_NE(::access(path_.c_str(), F_OK), 0);
}

TEST_F(PidFileTest, UpdateRewritesThePidInPlace) {
  auto pf = PidFile::Acquire(path_);
  ASSERT_TRUE(pf.ok());
  {
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND);
    ASSERT_EQ(::write(fd, "junk\n", 5), 5);
    ::close(fd);
  }
  ASSERT_TRUE(pf->Update().ok());
  EXPECT_EQ(Contents(path_), absl::StrCat(::getpid(), "\n"));
}

}  // namespace
}  // namespace exact::daemon
