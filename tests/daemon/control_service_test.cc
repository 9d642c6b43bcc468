// exactctl's commands against a table, without a socket: what each answers
// and what it changes.
#include "src/daemon/control_service.h"

#include <sysexits.h>

#include "gtest/gtest.h"
#include "src/base/clock.h"

namespace exact::daemon {
namespace {

class FixedClock : public base::Clock {
 public:
  base::UnixSeconds Now() const override { return now; }
  int64_t WallMicros() const override { return now * 1000000; }
  int64_t NowMicros() const override { return now * 1000000; }
  base::UnixSeconds now = 1000;
};

class ControlCommands : public ::testing::Test {
 protected:
  ControlCommands() {
    hooks_.table = &table_;
    hooks_.clock = &clock_;
    hooks_.ignore = &ignore_;
    hooks_.timeout = [] { return int64_t{1800}; };
    hooks_.publish = [this](const char*) {
      ++publishes_;
      return true;
    };
    hooks_.reload = [] { return std::string("reloaded\n"); };
    hooks_.stats = [] { return std::string("stats\n"); };
    hooks_.config = [] { return std::string("config\n"); };
    hooks_.metrics = [] { return std::string(); };
  }
  control::Response Run(std::string command, std::vector<std::string> args = {}) {
    return ExecuteControl({std::move(command), std::move(args)}, 0, hooks_);
  }

  table::RelayTable table_;
  FixedClock clock_;
  match::NetworkSet ignore_;
  ControlHooks hooks_;
  int publishes_ = 0;
};

TEST_F(ControlCommands, AddGrantsForTheGivenTimeAndPublishes) {
  control::Response r = Run("add", {"192.0.2.7", "--for", "10m", "--user", "walkin"});
  EXPECT_EQ(r.code, 0) << r.body;
  EXPECT_EQ(publishes_, 1);
  std::optional<table::RelayRecord> rec =
      table_.Lookup(*match::IpAddress::Parse("192.0.2.7"), 1000);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->user, "walkin");
  EXPECT_EQ(rec->expiry, 1600);
  EXPECT_EQ(Run("add", {"192.0.2.8"}).code, 0);
  EXPECT_EQ(table_.Lookup(*match::IpAddress::Parse("192.0.2.8"), 1000)->expiry, 2800);
}

TEST_F(ControlCommands, BadArgumentsAreRefusedWithTheirCode) {
  EXPECT_EQ(Run("add", {"not-an-ip"}).code, EX_DATAERR);
  EXPECT_EQ(Run("add", {"224.0.0.1"}).code, EX_DATAERR);
  EXPECT_EQ(Run("add", {"192.0.2.1", "--for", "31d"}).code, EX_USAGE);
  EXPECT_EQ(Run("add", {"192.0.2.1", "--for"}).code, EX_USAGE);
  EXPECT_EQ(Run("add", {"192.0.2.1", "--bogus", "x"}).code, EX_USAGE);
  EXPECT_EQ(Run("add").code, EX_USAGE);
  EXPECT_EQ(Run("list", {"--xml"}).code, EX_USAGE);
  EXPECT_EQ(Run("flush", {"now"}).code, EX_USAGE);
  EXPECT_EQ(Run("frobnicate").code, EX_USAGE);
  EXPECT_EQ(publishes_, 0);
  EXPECT_EQ(table_.size(), 0u);
}

TEST_F(ControlCommands, RemoveRevokesUntilANewerLogin) {
  table_.Upsert(*match::IpAddress::Parse("192.0.2.1"), "alice", 990, 1800);
  EXPECT_EQ(Run("show", {"192.0.2.1"}).code, 0);
  control::Response r = Run("remove", {"192.0.2.1"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.body, "revoked 192.0.2.1 until its next login\n");
  EXPECT_EQ(publishes_, 1);
  EXPECT_EQ(Run("show", {"192.0.2.1"}).code, 1);
  // The login that was live is logged again (a replay): still refused.
  EXPECT_EQ(table_.UpsertAll({{*match::IpAddress::Parse("192.0.2.1"), "alice", 990, 2790}}, 1000),
            0u);
  ASSERT_EQ(table_.Revokes(1000).size(), 1u);
  EXPECT_EQ(table_.Revokes(1000)[0].second.hold_until, 2800);
}

TEST_F(ControlCommands, ListJsonEscapesWhatAUserNameHolds) {
  table_.Upsert(*match::IpAddress::Parse("192.0.2.1"), "a\"b\\c\nd", 1000, 60);
  const std::string json = Run("list", {"--json"}).body;
  EXPECT_EQ(json,
            "[\n{\"address\":\"192.0.2.1\",\"user\":\"a\\\"b\\\\x5cc\\\\x0ad\",\"last_login\":1000,"
            "\"expiry\":1060}\n]\n");
  table::RelayTable empty;
  EXPECT_EQ(ListJson(empty.Snapshot(0)), "[]\n");
}

}  // namespace
}  // namespace exact::daemon
