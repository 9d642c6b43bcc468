// Diagnostic formatting and typo suggestions.
#include "src/config/diagnostic.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace exact::config {

std::string Diagnostic::ToString() const {
  std::string where = location.file;
  if (location.line > 0) absl::StrAppend(&where, ":", location.line);
  if (location.line > 0 && location.column > 0) absl::StrAppend(&where, ":", location.column);
  const char* sev = severity == DiagnosticSeverity::kError ? "error" : "warning";
  return absl::StrCat(where, ": ", sev, ": ", message);
}

void Diagnostics::Error(SourceLocation at, std::string message) {
  all_.push_back({DiagnosticSeverity::kError, std::move(at), std::move(message)});
  ++errors_;
}

void Diagnostics::Warning(SourceLocation at, std::string message) {
  all_.push_back({DiagnosticSeverity::kWarning, std::move(at), std::move(message)});
}

void Diagnostics::Append(const Diagnostics& other) {
  for (const Diagnostic& d : other.all_) all_.push_back(d);
  errors_ += other.errors_;
}

std::string Diagnostics::ToString() const {
  std::string out;
  for (const Diagnostic& d : all_) absl::StrAppend(&out, d.ToString(), "\n");
  return out;
}

namespace {

// Optimal string alignment distance: Levenshtein plus adjacent
// transpositions, the commonest typo ("lmbd", "cyrsu").
size_t EditDistance(absl::string_view a, absl::string_view b) {
  auto same = [&](size_t i, size_t j) {
    return absl::ascii_tolower(a[i]) == absl::ascii_tolower(b[j]);
  };
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(i - 1, j - 1) ? 0 : 1)});
      if (i > 1 && j > 1 && same(i - 1, j - 2) && same(i - 2, j - 1)) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string DidYouMean(absl::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    if (best.empty() || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // A third of the word, at least 1 and at most 3 edits, still reads as a typo.
  size_t limit = std::clamp<size_t>(word.size() / 3, 1, 3);
  return best_distance <= limit ? best : "";
}

std::string DidYouMeanSuffix(absl::string_view word, const std::vector<std::string>& candidates) {
  std::string best = DidYouMean(word, candidates);
  return best.empty() ? "" : absl::StrCat(" (did you mean \"", best, "\"?)");
}

}  // namespace exact::config
