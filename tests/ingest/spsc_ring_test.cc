// The SPSC ring: order, blocking hand-off between threads, and close.
#include "src/ingest/spsc_ring.h"

#include <thread>

#include "gtest/gtest.h"

namespace exact::ingest {
namespace {

TEST(SpscRing, PopsInPushOrder) {
  SpscRing<int> ring(4);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(ring.Push(i));
  int v;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(ring.TryPop(&v));
    EXPECT_EQ(v, i);
  }
  EXPECT_FALSE(ring.TryPop(&v));
}

TEST(SpscRing, ClosedRingDrainsThenEnds) {
  SpscRing<int> ring(4);
  ring.Push(7);
  ring.Close();
  EXPECT_FALSE(ring.Push(8));
  int v;
  EXPECT_TRUE(ring.Pop(&v));
  EXPECT_EQ(v, 7);
  EXPECT_FALSE(ring.Pop(&v));
}

TEST(SpscRing, BlockingHandOffAcrossThreadsLosesNothing) {
  SpscRing<uint64_t> ring(8);  // Far smaller than the stream: both sides block.
  constexpr uint64_t kCount = 200000;
  std::thread producer([&] {
    for (uint64_t i = 1; i <= kCount; ++i) ring.Push(i);
    ring.Close();
  });
  uint64_t expected = 1, v, sum = 0;
  while (ring.Pop(&v)) {
    ASSERT_EQ(v, expected++);
    sum += v;
  }
  producer.join();
  EXPECT_EQ(sum, kCount * (kCount + 1) / 2);
}

TEST(SpscRing, ConsumerBlockedOnEmptyRingWakesOnClose) {
  SpscRing<int> ring(2);
  std::thread consumer([&] {
    int v;
    EXPECT_FALSE(ring.Pop(&v));
  });
  ring.Close();
  consumer.join();
}

}  // namespace
}  // namespace exact::ingest
