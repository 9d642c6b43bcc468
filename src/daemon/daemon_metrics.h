// The daemon's metrics, named and described once (docs/metrics.md lists
// them): the daemon gathers plain values into MetricsInputs on its control
// loop, and RenderMetrics turns them into the Prometheus text format for
// the HTTP listener and the textfile alike.
//
// Thread safety: pure functions.
#ifndef EXACT_SRC_DAEMON_DAEMON_METRICS_H_
#define EXACT_SRC_DAEMON_DAEMON_METRICS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "src/metrics/registry.h"
#include "src/publish/socketmap_server.h"

namespace exact::daemon {

struct LogMetrics {
  std::string path;
  uint64_t bytes = 0;  // Read and applied.
  uint64_t lines = 0;
  uint64_t lag_bytes = 0;   // In the file beyond what was applied.
  int64_t lag_seconds = 0;  // How long it has been behind (0: caught up).
};

struct MetricsInputs {
  std::string version;
  std::vector<LogMetrics> logs;
  uint64_t candidates = 0;
  std::vector<std::pair<std::string, uint64_t>> logins_by_stanza;
  uint64_t bad_address = 0, stale = 0, ignored = 0, binary = 0, oversized = 0, revoked = 0,
           untrusted = 0;
  uint64_t new_addresses = 0, refreshed = 0, manual_grants = 0, manual_revokes = 0;
  uint64_t live = 0;
  uint64_t publishes = 0, publish_failures = 0;
  const metrics::Histogram* publish_seconds = nullptr;
  uint64_t rotations = 0, truncations = 0, open_errors = 0, read_errors = 0;
  uint64_t scan_retries = 0, scan_failures = 0;
  bool socketmap = false;
  publish::SocketmapCounters socketmap_counters;
};

// Buckets of exact_publish_duration_seconds.
std::vector<double> PublishSecondsBuckets();

std::string RenderMetrics(const MetricsInputs& in);

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_DAEMON_METRICS_H_
