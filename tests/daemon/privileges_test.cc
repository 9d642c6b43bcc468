// The privilege drop, tried for real in forked children (setuid cannot be
// undone in the test process): the child ends with exactly the account's
// uid, gid and groups and cannot regain root, and it can still publish
// every map format through directories opened before the drop. Needs root.
#include "src/daemon/privileges.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "src/publish/map_reader.h"
#include "src/publish/map_writer.h"

namespace exact::daemon {
namespace {

// Runs `fn` in a child; its return value is the child's exit code.
int InChild(const std::function<int()>& fn) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(fn());
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

class Privileges : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (CI runs it as root)";
  }
};

TEST_F(Privileges, DropToNobodySetsExactlyItsIdsAndNoOtherGroups) {
  auto account = ResolveAccount("nobody", "", "");
  ASSERT_TRUE(account.ok()) << account.status();
  ASSERT_TRUE(account->has_value());
  const Account a = **account;
  EXPECT_TRUE(a.groups.empty());
  const int rc = InChild([&] {
    if (!DropPrivileges(a).ok()) return 1;
    if (::getuid() != a.uid || ::geteuid() != a.uid) return 2;
    if (::getgid() != a.gid || ::getegid() != a.gid) return 3;
    gid_t groups[64];
    if (::getgroups(64, groups) != 0) return 4;  // Root's groups are gone.
    if (::setuid(0) == 0 || ::seteuid(0) == 0) return 5;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST_F(Privileges, LoggroupIsTheOnlySupplementaryGroup) {
  auto account = ResolveAccount("nobody", "nogroup", "adm");
  ASSERT_TRUE(account.ok()) << account.status();
  ASSERT_TRUE(account->has_value());
  const Account a = **account;
  struct group* adm = ::getgrnam("adm");
  ASSERT_NE(adm, nullptr);
  ASSERT_EQ(a.groups, std::vector<gid_t>{adm->gr_gid});
  EXPECT_EQ(a.group_names, "nogroup, adm");
  const int rc = InChild([&] {
    if (!DropPrivileges(a).ok()) return 1;
    gid_t groups[64];
    int n = ::getgroups(64, groups);
    return n == 1 && groups[0] == adm->gr_gid ? 0 : 2;
  });
  EXPECT_EQ(rc, 0);
}

TEST_F(Privileges, UnknownNamesAreNotFoundAndRootMeansNoSwitch) {
  auto user = ResolveAccount("no-such-user-exact", "", "");
  EXPECT_TRUE(absl::IsNotFound(user.status()));
  EXPECT_TRUE(absl::StrContains(user.status().message(), "no-such-user-exact"));
  EXPECT_TRUE(absl::IsNotFound(ResolveAccount("nobody", "no-such-group-exact", "").status()));
  EXPECT_TRUE(absl::IsNotFound(ResolveAccount("nobody", "", "no-such-group-exact").status()));
  auto root = ResolveAccount("root", "", "");
  ASSERT_TRUE(root.ok());
  EXPECT_FALSE(root->has_value());
}

TEST_F(Privileges, CheckLogAccessNamesWhatTheAccountCannotRead) {
  char tmpl[] = "/tmp/exact-priv-test-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  const std::string open_log = dir + "/open.log", closed_log = dir + "/closed.log";
  for (const auto& [path, mode] : {std::pair{open_log, 0644}, std::pair{closed_log, 0600}}) {
    ASSERT_EQ(::close(::open(path.c_str(), O_CREAT | O_WRONLY, mode)), 0);
    ASSERT_EQ(::chmod(path.c_str(), static_cast<mode_t>(mode)), 0);
  }
  auto account = ResolveAccount("nobody", "", "");
  ASSERT_TRUE(account.ok() && account->has_value());
  EXPECT_TRUE(CheckLogAccess(**account, {open_log}).empty());
  std::vector<std::string> problems = CheckLogAccess(**account, {open_log, closed_log});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(absl::StrContains(problems[0], "cannot read " + closed_log)) << problems[0];
  EXPECT_TRUE(absl::StrContains(problems[0], "loggroup")) << problems[0];
}

TEST_F(Privileges, PrepareDirectoryMakesAPrivateDirectoryForTheAccount) {
  char tmpl[] = "/tmp/exact-priv-test-XXXXXX";
  const std::string dir = std::string(::mkdtemp(tmpl)) + "/a/b";
  auto account = ResolveAccount("nobody", "", "");
  ASSERT_TRUE(account.ok() && account->has_value());
  ASSERT_TRUE(PrepareDirectory(dir, *account).ok());
  struct stat st;
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_uid, (*account)->uid);
  ASSERT_EQ(::stat(base::SplitPath(dir).first.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);  // Parents stay root's.
}

TEST_F(Privileges, EveryFormatPublishesAfterTheDrop) {
  // LMDB and Berkeley DB reopen exact's temp through /proc/self/fd, which a
  // process that dropped privileges may still do for its own descriptors.
  char tmpl[] = "/tmp/exact-priv-test-XXXXXX";
  const std::string dir = std::string(::mkdtemp(tmpl)) + "/maps";
  auto account = ResolveAccount("nobody", "", "");
  ASSERT_TRUE(account.ok() && account->has_value());
  ASSERT_TRUE(PrepareDirectory(dir, *account).ok());
  using config::MapFormat;
  const MapFormat formats[] = {MapFormat::kText, MapFormat::kDb,       MapFormat::kLmdb,
                               MapFormat::kCdb,  MapFormat::kEximText, MapFormat::kEximCdb};
  const int rc = InChild([&] {
    std::vector<std::unique_ptr<publish::MapWriter>> writers;
    for (MapFormat f : formats) {
      auto w = publish::OpenMapWriter({f, dir + "/relay", "", 0640});
      if (!w.ok()) return 1;
      writers.push_back(std::move(*w));
    }
    if (!DropPrivileges(**account).ok()) return 2;
    auto snapshot =
        table::RelaySnapshot::Of({{*match::IpAddress::Parse("192.0.2.9"), "u", 1, 1795000000}});
    for (auto& w : writers) {
      if (!w->Write(snapshot).ok()) return 3;
    }
    return 0;
  });
  ASSERT_EQ(rc, 0);
  for (MapFormat f : formats) {
    const std::string file = publish::MapFileName(f, dir + "/relay");
    auto entries = publish::ReadMapFile(f, file);
    ASSERT_TRUE(entries.ok()) << entries.status();
    ASSERT_EQ(entries->size(), 1u) << file;
    struct stat st;
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, (*account)->uid) << file;
  }
}

}  // namespace
}  // namespace exact::daemon
