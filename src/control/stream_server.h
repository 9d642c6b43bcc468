// A small request/response server on a unix or loopback TCP stream socket:
// one connection at a time, one request per connection, each bounded in
// bytes and in time, answered by a handler. exactctl's control socket and
// the metrics HTTP listener both use it: neither needs concurrency, and
// serving one peer at a time keeps every bound obvious.
//
// Thread safety: Listen() and Start() once, from one thread; the server then
// runs on its own thread, where the handler is called. Stop() (or the
// destructor) from any one thread; it joins.
#ifndef EXACT_SRC_CONTROL_STREAM_SERVER_H_
#define EXACT_SRC_CONTROL_STREAM_SERVER_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/base/files.h"

namespace exact::control {

// Who is on the other end of a unix socket (SO_PEERCRED, SO_PEERGROUPS).
struct Peer {
  bool known = false;  // False on TCP.
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  std::vector<gid_t> groups;  // Supplementary groups.
};

// Whether `peer` may use the control socket: root, exact's own uid
// (`self`), or a member (primary or supplementary) of `group` (-1: none).
// An unknown peer never may.
bool PeerIsAllowed(const Peer& peer, uid_t self, gid_t group);

class StreamServer {
 public:
  // Called with every byte received so far. Returns nullopt to read more,
  // or the whole reply; `final` is true at end of input or at the byte
  // limit, when the handler must reply.
  using Handler = std::function<std::optional<std::string>(absl::string_view received,
                                                           const Peer& peer, bool final)>;

  // A unix socket at `path`, mode 0660, given to `owner`/`group` (-1 keeps
  // them): call before privileges are dropped. A stale socket there is
  // replaced; FailedPrecondition if something else is there.
  static absl::StatusOr<std::unique_ptr<StreamServer>> ListenUnix(const std::string& path,
                                                                  uid_t owner, gid_t group);
  // A TCP socket on "IPV4:PORT"; InvalidArgument unless IPV4 is in 127/8.
  static absl::StatusOr<std::unique_ptr<StreamServer>> ListenLoopback(const std::string& host_port);
  ~StreamServer();

  // The port bound (ListenLoopback with port 0, for tests).
  int port() const { return port_; }

  // `max_request` bytes at most are read per connection; each connection
  // gets `timeout_ms` to send its request and take its reply.
  void Start(size_t max_request, int timeout_ms, Handler handler);
  void Stop();

 private:
  StreamServer() = default;
  void Run();
  void Serve(base::UniqueFd fd);

  base::UniqueFd listen_fd_;
  base::UniqueFd wake_fd_;
  std::string unix_path_;
  int port_ = 0;
  size_t max_request_ = 0;
  int timeout_ms_ = 0;
  Handler handler_;
  std::thread thread_;
};

}  // namespace exact::control

#endif  // EXACT_SRC_CONTROL_STREAM_SERVER_H_
