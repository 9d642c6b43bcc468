// Finds a small set of literal strings of which every match of a pattern
// must contain at least one: the pattern's rarest necessary "factor".
//
// Why: Hyperscan scans a set of a few pure literals two to three times
// faster than the same stanzas as regular expressions (its literal
// matchers need no automaton behind them), and the FastExtractor verifies
// each flagged line in full anyway. The longer the shortest literal, the
// fewer lines that merely look like logins get flagged: for Dovecot,
// {"-login: Login: user=<", "-login: Logged in: user=<", ...} rather than
// "-login: ", which every failed login also contains.
//
// Thread safety: pure function.
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

// For a pattern with one top-level branch: the factor whose shortest
// string is longest (ties: fewer strings, then the earlier run), without
// strings that contain another of its strings. Empty when no factor has
// all strings at least kMinRequiredLiteral long, or the pattern has
// top-level alternatives.
std::vector<std::string> RequiredLiterals(const std::vector<config::EreSeq>& ast);

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_REQUIRED_LITERALS_H_
