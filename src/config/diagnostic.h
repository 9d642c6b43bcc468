// Config diagnostics in the GNU form `file:line:column: severity: message`,
// lines and columns 1-based, columns counted in bytes. Parsers collect every
// diagnostic instead of stopping at the first.
// Thread safety: plain values; no shared state.
#ifndef EXACT_SRC_CONFIG_DIAGNOSTIC_H_
#define EXACT_SRC_CONFIG_DIAGNOSTIC_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace exact::config {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 means "the whole file".
  int column = 0;  // 1-based byte column; 0 means "the whole line".
};

enum class DiagnosticSeverity { kError, kWarning };

struct Diagnostic {
  DiagnosticSeverity severity = DiagnosticSeverity::kError;
  SourceLocation location;
  std::string message;

  std::string ToString() const;
};

class Diagnostics {
 public:
  void Error(SourceLocation at, std::string message);
  void Warning(SourceLocation at, std::string message);
  void Append(const Diagnostics& other);

  bool HasErrors() const { return errors_ > 0; }
  int error_count() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return all_; }
  // Every diagnostic, one per line, in the order found.
  std::string ToString() const;

 private:
  std::vector<Diagnostic> all_;
  int errors_ = 0;
};

// The closest of `candidates` to `word` by edit distance, or "" when nothing
// is close enough to be a plausible typo.
std::string DidYouMean(absl::string_view word, const std::vector<std::string>& candidates);

// " (did you mean "x"?)" or "" — ready to append to a message.
std::string DidYouMeanSuffix(absl::string_view word, const std::vector<std::string>& candidates);

}  // namespace exact::config

#endif  // EXACT_SRC_CONFIG_DIAGNOSTIC_H_
