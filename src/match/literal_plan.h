// Chooses what Hyperscan scans for on behalf of each stanza: a few of its
// required literals (required_literals.h), or, failing that, its pattern.
//
// Why a plan over the whole set rather than the best factor per stanza:
// Hyperscan's speed depends on the set: past 11 literals, or with a
// pattern among them, it falls back to a slower matcher, and the bundled
// stanzas' best factors make 13 literals and a pattern (about half the
// speed; docs/performance.md, "The literal plan"). So when the best factors
// exceed kLiteralBudget, stanzas with several spellings fall back to one
// literal of their own, longest first, preferring one that no other
// stanza's literal contains (it would flag that stanza's every login too).
// The extractors verify every flagged line, so a less selective literal
// costs a walk per look-alike line, never a wrong result. A set that is
// still over budget after that (more stanzas than the budget, as the shipped
// set has) keeps every stanza's best factor: on the shipped stanzas, single
// fallback literals scanned at 0.4-0.55 of the eight-stanza baseline and
// literals shared by several stanzas (a greedy cover) at 0.5, against 0.75
// for the best factors (docs/performance.md). The matcher scans once for a
// literal that two stanzas choose.
//
// Thread safety: pure function.
#ifndef EXACT_SRC_MATCH_LITERAL_PLAN_H_
#define EXACT_SRC_MATCH_LITERAL_PLAN_H_

#include <cstddef>
#include <string>
#include <vector>

#include "src/match/required_literals.h"

namespace exact::match {

// Hyperscan patterns in a set beyond which its scan slowed by half.
inline constexpr size_t kLiteralBudget = 11;
// A single literal shorter than this flags too many ordinary lines.
inline constexpr size_t kMinSingleLiteral = 6;
// Stanzas verified by RE2 (about a microsecond a line, not tens of
// nanoseconds) take literals only this long, as look-alikes cost more.
inline constexpr size_t kMinLiteralForRe2 = 8;

struct StanzaLiterals {
  std::vector<Factor> factors;  // RequiredFactors of the stanza.
  bool fast_verified = false;   // The FastExtractor verifies its lines.
};

// For each stanza, the literals to scan for; empty: scan for its pattern.
std::vector<std::vector<std::string>> PlanLiterals(const std::vector<StanzaLiterals>& stanzas,
                                                   size_t budget = kLiteralBudget);

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_LITERAL_PLAN_H_
