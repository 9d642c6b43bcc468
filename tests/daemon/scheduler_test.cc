// The scheduler's rules, on a FakeClock: when a change, an expiry, a
// failed publish and a flush make a publish due, and how long the control
// loop may sleep.
#include "src/daemon/scheduler.h"

#include "gtest/gtest.h"
#include "src/table/relay_table.h"

namespace exact::daemon {
namespace {

constexpr base::UnixSeconds kStart = 1796083200;
constexpr base::UnixSeconds kNoExpiry = table::RelayTable::kNever;
constexpr int64_t kIntervalMs = 1000;
constexpr int64_t kFlushSeconds = 300;

TEST(Scheduler, NothingIsDueUntilAnEvent) {
  base::FakeClock clock(kStart);
  Scheduler s(&clock, kIntervalMs, kFlushSeconds);
  EXPECT_FALSE(s.PublishDue());
  // Only the flush bounds the sleep.
  EXPECT_EQ(s.PollTimeoutMillis(kNoExpiry), kFlushSeconds * 1000);
  clock.Advance(kFlushSeconds - 1);
  EXPECT_FALSE(s.TakeFlush());
  EXPECT_FALSE(s.PublishDue());
}

TEST(Scheduler, FirstChangeAfterAQuietSpellPublishesAtOnce) {
  base::FakeClock clock(kStart);
  Scheduler s(&clock, kIntervalMs, kFlushSeconds);
  s.Published(true);
  clock.Advance(10);
  s.Changed();
  EXPECT_TRUE(s.PublishDue());
  EXPECT_EQ(s.PollTimeoutMillis(kNoExpiry), 0);
}

TEST(Scheduler, ChangesWithinAnIntervalWaitForItsEnd) {
  base::FakeClock clock(kStart);
  Scheduler s(&clock, kIntervalMs, kFlushSeconds);
  s.Published(true);
  clock.AdvanceMicros(200 * 1000);
  s.Changed();
  EXPECT_FALSE(s.PublishDue());
  EXPECT_EQ(s.PollTimeoutMillis(kNoExpiry), 800);
  clock.AdvanceMicros(799 * 1000);
  s.Changed();
  EXPECT_FALSE(s.PublishDue());
  clock.AdvanceMicros(1000);
  EXPECT_TRUE(s.PublishDue());
}

TEST(Scheduler, ABurstOfChangesPublishesAtMostOncePerInterval) {
  base::FakeClock clock(kStart);
  Scheduler s(&clock, kIntervalMs, kFlushSeconds);
  int publishes = 0;
  // A change every 10 ms for 10 s, publishing whenever one is due.
  for (int i = 0; i < 1000; ++i) {
    s.Changed();
    if (s.PublishDue()) {
      ++publishes;
      s.Published(true);
    }
    clock.AdvanceMicros(10 * 1000);
  }
  EXPECT_EQ(publishes, 10);  // At 0 s, 1 s, ... 9 s.
}

TEST(Scheduler, AnExpiryWithinAnIntervalWaitsForItsEnd) {
  base::FakeClock clock(kStart);
  Scheduler s(&clock, kIntervalMs, kFlushSeconds);
  s.Published(true);
  clock.AdvanceMicros(300 * 1000);
  s.Expired();
  EXPECT_FALSE(s.PublishDue());
  EXPECT_EQ(s.PollTimeoutMillis(kNoExpiry), 700);
  clock.AdvanceMicros(700 * 1000);
  EXPECT_TRUE(s.PublishDue());
}

TEST(Scheduler, ConstantExpiriesPublishAtMostOncePerInterval) {
  // Something expires every second of a minute, as at a million live
  // addresses, with a 2 s interval: 30 publishes, not 60.
  base::FakeClock clock(kStart);
  Scheduler s(&clock, 2000, kFlushSeconds);
  int publishes = 0;
  int64_t last_publish_ms = INT64_MIN / 2;
  for (int ms = 0; ms < 60000; ms += 10) {
    if (ms % 1000 == 0) s.Expired();
    if (s.PublishDue()) {
      ++publishes;
      EXPECT_GE(ms - last_publish_ms, 2000) << "at " << ms << " ms";
      last_publish_ms = ms;
      s.Published(true);
    }
    clock.AdvanceMicros(10 * 1000);
  }
  EXPECT_EQ(publishes, 30);
}

TEST(Scheduler, PublishNowIsDueAtOnceEvenWithinAnInterval) {
  base::FakeClock clock(kStart);
  Scheduler s(&clock, kIntervalMs, kFlushSeconds);
  s.Published(true);
  clock.AdvanceMicros(1000);
  s.PublishNow();
  EXPECT_TRUE(s.PublishDue());
  s.Published(true);
  EXPECT_FALSE(s.PublishDue());
}

TEST(Scheduler, AFailedPublishIsRetriedAfterTheRetryDelay) {
  base::FakeClock clock(kStart);
  Scheduler s(&clock, kIntervalMs, kFlushSeconds);
  s.PublishNow();
  ASSERT_TRUE(s.PublishDue());
  s.Published(false);
  EXPECT_FALSE(s.PublishDue());
  EXPECT_EQ(s.PollTimeoutMillis(kNoExpiry), Scheduler::kRetryMillis);
  clock.AdvanceMicros((Scheduler::kRetryMillis - 1) * 1000);
  EXPECT_FALSE(s.PublishDue());
  clock.AdvanceMicros(1000);
  EXPECT_TRUE(s.PublishDue());
}

TEST(Scheduler, ExpiryIsDueAtTheTablesNextExpiry) {
  base::FakeClock clock(kStart);
  Scheduler s(&clock, kIntervalMs, kFlushSeconds);
  const base::UnixSeconds expiry = kStart + 7;
  EXPECT_FALSE(s.ExpiryDue(expiry));
  EXPECT_EQ(s.PollTimeoutMillis(expiry), 7000);
  clock.Advance(7);
  EXPECT_TRUE(s.ExpiryDue(expiry));
  EXPECT_FALSE(s.ExpiryDue(kNoExpiry));
}

TEST(Scheduler, FlushIsTakenOncePerFlushInterval) {
  base::FakeClock clock(kStart);
  Scheduler s(&clock, kIntervalMs, kFlushSeconds);
  clock.Advance(kFlushSeconds);
  EXPECT_TRUE(s.TakeFlush());
  EXPECT_FALSE(s.TakeFlush());
  EXPECT_EQ(s.PollTimeoutMillis(kNoExpiry), kFlushSeconds * 1000);
  clock.Advance(kFlushSeconds);
  EXPECT_TRUE(s.TakeFlush());
}

TEST(Scheduler, PollTimeoutIsClampedToAnHour) {
  base::FakeClock clock(kStart);
  Scheduler s(&clock, kIntervalMs, 86400);
  EXPECT_EQ(s.PollTimeoutMillis(kNoExpiry), 3600 * 1000);
  // A deadline already passed: poll without sleeping.
  clock.Advance(86400 + 5);
  EXPECT_EQ(s.PollTimeoutMillis(kNoExpiry), 0);
}

TEST(Scheduler, NewIntervalsApplyToTheNextChange) {
  base::FakeClock clock(kStart);
  Scheduler s(&clock, kIntervalMs, kFlushSeconds);
  s.Published(true);
  s.SetIntervals(5000, kFlushSeconds);
  clock.AdvanceMicros(1000 * 1000);
  s.Changed();
  EXPECT_FALSE(s.PublishDue());
  EXPECT_EQ(s.PollTimeoutMillis(kNoExpiry), 4000);
}

}  // namespace
}  // namespace exact::daemon
