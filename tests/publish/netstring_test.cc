// The netstring reader: whole payloads one at a time, waits for the rest,
// and refuses what is malformed or longer than the limit before it arrives.
#include "src/publish/netstring.h"

#include "gtest/gtest.h"

namespace exact::publish {
namespace {

TEST(Netstring, PayloadsAreTakenOneAtATimeInOrder) {
  std::string buf = "13:relay 1.2.3.4,3:a b,0:,5:par";
  NetstringRead r = ReadNetstring(buf);
  ASSERT_EQ(r.result, NetstringRead::kPayload);
  EXPECT_EQ(r.payload, "relay 1.2.3.4");
  EXPECT_EQ(r.consumed, 17u);
  buf.erase(0, r.consumed);
  r = ReadNetstring(buf);
  ASSERT_EQ(r.result, NetstringRead::kPayload);
  EXPECT_EQ(r.payload, "a b");
  buf.erase(0, r.consumed);
  r = ReadNetstring(buf);
  ASSERT_EQ(r.result, NetstringRead::kPayload);
  EXPECT_EQ(r.payload, "");
  buf.erase(0, r.consumed);
  EXPECT_EQ(ReadNetstring(buf).result, NetstringRead::kNeedMore);  // "5:par" waits.
  EXPECT_EQ(ReadNetstring("").result, NetstringRead::kNeedMore);
  EXPECT_EQ(ReadNetstring("12").result, NetstringRead::kNeedMore);
  buf += "tl,";
  r = ReadNetstring(buf);
  ASSERT_EQ(r.result, NetstringRead::kPayload);
  EXPECT_EQ(r.payload, "partl");
}

TEST(Netstring, MalformedInputIsRefused) {
  for (std::string bad :
       {"x:abc,", "3:abcd", "-1:a,", ":a,", "3:abc;", " 3:abc,", "+3:abc,", "00000000001:a,"}) {
    EXPECT_EQ(ReadNetstring(bad).result, NetstringRead::kMalformed) << bad;
  }
}

TEST(Netstring, ALengthOverTheLimitIsRefusedBeforeThePayload) {
  EXPECT_EQ(ReadNetstring("100001:").result, NetstringRead::kTooLong);
  EXPECT_EQ(ReadNetstring("99999999999999999999999:").result, NetstringRead::kTooLong);
  EXPECT_EQ(ReadNetstring("100001").result, NetstringRead::kTooLong);  // No need to wait for ':'.
  EXPECT_EQ(ReadNetstring("100000:").result, NetstringRead::kNeedMore);
  EXPECT_EQ(ReadNetstring("6:abcdef,", 5).result, NetstringRead::kTooLong);
  EXPECT_EQ(ReadNetstring("5:abcde,", 5).result, NetstringRead::kPayload);
}

TEST(Netstring, EncodesLengthPayloadComma) {
  EXPECT_EQ(Netstring("OK 1060"), "7:OK 1060,");
  EXPECT_EQ(Netstring(""), "0:,");
}

}  // namespace
}  // namespace exact::publish
