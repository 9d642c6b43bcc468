// GrantFor: a login's expiry from its logged time.
#include "src/table/grant.h"

#include "gtest/gtest.h"

namespace exact::table {
namespace {

constexpr int64_t kS = 1'000'000;
constexpr UnixSeconds kNow = 1'800'000'000;
constexpr UnixSeconds kTimeout = 1800;

LoginStamp Whole(UnixSeconds t) { return {true, t * kS, 1'000'000}; }

TEST(GrantFor, AWholeSecondStampEndsTimeoutAfterItsLastMoment) {
  // "09:00:02" may be 09:00:02.999: the grant lasts until 09:30:03.
  Grant g = GrantFor(Whole(kNow - 10), kNow * kS, kNow, kTimeout);
  EXPECT_TRUE(g.live);
  EXPECT_TRUE(g.from_log);
  EXPECT_EQ(g.last_login, kNow - 10);
  EXPECT_EQ(g.expiry, kNow - 10 + 1 + kTimeout);
}

TEST(GrantFor, AFineStampRoundsItsEndUp) {
  Grant g = GrantFor({true, (kNow - 10) * kS + 250'000, 1}, kNow * kS, kNow, kTimeout);
  EXPECT_EQ(g.expiry, kNow - 10 + 1 + kTimeout);
  g = GrantFor({true, (kNow - 10) * kS, 1}, kNow * kS, kNow, kTimeout);
  EXPECT_EQ(g.expiry, kNow - 10 + 1 + kTimeout);  // The stamp's µs could still be 0.000001 on.
}

TEST(GrantFor, TheReplayBoundaryIsTimeoutToTheSecond) {
  EXPECT_TRUE(GrantFor(Whole(kNow - kTimeout + 1), kNow * kS, kNow, kTimeout).live);
  EXPECT_TRUE(GrantFor(Whole(kNow - kTimeout), kNow * kS, kNow, kTimeout).live);
  EXPECT_FALSE(GrantFor(Whole(kNow - kTimeout - 1), kNow * kS, kNow, kTimeout).live);
  EXPECT_FALSE(GrantFor(Whole(kNow - 86400 * 365 * 7), kNow * kS, kNow, kTimeout).live);
}

TEST(GrantFor, AFutureStampIsCappedAtTheSkew) {
  Grant g = GrantFor(Whole(kNow + 3600), kNow * kS, kNow, kTimeout);
  EXPECT_TRUE(g.live);
  EXPECT_TRUE(g.capped);
  EXPECT_EQ(g.expiry, kNow + kMaxFutureSkewMicros / kS + 1 + kTimeout);
  EXPECT_FALSE(GrantFor(Whole(kNow + 2), kNow * kS, kNow, kTimeout).capped);
}

TEST(GrantFor, NoStampFallsBackToTheReadTime) {
  Grant g = GrantFor({}, kNow * kS + 400'000, kNow, kTimeout);
  EXPECT_TRUE(g.live);
  EXPECT_FALSE(g.from_log);
  EXPECT_EQ(g.last_login, kNow);
  EXPECT_EQ(g.expiry, kNow + 1 + kTimeout);
}

TEST(GrantFor, AgeIsOnTheWallClockAndExpiryInTheTablesFrame) {
  // The wall clock was stepped back an hour; the table's clock was not. A
  // line stamped 10 s ago by the stepped clock still gets timeout - 10 s.
  const int64_t wall = (kNow - 3600) * kS;
  Grant g = GrantFor(Whole(kNow - 3600 - 10), wall, kNow, kTimeout);
  EXPECT_TRUE(g.live);
  EXPECT_EQ(g.expiry, kNow - 10 + 1 + kTimeout);
  EXPECT_EQ(g.last_login, kNow - 10);
}

}  // namespace
}  // namespace exact::table
