// Tells the log reader when to look at its files again: inotify on each log
// and on its directory, so an appended line or a rotation is seen at once
// instead of at the next 50 ms poll. Polling stays the fallback: without
// inotify (no instance left, fs.inotify.max_user_instances), or for a path
// whose watch could not be added (the watch limit, a missing directory), the
// watcher says so through PollInterval() and the reader keeps polling.
//
// The watcher never reads a log and never decides anything: Wait() returning
// true only means "re-read and re-stat now". Spurious wake-ups are allowed,
// a missed event is not; the reader still re-stats every PollInterval(),
// because inotify does not see every change (writes made on another NFS
// client, a file system without inotify support).
//
// Which events count. The file watch (IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE,
// IN_MOVE_SELF, IN_DELETE_SELF) follows the inode, so after a rotation it
// still reports writes to the renamed-away file the reader is draining. The
// directory watch (IN_CREATE, IN_MOVED_TO, IN_MOVED_FROM, IN_DELETE) counts
// only entries named exactly like the watched file: the reader acts only on
// what the name points at, and every rotation scheme moves, deletes,
// creates or truncates that name itself, so an event on "maillog.1" alone
// tells it nothing. A renamed directory counts, and its watch moves to
// whatever the directory's path names now. A queue overflow (IN_Q_OVERFLOW) counts, and re-adds
// every watch, since the lost events may have included a watch's removal.
//
// Thread safety: Wake() may be called from any thread while the watcher is
// alive; every other method only from the one thread that owns it (the
// reader).
#ifndef EXACT_SRC_INGEST_FILE_WATCHER_H_
#define EXACT_SRC_INGEST_FILE_WATCHER_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "src/base/files.h"
#include "src/base/mutex.h"

namespace exact::ingest {

class FileWatcher {
 public:
  // Never fails. Without inotify it runs in polling mode
  // (inotify_available() false; logged once as a warning); without an
  // eventfd as well (no descriptor left) Wake() goes through a condition
  // variable instead.
  FileWatcher();
  // Polling mode on purpose, for tests and for file systems known not to
  // deliver inotify events.
  static FileWatcher ForPolling();
  ~FileWatcher();

  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Watches `path`'s directory always and `path` itself when it exists, so a
  // file that appears or is recreated later is picked up: on IN_CREATE or
  // IN_MOVED_TO of its name the file watch is moved to the new file inside
  // Wait(), before Wait() returns. The watch on the file the name pointed at
  // before stays (for the reader's drain of a rotated file) until the next
  // rotation or until that file is deleted.
  //
  // Call it before the read that brings the reader to the end of the file:
  // a write after that wakes Wait(). Idempotent; watching a path again is
  // Rearm(path). A failed inotify_add_watch other than a missing file
  // (ENOSPC: the watch limit; EACCES; a missing directory) is logged once per
  // path as a warning naming the path and errno, and that path is polled:
  // PollInterval() returns the fallback until a later Rearm() succeeds.
  void Watch(const std::string& path);
  // For the reader after it (re)opened `path`: re-adds whichever of the two
  // watches is missing or points at an old file. Cheap when nothing changed
  // (two inotify_add_watch calls that find the existing watches).
  void Rearm(const std::string& path);

  // Blocks until something happened to a watched file or the name in its
  // directory, Wake() was called, or `timeout` passed (zero or negative: just
  // check; absl::InfiniteDuration(): no limit). Returns true on an event or a
  // wake-up, false on a plain timeout. Reads every pending event, so the
  // next call waits for new ones. Events for other names in a watched
  // directory are read and ignored without returning.
  bool Wait(absl::Duration timeout);

  // Any thread: interrupts a Wait() in progress, or makes the next one
  // return true at once. Wake-ups before one Wait() merge into one.
  void Wake();

  bool inotify_available() const { return inotify_fd_.valid(); }

  // How long the reader should sleep between polls: `fallback` while any
  // watched path is polled (or there is no inotify), else a safety-net
  // interval of max(fallback, 1 s).
  absl::Duration PollInterval(absl::Duration fallback) const;

 private:
  struct Watched {
    std::string path;
    std::string dir;  // Watched for the name `base`.
    std::string base;
    int dir_wd = -1;
    int file_wd = -1;          // The file `path` names now.
    int old_file_wd = -1;      // The one it named before the last rotation.
    bool file_failed = false;  // Its file watch failed with other than ENOENT.
    bool warned = false;       // The failure was logged.
  };

  explicit FileWatcher(bool use_inotify);

  Watched* Find(const std::string& path);
  // Adds the missing watches; the file watch first looked up again.
  void Arm(Watched* w);
  void ArmFile(Watched* w);
  void ArmDirectory(Watched* w);
  // Logs the first failure of a path; `what` names the call and the path.
  void WarnOnce(Watched* w, int err, const std::string& what);
  // inotify_rm_watch(wd) unless another path still uses it.
  void Release(int wd);
  // Reads every pending event; returns whether one concerned a watched path.
  bool DrainEvents();
  bool Handle(int wd, uint32_t mask, const std::string& name);
  // Wait() when there is no eventfd: a condition variable, no inotify.
  bool WaitWithoutEventFd(absl::Duration timeout);

  base::UniqueFd inotify_fd_;
  base::UniqueFd wake_fd_;  // Set once in the constructor; read by Wake().
  std::vector<Watched> watched_;

  // Only when there is no eventfd.
  base::Mutex mu_;
  bool wake_requested_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace exact::ingest

#endif  // EXACT_SRC_INGEST_FILE_WATCHER_H_
