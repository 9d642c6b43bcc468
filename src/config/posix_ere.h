// Translates a POSIX extended regular expression (regcomp REG_EXTENDED, as
// EXACT 1.41's stanzas use) into the PCRE-style dialect that Hyperscan and
// RE2 both read, with identical meaning on a single log line.
//
// Why translate instead of passing the text through: the dialects disagree.
// In POSIX a backslash inside a bracket expression is literal (`[0-9\.]`
// matches a backslash), `[]a]` starts with a literal `]`, and there are no
// `\d`-style escapes. Every bracket expression is therefore re-emitted as an
// explicit byte set. Newline is removed from every set and class, so a
// Hyperscan match over a multi-line chunk can never span two lines.
//
// Thread safety: pure function.
#ifndef EXACT_SRC_CONFIG_POSIX_ERE_H_
#define EXACT_SRC_CONFIG_POSIX_ERE_H_

#include <bitset>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace exact::config {

// The parsed pattern, for extractors that walk it (match/fast_extractor.h).
// Bracket expressions, escapes, '.' and literals are all byte sets.
struct EreNode;
using EreSeq = std::vector<EreNode>;
struct EreNode {
  enum class Kind { kSet, kRepeat, kGroup, kBol, kEol, kWordBoundary };
  Kind kind = Kind::kSet;
  std::bitset<256> set;          // kSet; kRepeat of a single set.
  int min = 1, max = 1;          // kRepeat: -1 max is unbounded.
  std::vector<EreSeq> branches;  // kGroup alternatives; kRepeat: one branch, the repeated item.
  int capture = 0;               // kGroup: POSIX group number, 0 if non-capturing.
};

struct EreTranslation {
  bool ok = false;
  std::string pattern;      // The translated expression, when ok.
  int groups = 0;           // Capturing groups, numbered as POSIX numbers them.
  size_t error_offset = 0;  // 0-based byte offset of the problem, when !ok.
  std::string error;        // What is wrong and how to fix it, when !ok.
  std::shared_ptr<const std::vector<EreSeq>> ast;  // Top-level alternatives, when ok.
};

EreTranslation TranslatePosixEre(absl::string_view ere);

// A pattern that matches every line the parsed pattern `ast` matches, and
// may match more: a prefilter. When the top level is one sequence, it is the
// suffix that starts at its longest literal run (at least 3 bytes): syslog
// headers are costly to scan for, rare literals cheap. Otherwise, the whole
// pattern. Groups are emitted non-capturing.
std::string PrefilterPattern(const std::vector<EreSeq>& ast);

}  // namespace exact::config

#endif  // EXACT_SRC_CONFIG_POSIX_ERE_H_
