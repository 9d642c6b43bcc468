// Map writers: every format reads back exactly, replaces atomically, keeps
// the old map on failure, and uses safe modes.
#include "src/publish/map_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "src/publish/map_reader.h"

namespace exact::publish {
namespace {

using config::MapFormat;

class MapWriterTest : public ::testing::TestWithParam<MapFormat> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/exact-map-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  std::unique_ptr<MapWriter> Open() {
    auto w = OpenMapWriter({GetParam(), dir_ + "/relay", "", 0640});
    EXPECT_TRUE(w.ok()) << w.status();
    return std::move(*w);
  }
  std::string File() const { return MapFileName(GetParam(), dir_ + "/relay"); }
  static RelaySnapshot Records(std::initializer_list<const char*> addrs) {
    std::vector<table::RelayRecord> out;
    for (const char* a : addrs) out.push_back({*match::IpAddress::Parse(a), "u", 1, 1795000000});
    return RelaySnapshot::Of(out);
  }
  std::vector<std::string> Keys() {
    auto entries = ReadMapFile(GetParam(), File());
    EXPECT_TRUE(entries.ok()) << entries.status();
    std::vector<std::string> keys;
    for (const MapEntry& e : *entries) keys.push_back(e.key);
    std::sort(keys.begin(), keys.end());
    return keys;
  }
  std::string dir_;
};

TEST_P(MapWriterTest, WritesEveryAddressAndNothingElse) {
  auto w = Open();
  ASSERT_TRUE(w->Write(Records({"192.0.2.1", "198.51.100.7", "2001:db8::25"})).ok());
  const std::string v6 = GetParam() == MapFormat::kEximText || GetParam() == MapFormat::kEximCdb
                             ? "2001.0db8.0000.0000.0000.0000.0000.0025"
                             : "2001:db8::25";
  EXPECT_EQ(Keys(), (std::vector<std::string>{"192.0.2.1", "198.51.100.7", v6}));
  if (GetParam() != MapFormat::kText && GetParam() != MapFormat::kEximText) {
    auto v = LookupMapFile(GetParam(), File(), "198.51.100.7");
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->value_or("?"), "1795000000");  // Numeric: Postfix treats it as OK.
  }
}

TEST_P(MapWriterTest, EmptyTableGivesAnEmptyMapThatExists) {
  auto w = Open();
  ASSERT_TRUE(w->Write(RelaySnapshot()).ok());
  EXPECT_TRUE(Keys().empty());
}

TEST_P(MapWriterTest, ReplacesByRenameSoOpenReadersKeepTheOldMap) {
  auto w = Open();
  ASSERT_TRUE(w->Write(Records({"192.0.2.1"})).ok());
  struct stat before;
  ASSERT_EQ(::stat(File().c_str(), &before), 0);
  int old_fd = ::open(File().c_str(), O_RDONLY);
  ASSERT_GE(old_fd, 0);
  ASSERT_TRUE(w->Write(Records({"192.0.2.2"})).ok());
  struct stat after, held;
  ASSERT_EQ(::stat(File().c_str(), &after), 0);
  ASSERT_EQ(::fstat(old_fd, &held), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
  EXPECT_EQ(held.st_nlink, 0u);  // What Postfix checks to notice a new map.
  ::close(old_fd);
  EXPECT_EQ(Keys(), std::vector<std::string>{"192.0.2.2"});
  EXPECT_EQ(after.st_mode & 07777, 0640u);
}

TEST_P(MapWriterTest, StaleTempsAreRemovedWhenTheWriterOpens) {
  // What a crash mid-publish leaves: a temp of our naming. A directory of
  // that name and a file of another naming are not ours and stay.
  const std::string stale = File() + ".tmp.abcdefghij12";
  const std::string other = File() + ".tmp.not-ours";
  const std::string subdir = File() + ".tmp.zzzzzzzzzzzz";
  ASSERT_EQ(::close(::open(stale.c_str(), O_CREAT | O_WRONLY, 0600)), 0);
  ASSERT_EQ(::close(::open(other.c_str(), O_CREAT | O_WRONLY, 0600)), 0);
  ASSERT_EQ(::mkdir(subdir.c_str(), 0700), 0);
  auto w = Open();
  EXPECT_NE(::access(stale.c_str(), F_OK), 0);
  EXPECT_EQ(::access(other.c_str(), F_OK), 0);
  EXPECT_EQ(::access(subdir.c_str(), F_OK), 0);
}

TEST_P(MapWriterTest, APublishLeavesOnlyTheMap) {
  auto w = Open();
  ASSERT_TRUE(w->Write(Records({"192.0.2.1"})).ok());
  ASSERT_TRUE(w->Write(Records({"192.0.2.2"})).ok());
  std::vector<std::string> names;
  DIR* d = ::opendir(dir_.c_str());
  ASSERT_NE(d, nullptr);
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  }
  ::closedir(d);
  EXPECT_EQ(names, std::vector<std::string>{base::SplitPath(File()).second});
}

INSTANTIATE_TEST_SUITE_P(Formats, MapWriterTest,
                         ::testing::Values(MapFormat::kText, MapFormat::kDb, MapFormat::kLmdb,
                                           MapFormat::kCdb, MapFormat::kEximText,
                                           MapFormat::kEximCdb),
                         [](const auto& p) {
                           std::string n = config::MapFormatName(p.param);
                           std::replace(n.begin(), n.end(), '-', '_');  // gtest names
                           return n;
                         });

TEST(MapWriter, TextMapIsOneAddressPerLineInOrder) {
  char tmpl[] = "/tmp/exact-map-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto w = OpenMapWriter({MapFormat::kText, dir + "/relay", dir + "/relay.new", 0640});
  ASSERT_TRUE(w.ok());
  auto r = RelaySnapshot::Of({{*match::IpAddress::Parse("2001:db8::1"), "b", 1, 2},
                              {*match::IpAddress::Parse("192.0.2.1"), "a", 1, 2}});
  ASSERT_TRUE((*w)->Write(r).ok());
  auto text = base::ReadFileToString(dir + "/relay");
  EXPECT_EQ(*text, "192.0.2.1\n2001:db8::1\n");
  EXPECT_NE(::access((dir + "/relay.new").c_str(), F_OK), 0);  // Only a prefix now.
}

}  // namespace
}  // namespace exact::publish
