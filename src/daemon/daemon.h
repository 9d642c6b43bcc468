// The exact daemon: start-up in least-privilege order, the control loop
// (signals, publishing, expiry, reload, dumps) and shutdown.
//
// Signals arrive through a signalfd, never through handlers, so all work
// happens in the control loop: TERM and INT publish and exit 0, HUP reloads
// the config (keeping the old one on error), USR1 dumps the table, ALRM
// expires and publishes now.
//
// Thread safety: Run() once, on the main thread; it starts and joins the
// reader and pipeline threads itself.
#ifndef EXACT_SRC_DAEMON_DAEMON_H_
#define EXACT_SRC_DAEMON_DAEMON_H_

#include <string>

namespace exact::daemon {

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

// Returns the process exit status (sysexits.h).
int RunDaemon(const DaemonOptions& options);

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_DAEMON_H_
