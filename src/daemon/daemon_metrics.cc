// The daemon's metric names and help texts.
#include "src/daemon/daemon_metrics.h"

namespace exact::daemon {

std::vector<double> PublishSecondsBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::string RenderMetrics(const MetricsInputs& in) {
  using metrics::Type;
  metrics::Registry r;
  // Every name below is a literal that Declare accepts and Set matches:
  // the registry test and the metrics integration test cover both, so the
  // statuses are not checked one by one here.
  auto counter = [&](const char* name, const char* help) {
    (void)r.Declare(name, Type::kCounter, help);
  };
  auto gauge = [&](const char* name, const char* help) {
    (void)r.Declare(name, Type::kGauge, help);
  };
  auto set = [&](const char* name, metrics::Labels labels, double v) {
    (void)r.Set(name, labels, v);
  };
  gauge("exact_build_info", "The running exact's version, as a label; always 1.");
  set("exact_build_info", {{"version", in.version}}, 1);
  counter("exact_log_bytes_read_total", "Bytes of each maillog read and applied.");
  counter("exact_log_lines_read_total", "Lines of each maillog read and applied.");
  gauge("exact_log_lag_bytes", "Bytes in each maillog beyond what exact has applied.");
  gauge("exact_log_lag_seconds",
        "How long each maillog has been behind, as seen at each scrape; 0 when caught up.");
  for (const LogMetrics& l : in.logs) {
    set("exact_log_bytes_read_total", {{"log", l.path}}, static_cast<double>(l.bytes));
    set("exact_log_lines_read_total", {{"log", l.path}}, static_cast<double>(l.lines));
    set("exact_log_lag_bytes", {{"log", l.path}}, static_cast<double>(l.lag_bytes));
    set("exact_log_lag_seconds", {{"log", l.path}}, static_cast<double>(l.lag_seconds));
  }
  counter("exact_candidate_lines_total", "Lines the stanzas' literals flagged for matching.");
  set("exact_candidate_lines_total", {}, static_cast<double>(in.candidates));
  counter("exact_logins_total", "Login lines matched, by stanza.");
  for (const auto& [stanza, n] : in.logins_by_stanza) {
    set("exact_logins_total", {{"stanza", stanza}}, static_cast<double>(n));
  }
  counter("exact_rejected_total",
          "Candidate lines or logins not granted, by reason: bad_address, stale, "
          "ignored_network, binary, oversized, revoked, untrusted (a login pattern under a "
          "program tag its stanza does not trust).");
  set("exact_rejected_total", {{"reason", "bad_address"}}, static_cast<double>(in.bad_address));
  set("exact_rejected_total", {{"reason", "stale"}}, static_cast<double>(in.stale));
  set("exact_rejected_total", {{"reason", "ignored_network"}}, static_cast<double>(in.ignored));
  set("exact_rejected_total", {{"reason", "binary"}}, static_cast<double>(in.binary));
  set("exact_rejected_total", {{"reason", "oversized"}}, static_cast<double>(in.oversized));
  set("exact_rejected_total", {{"reason", "revoked"}}, static_cast<double>(in.revoked));
  set("exact_rejected_total", {{"reason", "untrusted"}}, static_cast<double>(in.untrusted));
  counter("exact_grants_total",
          "Addresses granted: new (or back after expiring), refreshed, or by exactctl add.");
  set("exact_grants_total", {{"kind", "new"}}, static_cast<double>(in.new_addresses));
  set("exact_grants_total", {{"kind", "refreshed"}}, static_cast<double>(in.refreshed));
  set("exact_grants_total", {{"kind", "manual"}}, static_cast<double>(in.manual_grants));
  counter("exact_revokes_total", "Addresses revoked by exactctl remove.");
  set("exact_revokes_total", {}, static_cast<double>(in.manual_revokes));
  gauge("exact_live_addresses", "Addresses in the relay table now.");
  set("exact_live_addresses", {}, static_cast<double>(in.live));
  counter("exact_publishes_total", "Publishes of the maps and the state file.");
  set("exact_publishes_total", {}, static_cast<double>(in.publishes));
  counter("exact_publish_failures_total", "Publishes in which a map or the state file failed.");
  set("exact_publish_failures_total", {}, static_cast<double>(in.publish_failures));
  (void)r.Declare("exact_publish_duration_seconds", Type::kHistogram,
                  "Wall time of each publish, state file and every map.");
  if (in.publish_seconds != nullptr) {
    (void)r.SetHistogram("exact_publish_duration_seconds", {}, *in.publish_seconds);
  }
  counter("exact_log_rotations_total", "Rotations of the maillogs seen.");
  set("exact_log_rotations_total", {}, static_cast<double>(in.rotations));
  counter("exact_log_truncations_total", "Truncations (copytruncate) of the maillogs seen.");
  set("exact_log_truncations_total", {}, static_cast<double>(in.truncations));
  counter("exact_log_open_errors_total", "Failures to open a maillog.");
  set("exact_log_open_errors_total", {}, static_cast<double>(in.open_errors));
  counter("exact_log_read_errors_total", "Failures to read a maillog.");
  set("exact_log_read_errors_total", {}, static_cast<double>(in.read_errors));
  counter("exact_scan_retries_total", "Chunks whose scan failed once and was retried.");
  set("exact_scan_retries_total", {}, static_cast<double>(in.scan_retries));
  counter("exact_scan_failures_total", "Chunks whose retried scan failed too: their logins lost.");
  set("exact_scan_failures_total", {}, static_cast<double>(in.scan_failures));
  if (in.socketmap) {
    const publish::SocketmapCounters& c = in.socketmap_counters;
    counter("exact_socketmap_lookups_total", "Socketmap lookups, by result: hit or miss.");
    set("exact_socketmap_lookups_total", {{"result", "hit"}}, static_cast<double>(c.hits));
    set("exact_socketmap_lookups_total", {{"result", "miss"}}, static_cast<double>(c.misses));
    counter("exact_socketmap_connections_total", "Socketmap connections accepted.");
    set("exact_socketmap_connections_total", {}, static_cast<double>(c.accepted));
    counter("exact_socketmap_closed_total",
            "Socketmap connections closed or refused by a limit, by reason.");
    set("exact_socketmap_closed_total", {{"reason", "idle_timeout"}},
        static_cast<double>(c.idle_timeouts));
    set("exact_socketmap_closed_total", {{"reason", "oversized"}},
        static_cast<double>(c.oversized));
    set("exact_socketmap_closed_total", {{"reason", "malformed"}},
        static_cast<double>(c.malformed));
    set("exact_socketmap_closed_total", {{"reason", "evicted"}}, static_cast<double>(c.evicted));
    set("exact_socketmap_closed_total", {{"reason", "memory_cap"}},
        static_cast<double>(c.memory_cap));
    set("exact_socketmap_closed_total", {{"reason", "refused_client"}},
        static_cast<double>(c.refused_clients));
    counter("exact_socketmap_reads_paused_total",
            "Times a socketmap client's queued replies paused its reads.");
    set("exact_socketmap_reads_paused_total", {}, static_cast<double>(c.reads_paused));
    counter("exact_socketmap_accept_failures_total", "Socketmap accept() failures.");
    set("exact_socketmap_accept_failures_total", {}, static_cast<double>(c.accept_failures));
    gauge("exact_socketmap_open_connections", "Socketmap connections open now.");
    set("exact_socketmap_open_connections", {}, static_cast<double>(c.open_connections));
    gauge("exact_socketmap_buffered_bytes", "Bytes in all socketmap connections' buffers now.");
    set("exact_socketmap_buffered_bytes", {}, static_cast<double>(c.buffered_bytes));
  }
  return r.Render();
}

}  // namespace exact::daemon
