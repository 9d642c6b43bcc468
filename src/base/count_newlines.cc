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

__attribute__((target("avx2"))) uint64_t CountNewlinesAvx2(const char* data, size_t size) {
  const __m256i newline = _mm256_set1_epi8('\n');
  uint64_t count = 0;
  size_t i = 0;
  while (i + 64 <= size) {
    // Byte counters, as in the SSE2 version: a compare and a subtract per
    // 32 bytes. A block of 64 adds up to 2 to a counter, so fold every 127
    // blocks, before one can wrap.
    __m256i acc = _mm256_setzero_si256();
    size_t blocks = (size - i) / 64;
    if (blocks > 127) blocks = 127;
    for (size_t b = 0; b < blocks; ++b, i += 64) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i));
      const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 32));
      acc = _mm256_sub_epi8(acc, _mm256_cmpeq_epi8(x, newline));
      acc = _mm256_sub_epi8(acc, _mm256_cmpeq_epi8(y, newline));
    }
    const __m256i sums = _mm256_sad_epu8(acc, _mm256_setzero_si256());
    count += static_cast<uint64_t>(_mm256_extract_epi64(sums, 0)) +
             static_cast<uint64_t>(_mm256_extract_epi64(sums, 1)) +
             static_cast<uint64_t>(_mm256_extract_epi64(sums, 2)) +
             static_cast<uint64_t>(_mm256_extract_epi64(sums, 3));
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
