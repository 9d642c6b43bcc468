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
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);  // Header, entry, end.
}

TEST(StateFile, BadLinesAreSkippedAndCounted) {
  DecodedState s = DecodeState(
      "exact-state 1\n192.0.2.1\t200\t100\talice\nnot-an-ip\t1\t1\tx\n192.0.2.2\tNaN\t1\tx\n");
  EXPECT_EQ(s.records.size(), 1u);
  EXPECT_EQ(s.bad_lines, 2);
}

SavedState SomePositions() {
  SavedState p;
  p.logs.push_back({0, "/var/log/mail.log", 2049, 1234567, 987654, 4096, 0xdeadbeef});
  p.logs.push_back({1, "/var/log/odd\tname\n", 2049, 7, 0, 0, 0});
  p.journal_cursor = "s=abc;i=1f;b=x;m=2;t=5;x=9";
  return p;
}

TEST(StateFile, PositionsRoundTripWithTheEntries) {
  std::vector<RelayRecord> in = {{*IpAddress::Parse("192.0.2.1"), "alice", 100, 200}};
  DecodedState out = DecodeState(EncodeState(RelaySnapshot::Of(in), SomePositions()));
  EXPECT_EQ(out.verdict, DecodedState::Verdict::kOk);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(out.positions.logs, SomePositions().logs);
  EXPECT_EQ(out.positions.journal_cursor, SomePositions().journal_cursor);
}

TEST(StateFile, RevokesRoundTripAndAreNotEntries) {
  SavedState p = SomePositions();
  p.revokes.push_back({*IpAddress::Parse("192.0.2.9"), 150, 210});
  p.revokes.push_back({*IpAddress::Parse("2001:db8::9"), 151, 211});
  std::vector<RelayRecord> in = {{*IpAddress::Parse("192.0.2.1"), "alice", 100, 200}};
  const std::string text = EncodeState(RelaySnapshot::Of(in), p);
  EXPECT_NE(text.find("\nrevoke\t192.0.2.9\t150\t210\n"), std::string::npos);
  EXPECT_NE(text.find("\nend\t1\t"), std::string::npos);
  DecodedState out = DecodeState(text);
  EXPECT_EQ(out.verdict, DecodedState::Verdict::kOk);
  ASSERT_EQ(out.records.size(), 1u);
  ASSERT_EQ(out.positions.revokes.size(), 2u);
  EXPECT_EQ(out.positions.revokes[1].address, *IpAddress::Parse("2001:db8::9"));
  EXPECT_EQ(out.positions.revokes[1].at, 151);
  EXPECT_EQ(out.positions.revokes[1].hold_until, 211);
}

TEST(StateFile, ATornFileIsCorruptAtEveryLength) {
  std::vector<RelayRecord> in = {{*IpAddress::Parse("192.0.2.1"), "alice", 100, 200},
                                 {*IpAddress::Parse("192.0.2.2"), "bob", 100, 200}};
  const std::string text = EncodeState(RelaySnapshot::Of(in), SomePositions());
  for (size_t n = 0; n < text.size(); ++n) {
    DecodedState s = DecodeState(text.substr(0, n));
    ASSERT_NE(s.verdict, DecodedState::Verdict::kOk) << n;
    ASSERT_TRUE(s.records.empty()) << n;
    ASSERT_TRUE(s.positions.logs.empty()) << n;
  }
  EXPECT_EQ(DecodeState(text).verdict, DecodedState::Verdict::kOk);
}

TEST(StateFile, AnyAlteredByteFailsTheChecksum) {
  std::vector<RelayRecord> in = {{*IpAddress::Parse("192.0.2.1"), "alice", 100, 200}};
  const std::string text = EncodeState(RelaySnapshot::Of(in), SomePositions());
  const size_t end_line = text.rfind("end\t");
  for (size_t i = std::string("exact-state 2\n").size(); i < end_line; ++i) {
    std::string altered = text;
    altered[i] = altered[i] == '9' ? '8' : '9';
    DecodedState s = DecodeState(altered);
    ASSERT_EQ(s.verdict, DecodedState::Verdict::kCorrupt) << i;
    ASSERT_TRUE(s.records.empty());
  }
}

TEST(StateFile, ForeignFileIsNotRead) {
  DecodedState s = DecodeState("192.0.2.1\n192.0.2.2\n");
  EXPECT_FALSE(s.header_ok);
  EXPECT_TRUE(s.records.empty());
}

}  // namespace
}  // namespace exact::table
