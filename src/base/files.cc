// Implementation of the file helpers. Every OS error goes through
// ErrnoStatus so messages name the operation and the path.
#include "src/base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "src/base/status_macros.h"

namespace exact::base {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) Reset(other.Release());
  return *this;
}

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

absl::Status ErrnoStatus(int err, absl::string_view what) { return absl::ErrnoToStatus(err, what); }

namespace {

absl::StatusOr<std::string> ReadAll(const UniqueFd& fd, const std::string& path) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, absl::StrCat("read ", path));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

ssize_t PreadFull(int fd, char* out, size_t len, uint64_t offset) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = ::pread(fd, out + got, len - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, absl::StrCat("open ", path));
  return ReadAll(fd, path);
}

absl::StatusOr<std::string> Directory::ReadFile(const std::string& name) const {
  UniqueFd fd(::openat(fd_.get(), name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return ErrnoStatus(errno, absl::StrCat("open ", PathOf(name)));
  return ReadAll(fd, PathOf(name));
}

absl::Status WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "write");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

std::pair<std::string, std::string> SplitPath(absl::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return {".", std::string(path)};
  std::string dir(path.substr(0, slash));
  if (dir.empty()) dir = "/";
  return {dir, std::string(path.substr(slash + 1))};
}

std::string AbsolutePath(absl::string_view path) {
  if (!path.empty() && path[0] == '/') return std::string(path);
  char cwd[4096];
  if (::getcwd(cwd, sizeof cwd) == nullptr) return std::string(path);
  return absl::StrCat(cwd, "/", path);
}

absl::StatusOr<Directory> Directory::Open(const std::string& path, mode_t create_mode) {
  Directory dir;
  dir.path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create_mode != 0) {
    if (::mkdir(path.c_str(), create_mode) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, absl::StrCat("mkdir ", path));
    }
    fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  if (fd < 0) return ErrnoStatus(errno, absl::StrCat("open directory ", path));
  dir.fd_.Reset(fd);
  return dir;
}

std::string Directory::PathOf(absl::string_view name) const {
  return path_ == "/" ? absl::StrCat("/", name) : absl::StrCat(path_, "/", name);
}

namespace {

// fchown then fchmod: chown may clear set-id bits, and the mode is the
// operator's final word.
absl::Status SetGroupAndMode(int fd, const std::string& path, mode_t mode, gid_t group) {
  if (group != static_cast<gid_t>(-1) && ::fchown(fd, static_cast<uid_t>(-1), group) != 0) {
    return ErrnoStatus(errno, absl::StrCat("chgrp ", path));
  }
  if (::fchmod(fd, mode) != 0) return ErrnoStatus(errno, absl::StrCat("chmod ", path));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<UniqueFd> Directory::CreateFile(const std::string& name, mode_t mode,
                                               gid_t group) const {
  UniqueFd fd(::openat(fd_.get(), name.c_str(),
                       O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd.valid()) return ErrnoStatus(errno, absl::StrCat("create ", PathOf(name)));
  // The umask may have narrowed the mode; the operator's choice wins.
  EXACT_RETURN_IF_ERROR(SetGroupAndMode(fd.get(), PathOf(name), mode, group));
  return fd;
}

absl::Status Directory::Commit(const std::string& temp_name, const std::string& final_name) const {
  if (::renameat(fd_.get(), temp_name.c_str(), fd_.get(), final_name.c_str()) != 0) {
    return ErrnoStatus(errno,
                       absl::StrCat("rename ", PathOf(temp_name), " to ", PathOf(final_name)));
  }
  if (::fsync(fd_.get()) != 0) return ErrnoStatus(errno, absl::StrCat("fsync ", path_));
  return absl::OkStatus();
}

absl::Status Directory::WriteFileAtomically(const std::string& final_name, absl::string_view data,
                                            mode_t mode, gid_t group) const {
  const std::string temp_name = absl::StrCat(final_name, ".tmp");
  EXACT_ASSIGN_OR_RETURN(UniqueFd fd, CreateFile(temp_name, mode, group));
  absl::Status status = WriteAll(fd.get(), data);
  if (status.ok() && ::fsync(fd.get()) != 0) {
    status = ErrnoStatus(errno, absl::StrCat("fsync ", PathOf(temp_name)));
  }
  fd.Reset();
  if (!status.ok()) {
    Remove(temp_name).IgnoreError();  // Best effort; the old file is intact.
    return status;
  }
  return Commit(temp_name, final_name);
}

absl::Status Directory::SyncFile(const std::string& name, mode_t mode, gid_t group) const {
  UniqueFd fd(::openat(fd_.get(), name.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, absl::StrCat("open ", PathOf(name)));
  EXACT_RETURN_IF_ERROR(SetGroupAndMode(fd.get(), PathOf(name), mode, group));
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, absl::StrCat("sync ", PathOf(name)));
  return absl::OkStatus();
}

absl::Status Directory::Remove(const std::string& name) const {
  if (::unlinkat(fd_.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, absl::StrCat("unlink ", PathOf(name)));
  }
  return absl::OkStatus();
}

absl::Status WithWorkingDirectory(const Directory& dir, absl::FunctionRef<absl::Status()> fn) {
  UniqueFd previous(::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (::fchdir(dir.fd()) != 0) return ErrnoStatus(errno, absl::StrCat("chdir ", dir.path()));
  absl::Status status = fn();
  // The old directory may be unreachable after a privilege drop; "/" is a
  // safe place to be either way.
  if (!previous.valid() || ::fchdir(previous.get()) != 0) {
    if (::chdir("/") != 0) return ErrnoStatus(errno, "chdir /");
  }
  return status;
}

}  // namespace exact::base
