// The fault-injecting file system.
#include "src/base/fault_injecting_file_system.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <utility>

namespace exact::base {

const char* FileOpName(FileOp op) {
  switch (op) {
    case FileOp::kCreate:
      return "create";
    case FileOp::kWrite:
      return "write";
    case FileOp::kSync:
      return "fsync";
    case FileOp::kSyncDirectory:
      return "fsync-directory";
    case FileOp::kRename:
      return "rename";
    case FileOp::kUnlink:
      return "unlink";
  }
  return "?";
}

std::optional<FaultInjectingFileSystem::Fault> FaultInjectingFileSystem::Step(FileOp op) {
  absl::MutexLock lock(&mu_);
  const int n = counts_[static_cast<size_t>(op)]++;
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->op != op || it->at != n) continue;
    Fault fired = *it;
    faults_.erase(it);
    ++injected_;
    return fired;
  }
  return std::nullopt;
}

int FaultInjectingFileSystem::OpenAt(int dir_fd, const char* name, int flags, mode_t mode) {
  if ((flags & O_CREAT) == 0) return FileSystem::OpenAt(dir_fd, name, flags, mode);
  if (before_create_) before_create_(dir_fd, name);
  if (auto f = Step(FileOp::kCreate)) {
    errno = f->err;
    return -1;
  }
  return FileSystem::OpenAt(dir_fd, name, flags, mode);
}

ssize_t FaultInjectingFileSystem::Write(int fd, const void* data, size_t size) {
  if (auto f = Step(FileOp::kWrite)) {
    if (f->err == 0) return FileSystem::Write(fd, data, std::min(size, f->short_bytes));
    errno = f->err;
    return -1;
  }
  return FileSystem::Write(fd, data, size);
}

int FaultInjectingFileSystem::Sync(int fd) {
  struct stat st;
  const bool dir = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  if (auto f = Step(dir ? FileOp::kSyncDirectory : FileOp::kSync)) {
    errno = f->err;
    return -1;
  }
  return FileSystem::Sync(fd);
}

int FaultInjectingFileSystem::RenameAt(int dir_fd, const char* from, const char* to) {
  if (auto f = Step(FileOp::kRename)) {
    errno = f->err;
    return -1;
  }
  return FileSystem::RenameAt(dir_fd, from, to);
}

int FaultInjectingFileSystem::UnlinkAt(int dir_fd, const char* name) {
  if (auto f = Step(FileOp::kUnlink)) {
    errno = f->err;
    return -1;
  }
  return FileSystem::UnlinkAt(dir_fd, name);
}

void FaultInjectingFileSystem::FailNth(FileOp op, int nth, int err) {
  absl::MutexLock lock(&mu_);
  faults_.push_back(Fault{op, counts_[static_cast<size_t>(op)] + nth, err, 0});
}

void FaultInjectingFileSystem::ShortWriteNth(int nth, size_t bytes) {
  absl::MutexLock lock(&mu_);
  faults_.push_back(
      Fault{FileOp::kWrite, counts_[static_cast<size_t>(FileOp::kWrite)] + nth, 0, bytes});
}

void FaultInjectingFileSystem::SetBeforeCreate(std::function<void(int, const char*)> hook) {
  before_create_ = std::move(hook);
}

void FaultInjectingFileSystem::Reset() {
  absl::MutexLock lock(&mu_);
  counts_ = {};
  faults_.clear();
  injected_ = 0;
}

int FaultInjectingFileSystem::count(FileOp op) const {
  absl::MutexLock lock(&mu_);
  return counts_[static_cast<size_t>(op)];
}

int FaultInjectingFileSystem::injected() const {
  absl::MutexLock lock(&mu_);
  return injected_;
}

}  // namespace exact::base
