// The log reader: whole lines only, oversized lines dropped and counted,
// rotation and truncation followed; replayed files cut into ranges that the
// consumer reads give exactly the lines that reading them here gives.
#include "src/ingest/log_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace exact::ingest {
namespace {

class LogReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/exact-reader-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  std::string Path(const std::string& name) { return dir_ + "/" + name; }
  void Append(const std::string& name, const std::string& text) {
    std::ofstream(Path(name), std::ios::app) << text;
  }
  // Collects what the reader emits; returns the concatenated chunks.
  std::string Replay(std::vector<std::string> files, ReaderOptions opts, size_t capacity = 4096) {
    ChunkPool pool(4, capacity);
    SpscRing<Chunk*> ring(4);
    opts.follow = false;
    LogReader reader(std::move(files), opts, &pool, &ring);
    EXPECT_TRUE(reader.Open().ok());
    std::thread t([&] { reader.Run(); });
    std::string out;
    Chunk* c;
    while (ring.Pop(&c)) {
      if (c->unread) ++ranges_;
      FillChunk(c);
      // Bytes sit at their file offset's alignment, which keeps the
      // kernel's copy fast.
      const auto address = reinterpret_cast<uintptr_t>(c->text().data());
      if (c->size > 0 && (address - c->file_offset) % Chunk::kAlign != 0) ++misaligned_;
      out.append(c->text().data(), c->text().size());
      if (opts.book != nullptr) opts.book->Applied(c->generation, c->file_offset + c->size);
      pool.Release(c);
    }
    t.join();
    oversized_ = reader.counts().oversized_lines.load();
    lost_files_ = reader.counts().lost_files.load();
    return out;
  }
  // The checkpoint of `name` as it is now, at `offset`.
  base::LogPosition PositionOf(const std::string& name, uint64_t offset, uint32_t index = 0) {
    base::LogPosition p;
    p.index = index;
    p.path = Path(name);
    struct stat st;
    EXPECT_EQ(::stat(Path(name).c_str(), &st), 0);
    p.dev = st.st_dev;
    p.ino = st.st_ino;
    p.offset = offset;
    int fd = ::open(Path(name).c_str(), O_RDONLY);
    FileHead head = ReadHead(fd);
    ::close(fd);
    p.head_len = head.len;
    p.head_crc = head.crc;
    return p;
  }
  void Rename(const std::string& from, const std::string& to) {
    ASSERT_EQ(::rename(Path(from).c_str(), Path(to).c_str()), 0);
  }
  uint64_t lost_files_ = 0;
  std::string dir_;
  uint64_t oversized_ = 0;
  int ranges_ = 0;      // Chunks the consumer had to read itself.
  int misaligned_ = 0;  // Chunks whose bytes are not at their file alignment.
};

TEST_F(LogReaderTest, ReplayReadsFilesInOrderWholeLines) {
  Append("a", "a1\na2\n");
  Append("b", "b1\nb2-unterminated");
  ReaderOptions opts;
  opts.from_start = true;
  EXPECT_EQ(Replay({Path("a"), Path("b")}, opts), "a1\na2\nb1\nb2-unterminated");
}

TEST_F(LogReaderTest, ResumesAtTheCheckpoint) {
  Append("log", "a1\na2\na3\n");
  ReaderOptions opts;
  opts.resume = {PositionOf("log", 3)};
  EXPECT_EQ(Replay({Path("log")}, opts), "a2\na3\n");
}

TEST_F(LogReaderTest, ALogRotatedWhileDownIsFinishedThenTheNewOneRead) {
  Append("log", "a1\na2\n");
  ReaderOptions opts;
  opts.resume = {PositionOf("log", 3)};
  Append("log", "a3\n");  // Written before the rotation, after the checkpoint.
  Rename("log", "log.1");
  Append("log", "n1\n");
  EXPECT_EQ(Replay({Path("log")}, opts), "a2\na3\nn1\n");
}

TEST_F(LogReaderTest, ALogRotatedTwiceWhileDownIsFoundByInode) {
  Append("log", "a1\na2\n");
  ReaderOptions opts;
  opts.resume = {PositionOf("log", 3)};
  Rename("log", "log.1");
  Append("log", "b1\n");
  // Written after the first file, and seen so even on coarse clocks.
  struct timespec later[2] = {{0, UTIME_OMIT}, {::time(nullptr) + 2, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, Path("log").c_str(), later, 0), 0);
  Rename("log.1", "log.2");
  Rename("log", "log.1");
  Append("log", "c1\n");
  // The middle file was never checkpointed: it is newer than the file the
  // checkpoint names, so it is read whole.
  EXPECT_EQ(Replay({Path("log")}, opts), "a2\nb1\nc1\n");
}

TEST_F(LogReaderTest, ACopytruncateWhileDownIsFinishedFromTheCopy) {
  Append("log", "a1\na2\na3\n");
  ReaderOptions opts;
  opts.resume = {PositionOf("log", 3)};
  {
    std::ifstream in(Path("log"));
    std::ofstream(Path("log.1")) << in.rdbuf();
  }
  ASSERT_EQ(::truncate(Path("log").c_str(), 0), 0);
  Append("log", "n1\n");
  EXPECT_EQ(Replay({Path("log")}, opts), "a2\na3\nn1\n");
}

TEST_F(LogReaderTest, AReplacedFileWithTheSameInodeIsReadFromTheStart) {
  Append("log", "a1\na2\na3\n");
  ReaderOptions opts;
  opts.resume = {PositionOf("log", 3)};
  std::ofstream(Path("log"), std::ios::trunc) << "z1\nz2\nz3\nz4\n";  // Longer, another head.
  EXPECT_EQ(Replay({Path("log")}, opts), "z1\nz2\nz3\nz4\n");
  EXPECT_EQ(lost_files_, 1u);
}

TEST_F(LogReaderTest, TheBookEndsAtTheLastAppliedLine) {
  Append("log", "a1\na2\n");
  CheckpointBook book;
  ReaderOptions opts;
  opts.from_start = true;
  opts.book = &book;
  EXPECT_EQ(Replay({Path("log")}, opts), "a1\na2\n");
  // Replayed to its end and closed: nothing left to resume.
  EXPECT_TRUE(book.Positions().empty());
}

TEST_F(LogReaderTest, ReplaySinceATimeSeeksByBisection) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += std::to_string(1000 + i) + " line of some length\n";
  Append("log", text);
  ReaderOptions opts;
  int probes = 0;
  opts.time_of = [&probes](absl::string_view line) -> std::optional<int64_t> {
    ++probes;
    int64_t n;
    if (!absl::SimpleAtoi(line.substr(0, line.find(' ')), &n)) return std::nullopt;
    return n * 1000000 + 300LL * 1000000;  // The reader seeks 300 s early.
  };
  opts.replay_since_us = (1000 + 15000) * 1000000LL + 300LL * 1000000;
  const std::string got = Replay({Path("log")}, opts);
  // Starts at or before line 15000, and not far before it (one 64 KiB window).
  ASSERT_NE(got.find("16000 line"), std::string::npos);
  EXPECT_LE(got.size(), text.size() - text.find("16000 line") + 70000);
  EXPECT_LT(probes, 2000);  // Bisection, not a scan of 20,000 lines.
}

TEST_F(LogReaderTest, ACharacterDeviceIsRefused) {
  ChunkPool pool(4, 4096);
  SpscRing<Chunk*> ring(4);
  ReaderOptions opts;
  opts.follow = false;
  opts.from_start = true;
  LogReader reader({"/dev/zero"}, opts, &pool, &ring);
  absl::Status st = reader.Open();
  EXPECT_TRUE(absl::IsFailedPrecondition(st)) << st;
  EXPECT_NE(st.message().find("character device"), absl::string_view::npos);
  EXPECT_FALSE(CheckLogKind("/dev/zero").ok());
}

TEST_F(LogReaderTest, AFifoIsReadAsAStream) {
  ASSERT_EQ(::mkfifo(Path("fifo").c_str(), 0600), 0);
  std::thread writer([this] {
    int fd = ::open(Path("fifo").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    const std::string text = "f1\nf2\n";
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fd);
  });
  // The writer is joined before the read, so its bytes wait in the pipe.
  ReaderOptions opts;
  opts.from_start = true;
  ChunkPool pool(4, 4096);
  SpscRing<Chunk*> ring(4);
  opts.follow = false;
  LogReader reader({Path("fifo")}, opts, &pool, &ring);
  ASSERT_TRUE(reader.Open().ok());
  writer.join();
  std::thread t([&] { reader.Run(); });
  std::string out;
  Chunk* c;
  while (ring.Pop(&c)) {
    out.append(c->text().data(), c->text().size());
    pool.Release(c);
  }
  t.join();
  EXPECT_EQ(out, "f1\nf2\n");
}

TEST_F(LogReaderTest, ChunksAlwaysEndAtALineBoundary) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "line number " + std::to_string(i) + "\n";
  Append("a", text);
  ChunkPool pool(4, 1000);
  SpscRing<Chunk*> ring(4);
  ReaderOptions opts;
  opts.follow = false;
  opts.from_start = true;
  opts.max_line_bytes = 200;
  LogReader reader({Path("a")}, opts, &pool, &ring);
  ASSERT_TRUE(reader.Open().ok());
  std::thread t([&] { reader.Run(); });
  std::string out;
  Chunk* c;
  int chunks = 0;
  while (ring.Pop(&c)) {
    FillChunk(c);
    EXPECT_EQ(c->text().back(), '\n');
    EXPECT_EQ(c->file_offset, out.size());
    out.append(c->text().data(), c->text().size());
    pool.Release(c);
    ++chunks;
  }
  t.join();
  EXPECT_EQ(out, text);
  EXPECT_GT(chunks, 20);
}

TEST_F(LogReaderTest, OversizedLineIsDroppedAndCounted) {
  Append("a", "before\n" + std::string(10000, 'x') + "\nafter\n");
  ReaderOptions opts;
  opts.from_start = true;
  opts.max_line_bytes = 500;
  EXPECT_EQ(Replay({Path("a")}, opts, 1024), "before\nafter\n");
  EXPECT_EQ(oversized_, 1u);
}

// Lines of every length up to max_line_bytes, empty lines, lines far longer
// than a chunk (dropped either way), files with and without a final newline:
// ranges read by the consumer must give the same bytes and the same count of
// dropped lines as the reader's own read()s, whatever the chunk capacity.
TEST_F(LogReaderTest, RangesGiveTheSameLinesAsReads) {
  constexpr size_t kMaxLine = 200;
  std::mt19937 rng(7);
  std::string expected;
  uint64_t expected_oversized = 0;
  std::vector<std::string> files;
  for (int f = 0; f < 3; ++f) {
    std::string text;
    for (int i = 0; i < 3000; ++i) {
      size_t len = rng() % 50 == 0 ? 5000 + rng() % 3000 : rng() % (kMaxLine + 1);
      std::string line(len, static_cast<char>('a' + rng() % 26));
      if (len > kMaxLine) {
        ++expected_oversized;
      } else {
        expected += line + "\n";
      }
      text += line + "\n";
    }
    if (f == 1) {  // An unterminated last line is kept.
      text += "tail";
      expected += "tail";
    }
    std::string name = "f" + std::to_string(f);
    Append(name, text);
    files.push_back(Path(name));
  }
  for (size_t capacity : {size_t{403}, size_t{1000}, size_t{4096}}) {
    ReaderOptions opts;
    opts.from_start = true;
    opts.max_line_bytes = kMaxLine;
    opts.consumer_reads = false;
    ranges_ = 0;
    EXPECT_EQ(Replay(files, opts, capacity), expected) << capacity;
    EXPECT_EQ(oversized_, expected_oversized) << capacity;
    EXPECT_EQ(ranges_, 0);
    opts.consumer_reads = true;
    EXPECT_EQ(Replay(files, opts, capacity), expected) << capacity;
    EXPECT_EQ(oversized_, expected_oversized) << capacity;
    EXPECT_GT(ranges_, 10) << capacity;
    EXPECT_EQ(misaligned_, 0) << capacity;
  }
}

TEST_F(LogReaderTest, StartingAtTheEndSkipsTheHalfLine) {
  Append("a", "old line\nhalf");
  ReaderOptions opts;
  opts.from_start = false;
  EXPECT_EQ(Replay({Path("a")}, opts), "");
}

TEST_F(LogReaderTest, MissingFileInReplayIsNotFound) {
  ChunkPool pool(2, 1024);
  SpscRing<Chunk*> ring(2);
  ReaderOptions opts;
  opts.follow = false;
  LogReader reader({Path("nope")}, opts, &pool, &ring);
  EXPECT_TRUE(absl::IsNotFound(reader.Open()));
}

// Two rotations before the reader looks at the name again: the file between
// them (a.1, made by the first, moved by the second) is read too. The reader
// cannot look before it has read all of the big first file, which needs more
// chunks than the pool holds, so the gated consumer orders the steps.
TEST_F(LogReaderTest, TwoRotationsBetweenLooksLoseNoFile) {
  std::string first;  // 20 KB: five 4 KiB chunks and more.
  for (int i = 0; i < 40; ++i) first += std::string(500, 'x') + "\n";
  Append("a", first);
  ChunkPool pool(4, 4096);
  SpscRing<Chunk*> ring(4);
  ReaderOptions opts;
  opts.follow = true;
  opts.from_start = true;
  opts.poll_interval = absl::Milliseconds(5);
  opts.rotate_wait = absl::Milliseconds(200);
  LogReader reader({Path("a")}, opts, &pool, &ring);
  ASSERT_TRUE(reader.Open().ok());
  std::thread t([&] { reader.Run(); });
  Rename("a", "a.1");
  Append("a", "middle file line\n");
  Rename("a.1", "a.2");
  Rename("a", "a.1");
  Append("a", "newest file line\n");
  std::string got;
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  Chunk* c;
  while ((got.find("middle file line\n") == std::string::npos ||
          got.find("newest file line\n") == std::string::npos) &&
         absl::Now() < deadline) {
    if (!ring.TryPop(&c)) {
      absl::SleepFor(absl::Milliseconds(2));
      continue;
    }
    got.append(c->text().data(), c->text().size());
    pool.Release(c);
  }
  reader.Stop();
  std::thread drain([&] {
    while (ring.Pop(&c)) pool.Release(c);
  });
  t.join();
  drain.join();
  EXPECT_NE(got.find("middle file line\n"), std::string::npos);
  EXPECT_NE(got.find("newest file line\n"), std::string::npos);
  EXPECT_EQ(got.find(first), 0u);
}

// Follow mode: a consumer thread collects lines until `want` is seen or a
// generous deadline passes (the deadline bounds the test; it asserts nothing
// about speed).
class FollowTest : public LogReaderTest {
 protected:
  void Start(std::vector<std::string> files) {
    ReaderOptions opts;
    opts.follow = true;
    opts.from_start = true;
    opts.poll_interval = absl::Milliseconds(5);
    opts.rotate_wait = absl::Seconds(1);
    reader_ = std::make_unique<LogReader>(std::move(files), opts, &pool_, &ring_);
    ASSERT_TRUE(reader_->Open().ok());
    reader_thread_ = std::thread([this] { reader_->Run(); });
    consumer_ = std::thread([this] {
      Chunk* c;
      while (ring_.Pop(&c)) {
        {
          std::lock_guard<std::mutex> l(mu_);
          got_.append(c->text().data(), c->text().size());
        }
        pool_.Release(c);
      }
    });
  }
  bool WaitFor(const std::string& want) {
    absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      {
        std::lock_guard<std::mutex> l(mu_);
        if (got_ == want) return true;
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
    std::lock_guard<std::mutex> l(mu_);
    ADD_FAILURE() << "got \"" << got_ << "\", want \"" << want << "\"";
    return false;
  }
  void TearDown() override {
    if (reader_) reader_->Stop();
    if (reader_thread_.joinable()) reader_thread_.join();
    if (consumer_.joinable()) consumer_.join();
  }
  ChunkPool pool_{4, 4096};
  SpscRing<Chunk*> ring_{4};
  std::unique_ptr<LogReader> reader_;
  std::thread reader_thread_, consumer_;
  std::mutex mu_;
  std::string got_;
};

TEST_F(FollowTest, PartialLineIsHeldUntilItsNewline) {
  Append("a", "one\n");
  Start({Path("a")});
  ASSERT_TRUE(WaitFor("one\n"));
  Append("a", "tw");
  absl::SleepFor(absl::Milliseconds(50));
  {
    std::lock_guard<std::mutex> l(mu_);
    EXPECT_EQ(got_, "one\n");
  }
  Append("a", "o\n");
  EXPECT_TRUE(WaitFor("one\ntwo\n"));
}

TEST_F(FollowTest, RenameAndCreateRotationIsFollowed) {
  Append("a", "before\n");
  Start({Path("a")});
  ASSERT_TRUE(WaitFor("before\n"));
  ASSERT_EQ(::rename(Path("a").c_str(), Path("a.1").c_str()), 0);
  Append("a.1", "late write to old file\n");
  Append("a", "new file line\n");
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  for (;;) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (got_.find("late write to old file\n") != std::string::npos &&
          got_.find("new file line\n") != std::string::npos) {
        break;
      }
    }
    ASSERT_LT(absl::Now(), deadline) << got_;
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(reader_->counts().rotations.load(), 1u);
}

TEST_F(FollowTest, CopyTruncateStartsAgainFromZero) {
  Append("a", "first line that is long\n");
  Start({Path("a")});
  ASSERT_TRUE(WaitFor("first line that is long\n"));
  ASSERT_EQ(::truncate(Path("a").c_str(), 0), 0);
  // Wait until the reader has seen the truncation before writing again, so
  // the new data is not mistaken for growth past the old offset.
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (reader_->counts().truncations.load() == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  Append("a", "x\n");
  EXPECT_TRUE(WaitFor("first line that is long\nx\n"));
}

TEST_F(FollowTest, MissingFileIsWaitedFor) {
  Start({Path("later")});
  Append("later", "appeared\n");
  EXPECT_TRUE(WaitFor("appeared\n"));
}

}  // namespace
}  // namespace exact::ingest
