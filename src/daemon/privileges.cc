// Account lookup and the privilege drop.
#include "src/daemon/privileges.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "src/base/files.h"

namespace exact::daemon {

absl::StatusOr<std::optional<Account>> ResolveAccount(const std::string& user,
                                                      const std::string& group,
                                                      const std::string& loggroup) {
  if (::geteuid() != 0 || user.empty() || user == "root") return std::optional<Account>();
  struct passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr) return absl::NotFoundError(absl::StrCat("user \"", user, "\" does not exist"));
  Account account{user, pw->pw_uid, pw->pw_gid, {}, ""};
  if (!group.empty()) {
    struct group* gr = ::getgrnam(group.c_str());
    if (gr == nullptr) {
      return absl::NotFoundError(absl::StrCat("group \"", group, "\" does not exist"));
    }
    account.gid = gr->gr_gid;
  }
  struct group* primary = ::getgrgid(account.gid);
  account.group_names = primary != nullptr ? primary->gr_name : absl::StrCat(account.gid);
  if (!loggroup.empty()) {
    struct group* gr = ::getgrnam(loggroup.c_str());
    if (gr == nullptr) {
      return absl::NotFoundError(absl::StrCat("loggroup \"", loggroup, "\" does not exist"));
    }
    account.groups.push_back(gr->gr_gid);
    absl::StrAppend(&account.group_names, ", ", loggroup);
  }
  if (account.uid == 0) return std::optional<Account>();
  return std::optional<Account>(account);
}

std::vector<std::string> CheckLogAccess(const Account& account,
                                        const std::vector<std::string>& logs) {
  // The child reports each failing path's index and errno through a pipe.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {absl::StrCat("pipe: ", std::strerror(errno))};
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {absl::StrCat("fork: ", std::strerror(errno))};
  }
  if (pid == 0) {
    ::close(fds[0]);
    if (!DropPrivileges(account).ok()) ::_exit(1);
    for (size_t i = 0; i < logs.size(); ++i) {
      if (logs[i] == "-") continue;
      int report[3] = {static_cast<int>(i), 0, 0};
      int fd = ::open(logs[i].c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0 && errno != ENOENT) report[1] = errno;
      if (fd >= 0) ::close(fd);
      const std::string dir = base::SplitPath(logs[i]).first;
      int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0) report[2] = errno;
      if (dfd >= 0) ::close(dfd);
      if (report[1] != 0 || report[2] != 0) (void)!::write(fds[1], report, sizeof report);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::vector<std::string> problems;
  int report[3];
  while (::read(fds[0], report, sizeof report) == sizeof report) {
    const std::string& log = logs[static_cast<size_t>(report[0])];
    const std::string who =
        absl::StrCat("user ", account.user, " (groups ", account.group_names, ")");
    if (report[1] != 0) {
      problems.push_back(absl::StrCat(
          who, " cannot read ", log, ": ", std::strerror(report[1]),
          "; set `loggroup` to a group that may read it (Debian: `loggroup adm`), or change the "
          "log's group or mode"));
    }
    if (report[2] != 0) {
      problems.push_back(absl::StrCat(who, " cannot open the directory of ", log, ": ",
                                      std::strerror(report[2]),
                                      "; a rotated log could not be found again"));
    }
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    problems.push_back(absl::StrCat("cannot test what user ", account.user, " may read"));
  }
  return problems;
}

absl::Status DropPrivileges(const Account& account) {
  if (::setgid(account.gid) != 0) return base::ErrnoStatus(errno, "setgid");
  if (::setgroups(account.groups.size(), account.groups.data()) != 0) {
    return base::ErrnoStatus(errno, "setgroups");
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
