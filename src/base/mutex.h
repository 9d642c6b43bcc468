// A mutex over std::mutex with clang thread-safety annotations.
//
// Why not absl::Mutex: Debian's absl is built without ThreadSanitizer
// instrumentation, so TSan cannot see absl::Mutex's synchronization and
// reports false races. std::mutex goes through pthread, which TSan
// intercepts; the annotations keep -Wthread-safety checking our locking.
// Thread safety: it is the lock.
#ifndef EXACT_SRC_BASE_MUTEX_H_
#define EXACT_SRC_BASE_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"

namespace exact::base {

class ABSL_LOCKABLE Mutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

  // Waits until `done()` holds or `timeout` passes; the mutex must be held.
  // Returns done().
  template <typename Pred>
  bool AwaitWithTimeout(Pred done, std::chrono::nanoseconds timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    bool result = cv_.wait_for(lock, timeout, done);
    lock.release();  // Still held: the caller's MutexLock unlocks it.
    return result;
  }
  // Waits until `done()` holds; the mutex must be held.
  template <typename Pred>
  void Await(Pred done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    cv_.wait(lock, done);
    lock.release();
  }

  // Wakes waiters; call after changing what they wait for.
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* mu_;
};

}  // namespace exact::base

#endif  // EXACT_SRC_BASE_MUTEX_H_
