// The literal plan: the best factor per stanza while the set fits the
// budget, single literals (unshared first) when it does not, RE2 stanzas
// only with long literals; and, on the bundled stanzas, the prefilter's
// contract still holds for what the matcher really scans for.
#include "src/match/literal_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "re2/re2.h"
#include "tests/match/matcher_fixture.h"

namespace exact::match {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

StanzaLiterals Options(absl::string_view ere, bool fast_verified = true) {
  config::EreTranslation t = config::TranslatePosixEre(ere);
  EXPECT_TRUE(t.ok) << t.error;
  return StanzaLiterals{t.ok ? RequiredFactors(*t.ast) : std::vector<Factor>{}, fast_verified};
}

TEST(LiteralPlan, UnderBudgetEachStanzaKeepsItsMostSelectiveFactor) {
  auto plan = PlanLiterals({Options("^[a-z]+ (Login|APOP) user=([^ ]+) host=([^ ]+)$"),
                            Options("^[a-z]+: LOGIN, user=([^,]*), ip=([^ ]+)$")},
                           /*budget=*/3);
  EXPECT_THAT(plan[0], ElementsAre(" APOP user=", " Login user="));
  EXPECT_THAT(plan[1], ElementsAre(": LOGIN, user="));
}

TEST(LiteralPlan, OverBudgetTheWidestFallsBackToAnUnsharedSingleLiteral) {
  // " user=" comes first in the pattern, but the second stanza's literal
  // contains it, so it would flag that stanza's logins too; " host=" not.
  auto plan = PlanLiterals({Options("^[a-z]+ (Login|APOP|Auth) user=([^ ]+) host=([^ ]+)$"),
                            Options("^[a-z]+: LOGIN, user=([^,]*), ip=([^ ]+)$")},
                           /*budget=*/2);
  EXPECT_THAT(plan[0], ElementsAre(" host="));
  EXPECT_THAT(plan[1], ElementsAre(": LOGIN, user="));
}

TEST(LiteralPlan, NothingToFallBackToLeavesTheSetOverBudget) {
  // Every single-spelling factor is shorter than kMinSingleLiteral.
  auto plan = PlanLiterals({Options("^(Login|APOP|Auth) u=([^ ]+) h=([^ ]+)$")}, /*budget=*/1);
  EXPECT_EQ(plan[0].size(), 3u);
}

TEST(LiteralPlan, Re2StanzasTakeOnlyLongLiterals) {
  auto plan = PlanLiterals({Options("^a.*status=\"ok\"$", /*fast_verified=*/false),
                            Options("^a.* ok=1 (.*)$", /*fast_verified=*/false)});
  EXPECT_THAT(plan[0], ElementsAre("status=\"ok\""));
  EXPECT_THAT(plan[1], IsEmpty());  // " ok=1 " is too short: the pattern.
}

// What the matcher scans for on the bundled stanzas stays within the budget
// or one literal a stanza, and
// every corpus line a stanza matches holds one of that stanza's literals.
TEST(LiteralPlan, BundledPrefiltersFitTheBudgetAndKeepTheContract) {
  std::vector<config::Stanza> stanzas = testing::BundledStanzas();
  std::unique_ptr<StanzaMatcher> m = testing::MakeMatcher(stanzas);
  ASSERT_NE(m, nullptr);
  size_t patterns = 0;
  std::string listing;
  for (size_t i = 0; i < stanzas.size(); ++i) {
    patterns += m->prefilter(i).patterns.size();
    listing += stanzas[i].name + ":";
    for (const std::string& p : m->prefilter(i).patterns) listing += " [" + p + "]";
    listing += "\n";
  }
  // Past the budget (the shipped set has more stanzas than it), each stanza
  // keeps its best factor: a few spellings at most (docs/performance.md).
  EXPECT_LE(patterns, std::max(kLiteralBudget, 2 * stanzas.size())) << listing;

  std::vector<std::string> lines = testing::CorpusLines();
  int checked = 0;
  for (size_t i = 0; i < stanzas.size(); ++i) {
    const StanzaMatcher::Prefilter& p = m->prefilter(i);
    ASSERT_TRUE(p.literals) << stanzas[i].name;
    RE2::Options o;
    o.set_encoding(RE2::Options::EncodingLatin1);
    RE2 re(stanzas[i].pattern, o);
    ASSERT_TRUE(re.ok()) << stanzas[i].name;
    for (const std::string& whole : lines) {
      std::optional<std::string> line = testing::StanzaText(stanzas[i], whole);
      if (!line || !RE2::PartialMatch(*line, re)) continue;
      ++checked;
      bool found = false;
      // Hyperscan scans the whole line: a tag literal counts too.
      for (const std::string& lit : p.patterns) found |= whole.find(lit) != std::string::npos;
      EXPECT_TRUE(found) << stanzas[i].name << ": " << *line;
    }
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace exact::match
