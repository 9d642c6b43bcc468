// Counts '\n' bytes in a buffer, with AVX2 where the CPU has it (chosen once
// at run time, so one binary serves every x86-64 host) and SSE2 otherwise.
// Line counts are statistics; this keeps them off the profile.
// Thread safety: pure function.
#ifndef EXACT_SRC_BASE_COUNT_NEWLINES_H_
#define EXACT_SRC_BASE_COUNT_NEWLINES_H_

#include <cstddef>
#include <cstdint>

namespace exact::base {

uint64_t CountNewlines(const char* data, size_t size);

// The portable version, for tests that compare the two.
uint64_t CountNewlinesPortable(const char* data, size_t size);

}  // namespace exact::base

#endif  // EXACT_SRC_BASE_COUNT_NEWLINES_H_
