// State file round trip and robustness.
#include "src/table/state_file.h"

#include "gtest/gtest.h"

namespace exact::table {
namespace {

TEST(StateFile, RoundTripsAnyUserName) {
  std::vector<RelayRecord> in = {
      {*IpAddress::Parse("192.0.2.1"), "alice", 100, 200},
      {*IpAddress::Parse("2001:db8::1"), std::string("evil\tname\n192.0.2.66\t9\t9\tx\\\0", 28),
       101, 201},
  };
  DecodedState out = DecodeState(EncodeState(RelaySnapshot::Of(in)));
  EXPECT_TRUE(out.header_ok);
  EXPECT_EQ(out.bad_lines, 0);
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.records[1].user, in[1].user);
  EXPECT_EQ(out.records[1].expiry, 201);
  EXPECT_EQ(out.records[1].last_login, 101);
}

TEST(StateFile, EncodedUserCannotForgeAnEntry) {
  std::string text = EncodeState(RelaySnapshot::Of(
      {{*IpAddress::Parse("192.0.2.1"), "x\n198.51.100.66\t9999999999\t1\ty", 1, 2}}));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
}

TEST(StateFile, BadLinesAreSkippedAndCounted) {
  DecodedState s = DecodeState(
      "exact-state 1\n192.0.2.1\t200\t100\talice\nnot-an-ip\t1\t1\tx\n192.0.2.2\tNaN\t1\tx\n");
  EXPECT_EQ(s.records.size(), 1u);
  EXPECT_EQ(s.bad_lines, 2);
}

TEST(StateFile, ForeignFileIsNotRead) {
  DecodedState s = DecodeState("192.0.2.1\n192.0.2.2\n");
  EXPECT_FALSE(s.header_ok);
  EXPECT_TRUE(s.records.empty());
}

}  // namespace
}  // namespace exact::table
