// The expiring table: sliding windows, exact expiry, ordered snapshots.
#include "src/table/relay_table.h"

#include <atomic>
#include <random>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace exact::table {
namespace {

IpAddress Ip(const char* s) { return *IpAddress::Parse(s); }

TEST(RelayTable, NewAddressIsAddedThenRefreshed) {
  RelayTable t;
  EXPECT_EQ(t.Upsert(Ip("192.0.2.1"), "alice", 1000, 60), RelayTable::UpsertResult::kAdded);
  EXPECT_EQ(t.Upsert(Ip("192.0.2.1"), "alice", 1010, 60), RelayTable::UpsertResult::kRefreshed);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.Lookup(Ip("192.0.2.1"), 1010)->expiry, 1070);
}

// Users live in a per-shard arena that is compacted as names are replaced
// and entries expire: every live entry keeps its own user and login time.
TEST(RelayTable, UsersAndLoginTimesSurviveReplacementExpiryAndCompaction) {
  RelayTable t;
  auto addr = [](uint32_t i) { return IpAddress::FromV4(0x0a000000 + i); };
  constexpr uint32_t kN = 5000;
  for (int round = 0; round < 8; ++round) {
    for (uint32_t i = 0; i < kN; ++i) {
      // Odd addresses get a new, longer name each round; even ones keep theirs.
      std::string user =
          i % 2 ? "user-" + std::to_string(i) + std::string(round, 'x') : "u" + std::to_string(i);
      t.Upsert(addr(i), user, 1000 + round, i < kN / 2 ? 10 : 100);
    }
  }
  EXPECT_EQ(t.Expire(1017), kN / 2);  // The first half's windows ended at 1007 + 10.
  t.Upsert(addr(kN), std::string(300, 'L'), 1020, 100);
  for (uint32_t i = kN / 2; i < kN; ++i) {
    std::optional<RelayRecord> r = t.Lookup(addr(i), 1020);
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->user, i % 2 ? "user-" + std::to_string(i) + "xxxxxxx" : "u" + std::to_string(i));
    EXPECT_EQ(r->last_login, 1007);
    EXPECT_EQ(r->expiry, 1107);
  }
  EXPECT_EQ(t.Lookup(addr(kN), 1020)->user, std::string(300, 'L'));
  EXPECT_EQ(t.Snapshot(1020).size(), kN / 2 + 1);
}

// The pipeline applies a chunk's logins with UpsertAll: it must leave the
// same table, and count the same new grants, as one Upsert per login.
TEST(RelayTable, ASameLengthUserTakesTheOldNamesPlaceAndNoOtherEntrysName) {
  RelayTable t(1);  // One shard: every name in one arena, side by side.
  t.Upsert(Ip("192.0.2.1"), "alice", 1000, 60);
  t.Upsert(Ip("192.0.2.2"), "bobby", 1000, 60);
  t.Upsert(Ip("192.0.2.3"), "eve", 1000, 60);
  t.Upsert(Ip("192.0.2.1"), "carol", 1001, 60);    // Same length: in place.
  t.Upsert(Ip("192.0.2.3"), "mallory", 1001, 60);  // Longer: a new name.
  t.Upsert(Ip("192.0.2.2"), "", 1001, 60);         // Shorter: a new name.
  EXPECT_EQ(t.Lookup(Ip("192.0.2.1"), 1001)->user, "carol");
  EXPECT_EQ(t.Lookup(Ip("192.0.2.2"), 1001)->user, "");
  EXPECT_EQ(t.Lookup(Ip("192.0.2.3"), 1001)->user, "mallory");
  // Thousands of same-length changes, then compaction by other changes:
  // each entry keeps its own latest name.
  for (int i = 0; i < 5000; ++i) {
    t.Upsert(Ip("192.0.2.1"), absl::StrCat("u", 10000 + i), 1002, 60);
    t.Upsert(Ip("192.0.2.2"), absl::StrCat("v", std::string(i % 7, 'x')), 1002, 60);
  }
  EXPECT_EQ(t.Lookup(Ip("192.0.2.1"), 1002)->user, "u14999");
  EXPECT_EQ(t.Lookup(Ip("192.0.2.2"), 1002)->user, "v" + std::string(4999 % 7, 'x'));
  EXPECT_EQ(t.Lookup(Ip("192.0.2.3"), 1002)->user, "mallory");
  RelaySnapshot snap = t.Snapshot(1002);
  ASSERT_EQ(snap.size(), 3u);
  EXPECT_EQ(snap[0].user(), "u14999");
  EXPECT_EQ(snap[2].user(), "mallory");
}

TEST(RelayTable, UpsertAllIsUpsertOfEachLoginInTurn) {
  RelayTable one_by_one, batched;
  std::mt19937 rng(3);
  for (int batch = 0; batch < 300; ++batch) {
    const UnixSeconds now = 1000 + batch;
    std::vector<RelayTable::Login> logins;
    std::vector<std::string> users;  // Owns what the logins' views point at.
    users.reserve(64);
    const size_t count = rng() % 64;
    for (size_t i = 0; i < count; ++i) {
      users.push_back("u" + std::to_string(rng() % 5) + std::string(rng() % 3, 'x'));
      // Few addresses, so that one batch often holds an address twice.
      logins.push_back({IpAddress::FromV4(0x0a000000 + rng() % 200), users.back(), now, now + 7});
    }
    size_t added = 0;
    for (const RelayTable::Login& l : logins) {
      added += one_by_one.Upsert(l.address, l.user, now, 7) == RelayTable::UpsertResult::kAdded;
    }
    ASSERT_EQ(batched.UpsertAll(logins, now), added) << "batch " << batch;
    if (batch % 10 == 0) {
      ASSERT_EQ(one_by_one.Expire(now), batched.Expire(now));
    }
  }
  const std::vector<RelayRecord> want = one_by_one.Snapshot(1300).ToRecords();
  const std::vector<RelayRecord> got = batched.Snapshot(1300).ToRecords();
  ASSERT_EQ(got.size(), want.size());
  ASSERT_GT(want.size(), 20u);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].address, want[i].address);
    EXPECT_EQ(got[i].user, want[i].user) << want[i].address.ToString();
    EXPECT_EQ(got[i].last_login, want[i].last_login);
    EXPECT_EQ(got[i].expiry, want[i].expiry);
  }
  EXPECT_EQ(batched.NextExpiry(), one_by_one.NextExpiry());
}

// A restart re-reads lines past its checkpoint: applying a login again, or an
// older one after a newer, must change nothing.
TEST(RelayTable, OlderOrRepeatedLoginsChangeNothing) {
  RelayTable t;
  const IpAddress a = Ip("192.0.2.1");
  std::vector<RelayTable::Login> newer = {{a, "new", 1100, 1200}};
  std::vector<RelayTable::Login> older = {{a, "old", 1050, 1150}};
  EXPECT_EQ(t.UpsertAll(newer, 1100), 1u);
  EXPECT_EQ(t.UpsertAll(older, 1100), 0u);
  EXPECT_EQ(t.UpsertAll(newer, 1100), 0u);
  std::optional<RelayRecord> r = t.Lookup(a, 1100);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->user, "new");
  EXPECT_EQ(r->last_login, 1100);
  EXPECT_EQ(r->expiry, 1200);
  EXPECT_EQ(t.NextExpiry(), 1150);  // A hint may be early, never late.
}

TEST(RelayTable, ALoginAfterExpiryIsANewGrantWithItsOwnExpiry) {
  RelayTable t;
  const IpAddress a = Ip("192.0.2.1");
  std::vector<RelayTable::Login> first = {{a, "u", 1000, 1100}};
  std::vector<RelayTable::Login> later = {{a, "u", 1200, 1250}};
  EXPECT_EQ(t.UpsertAll(first, 1000), 1u);
  EXPECT_EQ(t.UpsertAll(later, 1200), 1u);
  EXPECT_EQ(t.Lookup(a, 1200)->expiry, 1250);
}

TEST(RelayTable, ExpiryIsExactToTheSecond) {
  RelayTable t;
  t.Upsert(Ip("192.0.2.1"), "alice", 1000, 60);
  EXPECT_EQ(t.NextExpiry(), 1060);
  EXPECT_TRUE(t.Lookup(Ip("192.0.2.1"), 1059).has_value());
  EXPECT_FALSE(t.Lookup(Ip("192.0.2.1"), 1060).has_value());
  EXPECT_EQ(t.Expire(1059), 0u);
  EXPECT_EQ(t.Expire(1060), 1u);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.NextExpiry(), RelayTable::kNever);
}

TEST(RelayTable, ExpiredEntryIsNotPublished) {
  RelayTable t;
  t.Upsert(Ip("192.0.2.1"), "a", 1000, 60);
  t.Upsert(Ip("192.0.2.2"), "b", 1030, 60);
  RelaySnapshot snap = t.Snapshot(1060);
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].address, Ip("192.0.2.2"));
}

TEST(RelayTable, RestoreClampsExpiryAndLastLogin) {
  RelayTable t;
  t.Restore({Ip("192.0.2.1"), "far", 5000, 4102444800 /* 2100 */}, 1000, 1000 + 1800);
  std::optional<RelayRecord> r = t.Lookup(Ip("192.0.2.1"), 1000);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->expiry, 2800);
  EXPECT_EQ(r->last_login, 1000);
}

TEST(RelayTable, ReloginAfterExpiryBeforeSweepCountsAsNew) {
  RelayTable t;
  t.Upsert(Ip("192.0.2.1"), "a", 1000, 60);
  EXPECT_EQ(t.Upsert(Ip("192.0.2.1"), "a", 2000, 60), RelayTable::UpsertResult::kAdded);
}

TEST(RelayTable, SlidingWindowMovesNextExpiryAfterSweep) {
  RelayTable t;
  t.Upsert(Ip("192.0.2.1"), "a", 1000, 60);
  t.Upsert(Ip("192.0.2.1"), "a", 1050, 60);
  EXPECT_LE(t.NextExpiry(), 1060);  // A hint may be early...
  EXPECT_EQ(t.Expire(1060), 0u);    // ...the sweep finds nothing due...
  EXPECT_EQ(t.NextExpiry(), 1110);  // ...and recomputes it.
}

TEST(RelayTable, SnapshotIsSortedIpv4First) {
  RelayTable t(4);
  for (const char* a : {"2001:db8::1", "10.0.0.1", "9.0.0.1", "192.0.2.1"}) {
    t.Upsert(Ip(a), "u", 1000, 60);
  }
  std::vector<std::string> got;
  for (const RecordView r : t.Snapshot(1000)) got.push_back(r.address.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{"9.0.0.1", "10.0.0.1", "192.0.2.1", "2001:db8::1"}));
}

TEST(RelayTable, RestoreKeepsTheLaterExpiryAndDropsExpired) {
  RelayTable t;
  t.Restore({Ip("192.0.2.1"), "old", 900, 1100}, 1000);
  t.Restore({Ip("192.0.2.2"), "gone", 800, 1000}, 1000);
  t.Upsert(Ip("192.0.2.3"), "new", 1000, 600);
  t.Restore({Ip("192.0.2.3"), "stale", 900, 1200}, 1000);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.Lookup(Ip("192.0.2.1"), 1000)->user, "old");
  EXPECT_EQ(t.Lookup(Ip("192.0.2.3"), 1000)->user, "new");
  EXPECT_EQ(t.NextExpiry(), 1100);
}

}  // namespace
}  // namespace exact::table

namespace exact::table {
namespace {

// One writer (the pipeline's stage 3) and concurrent readers (publisher,
// dumps, expiry): run under TSan in CI.
// exactctl remove: out at once, and no login logged up to the revoke brings
// it back (a later line of the same session, a replay after a restart).
TEST(RelayTable, ARevokeHoldsUntilANewerLogin) {
  RelayTable t;
  t.Upsert(Ip("192.0.2.1"), "alice", 1000, 60);
  EXPECT_TRUE(t.Remove(Ip("192.0.2.1"), {1005, 1065}, 1005));
  EXPECT_FALSE(t.Lookup(Ip("192.0.2.1"), 1005).has_value());
  // Logged at 1000 and at 1005 (the revoke's own second): refused.
  EXPECT_EQ(
      t.UpsertAll({{Ip("192.0.2.1"), "alice", 1000, 1060}, {Ip("192.0.2.1"), "alice", 1005, 1065}},
                  1006),
      0u);
  EXPECT_EQ(t.revoked_logins(), 2u);
  EXPECT_FALSE(t.Lookup(Ip("192.0.2.1"), 1006).has_value());
  // Logged after it: granted, and the revoke is gone.
  EXPECT_EQ(t.UpsertAll({{Ip("192.0.2.1"), "alice", 1006, 1066}}, 1006), 1u);
  EXPECT_TRUE(t.Lookup(Ip("192.0.2.1"), 1006).has_value());
  EXPECT_TRUE(t.Revokes(1006).empty());
  EXPECT_EQ(t.UpsertAll({{Ip("192.0.2.1"), "alice", 1001, 1061}}, 1007), 0u);
  EXPECT_EQ(t.revoked_logins(), 2u);
}

TEST(RelayTable, ARevokeIsDroppedAfterItsHoldAndAManualGrantClearsIt) {
  RelayTable t;
  EXPECT_FALSE(t.Remove(Ip("192.0.2.1"), {1000, 1060}, 1000));  // Nothing live: still held.
  t.RestoreRevoke(Ip("192.0.2.2"), {1000, 1060}, 1000);
  t.RestoreRevoke(Ip("192.0.2.3"), {900, 950}, 1000);  // Held no longer: not restored.
  ASSERT_EQ(t.Revokes(1000).size(), 2u);
  EXPECT_EQ(t.Revokes(1000)[1].first, Ip("192.0.2.2"));
  t.Upsert(Ip("192.0.2.1"), "operator", 1001, 60);
  EXPECT_EQ(t.Revokes(1001).size(), 1u);
  EXPECT_TRUE(t.Lookup(Ip("192.0.2.1"), 1001).has_value());
  EXPECT_TRUE(t.Revokes(1060).empty());
  EXPECT_EQ(t.UpsertAll({{Ip("192.0.2.2"), "bob", 999, 2000}}, 1060), 1u);
}

TEST(RelayTable, ConcurrentWriterAndReadersAgree) {
  RelayTable t;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (uint32_t i = 0; i < 20000; ++i) t.Upsert(IpAddress::FromV4(0x0a000000 + i), "u", 1000, 60);
    done = true;
  });
  size_t last = 0;
  while (!done) {
    size_t n = t.Snapshot(1000).size();
    EXPECT_GE(n, last);  // Entries only ever appear.
    last = n;
    t.Expire(999);  // Removes nothing, but sweeps every shard.
  }
  writer.join();
  EXPECT_EQ(t.Snapshot(1000).size(), 20000u);
  EXPECT_EQ(t.NextExpiry(), 1060);
}

}  // namespace
}  // namespace exact::table
