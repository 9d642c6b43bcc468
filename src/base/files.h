// File-system helpers: descriptors with RAII, errno → Status, and the
// write-temp-then-rename protocol every published file uses.
// Thread safety: free functions are thread-safe; a Directory may be shared
// read-only, but two threads must not publish the same file name at once.
#ifndef EXACT_SRC_BASE_FILES_H_
#define EXACT_SRC_BASE_FILES_H_

#include <sys/types.h>

#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace exact::base {

// An owned file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

// Builds a Status from errno with the canonical code for that errno.
absl::Status ErrnoStatus(int err, absl::string_view what);

absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// pread()s up to `len` bytes at `offset`, retrying short reads and EINTR;
// returns the count (short only at the end of the file) or -1 (errno set).
ssize_t PreadFull(int fd, char* out, size_t len, uint64_t offset);
absl::Status WriteAll(int fd, absl::string_view data);

// Splits "/a/b/c" into ("/a/b", "c"); a bare name gets directory ".".
std::pair<std::string, std::string> SplitPath(absl::string_view path);

// Makes `path` absolute against the current directory (no symlink
// resolution), so it stays valid after chdir.
std::string AbsolutePath(absl::string_view path);

// An open directory. Files are created relative to its descriptor, so
// publishing keeps working after privileges are dropped even when the path
// to the directory is not traversable by the unprivileged user.
class Directory {
 public:
  // Opens `path` (O_DIRECTORY); creates it with `create_mode` if missing and
  // create_mode != 0.
  static absl::StatusOr<Directory> Open(const std::string& path, mode_t create_mode = 0);

  Directory() = default;
  Directory(Directory&&) = default;
  Directory& operator=(Directory&&) = default;

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  std::string PathOf(absl::string_view name) const;

  // Creates `name` for writing, truncating any stale copy. O_NOFOLLOW: a
  // planted symlink is an error, never followed.
  // `group` (-1: leave it) is given to the file, for MTAs that read maps
  // through group permissions.
  absl::StatusOr<UniqueFd> CreateFile(const std::string& name, mode_t mode,
                                      gid_t group = static_cast<gid_t>(-1)) const;

  // Atomically replaces `final_name` with `temp_name` (renameat) and fsyncs
  // the directory so the rename survives a crash.
  absl::Status Commit(const std::string& temp_name, const std::string& final_name) const;

  // The whole protocol for small files: temp, write, fchmod, fsync, rename,
  // fsync(dir).
  absl::Status WriteFileAtomically(const std::string& final_name, absl::string_view data,
                                   mode_t mode, gid_t group = static_cast<gid_t>(-1)) const;

  // For files a library wrote by name (LMDB, Berkeley DB): sets `mode`, then
  // fsyncs, ready for Commit().
  absl::Status SyncFile(const std::string& name, mode_t mode,
                        gid_t group = static_cast<gid_t>(-1)) const;

  // Reads `name` whole (relative to the directory, so it works after a
  // privilege drop).
  absl::StatusOr<std::string> ReadFile(const std::string& name) const;

  absl::Status Remove(const std::string& name) const;

 private:
  UniqueFd fd_;
  std::string path_;
};

// Runs `fn` with the process working directory set to `dir`, then restores
// it. Needed for libraries that only take path names (LMDB, Berkeley DB).
// Only the publishing thread may use it; every other path exact opens is
// absolute.
absl::Status WithWorkingDirectory(const Directory& dir, absl::FunctionRef<absl::Status()> fn);

}  // namespace exact::base

#endif  // EXACT_SRC_BASE_FILES_H_
