// The control socket end to end: mode, peer check, bounds, a round trip.
#include "src/control/stream_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "src/control/control_client.h"
#include "src/control/protocol.h"

namespace exact::control {
namespace {

std::string TempSocket(const char* name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/exact-", name, "-", ::getpid(), ".sock");
}

TEST(PeerIsAllowed, RootSelfOrAGroupMember) {
  Peer p{true, 1000, 1000, {24, 1000}};
  EXPECT_FALSE(PeerIsAllowed(p, 120, static_cast<gid_t>(-1)));
  EXPECT_FALSE(PeerIsAllowed(p, 120, 44));
  EXPECT_TRUE(PeerIsAllowed(p, 120, 24));    // Supplementary group.
  EXPECT_TRUE(PeerIsAllowed(p, 120, 1000));  // Primary group.
  EXPECT_TRUE(PeerIsAllowed(p, 1000, static_cast<gid_t>(-1)));
  EXPECT_TRUE(PeerIsAllowed(Peer{true, 0, 0, {}}, 120, static_cast<gid_t>(-1)));
  EXPECT_FALSE(PeerIsAllowed(Peer{}, 120, 24));  // Unknown (TCP): never.
}

TEST(StreamServer, AnswersARequestOverAUnixSocketMode0660) {
  const std::string path = TempSocket("rt");
  auto server = StreamServer::ListenUnix(path, static_cast<uid_t>(-1), static_cast<gid_t>(-1));
  ASSERT_TRUE(server.ok()) << server.status();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  Peer seen;
  (*server)->Start(
      kMaxRequestBytes, 2000,
      [&](absl::string_view in, const Peer& peer, bool final) -> std::optional<std::string> {
        if (in.find('\n') == absl::string_view::npos && !final) return std::nullopt;
        seen = peer;
        absl::StatusOr<Request> r = ParseRequest(in);
        if (!r.ok()) return EncodeResponse({64, std::string(r.status().message())});
        return EncodeResponse({0, absl::StrCat(r->command, " ", r->args.size())});
      });
  absl::StatusOr<Response> r = Call(path, {"list", {"--json"}}, 2000);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->code, 0);
  EXPECT_EQ(r->body, "list 1");
  EXPECT_TRUE(seen.known);
  EXPECT_EQ(seen.uid, ::geteuid());
  EXPECT_TRUE(PeerIsAllowed(seen, ::geteuid(), static_cast<gid_t>(-1)));
  (*server)->Stop();
  server->reset();
  EXPECT_NE(::access(path.c_str(), F_OK), 0);  // The socket goes with the server.
  absl::StatusOr<Response> gone = Call(path, {"list", {}}, 500);
  EXPECT_TRUE(absl::IsUnavailable(gone.status())) << gone.status();
}

TEST(StreamServer, RefusesToReplaceAFileThatIsNotASocket) {
  const std::string path = TempSocket("file");
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  auto server = StreamServer::ListenUnix(path, static_cast<uid_t>(-1), static_cast<gid_t>(-1));
  EXPECT_TRUE(absl::IsFailedPrecondition(server.status())) << server.status();
  ::unlink(path.c_str());
}

TEST(StreamServer, LoopbackOnly) {
  EXPECT_FALSE(StreamServer::ListenLoopback("0.0.0.0:0").ok());
  EXPECT_FALSE(StreamServer::ListenLoopback("192.0.2.1:9155").ok());
  EXPECT_FALSE(StreamServer::ListenLoopback("127.0.0.1").ok());
  auto server = StreamServer::ListenLoopback("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_GT((*server)->port(), 0);
}

}  // namespace
}  // namespace exact::control
