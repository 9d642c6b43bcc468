// Both newline counters (AVX2 where the CPU has it, SSE2) agree with a plain loop at every length
// and alignment, including runs long enough to wrap its byte counters.
#include "src/base/count_newlines.h"

#include <string>

#include "gtest/gtest.h"

namespace exact::base {
namespace {

TEST(CountNewlines, MatchesAPlainCountAtEveryLengthAndOffset) {
  std::string text;
  for (int i = 0; i < 9000; ++i) text.push_back(i % 7 == 0 || i % 13 == 0 ? '\n' : 'x');
  for (size_t offset = 0; offset < 17; ++offset) {
    for (size_t len :
         {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{63}, size_t{64},
          size_t{65}, size_t{4079}, size_t{4080}, size_t{4096}, size_t{8000}}) {
      uint64_t want = 0;
      for (size_t i = offset; i < offset + len; ++i) want += text[i] == '\n';
      EXPECT_EQ(CountNewlines(text.data() + offset, len), want) << offset << "+" << len;
      EXPECT_EQ(CountNewlinesPortable(text.data() + offset, len), want) << offset << "+" << len;
    }
  }
}

TEST(CountNewlines, AllNewlinesDoNotOverflowTheByteCounters) {
  std::string text(100000, '\n');
  EXPECT_EQ(CountNewlines(text.data(), text.size()), 100000u);
  EXPECT_EQ(CountNewlinesPortable(text.data(), text.size()), 100000u);
}

}  // namespace
}  // namespace exact::base
