// Readers racing 1,000 publishes never see a missing or partial map: our
// reader (exact-lookup's code) checks every entry of every read, and
// Postfix's own postmap -q must find the key both versions share.
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/publish/map_reader.h"
#include "src/publish/map_writer.h"

namespace exact::publish {
namespace {

using config::MapFormat;

std::vector<table::RelayRecord> Version(char tag) {
  std::vector<table::RelayRecord> r = {
      {*match::IpAddress::Parse("192.0.2.1"), "common", 1, 2000000000}};
  for (uint32_t i = 0; i < 200; ++i) {
    r.push_back(
        {match::IpAddress::FromV4((tag == 'a' ? 0x0a000000 : 0x0b000000) + i), "u", 1, 2000000000});
  }
  return r;
}

std::vector<std::string> Keys(const std::vector<table::RelayRecord>& r) {
  std::vector<std::string> k;
  for (const table::RelayRecord& x : r) k.push_back(x.address.ToString());
  std::sort(k.begin(), k.end());
  return k;
}

class ConcurrentPublish : public ::testing::TestWithParam<MapFormat> {};

TEST_P(ConcurrentPublish, ReadersNeverSeeAMissingOrPartialMap) {
  char tmpl[] = "/tmp/exact-race-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto writer = OpenMapWriter({GetParam(), dir + "/relay", "", 0640});
  ASSERT_TRUE(writer.ok());
  const auto keys_a = Keys(Version('a')), keys_b = Keys(Version('b'));
  const auto a = RelaySnapshot::Of(Version('a')), b = RelaySnapshot::Of(Version('b'));
  ASSERT_TRUE((*writer)->Write(a).ok());
  const std::string file = MapFileName(GetParam(), dir + "/relay");

  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, bad{0}, postmap_runs{0}, postmap_misses{0};
  std::thread reader([&] {
    while (!done) {
      auto entries = ReadMapFile(GetParam(), file);
      std::vector<std::string> k;
      if (entries.ok()) {
        for (const MapEntry& e : *entries) k.push_back(e.key);
        std::sort(k.begin(), k.end());
      }
      if (!entries.ok() || (k != keys_a && k != keys_b)) ++bad;
      ++reads;
    }
  });
  // Postfix reads lmdb, hash and cdb maps; text maps are read by Exim and
  // Sendmail, whose readers we cannot run here.
  const char* type = GetParam() == MapFormat::kLmdb  ? "lmdb"
                     : GetParam() == MapFormat::kDb  ? "hash"
                     : GetParam() == MapFormat::kCdb ? "cdb"
                                                     : nullptr;
  std::thread postmap;
  if (type != nullptr) {
    std::ofstream(dir + "/main.cf") << "";
    // Postfix waits for a main.cf changed in the last second to settle.
    struct timeval old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT_EQ(::utimes((dir + "/main.cf").c_str(), old), 0);
    std::string cmd = absl::StrCat("postmap -c ", dir, " -q 192.0.2.1 ", type, ":", dir,
                                   "/relay > /dev/null 2>&1");
    postmap = std::thread([&, cmd] {
      while (!done) {
        int rc = std::system(cmd.c_str());
        ++postmap_runs;
        if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) ++postmap_misses;
      }
    });
  }
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE((*writer)->Write(i % 2 ? a : b).ok());
  done = true;
  reader.join();
  if (postmap.joinable()) postmap.join();
  EXPECT_GT(reads.load(), 10);
  EXPECT_EQ(bad.load(), 0) << "of " << reads.load() << " reads";
  if (type != nullptr) {
    EXPECT_GT(postmap_runs.load(), 5);
    EXPECT_EQ(postmap_misses.load(), 0) << "of " << postmap_runs.load() << " postmap runs";
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, ConcurrentPublish,
                         ::testing::Values(MapFormat::kText, MapFormat::kDb, MapFormat::kLmdb,
                                           MapFormat::kCdb),
                         [](const auto& p) {
                           std::string n = config::MapFormatName(p.param);
                           std::replace(n.begin(), n.end(), '-', '_');  // gtest names
                           return n;
                         });

}  // namespace
}  // namespace exact::publish
