// Implementation of the file helpers. Every OS error goes through
// ErrnoStatus so messages name the operation and the path.
#include "src/base/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "src/base/log.h"
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

int FileSystem::OpenAt(int dir_fd, const char* name, int flags, mode_t mode) {
  return ::openat(dir_fd, name, flags, mode);
}
ssize_t FileSystem::Write(int fd, const void* data, size_t size) { return ::write(fd, data, size); }
int FileSystem::Sync(int fd) { return ::fsync(fd); }
int FileSystem::RenameAt(int dir_fd, const char* from, const char* to) {
  return ::renameat(dir_fd, from, dir_fd, to);
}
int FileSystem::UnlinkAt(int dir_fd, const char* name) { return ::unlinkat(dir_fd, name, 0); }

FileSystem& FileSystem::Real() {
  static FileSystem* real = new FileSystem;
  return *real;
}

absl::StatusOr<Directory> Directory::Open(const std::string& path, mode_t create_mode,
                                          FileSystem* fs) {
  Directory dir;
  dir.path_ = path;
  dir.fs_ = fs;
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create_mode != 0) {
    if (::mkdir(path.c_str(), create_mode) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, absl::StrCat("mkdir ", path));
    }
    fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  if (fd < 0) return ErrnoStatus(errno, absl::StrCat("open directory ", path));
  dir.fd_.Reset(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, absl::StrCat("stat ", path));
  const bool sticky = (st.st_mode & S_ISVTX) != 0, world = (st.st_mode & S_IWOTH) != 0;
  dir.shared_reason_ = sticky && world ? "sticky and world-writable"
                       : world         ? "world-writable"
                       : sticky        ? "sticky"
                                       : "";
  return dir;
}

std::string Directory::PathOf(absl::string_view name) const {
  return path_ == "/" ? absl::StrCat("/", name) : absl::StrCat(path_, "/", name);
}

namespace {

constexpr int kTempAttempts = 8;
constexpr size_t kTempSuffixLength = 12;
constexpr char kTempAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

std::string TempPrefix(const std::string& final_name, const std::string& temp_prefix) {
  return absl::StrCat(temp_prefix.empty() ? absl::StrCat(final_name, ".tmp") : temp_prefix, ".");
}

// 12 characters of 36: 62 bits from getrandom, unguessable to another local
// user. The exclusive create, not the randomness, is what makes it safe; the
// randomness keeps a planted name from blocking every publish.
absl::StatusOr<std::string> RandomSuffix() {
  unsigned char bytes[kTempSuffixLength];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "getrandom");
    got += static_cast<size_t>(n);
  }
  std::string out;
  for (unsigned char b : bytes) out.push_back(kTempAlphabet[b % (sizeof kTempAlphabet - 1)]);
  return out;
}

bool IsTempSuffix(absl::string_view s) {
  if (s.size() != kTempSuffixLength) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// fchown then fchmod: chown may clear set-id bits, and the mode is the
// operator's final word (the umask may have narrowed it).
absl::Status SetGroupAndMode(int fd, const std::string& path, mode_t mode, gid_t group) {
  if (group != static_cast<gid_t>(-1) && ::fchown(fd, static_cast<uid_t>(-1), group) != 0) {
    return ErrnoStatus(errno, absl::StrCat("chgrp ", path));
  }
  if (::fchmod(fd, mode) != 0) return ErrnoStatus(errno, absl::StrCat("chmod ", path));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TempFile> Directory::CreateTemp(const std::string& final_name, mode_t mode,
                                               gid_t group, const std::string& temp_prefix) const {
  const std::string prefix = TempPrefix(final_name, temp_prefix);
  for (int attempt = 0; attempt < kTempAttempts; ++attempt) {
    EXACT_ASSIGN_OR_RETURN(std::string suffix, RandomSuffix());
    std::string name = prefix + suffix;
    UniqueFd fd(fs_->OpenAt(fd_.get(), name.c_str(),
                            O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid() && errno == EEXIST) continue;  // Planted, or a rare collision.
    if (!fd.valid()) return ErrnoStatus(errno, absl::StrCat("create ", PathOf(name)));
    TempFile temp(this, std::move(name), final_name, std::move(fd));
    EXACT_RETURN_IF_ERROR(SetGroupAndMode(temp.fd(), temp.path(), mode, group));
    return temp;
  }
  return absl::AlreadyExistsError(absl::StrCat(
      "cannot create a temp file for ", PathOf(final_name), ": ", kTempAttempts, " random names ",
      prefix, "* were all taken; is someone planting files in ", path_, "?"));
}

absl::Status Directory::WriteFileAtomically(const std::string& final_name, absl::string_view data,
                                            mode_t mode, gid_t group) const {
  EXACT_ASSIGN_OR_RETURN(TempFile temp, CreateTemp(final_name, mode, group));
  EXACT_RETURN_IF_ERROR(temp.Write(data));
  return temp.Commit();
}

absl::StatusOr<int> Directory::RemoveStaleTemps(const std::string& final_name,
                                                const std::string& temp_prefix) const {
  const std::string prefix = TempPrefix(final_name, temp_prefix);
  int dup = ::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return ErrnoStatus(errno, absl::StrCat("dup ", path_));
  DIR* d = ::fdopendir(dup);
  if (d == nullptr) {
    ::close(dup);
    return ErrnoStatus(errno, absl::StrCat("opendir ", path_));
  }
  ::rewinddir(d);
  int removed = 0;
  absl::Status status;
  while (struct dirent* e = ::readdir(d)) {
    absl::string_view name(e->d_name);
    if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix ||
        !IsTempSuffix(name.substr(prefix.size()))) {
      continue;
    }
    struct stat st;
    if (::fstatat(fd_.get(), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode)) {
      continue;
    }
    if (fs_->UnlinkAt(fd_.get(), e->d_name) == 0) {
      ++removed;
    } else if (errno != ENOENT && status.ok()) {
      status = ErrnoStatus(errno, absl::StrCat("unlink ", PathOf(name)));
    }
  }
  ::closedir(d);
  if (!status.ok()) return status;
  if (removed > 0) {
    LogInfo("removed %d temp file(s) of %s left by an interrupted write", removed,
            PathOf(final_name));
  }
  return removed;
}

absl::Status Directory::Commit(const std::string& from, const std::string& to) const {
  if (fs_->RenameAt(fd_.get(), from.c_str(), to.c_str()) != 0) {
    return ErrnoStatus(errno, absl::StrCat("rename ", PathOf(from), " to ", PathOf(to)));
  }
  if (fs_->Sync(fd_.get()) != 0) return ErrnoStatus(errno, absl::StrCat("fsync ", path_));
  return absl::OkStatus();
}

absl::Status Directory::Remove(const std::string& name) const {
  if (fs_->UnlinkAt(fd_.get(), name.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, absl::StrCat("unlink ", PathOf(name)));
  }
  return absl::OkStatus();
}

TempFile::TempFile(TempFile&& other) noexcept
    : dir_(other.dir_),
      name_(std::move(other.name_)),
      final_name_(std::move(other.final_name_)),
      fd_(std::move(other.fd_)),
      committed_(std::exchange(other.committed_, true)) {}

TempFile::~TempFile() {
  if (committed_) return;
  fd_.Reset();
  dir_->Remove(name_).IgnoreError();  // Best effort; the published file is intact.
}

std::string TempFile::path() const { return dir_->PathOf(name_); }

std::string TempFile::ProcPath() const { return absl::StrCat("/proc/self/fd/", fd_.get()); }

absl::Status TempFile::Write(absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = dir_->fs_->Write(fd_.get(), data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, absl::StrCat("write ", path()));
    if (n == 0) return absl::DataLossError(absl::StrCat("write ", path(), ": wrote nothing"));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status TempFile::Commit() {
  if (committed_) return absl::FailedPreconditionError(absl::StrCat(path(), " already committed"));
  if (dir_->fs_->Sync(fd_.get()) != 0) return ErrnoStatus(errno, absl::StrCat("fsync ", path()));
  // close(2) can report a deferred write error (NFS); it is the last chance.
  if (::close(fd_.Release()) != 0) return ErrnoStatus(errno, absl::StrCat("close ", path()));
  EXACT_RETURN_IF_ERROR(dir_->Commit(name_, final_name_));
  committed_ = true;
  return absl::OkStatus();
}

void WarnAboutSharedDirectories(const std::vector<std::string>& paths) {
  std::vector<std::string> seen;
  for (const std::string& path : paths) {
    const std::string dir = SplitPath(path).first;
    if (std::find(seen.begin(), seen.end(), dir) != seen.end()) continue;
    seen.push_back(dir);
    absl::StatusOr<Directory> d = Directory::Open(dir);
    if (d.ok() && !d->shared_reason().empty()) {
      LogWarning(
          "output directory %s is %s: other local users can create files in it; exact "
          "publishes there safely, but keep maps in a directory only root (or `user`) can write",
          dir, d->shared_reason());
    }
  }
}

}  // namespace exact::base
