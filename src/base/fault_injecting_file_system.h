// A FileSystem that fails on command, for tests of every step of a publish
// (leveldb's fault_injection_test in spirit): the nth call of an operation
// fails with a chosen errno (ENOSPC, EIO, ...), the nth write is cut short,
// and a hook runs before each create so a test can plant a file or symlink
// at the very name exact is about to use. Everything else passes through
// to the real file system. Calls are counted per operation.
//
// Thread safety: thread-safe (a mutex around the plan and the counts); the
// hook runs with the mutex released.
#ifndef EXACT_SRC_BASE_FAULT_INJECTING_FILE_SYSTEM_H_
#define EXACT_SRC_BASE_FAULT_INJECTING_FILE_SYSTEM_H_

#include <array>
#include <functional>
#include <optional>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "src/base/files.h"

namespace exact::base {

enum class FileOp { kCreate, kWrite, kSync, kSyncDirectory, kRename, kUnlink };
inline constexpr int kFileOpCount = 6;
const char* FileOpName(FileOp op);

class FaultInjectingFileSystem final : public FileSystem {
 public:
  int OpenAt(int dir_fd, const char* name, int flags, mode_t mode) override;
  ssize_t Write(int fd, const void* data, size_t size) override;
  int Sync(int fd) override;
  int RenameAt(int dir_fd, const char* from, const char* to) override;
  int UnlinkAt(int dir_fd, const char* name) override;

  // The `nth` call of `op` from now (0: the next) fails with `err` and has
  // no effect. Faults add up until they fire or Reset().
  void FailNth(FileOp op, int nth, int err);
  // The `nth` write from now writes only `bytes` bytes and returns that
  // count, as write(2) may when a disk fills or a signal arrives.
  void ShortWriteNth(int nth, size_t bytes);
  // Runs before every create (an OpenAt with O_CREAT) with its directory
  // descriptor and name.
  void SetBeforeCreate(std::function<void(int dir_fd, const char* name)> hook);
  // Forgets faults and counts (not the hook).
  void Reset();

  // Calls of `op` since construction or Reset().
  int count(FileOp op) const;
  // Faults injected so far (failures and short writes).
  int injected() const;

 private:
  struct Fault {
    FileOp op;
    int at;  // The count of `op` at which it fires.
    int err;
    size_t short_bytes;  // For a short write: err == 0.
  };
  // Counts `op`; the fault, if it fires now.
  std::optional<Fault> Step(FileOp op);

  mutable absl::Mutex mu_;
  std::array<int, kFileOpCount> counts_ ABSL_GUARDED_BY(mu_) = {};
  std::vector<Fault> faults_ ABSL_GUARDED_BY(mu_);
  int injected_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<void(int, const char*)> before_create_;
};

}  // namespace exact::base

#endif  // EXACT_SRC_BASE_FAULT_INJECTING_FILE_SYSTEM_H_
