// base/files: the descriptor and path helpers, and the publish protocol of
// base::Directory and base::TempFile step by step (exclusive random temps,
// modes, commit, cleanup), with the fault-injecting file system where a
// step must fail.
#include "src/base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "src/base/fault_injecting_file_system.h"

namespace exact::base {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/exact-files-test-XXXXXX";
  return ::mkdtemp(tmpl);
}

TEST(UniqueFd, ClosesOnDestructionAndOnReset) {
  int raw = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(raw, 0);
  { UniqueFd fd(raw); }
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);
  UniqueFd fd(::open("/dev/null", O_RDONLY));
  int second = fd.get();
  fd.Reset();
  EXPECT_FALSE(fd.valid());
  EXPECT_EQ(::fcntl(second, F_GETFD), -1);
}

TEST(ErrnoStatus, GivesTheCanonicalCodeAndNamesTheOperation) {
  absl::Status s = ErrnoStatus(ENOENT, "open /x");
  EXPECT_TRUE(absl::IsNotFound(s));
  EXPECT_TRUE(absl::StrContains(s.message(), "open /x")) << s;
  EXPECT_TRUE(absl::IsResourceExhausted(ErrnoStatus(ENOSPC, "write")));
}

TEST(SplitPath, SplitsAtTheLastSlash) {
  EXPECT_EQ(SplitPath("/a/b/c"), std::make_pair(std::string("/a/b"), std::string("c")));
  EXPECT_EQ(SplitPath("/c"), std::make_pair(std::string("/"), std::string("c")));
  EXPECT_EQ(SplitPath("c"), std::make_pair(std::string("."), std::string("c")));
}

TEST(AbsolutePath, LeavesAbsolutePathsAndAnchorsRelativeOnes) {
  EXPECT_EQ(AbsolutePath("/etc/exact.conf"), "/etc/exact.conf");
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  EXPECT_EQ(AbsolutePath("x"), std::string(cwd) + "/x");
}

TEST(PreadFull, ReadsToTheEndAndReportsAShortCountThere) {
  const std::string dir = TempDir();
  auto d = Directory::Open(dir);
  ASSERT_TRUE(d->WriteFileAtomically("f", "0123456789", 0600).ok());
  UniqueFd fd(::open((dir + "/f").c_str(), O_RDONLY));
  char buf[16];
  EXPECT_EQ(PreadFull(fd.get(), buf, 4, 8), 2);
  EXPECT_EQ(std::string(buf, 2), "89");
  EXPECT_EQ(PreadFull(-1, buf, 4, 0), -1);
}

TEST(Directory, OpenCreatesAMissingDirectoryWithTheGivenMode) {
  const std::string dir = TempDir() + "/new";
  ASSERT_TRUE(Directory::Open(dir, 0750).ok());
  struct stat st;
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_TRUE(absl::IsNotFound(Directory::Open(dir + "/missing").status()));
}

TEST(Directory, SaysWhenOthersCanPlantFilesInIt) {
  const std::string dir = TempDir();
  const std::pair<mode_t, const char*> cases[] = {{0700, ""},
                                                  {0755, ""},
                                                  {0777, "world-writable"},
                                                  {01755, "sticky"},
                                                  {01777, "sticky and world-writable"}};
  for (const auto& [mode, reason] : cases) {
    ASSERT_EQ(::chmod(dir.c_str(), mode), 0);
    auto d = Directory::Open(dir);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->shared_reason(), reason) << std::oct << mode;
  }
}

TEST(Directory, WriteFileAtomicallyGivesTheModeDespiteTheUmaskAndLeavesNoTemp) {
  const std::string dir = TempDir();
  auto d = Directory::Open(dir);
  mode_t old = ::umask(077);
  ASSERT_TRUE(d->WriteFileAtomically("f", "hello\n", 0644).ok());
  ::umask(old);
  EXPECT_EQ(*ReadFileToString(dir + "/f"), "hello\n");
  struct stat st;
  ASSERT_EQ(::stat((dir + "/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  auto stale = d->RemoveStaleTemps("f");
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(*stale, 0);
}

TEST(Directory, ReadFileRefusesASymlink) {
  const std::string dir = TempDir();
  auto d = Directory::Open(dir);
  ASSERT_TRUE(d->WriteFileAtomically("real", "x", 0600).ok());
  ASSERT_EQ(::symlink((dir + "/real").c_str(), (dir + "/link").c_str()), 0);
  EXPECT_FALSE(d->ReadFile("link").ok());
  EXPECT_EQ(*d->ReadFile("real"), "x");
}

TEST(TempFile, IsCreatedPrivateThenGivenItsModeAndNeverAtATakenName) {
  const std::string dir = TempDir();
  FaultInjectingFileSystem fs;
  auto d = Directory::Open(dir, 0, &fs);
  int planted = 0;
  fs.SetBeforeCreate([&](int dir_fd, const char* name) {
    if (planted++ == 0) {
      ASSERT_EQ(::mkdirat(dir_fd, name, 0700), 0);  // Taken: a directory.
    }
  });
  auto t = d->CreateTemp("f", 0640);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(fs.count(FileOp::kCreate), 2);
  struct stat st;
  ASSERT_EQ(::fstat(t->fd(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_TRUE(absl::StartsWith(t->name(), "f.tmp.")) << t->name();
}

TEST(TempFile, ProcPathReopensTheSameInode) {
  const std::string dir = TempDir();
  auto d = Directory::Open(dir);
  auto t = d->CreateTemp("f", 0600);
  ASSERT_TRUE(t.ok());
  struct stat by_fd, by_path;
  ASSERT_EQ(::fstat(t->fd(), &by_fd), 0);
  ASSERT_EQ(::stat(t->ProcPath().c_str(), &by_path), 0);
  EXPECT_EQ(by_fd.st_ino, by_path.st_ino);
  EXPECT_EQ(by_fd.st_dev, by_path.st_dev);
}

TEST(TempFile, DroppedUncommittedLeavesTheOldFileAndNoTemp) {
  const std::string dir = TempDir();
  auto d = Directory::Open(dir);
  ASSERT_TRUE(d->WriteFileAtomically("f", "old", 0600).ok());
  std::string name;
  {
    auto t = d->CreateTemp("f", 0600);
    ASSERT_TRUE(t.ok());
    ASSERT_TRUE(t->Write("new").ok());
    name = t->name();
    EXPECT_EQ(::faccessat(d->fd(), name.c_str(), F_OK, 0), 0);
  }
  EXPECT_NE(::faccessat(d->fd(), name.c_str(), F_OK, 0), 0);
  EXPECT_EQ(*d->ReadFile("f"), "old");
}

TEST(TempFile, CommitPublishesOnceAndOnlyOnce) {
  const std::string dir = TempDir();
  auto d = Directory::Open(dir);
  auto t = d->CreateTemp("f", 0600);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(t->Write("new").ok());
  ASSERT_TRUE(t->Commit().ok());
  EXPECT_EQ(*d->ReadFile("f"), "new");
  EXPECT_TRUE(absl::IsFailedPrecondition(t->Commit()));
  EXPECT_EQ(*d->RemoveStaleTemps("f"), 0);  // No temp left.
}

TEST(TempFile, AFailedWriteOrFsyncOrRenameNamesTheFileAndTheCause) {
  const std::string dir = TempDir();
  FaultInjectingFileSystem fs;
  auto d = Directory::Open(dir, 0, &fs);
  for (FileOp op : {FileOp::kWrite, FileOp::kSync, FileOp::kRename, FileOp::kSyncDirectory}) {
    fs.Reset();
    fs.FailNth(op, 0, EIO);
    absl::Status s = d->WriteFileAtomically("f", "data", 0600);
    EXPECT_FALSE(s.ok()) << FileOpName(op);
    EXPECT_TRUE(absl::StrContains(s.message(), dir)) << s;
    EXPECT_TRUE(absl::StrContains(s.message(), "Input/output error")) << s;
  }
}

TEST(TempFile, ShortWritesAreContinued) {
  const std::string dir = TempDir();
  FaultInjectingFileSystem fs;
  auto d = Directory::Open(dir, 0, &fs);
  fs.ShortWriteNth(0, 3);
  ASSERT_TRUE(d->WriteFileAtomically("f", "0123456789", 0600).ok());
  EXPECT_EQ(fs.count(FileOp::kWrite), 2);
  EXPECT_EQ(*d->ReadFile("f"), "0123456789");
}

TEST(Directory, RemoveStaleTempsRemovesOnlyOurNaming) {
  const std::string dir = TempDir();
  auto d = Directory::Open(dir);
  for (const char* name : {"f.tmp.abcdefghijkl", "f.tmp.012345678901", "f.tmp.short",
                           "f.tmp.ABCDEFGHIJKL", "g.tmp.abcdefghijkl", "f"}) {
    ASSERT_EQ(::close(::openat(d->fd(), name, O_CREAT | O_WRONLY, 0600)), 0);
  }
  ASSERT_EQ(::mkdirat(d->fd(), "f.tmp.zzzzzzzzzzzz", 0700), 0);
  auto removed = d->RemoveStaleTemps("f");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2);
  for (const char* kept :
       {"f.tmp.short", "f.tmp.ABCDEFGHIJKL", "g.tmp.abcdefghijkl", "f", "f.tmp.zzzzzzzzzzzz"}) {
    EXPECT_EQ(::faccessat(d->fd(), kept, F_OK, 0), 0) << kept;
  }
  auto with_prefix = d->RemoveStaleTemps("x", "g.tmp");
  ASSERT_TRUE(with_prefix.ok());
  EXPECT_EQ(*with_prefix, 1);
}

TEST(FaultInjectingFileSystem, CountsEachOperationAndFiresEachFaultOnce) {
  const std::string dir = TempDir();
  FaultInjectingFileSystem fs;
  auto d = Directory::Open(dir, 0, &fs);
  fs.FailNth(FileOp::kRename, 1, ENOSPC);
  EXPECT_TRUE(d->WriteFileAtomically("f", "1", 0600).ok());
  absl::Status s = d->WriteFileAtomically("f", "2", 0600);
  EXPECT_TRUE(absl::IsResourceExhausted(s)) << s;
  EXPECT_TRUE(d->WriteFileAtomically("f", "3", 0600).ok());
  EXPECT_EQ(fs.count(FileOp::kCreate), 3);
  EXPECT_EQ(fs.count(FileOp::kRename), 3);
  EXPECT_EQ(fs.count(FileOp::kSyncDirectory), 2);  // Not after the failed rename.
  EXPECT_EQ(fs.injected(), 1);
  EXPECT_EQ(*d->ReadFile("f"), "3");
}

}  // namespace
}  // namespace exact::base
