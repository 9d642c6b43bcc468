// exactctl's protocol: what is accepted, what is refused and why.
#include "src/control/protocol.h"

#include "gtest/gtest.h"

namespace exact::control {
namespace {

TEST(ControlProtocol, RequestRoundTrips) {
  Request r{"add", {"192.0.2.1", "--for", "10m", "--user", "alice"}};
  absl::StatusOr<std::string> line = EncodeRequest(r);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "exactctl 1 add 192.0.2.1 --for 10m --user alice\n");
  absl::StatusOr<Request> back = ParseRequest(*line);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, r);
}

TEST(ControlProtocol, AWordCannotCarryASecondLine) {
  EXPECT_FALSE(EncodeRequest({"add", {"192.0.2.1\nexactctl 1 flush"}}).ok());
  EXPECT_FALSE(EncodeRequest({"add", {"a b"}}).ok());
  EXPECT_FALSE(EncodeRequest({"", {}}).ok());
  EXPECT_FALSE(EncodeRequest({"x", {std::string(256, 'a')}}).ok());
}

TEST(ControlProtocol, BadRequestsAreRefusedWithTheirReason) {
  struct Case {
    std::string line, message;
  } cases[] = {
      {"GET / HTTP/1.1\n", "not an exactctl request"},
      {"exactctl\n", "not an exactctl request"},
      {"exactctl one list\n", "not an exactctl request (no version)"},
      {"exactctl 01 list\n", "not an exactctl request (no version)"},
      {"exactctl 2 list\n", "protocol version 2 is not spoken here (this exact speaks 1)"},
      {"exactctl 1\n", "no command"},
      {"exactctl 1 list  x\n", "word 2 is not 1 to 255 printable characters without space"},
      {"exactctl 1 list \x01\n", "word 2 is not 1 to 255 printable characters without space"},
      {std::string("exactctl 1 ") + std::string(4096, 'a'), "request too long"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Request> r = ParseRequest(c.line);
    ASSERT_FALSE(r.ok()) << c.line;
    EXPECT_EQ(r.status().message(), c.message) << c.line;
  }
  std::string many = "exactctl 1 x";
  for (int i = 0; i < 17; ++i) many += " a";
  EXPECT_EQ(ParseRequest(many).status().message(), "more than 16 arguments");
}

TEST(ControlProtocol, ResponseIsIncompleteUntilItsLastByte) {
  const std::string wire = EncodeResponse({65, "bad address\n"});
  EXPECT_EQ(wire, "exactctl 1 65 12\nbad address\n");
  for (size_t n = 0; n < wire.size(); ++n) {
    absl::StatusOr<std::optional<Response>> r = ParseResponse(wire.substr(0, n));
    ASSERT_TRUE(r.ok()) << n;
    EXPECT_FALSE(r->has_value()) << n;
  }
  absl::StatusOr<std::optional<Response>> r = ParseResponse(wire);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->code, 65);
  EXPECT_EQ((*r)->body, "bad address\n");
  EXPECT_FALSE(ParseResponse(wire + "x").ok());
}

TEST(ControlProtocol, MalformedOrOversizedResponsesAreRefused) {
  EXPECT_FALSE(ParseResponse("HTTP/1.1 200 OK\r\n").ok());
  EXPECT_FALSE(ParseResponse("exactctl 1 0 -1\n").ok());
  EXPECT_FALSE(ParseResponse("exactctl 1 300 0\n").ok());
  EXPECT_FALSE(ParseResponse("exactctl 1 0 99999999999\n").ok());
  EXPECT_FALSE(ParseResponse(std::string(100, 'e')).ok());
  EXPECT_EQ(ParseResponse("exactctl 9 0 0\n").status().message(),
            "exact answered in protocol version 9; this exactctl speaks 1");
}

}  // namespace
}  // namespace exact::control
