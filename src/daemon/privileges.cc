// Account lookup and the privilege drop.
#include "src/daemon/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "src/base/files.h"

namespace exact::daemon {

absl::StatusOr<std::optional<Account>> ResolveAccount(const std::string& user,
                                                      const std::string& group) {
  if (::geteuid() != 0 || user.empty() || user == "root") return std::optional<Account>();
  struct passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr) return absl::NotFoundError(absl::StrCat("user \"", user, "\" does not exist"));
  Account account{user, pw->pw_uid, pw->pw_gid};
  if (!group.empty()) {
    struct group* gr = ::getgrnam(group.c_str());
    if (gr == nullptr) {
      return absl::NotFoundError(absl::StrCat("group \"", group, "\" does not exist"));
    }
    account.gid = gr->gr_gid;
  }
  if (account.uid == 0) return std::optional<Account>();
  return std::optional<Account>(account);
}

absl::Status DropPrivileges(const Account& account) {
  if (::setgid(account.gid) != 0) return base::ErrnoStatus(errno, "setgid");
  if (::initgroups(account.user.c_str(), account.gid) != 0) {
    return base::ErrnoStatus(errno, "initgroups");
  }
  if (::setuid(account.uid) != 0) return base::ErrnoStatus(errno, "setuid");
  if (::setuid(0) == 0 || ::geteuid() == 0) {
    return absl::InternalError("privileges could be regained after setuid");
  }
  return absl::OkStatus();
}

absl::Status PrepareDirectory(const std::string& path, const std::optional<Account>& account) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return absl::OkStatus();
  // Parents as `mkdir -p` would make them; only the leaf is private.
  auto [parent, leaf] = base::SplitPath(path);
  if (parent != path && parent != "/" && parent != ".") {
    if (::stat(parent.c_str(), &st) != 0) {
      absl::Status s = PrepareDirectory(parent, std::nullopt);
      if (!s.ok()) return s;
      ::chmod(parent.c_str(), 0755);
    }
  }
  if (::mkdir(path.c_str(), 0750) != 0 && errno != EEXIST) {
    return base::ErrnoStatus(errno, absl::StrCat("mkdir ", path));
  }
  if (account && ::chown(path.c_str(), account->uid, account->gid) != 0) {
    return base::ErrnoStatus(errno, absl::StrCat("chown ", path));
  }
  return absl::OkStatus();
}

}  // namespace exact::daemon
