// The watcher: ppoll() over an inotify descriptor and an eventfd. Paths are
// few (one per maillog), so an event's watch is looked up by a scan of them;
// a scan is also how a descriptor shared by several paths (two logs in one
// directory get the same directory watch) is kept until the last one lets
// go.
#include "src/ingest/file_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "src/base/log.h"

namespace exact::ingest {
namespace {

// IN_MASK_ADD: one inode can be watched in both roles (a path that names a
// directory another path lives in); adding one role must not drop the other.
constexpr uint32_t kFileMask =
    IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF | IN_MASK_ADD;
// IN_MOVE_SELF: a renamed directory keeps its watch, which would then
// report on a directory the path no longer names.
constexpr uint32_t kDirMask =
    IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MOVE_SELF | IN_ONLYDIR | IN_MASK_ADD;

// Without inotify, the reader's own stat() every second is the only way to
// notice what inotify cannot see (see the header); a second keeps that cheap.
constexpr absl::Duration kSafetyNet = absl::Seconds(1);

}  // namespace

FileWatcher::FileWatcher() : FileWatcher(true) {}

FileWatcher FileWatcher::ForPolling() { return FileWatcher(false); }

FileWatcher::FileWatcher(bool use_inotify) {
  wake_fd_.Reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_fd_.valid()) {
    // Without a descriptor to wake ppoll() inotify would make Wake() late,
    // so both go: polling with a condition variable still works.
    base::LogWarning("%s; not watching logs with inotify, polling them instead",
                     base::ErrnoStatus(errno, "eventfd").ToString());
    return;
  }
  if (!use_inotify) return;
  inotify_fd_.Reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!inotify_fd_.valid()) {
    const int err = errno;
    base::LogWarning("%s; polling logs instead%s",
                     base::ErrnoStatus(err, "inotify_init1").ToString(),
                     err == EMFILE ? " (raise fs.inotify.max_user_instances)" : "");
  }
}

// Closing the inotify descriptor removes every watch.
FileWatcher::~FileWatcher() = default;

FileWatcher::Watched* FileWatcher::Find(const std::string& path) {
  for (Watched& w : watched_) {
    if (w.path == path) return &w;
  }
  return nullptr;
}

void FileWatcher::Watch(const std::string& path) {
  Watched* w = Find(path);
  if (w == nullptr) {
    auto [dir, base] = base::SplitPath(path);
    watched_.push_back(Watched{.path = path, .dir = std::move(dir), .base = std::move(base)});
    w = &watched_.back();
  }
  Arm(w);
}

void FileWatcher::Rearm(const std::string& path) { Watch(path); }

void FileWatcher::Arm(Watched* w) {
  if (!inotify_available()) return;
  const bool was_polled = w->dir_wd < 0 || w->file_failed;
  // The directory first: a file created between the two calls is then seen
  // by one or the other.
  ArmDirectory(w);
  ArmFile(w);
  if (w->warned && was_polled && w->dir_wd >= 0 && !w->file_failed) {
    base::LogInfo("%s: watching it with inotify again", w->path);
    w->warned = false;
  }
}

void FileWatcher::ArmDirectory(Watched* w) {
  const int wd = ::inotify_add_watch(inotify_fd_.get(), w->dir.c_str(), kDirMask);
  if (wd < 0) {
    WarnOnce(w, errno, absl::StrCat("inotify_add_watch ", w->dir, " (directory of ", w->path, ")"));
    return;
  }
  // The kernel hands out one descriptor per inode, so a live watch comes
  // back unchanged; a new one means the directory itself was replaced.
  const int old = std::exchange(w->dir_wd, wd);
  if (old >= 0 && old != wd) Release(old);
}

void FileWatcher::ArmFile(Watched* w) {
  const int wd = ::inotify_add_watch(inotify_fd_.get(), w->path.c_str(), kFileMask);
  if (wd < 0) {
    const int err = errno;
    // Not there (yet, or between a rotation's rename and create): the
    // directory watch sees it arrive.
    w->file_failed = err != ENOENT;
    if (w->file_failed) WarnOnce(w, err, absl::StrCat("inotify_add_watch ", w->path));
    return;
  }
  w->file_failed = false;
  if (wd == w->file_wd) return;
  if (wd == w->old_file_wd) {
    // Renamed back: the two swap roles.
    std::swap(w->file_wd, w->old_file_wd);
    return;
  }
  // Keep the rotated-away file watched while the reader drains it; the one
  // rotated away before that has had a whole rotation period to finish.
  const int dropped = std::exchange(w->old_file_wd, w->file_wd);
  w->file_wd = wd;
  if (dropped >= 0) Release(dropped);
}

void FileWatcher::WarnOnce(Watched* w, int err, const std::string& what) {
  if (w->warned) return;
  w->warned = true;
  base::LogWarning("%s; polling it instead%s", base::ErrnoStatus(err, what).ToString(),
                   err == ENOSPC ? " (raise fs.inotify.max_user_watches)" : "");
}

void FileWatcher::Release(int wd) {
  for (const Watched& w : watched_) {
    if (w.dir_wd == wd || w.file_wd == wd || w.old_file_wd == wd) return;
  }
  // EINVAL when the kernel already dropped it (file deleted): nothing to do.
  ::inotify_rm_watch(inotify_fd_.get(), wd);
}

bool FileWatcher::Handle(int wd, uint32_t mask, const std::string& name) {
  const bool gone = (mask & IN_IGNORED) != 0;
  bool relevant = false;
  for (Watched& w : watched_) {
    if (wd == w.file_wd || wd == w.old_file_wd) {
      relevant = true;
      // Deleted (or its file system unmounted): the kernel removed the
      // watch, so Rearm must add a new one.
      if (gone) (wd == w.file_wd ? w.file_wd : w.old_file_wd) = -1;
    }
    if (wd != w.dir_wd) continue;
    if (gone) {
      w.dir_wd = -1;
      relevant = true;
      if (!w.warned) {
        w.warned = true;
        base::LogWarning("%s: its directory %s is gone or unmounted; polling it instead", w.path,
                         w.dir);
      }
    } else if (mask & IN_MOVE_SELF) {
      relevant = true;
      // Watch what the name leads to now, or poll it until a Rearm.
      w.dir_wd = -1;
      Release(wd);
      ArmDirectory(&w);
    } else if (name == w.base) {
      relevant = true;
      // Watch the new file now, before the reader opens it, so no write to
      // it can fall between its open and a Rearm.
      if (mask & (IN_CREATE | IN_MOVED_TO)) ArmFile(&w);
    }
  }
  return relevant;
}

bool FileWatcher::DrainEvents() {
  // Room for at least one event with the longest name (NAME_MAX), aligned
  // for the struct the kernel writes.
  alignas(struct inotify_event) char buf[4096 + sizeof(struct inotify_event) + NAME_MAX + 1];
  bool relevant = false;
  bool overflowed = false;
  for (;;) {
    const ssize_t n = ::read(inotify_fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {
      // Cannot happen with a buffer this size; if it does, waiting on the
      // descriptor again would spin, so stop using it.
      base::LogError("%s; polling logs instead",
                     base::ErrnoStatus(n < 0 ? errno : EIO, "read inotify events").ToString());
      inotify_fd_.Reset();
      return true;
    }
    for (ssize_t at = 0; at + static_cast<ssize_t>(sizeof(struct inotify_event)) <= n;) {
      struct inotify_event ev;
      std::memcpy(&ev, buf + at, sizeof ev);
      const char* name = buf + at + sizeof ev;
      at += static_cast<ssize_t>(sizeof ev + ev.len);
      if (ev.mask & IN_Q_OVERFLOW) {
        overflowed = true;
        continue;
      }
      // The name is padded with NULs to the event's alignment.
      relevant |= Handle(ev.wd, ev.mask, std::string(name, ::strnlen(name, ev.len)));
    }
  }
  if (overflowed) {
    // Lost events may include an IN_IGNORED or a creation: re-add them all.
    for (Watched& w : watched_) Arm(&w);
    return true;
  }
  return relevant;
}

bool FileWatcher::Wait(absl::Duration timeout) {
  if (!wake_fd_.valid()) return WaitWithoutEventFd(timeout);
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    struct pollfd fds[2] = {{wake_fd_.get(), POLLIN, 0}, {inotify_fd_.get(), POLLIN, 0}};
    const nfds_t nfds = inotify_available() ? 2 : 1;
    struct timespec ts;
    struct timespec* tsp = nullptr;
    if (deadline != absl::InfiniteFuture()) {
      ts = absl::ToTimespec(std::max(deadline - absl::Now(), absl::ZeroDuration()));
      tsp = &ts;
    }
    const int ready = ::ppoll(fds, nfds, tsp, nullptr);
    if (ready < 0) {
      // EINTR: a spurious true is allowed. Anything else cannot happen with
      // our own descriptors; a true makes the reader look, which is safe.
      if (errno != EINTR) base::LogError("%s", base::ErrnoStatus(errno, "ppoll").ToString());
      return true;
    }
    if (ready == 0) return false;
    bool woken = false;
    if (fds[0].revents != 0) {
      uint64_t count;
      // Resets the counter: wake-ups before this Wait() merge into one.
      woken = ::read(wake_fd_.get(), &count, sizeof count) == sizeof count;
    }
    if (nfds == 2 && fds[1].revents != 0 && DrainEvents()) return true;
    if (woken) return true;
    if (absl::Now() >= deadline) return false;
    // Only events for other names: keep waiting for the rest of the time.
  }
}

bool FileWatcher::WaitWithoutEventFd(absl::Duration timeout) {
  base::MutexLock lock(&mu_);
  auto requested = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return wake_requested_; };
  const bool woken =
      timeout == absl::InfiniteDuration()
          ? (mu_.Await(requested), true)
          : mu_.AwaitWithTimeout(
                requested, absl::ToChronoNanoseconds(std::max(timeout, absl::ZeroDuration())));
  wake_requested_ = false;
  return woken;
}

void FileWatcher::Wake() {
  if (wake_fd_.valid()) {
    const uint64_t one = 1;
    // EAGAIN (the counter is full) still leaves a wake-up pending.
    while (::write(wake_fd_.get(), &one, sizeof one) < 0 && errno == EINTR) {
    }
    return;
  }
  base::MutexLock lock(&mu_);
  wake_requested_ = true;
  mu_.NotifyAll();
}

absl::Duration FileWatcher::PollInterval(absl::Duration fallback) const {
  if (!inotify_available()) return fallback;
  for (const Watched& w : watched_) {
    if (w.dir_wd < 0 || w.file_failed) return fallback;
  }
  return std::max(fallback, kSafetyNet);
}

}  // namespace exact::ingest
