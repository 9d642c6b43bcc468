// The exact daemon: start-up in least-privilege order (startup.cc), the
// control loop (signals, publishing, expiry, reload, dumps) and shutdown
// (daemon.cc). Its parts: LoadConfigAndMatcher (loaded_config.h), the
// Scheduler (scheduler.h), the Publisher (publisher.h), the Pipeline
// (pipeline.h).
//
// Signals arrive through a signalfd, never through handlers, so all work
// happens in the control loop: TERM and INT publish and exit 0, HUP reloads
// the config (keeping the old one on error), USR1 dumps the table, ALRM
// expires and publishes now. exactctl's requests and metrics scrapes wake
// the loop through the eventfd and are carried out there too.
//
// Thread safety: Run() once, on the main thread; it starts and joins the
// reader and pipeline threads itself.
#ifndef EXACT_SRC_DAEMON_DAEMON_H_
#define EXACT_SRC_DAEMON_DAEMON_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/files.h"
#include "src/config/config.h"
#include "src/daemon/control_service.h"
#include "src/daemon/daemon_metrics.h"
#include "src/daemon/pidfile.h"
#include "src/daemon/pipeline.h"
#include "src/daemon/publisher.h"
#include "src/daemon/scheduler.h"
#include "src/fleet/fleet_setup.h"
#include "src/ingest/checkpoint_book.h"
#include "src/ingest/chunk.h"
#include "src/ingest/log_reader.h"
#include "src/ingest/spsc_ring.h"
#include "src/match/network.h"
#include "src/match/stanza_matcher.h"
#include "src/metrics/registry.h"
#include "src/publish/socketmap_server.h"
#include "src/table/relay_table.h"

namespace exact::daemon {

// In the start-up line and the metrics (exact_build_info).
inline constexpr char kExactVersion[] = "exact 2.0.0";

struct DaemonOptions {
  std::string config_path;
  bool foreground = false;
  bool once = false;        // Read the logs to their end, publish, exit.
  bool from_start = false;  // Read the logs from their start, then follow.
  bool debug = false;
  bool check_only = false;  // Load and check the config, then exit.
  int threads = 0;
  // With once: evaluate as at this wall-clock time (Unix µs); 0 = now.
  int64_t as_of_us = 0;
};

class Daemon {
 public:
  // `clock`: null for the real clock (shifted by `as_of_us` if set); a test
  // may pass its own, which must outlive the daemon.
  explicit Daemon(const DaemonOptions& options, const base::Clock* clock = nullptr);
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Start(), ControlLoop(), Shutdown(). A negative value: --check passed.
  int Run();

  // The steps of Run(), public for tests. Start() returns 0 when running,
  // an exit status (sysexits.h) when it stopped, -1 after a passed --check.
  int Start();
  int ControlLoop();
  void Shutdown();
  // Re-reads the config: true if applied, false if it was refused (the
  // running one is kept).
  bool Reload();

  const config::Config& config() const { return config_; }
  const table::RelayTable& table() const { return table_; }

 private:
  bool Publish(base::UnixSeconds now, const char* why);
  void Dump();
  void LogStats(const char* when);
  // Grants another host's exact made, read from the subscribed stream.
  void ApplyFleetGrants(const std::vector<fleet::Grant>& grants);
  std::string StatsText() const;
  // exactctl and the metrics (control_service.h, daemon_metrics.h), on the
  // control loop.
  ControlHooks Hooks();
  std::string Metrics();
  void WriteMetricsFile();

  DaemonOptions options_;
  std::unique_ptr<base::Clock> clock_holder_;
  const base::Clock& clock_;
  config::Config config_;
  std::shared_ptr<const match::StanzaMatcher> matcher_;
  match::NetworkSet ignore_;
  match::NetworkSet static_;
  match::NetworkSet socketmap_allow_;
  table::RelayTable table_;
  ingest::CheckpointBook book_;
  std::optional<PidFile> pidfile_;
  std::optional<Publisher> publisher_;
  std::optional<Scheduler> scheduler_;
  std::unique_ptr<ingest::ChunkPool> pool_;
  std::unique_ptr<ingest::SpscRing<ingest::Chunk*>> ring_;
  std::unique_ptr<ingest::LogReader> reader_;
  std::unique_ptr<Pipeline> pipeline_;
  std::thread reader_thread_;
  std::thread pipeline_thread_;
  std::atomic<bool> pipeline_done_{false};
  std::unique_ptr<publish::SocketmapServer> socketmap_;
  // Fleet mode (docs/fleet.md): shared stores fed beside the pipeline, and
  // the Redis stream a relay follows.
  std::unique_ptr<fleet::FleetPublisher> fleet_;
  std::unique_ptr<fleet::RedisSubscriber> subscriber_;
  base::UniqueFd signal_fd_;
  base::UniqueFd event_fd_;
  uint64_t refreshed_at_publish_ = 0;
  std::unique_ptr<ControlService> control_;
  metrics::Histogram publish_seconds_{PublishSecondsBuckets()};
  uint64_t publishes_ = 0, publish_failures_ = 0, manual_grants_ = 0, manual_revokes_ = 0;
  std::vector<int64_t> behind_since_;  // Per maillog: when a scrape first saw it behind; 0: not.
};

// Returns the process exit status (sysexits.h).
int RunDaemon(const DaemonOptions& options);

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_DAEMON_H_
