// fcntl-locked pid file.
#include "src/daemon/pidfile.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/base/log.h"

namespace exact::daemon {

absl::StatusOr<PidFile> PidFile::Acquire(const std::string& path) {
  PidFile pf;
  pf.fd_.Reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!pf.fd_.valid()) return base::ErrnoStatus(errno, absl::StrCat("open pidfile ", path));
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
  pf.path_ = path;
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

void PidFile::Remove() {
  if (!fd_.valid() || path_.empty()) return;
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    base::LogWarning("cannot remove the pid file %s: %s", path_, std::strerror(errno));
  }
}

}  // namespace exact::daemon
