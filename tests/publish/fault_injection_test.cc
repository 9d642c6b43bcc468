// Fault injection at every step exact controls of every format's publish
// (leveldb's fault_injection_test in spirit): an ENOSPC or EIO at any
// create, write, fsync, rename or directory fsync leaves the published map
// whole (read back with the format's own reader), returns an error naming
// the step, the file and the cause (what the daemon logs), leaves no temp
// behind, and the next publish succeeds. LMDB, Berkeley DB and tinycdb
// write their files themselves: for them the injected steps are exact's
// (the temp's creation, fsync, rename and the directory's fsync), and a
// real failure of the library's own writes comes from RLIMIT_FSIZE.
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/base/fault_injecting_file_system.h"
#include "src/publish/map_reader.h"
#include "src/publish/map_writer.h"
#include "src/table/state_file.h"

namespace exact::publish {
namespace {

using base::FileOp;
using config::MapFormat;

constexpr FileOp kSteps[] = {FileOp::kCreate, FileOp::kWrite, FileOp::kSync, FileOp::kRename,
                             FileOp::kSyncDirectory};
constexpr int kErrors[] = {ENOSPC, EIO};

bool LibraryWrites(MapFormat f) {
  return f == MapFormat::kLmdb || f == MapFormat::kDb || f == MapFormat::kCdb ||
         f == MapFormat::kEximCdb;
}

std::vector<table::RelayRecord> Records(uint32_t first, int n) {
  std::vector<table::RelayRecord> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({match::IpAddress::FromV4(first + static_cast<uint32_t>(i)), "u", 1, 1795000000});
  }
  return out;
}

std::vector<std::string> DirectoryEntries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  while (struct dirent* e = d ? ::readdir(d) : nullptr) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      out.push_back(e->d_name);
    }
  }
  if (d) ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

class FaultInjection : public ::testing::TestWithParam<MapFormat> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/exact-fault-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto w = OpenMapWriter({GetParam(), dir_ + "/relay", "", 0640, static_cast<gid_t>(-1), &fs_});
    ASSERT_TRUE(w.ok()) << w.status();
    writer_ = std::move(*w);
    // Big enough for several writes per map in the formats exact writes.
    old_ = Records(0x0a000000, 20000);
    new_ = Records(0x0b000000, 20000);
  }
  std::string File() const { return MapFileName(GetParam(), dir_ + "/relay"); }
  // The map's keys, read back with its format's reader.
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
  std::vector<std::string> KeysOf(const std::vector<table::RelayRecord>& r) const {
    std::vector<std::string> k;
    for (const table::RelayRecord& x : r) k.push_back(MapKey(GetParam(), x.address));
    std::sort(k.begin(), k.end());
    return k;
  }
  absl::Status Publish(const std::vector<table::RelayRecord>& r) {
    return writer_->Write(table::RelaySnapshot::Of(r));
  }

  std::string dir_;
  base::FaultInjectingFileSystem fs_;
  std::unique_ptr<MapWriter> writer_;
  std::vector<table::RelayRecord> old_, new_;
};

TEST_P(FaultInjection, EveryPublishGoesThroughTheStepsExactControls) {
  ASSERT_TRUE(Publish(old_).ok());
  fs_.Reset();
  ASSERT_TRUE(Publish(new_).ok());
  EXPECT_EQ(fs_.count(FileOp::kCreate), 1);
  EXPECT_EQ(fs_.count(FileOp::kSync), 1);
  EXPECT_EQ(fs_.count(FileOp::kRename), 1);
  EXPECT_EQ(fs_.count(FileOp::kSyncDirectory), 1);
  if (LibraryWrites(GetParam())) {
    EXPECT_EQ(fs_.count(FileOp::kWrite), 0);
  } else {
    EXPECT_GE(fs_.count(FileOp::kWrite), 1);
  }
}

TEST_P(FaultInjection, AnErrorAtAnyStepKeepsTheOldMapWholeAndTheRetrySucceeds) {
  ASSERT_TRUE(Publish(old_).ok());
  fs_.Reset();
  ASSERT_TRUE(Publish(new_).ok());
  int counts[base::kFileOpCount];
  for (FileOp op : kSteps) counts[static_cast<int>(op)] = fs_.count(op);
  ASSERT_TRUE(Publish(old_).ok());
  const std::vector<std::string> clean = DirectoryEntries(dir_);
  int injected = 0;
  for (FileOp op : kSteps) {
    for (int nth = 0; nth < counts[static_cast<int>(op)]; ++nth) {
      for (int err : kErrors) {
        SCOPED_TRACE(absl::StrCat(base::FileOpName(op), " #", nth, ": ", std::strerror(err)));
        fs_.Reset();
        fs_.FailNth(op, nth, err);
        absl::Status s = Publish(new_);
        ASSERT_EQ(fs_.injected(), 1);
        ++injected;
        EXPECT_FALSE(s.ok());
        // What the daemon logs: the step, the file, the cause.
        EXPECT_TRUE(absl::StrContains(s.message(), std::strerror(err))) << s;
        EXPECT_TRUE(absl::StrContains(s.message(), dir_)) << s;
        // The rename is the commit point: a failed directory fsync after it
        // leaves the new map in place, whole; every earlier failure the old.
        EXPECT_EQ(Keys(), op == FileOp::kSyncDirectory ? KeysOf(new_) : KeysOf(old_));
        EXPECT_EQ(DirectoryEntries(dir_), clean) << "a temp was left behind";
        // The retry (the daemon's, five seconds later) succeeds.
        ASSERT_TRUE(Publish(new_).ok());
        EXPECT_EQ(Keys(), KeysOf(new_));
        ASSERT_TRUE(Publish(old_).ok());
      }
    }
  }
  EXPECT_GE(injected, 8);  // At least create, fsync, rename, fsync(dir) × 2 errors.
}

TEST_P(FaultInjection, ShortWritesAreRetriedIntoAWholeMap) {
  ASSERT_TRUE(Publish(old_).ok());
  fs_.Reset();
  ASSERT_TRUE(Publish(new_).ok());
  const int writes = fs_.count(FileOp::kWrite);
  for (int nth = 0; nth < writes; ++nth) {
    ASSERT_TRUE(Publish(old_).ok());
    fs_.Reset();
    fs_.ShortWriteNth(nth, 1000);
    ASSERT_TRUE(Publish(new_).ok());
    EXPECT_EQ(fs_.injected(), 1);
    EXPECT_EQ(Keys(), KeysOf(new_));
  }
}

TEST_P(FaultInjection, AShortWriteThenENOSPCKeepsTheOldMap) {
  // How a filling disk looks: part of a write lands, the next one fails.
  // (Where the library writes, the test shows that a fault at a write that
  // never comes changes nothing.)
  ASSERT_TRUE(Publish(old_).ok());
  fs_.Reset();
  fs_.ShortWriteNth(0, 4096);
  fs_.FailNth(FileOp::kWrite, 1, ENOSPC);
  absl::Status s = Publish(new_);
  const bool library_writes = LibraryWrites(GetParam());
  EXPECT_EQ(s.ok(), library_writes) << s;
  EXPECT_EQ(fs_.injected(), library_writes ? 0 : 2);
  EXPECT_EQ(Keys(), library_writes ? KeysOf(new_) : KeysOf(old_));
}

TEST_P(FaultInjection, AFailingWriteOfTheLibraryOrOursKeepsTheOldMap) {
  // A file-size limit makes the kernel fail whichever write(2) crosses it,
  // the library's own included (EFBIG), as a full disk would.
  ASSERT_TRUE(Publish(old_).ok());
  const std::vector<std::string> clean = DirectoryEntries(dir_);
  pid_t child = ::fork();
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {64 * 1024, 64 * 1024};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(2);
    absl::Status s = Publish(new_);
    ::_exit(s.ok() ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the publish past the limit did not fail";
  EXPECT_EQ(Keys(), KeysOf(old_));
  EXPECT_EQ(DirectoryEntries(dir_), clean) << "a temp was left behind";
  ASSERT_TRUE(Publish(new_).ok());
  EXPECT_EQ(Keys(), KeysOf(new_));
}

INSTANTIATE_TEST_SUITE_P(Formats, FaultInjection,
                         ::testing::Values(MapFormat::kText, MapFormat::kDb, MapFormat::kLmdb,
                                           MapFormat::kCdb, MapFormat::kEximText,
                                           MapFormat::kEximCdb),
                         [](const auto& p) {
                           std::string n = config::MapFormatName(p.param);
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// The state file (and the SIGUSR1 dump, which takes the same path) is
// published with base::Directory::WriteFileAtomically.
TEST(StateFileFaultInjection, AnErrorAtAnyStepKeepsTheOldStateWhole) {
  char tmpl[] = "/tmp/exact-fault-test-XXXXXX";
  const std::string path = ::mkdtemp(tmpl);
  base::FaultInjectingFileSystem fs;
  auto dir = base::Directory::Open(path, 0, &fs);
  ASSERT_TRUE(dir.ok());
  const auto old_records = Records(0x0a000000, 5000), new_records = Records(0x0b000000, 5000);
  const std::string old_state =
      table::EncodeState(table::RelaySnapshot::Of(old_records), table::SavedState());
  const std::string new_state =
      table::EncodeState(table::RelaySnapshot::Of(new_records), table::SavedState());
  auto read_back = [&] {
    auto text = dir->ReadFile("state");
    EXPECT_TRUE(text.ok());
    table::DecodedState d = table::DecodeState(text.ok() ? *text : "");
    EXPECT_EQ(d.verdict, table::DecodedState::Verdict::kOk);
    return d.records.empty() ? std::string() : d.records.front().address.ToString();
  };
  ASSERT_TRUE(dir->WriteFileAtomically("state", new_state, 0600).ok());
  int counts[base::kFileOpCount];
  fs.Reset();
  ASSERT_TRUE(dir->WriteFileAtomically("state", old_state, 0600).ok());
  for (FileOp op : kSteps) counts[static_cast<int>(op)] = fs.count(op);
  const std::vector<std::string> clean = DirectoryEntries(path);
  for (FileOp op : kSteps) {
    for (int nth = 0; nth < counts[static_cast<int>(op)]; ++nth) {
      for (int err : kErrors) {
        SCOPED_TRACE(absl::StrCat(base::FileOpName(op), " #", nth, ": ", std::strerror(err)));
        fs.Reset();
        fs.FailNth(op, nth, err);
        absl::Status s = dir->WriteFileAtomically("state", new_state, 0600);
        EXPECT_FALSE(s.ok());
        EXPECT_TRUE(absl::StrContains(s.message(), std::strerror(err))) << s;
        EXPECT_EQ(read_back(), op == FileOp::kSyncDirectory ? "11.0.0.0" : "10.0.0.0");
        EXPECT_EQ(DirectoryEntries(path), clean);
        ASSERT_TRUE(dir->WriteFileAtomically("state", new_state, 0600).ok());
        EXPECT_EQ(read_back(), "11.0.0.0");
        ASSERT_TRUE(dir->WriteFileAtomically("state", old_state, 0600).ok());
      }
    }
  }
}

}  // namespace
}  // namespace exact::publish
