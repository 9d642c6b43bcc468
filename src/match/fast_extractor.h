// Extracts capture groups from a line that Hyperscan has already proved to
// match, without running a regex engine.
//
// It applies to stanzas that start with '^' and whose every variable-length
// repeat is of a single byte set that cannot also begin whatever follows it
// (as in `user=([^ ]+) host=`). For those, each repeat can stop in only one
// place, so the walk checks the whole pattern against the line with no
// backtracking except over alternatives and optional groups, which it tries
// in turn. Every match starts at the line start; of the complete parses it
// keeps the longest (POSIX's leftmost-longest) and, if two parses share that
// length, reports kAmbiguous so the caller uses RE2. The walk verifies every
// byte itself, so the Hyperscan pattern that flagged the line may be a
// cheaper superset (config::PrefilterPattern).
//
// Thread safety: immutable after Create(); Extract() may run concurrently.
#ifndef EXACT_SRC_MATCH_FAST_EXTRACTOR_H_
#define EXACT_SRC_MATCH_FAST_EXTRACTOR_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/config/posix_ere.h"

namespace exact::match {

class FastExtractor {
 public:
  // nullptr when the pattern is outside the class described above.
  static std::unique_ptr<FastExtractor> Create(const std::vector<config::EreSeq>& ast, int groups);

  enum class Result { kOk, kNoParse, kAmbiguous };

  // Matches `line` (without its newline). On kOk, groups[g] is group g's
  // text (data() == nullptr when the group did not take part).
  Result Extract(absl::string_view line, std::array<absl::string_view, 4>* groups) const;

  struct Program;

 private:
  explicit FastExtractor(int groups) : groups_(groups) {}
  std::shared_ptr<const Program> program_;
  int groups_;
};

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_FAST_EXTRACTOR_H_
