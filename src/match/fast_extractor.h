// Extracts capture groups from a line that Hyperscan has already proved to
// match, without running a regex engine.
//
// It applies to stanzas that start with '^' and whose every variable-length
// repeat is of a single byte set that cannot also begin whatever follows it
// (as in `user=([^ ]+) host=`). For those, a greedy walk over the match span
// has exactly one way to succeed, so the parse it finds is the only parse,
// hence POSIX's. Alternatives and optional groups are tried in turn; if two
// parses fit, the walk reports kAmbiguous and the caller uses RE2. The span
// comes from Hyperscan: for a '^'-anchored pattern every match starts at the
// line start, so the largest end offset it reports is the leftmost-longest
// match's end.
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
  static std::unique_ptr<FastExtractor> Create(const std::vector<config::EreSeq>& ast,
                                               int groups);

  enum class Result { kOk, kNoParse, kAmbiguous };

  // `match` is the line from its start to the match end; `line_size` the
  // whole line's length (for '$'). On kOk, groups[g] is group g's text
  // (empty data() == nullptr when the group did not take part).
  Result Extract(absl::string_view match, size_t line_size,
                 std::array<absl::string_view, 4>* groups) const;

  struct Op;
  using Prog = std::vector<Op>;

 private:
  explicit FastExtractor(int groups) : groups_(groups) {}
  std::shared_ptr<const Prog> prog_;
  int groups_;
};

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_FAST_EXTRACTOR_H_
