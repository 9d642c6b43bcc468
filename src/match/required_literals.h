// Finds small sets of literal strings of which every match of a pattern
// must contain at least one: the pattern's necessary "factors", and the
// rarest of them. literal_plan.h chooses among them for a whole stanza set.
//
// Why: Hyperscan scans a set of a few pure literals two to three times
// faster than the same stanzas as regular expressions (its literal
// matchers need no automaton behind them), and the FastExtractor verifies
// each flagged line in full anyway. The longer the shortest literal, the
// fewer lines that merely look like logins get flagged: for Dovecot,
// {"-login: Login: user=<", "-login: Logged in: user=<", ...} rather than
// "-login: ", which every failed login also contains.
//
// Thread safety: pure functions.
#ifndef EXACT_SRC_MATCH_REQUIRED_LITERALS_H_
#define EXACT_SRC_MATCH_REQUIRED_LITERALS_H_

#include <string>
#include <vector>

#include "src/config/posix_ere.h"

namespace exact::match {

// Factors shorter than this flag too many ordinary lines to pay off.
inline constexpr size_t kMinRequiredLiteral = 4;
// A factor is one run of the pattern spelled out in full; alternatives
// multiply, so cap the spellings.
inline constexpr size_t kMaxRequiredLiterals = 8;

// A run of the pattern spelled out: every match contains one of
// `spellings` (strings that contain another of them are dropped).
struct Factor {
  std::vector<std::string> spellings;
  size_t shortest = 0;  // Length of the shortest spelling.
};

// Every factor of a pattern with one top-level branch whose spellings are
// all at least kMinRequiredLiteral long, in pattern order (earlier runs
// first). Empty for top-level alternatives.
std::vector<Factor> RequiredFactors(const std::vector<config::EreSeq>& ast);

// Of `factors`, those whose shortest string is at least `min_shortest`
// long, the one whose shortest string is longest (ties: fewer strings, then
// the earlier run): the most selective choice for a stanza on its own.
// nullptr when none qualifies.
const Factor* MostSelective(const std::vector<Factor>& factors, size_t min_shortest = 0);

// MostSelective(RequiredFactors(ast))'s strings; empty when there is none.
std::vector<std::string> RequiredLiterals(const std::vector<config::EreSeq>& ast);

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_REQUIRED_LITERALS_H_
