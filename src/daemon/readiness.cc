#include "src/daemon/readiness.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "src/base/files.h"
#include "src/base/log.h"

namespace exact::daemon {
namespace {

// The write end of the readiness pipe, held by the daemon until StartupDone.
int g_ready_fd = -1;

[[noreturn]] void WaitForDaemon(int read_fd, pid_t first_child) {
  int status = 0;
  ::waitpid(first_child, &status, 0);  // The intermediate child exits at once.
  unsigned char code = 0;
  ssize_t n;
  do {
    n = ::read(read_fd, &code, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) {
    std::fprintf(stderr, "exact: the daemon died during start-up (see its log)\n");
    ::_exit(EX_SOFTWARE);
  }
  ::_exit(code);
}

}  // namespace

absl::Status DaemonizeAndWait() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return base::ErrnoStatus(errno, "pipe");
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return base::ErrnoStatus(errno, "fork");
  if (pid > 0) {
    ::close(fds[1]);
    WaitForDaemon(fds[0], pid);
  }
  ::close(fds[0]);
  if (::setsid() < 0) return base::ErrnoStatus(errno, "setsid");
  pid = ::fork();
  if (pid < 0) return base::ErrnoStatus(errno, "fork");
  if (pid > 0) ::_exit(0);
  if (::chdir("/") != 0) return base::ErrnoStatus(errno, "chdir /");
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) return base::ErrnoStatus(errno, "open /dev/null");
  ::dup2(null_fd, STDIN_FILENO);
  ::dup2(null_fd, STDOUT_FILENO);
  ::close(null_fd);
  g_ready_fd = fds[1];
  // stderr stays the operator's terminal until StartupDone.
  base::SetLogEchoErrors(true);
  return absl::OkStatus();
}

void StartupDone(int code) {
  if (code == 0) ::sd_notify(0, "READY=1");
  if (g_ready_fd < 0) return;
  base::SetLogEchoErrors(false);
  if (code == 0) {
    int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd >= 0) {
      ::dup2(null_fd, STDERR_FILENO);
      ::close(null_fd);
    }
  }
  const unsigned char byte = static_cast<unsigned char>(code);
  (void)!::write(g_ready_fd, &byte, 1);
  ::close(g_ready_fd);
  g_ready_fd = -1;
}

void NotifyStatus(size_t live_addresses) {
  ::sd_notify(0, absl::StrCat("STATUS=", live_addresses, " live address(es)").c_str());
}

void NotifyReloading() { ::sd_notify(0, "RELOADING=1"); }

void NotifyReloaded(size_t live_addresses) {
  ::sd_notify(0, absl::StrCat("READY=1\nSTATUS=", live_addresses, " live address(es)").c_str());
}

void NotifyStopping() { ::sd_notify(0, "STOPPING=1"); }

}  // namespace exact::daemon
