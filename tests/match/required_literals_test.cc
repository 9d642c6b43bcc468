// The required literals of a pattern: the factor chosen, and the property
// that makes them a safe prefilter (every matching line contains one).
#include "src/match/required_literals.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "re2/re2.h"
#include "tests/match/matcher_fixture.h"

namespace exact::match {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Literals(absl::string_view ere) {
  config::EreTranslation t = config::TranslatePosixEre(ere);
  EXPECT_TRUE(t.ok) << t.error;
  return t.ok ? RequiredLiterals(*t.ast) : std::vector<std::string>{"<bad pattern>"};
}

TEST(RequiredLiterals, TakesTheLongestLiteralRun) {
  EXPECT_THAT(Literals("^[a-z]+ imapd\\[[0-9]+\\]: User logged in"),
              ElementsAre("]: User logged in"));
}

TEST(RequiredLiterals, SpellsOutAlternativesAndOptionalGroups) {
  EXPECT_THAT(Literals("[0-9]+ (Login|Logged in): user=<([^>]*)>"),
              ElementsAre(" Logged in: user=<", " Login: user=<"));
  EXPECT_THAT(Literals("x+-login: (Info: )?ok[0-9]"),
              ElementsAre("-login: Info: ok", "-login: ok"));
  EXPECT_THAT(Literals("[0-9]+ [ab]cde[0-9]"), ElementsAre(" acde", " bcde"));
}

TEST(RequiredLiterals, PrefersFewerStringsWhenTheShortestIsAsLong) {
  // " ab" + "cd" spells {" abcd"}; " (ab|cd)" gives two strings no longer.
  EXPECT_THAT(Literals("[0-9]+ (ab|cd)[0-9]+wxyz[0-9]"), ElementsAre("wxyz"));
}

TEST(RequiredLiterals, StopsSpellingPastTheCap) {
  // Nine alternatives cannot be spelled; the run after them can.
  EXPECT_THAT(Literals("(a|b|c|d|e|f|g|h|i)uvwxyz"), ElementsAre("uvwxyz"));
  // [0-9] has ten bytes: "ab" and "cd" are separate factors, too short.
  EXPECT_THAT(Literals("ab[0-9]cd"), IsEmpty());
}

TEST(RequiredLiterals, NoneWhenTooShortOrTopLevelAlternatives) {
  EXPECT_THAT(Literals("[a-z]+abc[0-9]+"), IsEmpty());
  EXPECT_THAT(Literals("login ok|session opened"), IsEmpty());
  EXPECT_THAT(Literals("^$"), IsEmpty());
  EXPECT_THAT(Literals("(ab)?cdef"), ElementsAre("cdef"));
}

TEST(RequiredLiterals, ZeroWidthAssertionsDoNotBreakARun) {
  EXPECT_THAT(Literals("[0-9]+status=\"ok\"$"), ElementsAre("status=\"ok\""));
}

// The prefilter's contract: a line that a stanza matches contains one of
// the stanza's required literals. Checked with RE2 on every corpus line.
TEST(RequiredLiterals, EveryCorpusLineAStanzaMatchesHoldsOneOfItsLiterals) {
  std::vector<std::string> lines = testing::CorpusLines();
  ASSERT_GT(lines.size(), 1500u);

  int checked = 0;
  for (const config::Stanza& stanza : testing::BundledStanzas()) {
    std::vector<std::string> literals = RequiredLiterals(*stanza.ast);
    if (literals.empty()) continue;
    RE2::Options o;
    o.set_encoding(RE2::Options::EncodingLatin1);
    RE2 re(stanza.pattern, o);
    ASSERT_TRUE(re.ok()) << stanza.name;
    for (const std::string& whole : lines) {
      std::optional<std::string> line = testing::StanzaText(stanza, whole);
      if (!line || !RE2::PartialMatch(*line, re)) continue;
      ++checked;
      bool found = false;
      for (const std::string& lit : literals) found |= line->find(lit) != std::string::npos;
      EXPECT_TRUE(found) << stanza.name << ": " << *line;
    }
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace exact::match
