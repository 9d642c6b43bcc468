// The daemon's side of exactctl and of the metrics listener. Requests
// arrive on the servers' threads but are carried out on the control loop's
// thread (RunPending), where the table, the configuration and the
// publisher are the loop's own: no command races with a reload or a
// publish. A server thread waits for its answer; if the loop is stopping,
// it answers "exact is stopping" instead.
//
// Thread safety: Listen and Start before the loop; RunPending from the
// control loop only; Stop once, from the loop's thread, after it.
#ifndef EXACT_SRC_DAEMON_CONTROL_SERVICE_H_
#define EXACT_SRC_DAEMON_CONTROL_SERVICE_H_

#include <sys/types.h>

#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/control/protocol.h"
#include "src/control/stream_server.h"
#include "src/match/network.h"
#include "src/table/relay_table.h"

namespace exact::daemon {

// What the commands need of the daemon; every hook runs on the loop.
struct ControlHooks {
  table::RelayTable* table = nullptr;
  const base::Clock* clock = nullptr;
  const match::NetworkSet* ignore = nullptr;
  std::function<int64_t()> timeout;              // Current `timeout`, seconds.
  std::function<bool(const char* why)> publish;  // Publishes now; false on failure.
  std::function<std::string()> reload;           // As SIGHUP; returns what happened.
  std::function<std::string()> stats;            // Human-readable counters.
  std::function<std::string()> config;           // The effective configuration.
  std::function<std::string()> metrics;          // Prometheus text.
};

// Carries out one exactctl request (on the loop). `peer_uid` is logged
// with each change.
control::Response ExecuteControl(const control::Request& request, uid_t peer_uid,
                                 const ControlHooks& hooks);

// A list of live entries in JSON, for `list --json` (and its tests).
std::string ListJson(const table::RelaySnapshot& snapshot);

class ControlService {
 public:
  // Opens the control socket (unless `socket_path` is "" or "none"), owned
  // by `owner` and in `socket_group`, and the metrics listener (unless
  // `metrics_listen` is ""). Call before privileges are dropped.
  // `allowed_group`: members may use the socket (-1: root and exact only).
  static absl::StatusOr<std::unique_ptr<ControlService>> Listen(const std::string& socket_path,
                                                                uid_t owner, gid_t socket_group,
                                                                gid_t allowed_group,
                                                                const std::string& metrics_listen);
  ~ControlService();

  // Starts serving; a request wakes the loop through `wake` (an eventfd
  // write), which must then call RunPending.
  void Start(std::function<void()> wake);
  // Carries out every queued request.
  void RunPending(const ControlHooks& hooks);
  // Answers what is queued with "stopping" and stops both servers.
  void Stop();

 private:
  using Task = std::function<void(const ControlHooks&)>;
  ControlService() = default;
  // Queues `task` and waits for it; false if stopping.
  bool RunOnLoop(Task task);

  std::unique_ptr<control::StreamServer> control_;
  std::unique_ptr<control::StreamServer> metrics_;
  gid_t allowed_group_ = static_cast<gid_t>(-1);
  std::function<void()> wake_;
  base::Mutex mu_;
  std::deque<std::pair<Task, std::shared_ptr<std::promise<void>>>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_CONTROL_SERVICE_H_
