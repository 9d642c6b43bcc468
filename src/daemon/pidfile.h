// The pid file, held open with an fcntl write lock for the daemon's life.
// The lock, not the file's existence, says "running": a SIGKILLed daemon
// leaves no stale lock, and a second daemon on the same files is refused.
//
// Root writes it, so nobody else may have a say in what it writes to: its
// directory must belong to root (or to the daemon's own user) and be
// writable by no group or other, the name is opened O_NOFOLLOW relative to
// that directory, and the file must be a regular file of ours with one
// link before it is truncated. Anything else is refused, never repaired.
// Thread safety: not shared.
#ifndef EXACT_SRC_DAEMON_PIDFILE_H_
#define EXACT_SRC_DAEMON_PIDFILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "src/base/files.h"

namespace exact::daemon {

class PidFile {
 public:
  // Locks `path` and writes our pid. FailedPrecondition when another live
  // process holds it (the message names its pid); PermissionDenied when the
  // directory or the file is not safe to write as described above (the
  // message says what to change); an errno status when it cannot be opened.
  static absl::StatusOr<PidFile> Acquire(const std::string& path);
  // Rewrites the pid after daemonizing changed it.
  absl::Status Update();

 private:
  base::UniqueFd fd_;
};

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_PIDFILE_H_
