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
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace exact::daemon {

struct Account {
  std::string user;
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> groups;  // Supplementary: `loggroup`, or none at all.
  std::string group_names;    // "mail" or "mail, adm", for messages.
};

// The account to switch to, or nullopt when no switch will happen (not
// running as root, or `user` is root). NotFound when the user or a group
// does not exist.
absl::StatusOr<std::optional<Account>> ResolveAccount(const std::string& user,
                                                      const std::string& group,
                                                      const std::string& loggroup = "");

// setgid, setgroups (exactly account.groups: not the user's groups from
// /etc/group, so that nothing is granted that the config does not say),
// setuid.
absl::Status DropPrivileges(const Account& account);

// Whether `account` will be able to read each log and list its directory
// (the directory is where a rotated log reappears), tried for real in a
// child process that drops to the account. One message per problem, each
// saying what to change; empty when all is well.
std::vector<std::string> CheckLogAccess(const Account& account,
                                        const std::vector<std::string>& logs);

// Creates `path` (mode 0750) if missing, owned by `account` when given, so
// the unprivileged daemon can write there later.
absl::Status PrepareDirectory(const std::string& path, const std::optional<Account>& account);

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_PRIVILEGES_H_
