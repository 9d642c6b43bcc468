// Truthful start-up. Without -f the shell's exact must not exit before the
// daemon is really running: the parent waits on a pipe for the daemon's
// start-up code (0 after the first publish, or the sysexits code of what
// stopped it) and exits with it. The daemon keeps the terminal's stderr
// until then, so its start-up errors reach the operator (log.h's
// SetLogEchoErrors). Under systemd (Type=notify) the same moments go to
// sd_notify: READY=1, RELOADING=1, STOPPING=1, STATUS=.
//
// Thread safety: the main thread only.
#ifndef EXACT_SRC_DAEMON_READINESS_H_
#define EXACT_SRC_DAEMON_READINESS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"

namespace exact::daemon {

// The double fork into the background. The calling process becomes the
// waiting parent and never returns: it exits with the code the daemon
// reports through StartupDone(), or EX_SOFTWARE when the daemon dies first.
absl::Status DaemonizeAndWait();

// Says start-up ended with `code` (0: running): to the waiting parent
// (then stdio goes to /dev/null) and, with code 0, READY=1 to systemd.
void StartupDone(int code);

// sd_notify wrappers; no-ops outside systemd.
void NotifyStatus(size_t live_addresses);
void NotifyReloading();
void NotifyReloaded(size_t live_addresses);
void NotifyStopping();

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_READINESS_H_
