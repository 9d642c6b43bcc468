// POSIX ERE translation: meaning preserved, dialect traps removed, and every
// bad pattern rejected with its position and a hint.
#include "src/config/posix_ere.h"

#include <string>

#include "gtest/gtest.h"

namespace exact::config {
namespace {

TEST(PosixEre, CountsCapturingGroupsOnly) {
  EreTranslation t = TranslatePosixEre("(a)(?:b)(c(d))");
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.groups, 3);
}

TEST(PosixEre, BackslashInBracketIsLiteralAsInPosix) {
  // 1.41's cyrus stanza wrote [0-9\.]: in POSIX that class holds a backslash.
  EreTranslation t = TranslatePosixEre("[0-9\\.]");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pattern, "[\\x2e\\x30-\\x39\\x5c]");
}

TEST(PosixEre, LeadingCloseBracketIsLiteral) {
  EreTranslation t = TranslatePosixEre("[]a]");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pattern, "[\\x5d\\x61]");
}

TEST(PosixEre, NegatedBracketNeverMatchesNewline) {
  EreTranslation t = TranslatePosixEre("[^ ]");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pattern, "[\\x00-\\x09\\x0b-\\x1f\\x21-\\xff]");
}

TEST(PosixEre, CharacterClassesExpand) {
  EreTranslation t = TranslatePosixEre("[[:digit:]x]");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pattern, "[\\x30-\\x39\\x78]");
}

TEST(PosixEre, PunctuationEscapesBecomeHexLiterals) {
  EreTranslation t = TranslatePosixEre("a\\.b\\\"c");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pattern, "a\\x2eb\\x22c");
}

TEST(PosixEre, IntervalsAndAnchorsPassThrough) {
  EreTranslation t = TranslatePosixEre("^a{2,3}b{4}c{1,}$");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pattern, "^a{2,3}b{4}c{1,}$");
}

struct BadPattern {
  const char* ere;
  size_t offset;
  const char* message;
};

class PosixEreBad : public ::testing::TestWithParam<BadPattern> {};

TEST_P(PosixEreBad, IsRejectedWithPositionAndHint) {
  const BadPattern& b = GetParam();
  EreTranslation t = TranslatePosixEre(b.ere);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_offset, b.offset) << b.ere;
  EXPECT_EQ(t.error, b.message) << b.ere;
}

INSTANTIATE_TEST_SUITE_P(
    Table, PosixEreBad,
    ::testing::Values(
        BadPattern{"", 0, "empty pattern"},
        BadPattern{"(ab", 0, "unmatched '('; add ')' or write \\( for a literal parenthesis"},
        BadPattern{"ab)", 2, "unmatched ')'; write \\) for a literal parenthesis"},
        BadPattern{"[abc", 0, "unterminated bracket expression; add ']'"},
        BadPattern{"*a", 0, "quantifier '*' has nothing to repeat; write \\* for a literal"},
        BadPattern{"a(+b)", 2, "quantifier '+' has nothing to repeat; write \\+ for a literal"},
        BadPattern{"a**", 2, "a quantifier cannot follow another quantifier"},
        BadPattern{"a{2,1}", 1, "interval {n,m} has m smaller than n"},
        BadPattern{"a{x}", 1,
                   "invalid interval; expected {n}, {n,} or {n,m}, or write \\{ for a literal "
                   "brace"},
        BadPattern{"a{5000}", 1, "repeat count above 1000"},
        BadPattern{"[z-a]", 1, "invalid range z-a: the end is before the start"},
        BadPattern{"[[:word:]]", 1, "unknown character class [:word:]"},
        BadPattern{"[[=a=]]", 1, "collating symbols and equivalence classes are not supported"},
        BadPattern{"\\d+", 0, "\\d is not POSIX ERE; use [0-9]"},
        BadPattern{"(a)\\1", 3,
                   "back-references are not supported: they cannot be matched in linear time"},
        BadPattern{"ab\\", 2, "trailing backslash"},
        BadPattern{"\\q", 0, "unknown escape \\q; POSIX ERE escapes only punctuation"},
        BadPattern{"^*", 1, "quantifier '*' has nothing to repeat; write \\* for a literal"}));

}  // namespace
}  // namespace exact::config
