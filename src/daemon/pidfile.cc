// fcntl-locked pid file in a directory only its owner can write.
#include "src/daemon/pidfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace exact::daemon {
namespace {

absl::Status CheckDirectory(int dir_fd, const std::string& dir) {
  struct stat st;
  if (::fstat(dir_fd, &st) != 0) return base::ErrnoStatus(errno, absl::StrCat("stat ", dir));
  const uid_t me = ::geteuid();
  if (st.st_uid != 0 && st.st_uid != me) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the pidfile directory ", dir, " belongs to uid ", st.st_uid,
        ", who could redirect what exact writes there; make it root's (chown root ", dir, ")"));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "the pidfile directory %s is writable by its %s (mode %04o); chmod "
        "go-w %s, or put `pidfile` in a directory only root can write",
        dir, (st.st_mode & S_IWOTH) != 0 ? "others" : "group", st.st_mode & 07777, dir));
  }
  return absl::OkStatus();
}

absl::Status CheckFile(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return base::ErrnoStatus(errno, absl::StrCat("stat ", path));
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != ::geteuid()) {
    return absl::PermissionDeniedError(
        absl::StrCat("the pidfile ", path,
                     " is not a regular file of ours with one link; remove it and start again"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PidFile> PidFile::Acquire(const std::string& path) {
  const auto [dir, name] = base::SplitPath(path);
  base::UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) {
    return base::ErrnoStatus(errno, absl::StrCat("open pidfile directory ", dir));
  }
  if (absl::Status s = CheckDirectory(dir_fd.get(), dir); !s.ok()) return s;
  PidFile pf;
  pf.fd_.Reset(
      ::openat(dir_fd.get(), name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!pf.fd_.valid()) return base::ErrnoStatus(errno, absl::StrCat("open pidfile ", path));
  if (absl::Status s = CheckFile(pf.fd_.get(), path); !s.ok()) return s;
  struct flock fl;
  std::memset(&fl, 0, sizeof fl);
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (::fcntl(pf.fd_.get(), F_SETLK, &fl) != 0) {
    char buf[32] = {};
    ssize_t n = ::pread(pf.fd_.get(), buf, sizeof buf - 1, 0);
    std::string pid = n > 0 ? std::string(absl::StripAsciiWhitespace(buf)) : "?";
    return absl::FailedPreconditionError(
        absl::StrCat("exact is already running (pid ", pid, ", pidfile ", path, ")"));
  }
  absl::Status s = pf.Update();
  if (!s.ok()) return s;
  return pf;
}

absl::Status PidFile::Update() {
  std::string text = absl::StrCat(::getpid(), "\n");
  if (::ftruncate(fd_.get(), 0) != 0 || ::pwrite(fd_.get(), text.data(), text.size(), 0) < 0) {
    return base::ErrnoStatus(errno, "write pidfile");
  }
  return absl::OkStatus();
}

}  // namespace exact::daemon
