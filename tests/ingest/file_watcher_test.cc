// The file watcher on real files in a temporary directory: every change the
// log reader must react to wakes Wait(), the rest does not, and without
// inotify it asks for polling. Positive cases wait up to kLong, which they
// should never reach: they check Wait()'s result (true = woken), not time.
#include "src/ingest/file_watcher.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace exact::ingest {
namespace {

constexpr absl::Duration kLong = absl::Seconds(2);
constexpr absl::Duration kShort = absl::Milliseconds(50);
constexpr absl::Duration kFallback = absl::Milliseconds(50);

// Watches held by this process's inotify instances, as the kernel lists
// them: the only way to see a watch that is leaked but ignored.
int CountInotifyWatches() {
  int watches = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (std::filesystem::read_symlink(entry.path(), ec) != "anon_inode:inotify") continue;
    std::ifstream info("/proc/self/fdinfo/" + entry.path().filename().string());
    for (std::string line; std::getline(info, line);) {
      if (line.rfind("inotify wd:", 0) == 0) ++watches;
    }
  }
  return watches;
}

class FileWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/exact-watch-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  // One open, write, close: what a syslog daemon's line looks like to inotify.
  void Append(const std::string& name, const std::string& text) {
    const int fd = ::open(Path(name).c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0) << name;
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
  void Rename(const std::string& from, const std::string& to) {
    ASSERT_EQ(std::rename(Path(from).c_str(), Path(to).c_str()), 0);
  }
  void Remove(const std::string& name) { ASSERT_EQ(::unlink(Path(name).c_str()), 0); }

  std::string dir_;
};

TEST_F(FileWatcherTest, AppendWakes) {
  Append("maillog", "a\n");
  FileWatcher w;
  ASSERT_TRUE(w.inotify_available());
  w.Watch(Path("maillog"));
  w.Watch(Path("maillog"));  // Idempotent.
  Append("maillog", "b\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, NothingHappeningTimesOut) {
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  EXPECT_FALSE(w.Wait(kShort));
  EXPECT_FALSE(w.Wait(absl::ZeroDuration()));
}

TEST_F(FileWatcherTest, OneWaitDrainsEveryPendingEvent) {
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  for (int i = 0; i < 5; ++i) Append("maillog", "b\n");
  ASSERT_TRUE(w.Wait(kLong));
  EXPECT_FALSE(w.Wait(kShort));
}

TEST_F(FileWatcherTest, RenameAwayWakesAndCreateWakesAgain) {
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  Rename("maillog", "maillog.1");
  ASSERT_TRUE(w.Wait(kLong));
  Append("maillog", "new\n");
  ASSERT_TRUE(w.Wait(kLong));
  EXPECT_FALSE(w.Wait(kShort));
}

TEST_F(FileWatcherTest, NewFileAfterRotationIsWatchedWithoutRearm) {
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  Rename("maillog", "maillog.1");
  Append("maillog", "");
  ASSERT_TRUE(w.Wait(kLong));
  ASSERT_FALSE(w.Wait(kShort));
  Append("maillog", "b\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, RotatedAwayFileStaysWatchedForItsDrain) {
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  Rename("maillog", "maillog.1");
  Append("maillog", "");
  ASSERT_TRUE(w.Wait(kLong));
  w.Rearm(Path("maillog"));  // As the reader does after reopening.
  ASSERT_FALSE(w.Wait(kShort));
  // Syslog has not reopened yet and writes to the old file.
  Append("maillog.1", "late\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, FileRotatedAwayTwiceAgoIsNoLongerWatched) {
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  Rename("maillog", "maillog.1");
  Append("maillog", "");
  ASSERT_TRUE(w.Wait(kLong));
  Rename("maillog.1", "maillog.2");
  Rename("maillog", "maillog.1");
  Append("maillog", "");
  ASSERT_TRUE(w.Wait(kLong));
  ASSERT_FALSE(w.Wait(kShort));
  Append("maillog.2", "old\n");
  EXPECT_FALSE(w.Wait(kShort));
  Append("maillog.1", "recent\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, RotationsDoNotAccumulateWatches) {
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  ASSERT_EQ(CountInotifyWatches(), 2);  // The directory and the file.
  for (int i = 0; i < 5; ++i) {
    Rename("maillog", absl::StrCat("maillog.", i));
    Append("maillog", "");
    ASSERT_TRUE(w.Wait(kLong));
    w.Rearm(Path("maillog"));
  }
  EXPECT_EQ(CountInotifyWatches(), 3);  // And the file rotated away last.
}

TEST_F(FileWatcherTest, DeleteWakesAndRecreatedFileIsWatched) {
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  Remove("maillog");
  ASSERT_TRUE(w.Wait(kLong));
  Append("maillog", "");
  ASSERT_TRUE(w.Wait(kLong));
  ASSERT_FALSE(w.Wait(kShort));
  Append("maillog", "b\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, DeleteOfAFileStillOpenWakes) {
  Append("maillog", "a\n");
  const int reader_fd = ::open(Path("maillog").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(reader_fd, 0);
  FileWatcher w;
  w.Watch(Path("maillog"));
  Remove("maillog");
  EXPECT_TRUE(w.Wait(kLong));
  ::close(reader_fd);
}

TEST_F(FileWatcherTest, FileThatAppearsLaterWakes) {
  FileWatcher w;
  w.Watch(Path("maillog"));
  EXPECT_EQ(w.PollInterval(kFallback), absl::Seconds(1));  // Not polled: its directory is watched.
  ASSERT_FALSE(w.Wait(kShort));
  Append("maillog", "a\n");
  ASSERT_TRUE(w.Wait(kLong));
  ASSERT_FALSE(w.Wait(kShort));
  Append("maillog", "b\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, FileRenamedIntoPlaceWakes) {
  Append("maillog.tmp", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  Rename("maillog.tmp", "maillog");
  ASSERT_TRUE(w.Wait(kLong));
  Append("maillog", "b\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, OtherNamesInTheDirectoryDoNotWake) {
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  Append("messages", "x\n");
  Append("maillog.1", "x\n");
  Rename("maillog.1", "maillog.2");
  Remove("messages");
  EXPECT_FALSE(w.Wait(kShort));
}

TEST_F(FileWatcherTest, TwoLogsInOneDirectoryEachWake) {
  Append("maillog", "a\n");
  Append("mail.log", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  w.Watch(Path("mail.log"));
  Append("mail.log", "b\n");
  ASSERT_TRUE(w.Wait(kLong));
  Remove("maillog");
  ASSERT_TRUE(w.Wait(kLong));
  Append("mail.log", "c\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, WatchSharedByTwoPathsOutlivesOneOfThem) {
  // Two names for one inode get one watch descriptor; rotating one name
  // away twice must not remove the watch the other still needs.
  Append("a", "x\n");
  ASSERT_EQ(::link(Path("a").c_str(), Path("b").c_str()), 0);
  FileWatcher w;
  w.Watch(Path("a"));
  w.Watch(Path("b"));
  for (int i = 0; i < 2; ++i) {
    Rename("a", absl::StrCat("a.", i));
    Append("a", "");
    ASSERT_TRUE(w.Wait(kLong));
  }
  ASSERT_FALSE(w.Wait(kShort));
  Append("b", "y\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, WakeFromAnotherThreadInterruptsWait) {
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  std::thread waker([&w] { w.Wake(); });
  EXPECT_TRUE(w.Wait(kLong));
  waker.join();
}

TEST_F(FileWatcherTest, WakeUpsBeforeAWaitMergeIntoOne) {
  FileWatcher w;
  w.Wake();
  w.Wake();
  EXPECT_TRUE(w.Wait(kLong));
  EXPECT_FALSE(w.Wait(kShort));
}

TEST_F(FileWatcherTest, PollIntervalIsASafetyNetWhileEverythingIsWatched) {
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  EXPECT_EQ(w.PollInterval(kFallback), absl::Seconds(1));
  EXPECT_EQ(w.PollInterval(absl::Seconds(3)), absl::Seconds(3));
}

TEST_F(FileWatcherTest, MissingDirectoryIsPolledUntilRearm) {
  FileWatcher w;
  w.Watch(Path("sub/maillog"));
  EXPECT_EQ(w.PollInterval(kFallback), kFallback);
  ASSERT_EQ(::mkdir(Path("sub").c_str(), 0755), 0);
  w.Rearm(Path("sub/maillog"));
  EXPECT_EQ(w.PollInterval(kFallback), absl::Seconds(1));
  Append("sub/maillog", "a\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, RemovedDirectoryWakesAndIsPolled) {
  ASSERT_EQ(::mkdir(Path("sub").c_str(), 0755), 0);
  Append("sub/maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("sub/maillog"));
  Remove("sub/maillog");
  ASSERT_EQ(::rmdir(Path("sub").c_str()), 0);
  EXPECT_TRUE(w.Wait(kLong));
  EXPECT_FALSE(w.Wait(kShort));
  EXPECT_EQ(w.PollInterval(kFallback), kFallback);
}

TEST_F(FileWatcherTest, RenamedDirectoryWakesAndIsPolledUntilReplaced) {
  ASSERT_EQ(::mkdir(Path("sub").c_str(), 0755), 0);
  Append("sub/maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("sub/maillog"));
  Rename("sub", "sub.old");
  ASSERT_TRUE(w.Wait(kLong));
  EXPECT_EQ(w.PollInterval(kFallback), kFallback);
  // A new directory and log, which the reader finds by polling and reopens.
  ASSERT_EQ(::mkdir(Path("sub").c_str(), 0755), 0);
  Append("sub/maillog", "b\n");
  w.Rearm(Path("sub/maillog"));
  EXPECT_EQ(w.PollInterval(kFallback), absl::Seconds(1));
  // The new directory and file, and the old file for the reader's drain.
  EXPECT_EQ(CountInotifyWatches(), 3);
  ASSERT_FALSE(w.Wait(kShort));
  Append("sub/maillog", "c\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, QueueOverflowWakesAndWatchesKeepWorking) {
  long max_events = 0;
  std::ifstream("/proc/sys/fs/inotify/max_queued_events") >> max_events;
  if (max_events <= 0 || max_events > 100000) GTEST_SKIP() << "max_queued_events " << max_events;
  Append("maillog", "a\n");
  FileWatcher w;
  w.Watch(Path("maillog"));
  // Events for another name, which alone would not wake: a create and a
  // delete alternate, so the kernel cannot merge them.
  for (long i = 0; i <= max_events / 2; ++i) {
    Append("other", "");
    Remove("other");
  }
  ASSERT_TRUE(w.Wait(kShort));
  ASSERT_FALSE(w.Wait(kShort));
  Append("maillog", "b\n");
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, PollingModeTimesOutAndAsksForTheFallback) {
  Append("maillog", "a\n");
  FileWatcher w = FileWatcher::ForPolling();
  EXPECT_FALSE(w.inotify_available());
  w.Watch(Path("maillog"));
  Append("maillog", "b\n");
  EXPECT_FALSE(w.Wait(kShort));
  EXPECT_EQ(w.PollInterval(kFallback), kFallback);
  w.Wake();
  EXPECT_TRUE(w.Wait(kLong));
}

TEST_F(FileWatcherTest, WithoutDescriptorsItPollsAndStillWakes) {
  // Out of descriptors: the lowest free one is the limit, so inotify_init1
  // and eventfd both fail with EMFILE.
  const int probe = ::dup(0);
  ASSERT_GE(probe, 0);
  ::close(probe);
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  struct rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(probe);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &tight), 0);
  FileWatcher w;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);

  EXPECT_FALSE(w.inotify_available());
  w.Watch(Path("maillog"));
  EXPECT_EQ(w.PollInterval(kFallback), kFallback);
  EXPECT_FALSE(w.Wait(kShort));
  std::thread waker([&w] { w.Wake(); });
  EXPECT_TRUE(w.Wait(kLong));
  waker.join();
  EXPECT_FALSE(w.Wait(kShort));
}

}  // namespace
}  // namespace exact::ingest
