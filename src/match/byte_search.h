// Small, inlined byte searches for the extractor's walk: finding where a
// run such as `[^ ]+` stops, and comparing a short literal. Every candidate
// line is walked, and these replace a per-byte loop and a call to memcmp.
//
// Both read only inside [data, data + size): a line's neighbours in its
// chunk may be the end of a buffer.
//
// Thread safety: a StopBytes is immutable once built; the functions are pure.
#ifndef EXACT_SRC_MATCH_BYTE_SEARCH_H_
#define EXACT_SRC_MATCH_BYTE_SEARCH_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace exact::match {

// Up to kMax bytes that end a run.
class StopBytes {
 public:
  static constexpr int kMax = 4;

  // False (and unchanged) when `bytes` holds none or more than kMax.
  bool Set(const unsigned char* bytes, int n) {
    if (n < 1 || n > kMax) return false;
    for (int i = 0; i < kMax; ++i) bytes_[i] = bytes[i < n ? i : 0];  // Repeat the first.
    return true;
  }

  // The offset of the first byte in [from, size) that is one of the stops,
  // or size.
  size_t Find(const char* data, size_t from, size_t size) const {
    size_t i = from;
#if defined(__SSE2__)
    const __m128i b0 = _mm_set1_epi8(static_cast<char>(bytes_[0]));
    const __m128i b1 = _mm_set1_epi8(static_cast<char>(bytes_[1]));
    const __m128i b2 = _mm_set1_epi8(static_cast<char>(bytes_[2]));
    const __m128i b3 = _mm_set1_epi8(static_cast<char>(bytes_[3]));
    for (; i + 16 <= size; i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
      const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, b0), _mm_cmpeq_epi8(v, b1)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, b2), _mm_cmpeq_epi8(v, b3)));
      const int mask = _mm_movemask_epi8(hit);
      if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
#endif
    for (; i < size; ++i) {
      const auto c = static_cast<unsigned char>(data[i]);
      if (c == bytes_[0] || c == bytes_[1] || c == bytes_[2] || c == bytes_[3]) return i;
    }
    return size;
  }

 private:
  unsigned char bytes_[kMax] = {};
};

// The first and the last sizeof(Word) bytes of a and b are equal: for
// sizeof(Word) <= n <= 2 * sizeof(Word), all n bytes are.
template <typename Word>
bool EndsEqual(const char* a, const char* b, size_t n) {
  Word a0, a1, b0, b1;
  std::memcpy(&a0, a, sizeof(Word));
  std::memcpy(&b0, b, sizeof(Word));
  std::memcpy(&a1, a + n - sizeof(Word), sizeof(Word));
  std::memcpy(&b1, b + n - sizeof(Word), sizeof(Word));
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

// memcmp(a, b, n) == 0, for the short literals of stanza patterns: two
// overlapping loads of 4 or 8 bytes cover 4 to 16 bytes without a call.
inline bool BytesEqual(const char* a, const char* b, size_t n) {
  if (n >= 8 && n <= 16) return EndsEqual<uint64_t>(a, b, n);
  if (n >= 4 && n < 8) return EndsEqual<uint32_t>(a, b, n);
  return std::memcmp(a, b, n) == 0;
}

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_BYTE_SEARCH_H_
