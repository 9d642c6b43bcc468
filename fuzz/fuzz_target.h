// The libFuzzer entry point every target in fuzz/ defines.
#ifndef EXACT_FUZZ_FUZZ_TARGET_H_
#define EXACT_FUZZ_FUZZ_TARGET_H_

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#endif  // EXACT_FUZZ_FUZZ_TARGET_H_
