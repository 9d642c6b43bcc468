// A bounded single-producer/single-consumer ring of pointers, lock-free on
// the fast path. A side that cannot proceed blocks in std::atomic::wait (a
// futex), so on a 2-core machine nothing spins. The producer may Close() the
// ring; the consumer then drains what is left and sees end-of-stream.
//
// Thread safety: one thread may push and one thread may pop at a time
// (serial TBB filters count as one thread: TBB orders their invocations).
#ifndef EXACT_SRC_INGEST_SPSC_RING_H_
#define EXACT_SRC_INGEST_SPSC_RING_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace exact::ingest {

template <typename T>
class SpscRing {
 public:
  // `capacity` is rounded up to a power of two.
  explicit SpscRing(size_t capacity) {
    size_t c = 1;
    while (c < capacity) c <<= 1;
    slots_.resize(c);
    mask_ = c - 1;
  }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  // Blocks while full. Returns false (dropping nothing) only if closed.
  bool Push(T value) {
    const uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (tail & kClosed) return false;
    for (;;) {
      const uint64_t head = head_.load(std::memory_order_acquire);
      if (tail - head <= mask_) break;
      head_.wait(head, std::memory_order_acquire);
    }
    slots_[tail & mask_] = value;
    tail_.store(tail + 1, std::memory_order_release);
    tail_.notify_one();
    return true;
  }

  // Blocks while empty. Returns false once closed and drained.
  bool Pop(T* value) {
    const uint64_t head = head_.load(std::memory_order_relaxed);
    for (;;) {
      const uint64_t tail = tail_.load(std::memory_order_acquire);
      if ((tail & ~kClosed) != head) break;
      if (tail & kClosed) return false;
      tail_.wait(tail, std::memory_order_acquire);
    }
    *value = slots_[head & mask_];
    head_.store(head + 1, std::memory_order_release);
    head_.notify_one();
    return true;
  }

  // Non-blocking pop; false when empty.
  bool TryPop(T* value) {
    const uint64_t head = head_.load(std::memory_order_relaxed);
    if ((tail_.load(std::memory_order_acquire) & ~kClosed) == head) return false;
    *value = slots_[head & mask_];
    head_.store(head + 1, std::memory_order_release);
    head_.notify_one();
    return true;
  }

  // Producer side: no more pushes; wakes a waiting consumer.
  void Close() {
    tail_.fetch_or(kClosed, std::memory_order_acq_rel);
    tail_.notify_all();
  }

  size_t capacity() const { return mask_ + 1; }

 private:
  static constexpr uint64_t kClosed = uint64_t{1} << 63;

  std::vector<T> slots_;
  size_t mask_ = 0;
  // Separate cache lines: producer and consumer each write only their own.
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
};

}  // namespace exact::ingest

#endif  // EXACT_SRC_INGEST_SPSC_RING_H_
