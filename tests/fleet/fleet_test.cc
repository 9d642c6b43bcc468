#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/fleet/endpoint.h"
#include "src/fleet/fleet_publisher.h"
#include "src/fleet/grant_wire.h"
#include "src/fleet/stream_reply.h"

namespace exact::fleet {
namespace {

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

TEST(GrantWireTest, KeyIsPostfixsFormBehindThePrefix) {
  EXPECT_EQ(StoreKey("", Ip("192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(StoreKey("exact:", Ip("2001:db8::3")), "exact:2001:db8::3");
}

TEST(GrantWireTest, TimeToLiveIsWhatIsLeftAndNeverZero) {
  EXPECT_EQ(TimeToLive(1100, 1000), 100);
  EXPECT_EQ(TimeToLive(1000, 1000), 1);
  EXPECT_EQ(TimeToLive(900, 1000), 1);
}

TEST(GrantWireTest, StreamFieldsRoundTrip) {
  const Grant g{Ip("192.0.2.7"), 1700000000};
  std::vector<std::pair<std::string, std::string>> fields = StreamFields(g);
  std::vector<std::pair<absl::string_view, absl::string_view>> views(fields.begin(), fields.end());
  absl::StatusOr<Grant> back = ParseStreamFields(views);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, g);
}

TEST(GrantWireTest, BadStreamFieldsAreRefused) {
  using F = std::vector<std::pair<absl::string_view, absl::string_view>>;
  EXPECT_FALSE(ParseStreamFields(F{{"a", "192.0.2.7"}}).ok());
  EXPECT_FALSE(ParseStreamFields(F{{"a", "nope"}, {"e", "1"}}).ok());
  EXPECT_FALSE(ParseStreamFields(F{{"a", "224.0.0.1"}, {"e", "1"}}).ok());
  EXPECT_FALSE(ParseStreamFields(F{{"a", "192.0.2.7"}, {"e", "-1"}}).ok());
  EXPECT_FALSE(ParseStreamFields(F{{"a", "192.0.2.7"}, {"e", "99999999999"}}).ok());
  EXPECT_FALSE(ParseStreamFields(F{{"a", "192.0.2.7"}, {"a", "192.0.2.8"}, {"e", "1"}}).ok());
  EXPECT_TRUE(ParseStreamFields(F{{"x", "y"}, {"a", "192.0.2.7"}, {"e", "1"}}).ok());
}

TEST(EndpointTest, ParsesHostPortAndBracketedV6) {
  auto e = ParseEndpoint("127.0.0.1:11211");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 11211);
  auto v6 = ParseEndpoint("[::1]:6379");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "[::1]:6379");
  for (const char* bad :
       {"", "host", ":1", "h:0", "h:65536", "h:x", "::1:6379", "[zz]:1", "a b:1", "h:123456"}) {
    EXPECT_FALSE(ParseEndpoint(bad)) << bad;
  }
}

// A RESP reply, parsed by hiredis as the subscriber's connection would.
redisReply* Parse(const std::string& resp) {
  redisReader* r = redisReaderCreate();
  redisReaderFeed(r, resp.data(), resp.size());
  void* reply = nullptr;
  EXPECT_EQ(redisReaderGetReply(r, &reply), REDIS_OK);
  redisReaderFree(r);
  return static_cast<redisReply*>(reply);
}

TEST(StreamReplyTest, ReadsEntriesAndSkipsBadOnes) {
  redisReply* reply = Parse(
      "*1\r\n*2\r\n$1\r\ns\r\n*2\r\n"
      "*2\r\n$3\r\n1-0\r\n*4\r\n$1\r\na\r\n$9\r\n192.0.2.1\r\n$1\r\ne\r\n$2\r\n42\r\n"
      "*2\r\n$3\r\n2-5\r\n*2\r\n$1\r\na\r\n$3\r\nbad\r\n");
  absl::StatusOr<StreamBatch> b = ReadStreamReply(reply);
  freeReplyObject(reply);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(b->grants, testing::ElementsAre(Grant{Ip("192.0.2.1"), 42}));
  EXPECT_EQ(b->bad_entries, 1u);
  EXPECT_EQ(b->last_id, "2-5");
}

TEST(StreamReplyTest, NilIsNothingAndWrongShapesAreErrors) {
  redisReply* nil = Parse("*-1\r\n");
  absl::StatusOr<StreamBatch> b = ReadStreamReply(nil);
  freeReplyObject(nil);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->grants.empty());
  for (const char* bad : {":1\r\n", "-ERR no\r\n", "*1\r\n:5\r\n", "*1\r\n*2\r\n$1\r\ns\r\n:1\r\n",
                          "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$2\r\nxx\r\n*0\r\n"}) {
    redisReply* r = Parse(bad);
    EXPECT_FALSE(ReadStreamReply(r).ok()) << bad;
    freeReplyObject(r);
  }
}

// A store that records what it was sent, and can be taken down.
class FakeStore : public GrantStore {
 public:
  struct Shared {
    base::Mutex mu;
    std::vector<Grant> written ABSL_GUARDED_BY(mu);
    int connects ABSL_GUARDED_BY(mu) = 0;
    std::atomic<bool> down{false};
    std::atomic<bool> slow{false};
  };
  explicit FakeStore(Shared* shared) : shared_(shared) {}
  std::string name() const override { return "fake"; }
  absl::Status Connect() override {
    if (shared_->down.load()) return absl::UnavailableError("down");
    base::MutexLock lock(&shared_->mu);
    ++shared_->connects;
    return absl::OkStatus();
  }
  absl::Status Write(absl::Span<const Grant> grants, UnixSeconds) override {
    while (shared_->slow.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (shared_->down.load()) return absl::UnavailableError("down");
    base::MutexLock lock(&shared_->mu);
    shared_->written.insert(shared_->written.end(), grants.begin(), grants.end());
    return absl::OkStatus();
  }

 private:
  Shared* shared_;
};

class FixedClock : public base::Clock {
 public:
  UnixSeconds Now() const override { return 1000; }
  int64_t WallMicros() const override { return 1000 * 1000000LL; }
};

table::RelaySnapshot Live(const std::vector<std::pair<const char*, UnixSeconds>>& grants) {
  std::vector<table::RelayRecord> records;
  for (const auto& [ip, expiry] : grants) records.push_back({Ip(ip), "u", 900, expiry});
  return table::RelaySnapshot::Of(records);
}

bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

std::vector<Grant> Written(FakeStore::Shared* s) {
  base::MutexLock lock(&s->mu);
  return s->written;
}

TEST(FleetPublisherTest, SendsOnlyWhatChangedBetweenOffers) {
  FakeStore::Shared shared;
  FixedClock clock;
  std::vector<std::unique_ptr<GrantStore>> stores;
  stores.push_back(std::make_unique<FakeStore>(&shared));
  FleetPublisher p(std::move(stores), &clock);
  p.Start();
  ASSERT_TRUE(Eventually([&] { return p.counts(0).connected.load(); }));
  p.Offer(Live({{"192.0.2.1", 2000}}));
  ASSERT_TRUE(Eventually([&] { return Written(&shared).size() == 1; }));
  p.Offer(Live({{"192.0.2.1", 2000}, {"192.0.2.2", 2000}}));
  p.Offer(Live({{"192.0.2.1", 2500}, {"192.0.2.2", 2000}}));  // A re-login moved 1's expiry.
  p.Delete(Ip("192.0.2.2"));
  p.Stop();
  EXPECT_THAT(Written(&shared),
              testing::ElementsAre(Grant{Ip("192.0.2.1"), 2000}, Grant{Ip("192.0.2.2"), 2000},
                                   Grant{Ip("192.0.2.1"), 2500}, Grant{Ip("192.0.2.2"), 0}));
}

TEST(FleetPublisherTest, OverflowIsCountedAndAResyncStandsIn) {
  FakeStore::Shared shared;
  FixedClock clock;
  std::vector<std::unique_ptr<GrantStore>> stores;
  stores.push_back(std::make_unique<FakeStore>(&shared));
  PublisherOptions options;
  options.queue_bound = 2;
  FleetPublisher p(std::move(stores), &clock, options);
  p.Start();
  ASSERT_TRUE(Eventually([&] { return p.counts(0).connected.load(); }));
  shared.slow.store(true);
  p.Offer(Live({{"192.0.2.1", 2000}}));  // Taken by the worker, which is now stuck writing.
  ASSERT_TRUE(Eventually([&] { return p.counts(0).written.load() == 0; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  p.Offer(Live({{"192.0.2.1", 2000},
                {"192.0.2.2", 2000},
                {"192.0.2.3", 2000},
                {"192.0.2.4", 2000}}));  // Three changes, a bound of two: one overflows.
  EXPECT_GE(p.counts(0).overflowed.load(), 1u);
  shared.slow.store(false);
  ASSERT_TRUE(Eventually([&] { return p.counts(0).resyncs.load() == 1; }));
  p.Stop();
  std::vector<Grant> w = Written(&shared);
  for (const char* ip : {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"}) {
    EXPECT_THAT(w, testing::Contains(Grant{Ip(ip), 2000})) << ip;
  }
}

TEST(FleetPublisherTest, AStoreBackFromDownGetsEveryLiveGrant) {
  FakeStore::Shared shared;
  shared.down.store(true);
  FixedClock clock;
  std::vector<std::unique_ptr<GrantStore>> stores;
  stores.push_back(std::make_unique<FakeStore>(&shared));
  FleetPublisher p(std::move(stores), &clock);
  p.Start();
  p.Offer(Live({{"192.0.2.1", 2000}}));  // Returns at once although the store is down.
  p.Offer(Live({{"192.0.2.1", 2000}, {"192.0.2.9", 3000}}));
  ASSERT_TRUE(Eventually([&] { return p.counts(0).failures.load() >= 2; }));
  EXPECT_FALSE(p.counts(0).connected.load());
  shared.down.store(false);
  ASSERT_TRUE(Eventually([&] { return Written(&shared).size() >= 2; }));
  p.Stop();
  EXPECT_THAT(Written(&shared), testing::UnorderedElementsAre(Grant{Ip("192.0.2.1"), 2000},
                                                              Grant{Ip("192.0.2.9"), 3000}));
}

}  // namespace
}  // namespace exact::fleet
