// Least privilege, in Postfix's order: resolve the account while the
// password database is still reachable, open what needs privilege, then
// setgid + initgroups, and setuid last. Dropping is verified: regaining
// root must fail. docs/security.md lists what each stage needs.
// Thread safety: call before any thread starts (setuid is per-process only
// through glibc's signal-based broadcast, which we do not rely on).
#ifndef EXACT_SRC_DAEMON_PRIVILEGES_H_
#define EXACT_SRC_DAEMON_PRIVILEGES_H_

#include <sys/types.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace exact::daemon {

struct Account {
  std::string user;
  uid_t uid;
  gid_t gid;
};

// The account to switch to, or nullopt when no switch will happen (not
// running as root, or `user` is root). NotFound when the user or group does
// not exist.
absl::StatusOr<std::optional<Account>> ResolveAccount(const std::string& user,
                                                      const std::string& group);

absl::Status DropPrivileges(const Account& account);

// Creates `path` (mode 0750) if missing, owned by `account` when given, so
// the unprivileged daemon can write there later.
absl::Status PrepareDirectory(const std::string& path, const std::optional<Account>& account);

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_PRIVILEGES_H_
