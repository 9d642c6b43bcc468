// File-system helpers: descriptors with RAII, errno → Status, and the one
// safe way exact publishes a file (maps, state file, dump):
//   1. create a temp beside it, O_CREAT|O_EXCL|O_NOFOLLOW, under a random
//      name (a planted file or symlink at that name is never opened; a new
//      name is drawn), mode 0600 until fchown/fchmod give it its own;
//   2. write it whole (short writes retried), fsync it;
//   3. rename it over the final name, fsync the directory.
// A reader sees the old file or the new one, never a mix; on any failure
// the temp is unlinked and the old file stays in place.
// Every system call of that protocol goes through a FileSystem, so a test
// can make any one of them fail (fault_injecting_file_system.h).
//
// Thread safety: free functions are thread-safe; a Directory may be shared
// read-only, but two threads must not publish the same file name at once.
#ifndef EXACT_SRC_BASE_FILES_H_
#define EXACT_SRC_BASE_FILES_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

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

// The system calls of the publish protocol, one virtual per call, in the
// spirit of leveldb's Env. Each returns what its system call returns (-1
// with errno set on failure), so a fault-injecting implementation can fail
// any one of them exactly as the kernel would. Implementations must be
// thread-safe; Real() is.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual int OpenAt(int dir_fd, const char* name, int flags, mode_t mode);
  virtual ssize_t Write(int fd, const void* data, size_t size);
  // fsync(2), of a file or of a directory.
  virtual int Sync(int fd);
  virtual int RenameAt(int dir_fd, const char* from, const char* to);
  virtual int UnlinkAt(int dir_fd, const char* name);

  // The kernel's, with nothing in between.
  static FileSystem& Real();
};

class Directory;

// A file being written under a random temp name in its directory. Commit()
// publishes it under its final name; destroying it uncommitted unlinks the
// temp, so a failed publish leaves nothing behind and the old file intact.
class TempFile {
 public:
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile();

  int fd() const { return fd_.get(); }
  const std::string& name() const { return name_; }
  std::string path() const;

  // "/proc/self/fd/N": for libraries that only open by name (LMDB, Berkeley
  // DB). Opening it reopens this very inode, never whatever a name in the
  // directory points to now, and works after a privilege drop (a process
  // may always open its own descriptors).
  std::string ProcPath() const;

  // Writes all of `data` at the current offset, retrying short writes.
  absl::Status Write(absl::string_view data);

  // fsync, close, rename over the final name, fsync the directory. On
  // failure the temp is unlinked and the final file is as it was.
  absl::Status Commit();

 private:
  friend class Directory;
  TempFile(const Directory* dir, std::string name, std::string final_name, UniqueFd fd)
      : dir_(dir), name_(std::move(name)), final_name_(std::move(final_name)), fd_(std::move(fd)) {}

  const Directory* dir_;
  std::string name_;
  std::string final_name_;
  UniqueFd fd_;
  bool committed_ = false;
};

// An open directory. Files are created relative to its descriptor, so
// publishing keeps working after privileges are dropped even when the path
// to the directory is not traversable by the unprivileged user.
class Directory {
 public:
  // Opens `path` (O_DIRECTORY); creates it with `create_mode` if missing and
  // create_mode != 0. Every publish step goes through `fs`, which must
  // outlive the Directory.
  static absl::StatusOr<Directory> Open(const std::string& path, mode_t create_mode = 0,
                                        FileSystem* fs = &FileSystem::Real());

  Directory() = default;
  Directory(Directory&&) = default;
  Directory& operator=(Directory&&) = default;

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  FileSystem& fs() const { return *fs_; }
  std::string PathOf(absl::string_view name) const;

  // Why others could plant files here: "world-writable", "sticky and
  // world-writable", ... as found at Open(); "" when only the owner and
  // root can write here. Publishing stays safe either way (exclusive random
  // temps), but a caller should warn: an MTA reading from such a
  // directory trusts whoever else may write it.
  const std::string& shared_reason() const { return shared_reason_; }

  // A new temp for `final_name`, named `temp_prefix` (default: final_name +
  // ".tmp") + "." + 12 random characters, created O_EXCL|O_NOFOLLOW with
  // mode 0600, then given `group` (-1: leave it) and `mode`. A name that is
  // taken (a file, a symlink, anything) is never opened: another is drawn,
  // up to 8 times, then AlreadyExists.
  absl::StatusOr<TempFile> CreateTemp(const std::string& final_name, mode_t mode,
                                      gid_t group = static_cast<gid_t>(-1),
                                      const std::string& temp_prefix = "") const;

  // The whole protocol for files built in memory.
  absl::Status WriteFileAtomically(const std::string& final_name, absl::string_view data,
                                   mode_t mode, gid_t group = static_cast<gid_t>(-1)) const;

  // Unlinks the temps a crash left for `final_name`: names CreateTemp
  // gives, that are not directories. Returns how many, and logs it when
  // there were any.
  absl::StatusOr<int> RemoveStaleTemps(const std::string& final_name,
                                       const std::string& temp_prefix = "") const;

  // Renames `from` to `to` (renameat, never following either) and fsyncs
  // the directory so the rename survives a crash.
  absl::Status Commit(const std::string& from, const std::string& to) const;

  // Reads `name` whole (relative to the directory, so it works after a
  // privilege drop; O_NOFOLLOW).
  absl::StatusOr<std::string> ReadFile(const std::string& name) const;

  absl::Status Remove(const std::string& name) const;

 private:
  friend class TempFile;
  UniqueFd fd_;
  std::string path_;
  std::string shared_reason_;
  FileSystem* fs_ = &FileSystem::Real();
};

// Logs one warning for each distinct directory of the files `paths` that
// others may create files in (Directory::shared_reason), naming it.
void WarnAboutSharedDirectories(const std::vector<std::string>& paths);

}  // namespace exact::base

#endif  // EXACT_SRC_BASE_FILES_H_
