#include "src/base/count_newlines.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace exact::base {

uint64_t CountNewlinesPortable(const char* data, size_t size) {
  uint64_t count = 0;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n');
  while (i + 16 <= size) {
    // Byte counters: each holds 255 at most, so fold every 255 blocks.
    __m128i acc = _mm_setzero_si128();
    size_t blocks = (size - i) / 16;
    if (blocks > 255) blocks = 255;
    for (size_t b = 0; b < blocks; ++b, i += 16) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, newline));
    }
    __m128i sums = _mm_sad_epu8(acc, _mm_setzero_si128());
    count += static_cast<uint64_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; i < size; ++i) count += data[i] == '\n';
  return count;
}

#if defined(__x86_64__)
namespace {

__attribute__((target("avx2,popcnt"))) uint64_t CountNewlinesAvx2(const char* data,
                                                                  size_t size) {
  const __m256i newline = _mm256_set1_epi8('\n');
  uint64_t count = 0;
  size_t i = 0;
  for (; i + 64 <= size; i += 64) {
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i));
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 32));
    uint64_t bits = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, newline))) |
                    static_cast<uint64_t>(static_cast<uint32_t>(
                        _mm256_movemask_epi8(_mm256_cmpeq_epi8(b, newline))))
                        << 32;
    count += static_cast<uint64_t>(_mm_popcnt_u64(bits));
  }
  return count + CountNewlinesPortable(data + i, size - i);
}

}  // namespace
#endif

uint64_t CountNewlines(const char* data, size_t size) {
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  if (avx2) return CountNewlinesAvx2(data, size);
#endif
  return CountNewlinesPortable(data, size);
}

}  // namespace exact::base
