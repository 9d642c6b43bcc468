// The literal plan: best factors first, then single literals for the widest
// stanzas until the set fits the budget.
#include "src/match/literal_plan.h"

#include <algorithm>
#include <set>

namespace exact::match {
namespace {

// The shortest literal a stanza may be scanned for.
size_t MinLiteral(const StanzaLiterals& s) { return s.fast_verified ? 0 : kMinLiteralForRe2; }

// Whether a literal chosen for a stanza other than `self` contains `text`.
bool InOtherLiterals(const std::string& text, size_t self,
                     const std::vector<std::vector<std::string>>& plan) {
  for (size_t i = 0; i < plan.size(); ++i) {
    if (i == self) continue;
    for (const std::string& lit : plan[i]) {
      if (lit.find(text) != std::string::npos) return true;
    }
  }
  return false;
}

// The single literal `s` (stanza `self`) would fall back to; nullptr if none.
const Factor* Single(const StanzaLiterals& s, size_t self,
                     const std::vector<std::vector<std::string>>& plan) {
  const Factor* best = nullptr;
  bool best_shared = true;
  for (const Factor& f : s.factors) {
    if (f.spellings.size() != 1 || f.shortest < std::max(kMinSingleLiteral, MinLiteral(s))) {
      continue;
    }
    const bool shared = InOtherLiterals(f.spellings[0], self, plan);
    if (best == nullptr || (best_shared && !shared) ||
        (shared == best_shared && f.shortest > best->shortest)) {
      best = &f;
      best_shared = shared;
    }
  }
  return best;
}

// Hyperscan expressions the plan makes: the matcher scans once for a
// literal that several stanzas share.
size_t Patterns(const std::vector<std::vector<std::string>>& plan) {
  size_t n = 0;
  std::set<std::string> literals;
  for (const auto& stanza : plan) {
    if (stanza.empty()) ++n;
    literals.insert(stanza.begin(), stanza.end());
  }
  return n + literals.size();
}

}  // namespace

std::vector<std::vector<std::string>> PlanLiterals(const std::vector<StanzaLiterals>& stanzas,
                                                   size_t budget) {
  std::vector<std::vector<std::string>> plan(stanzas.size());
  for (size_t i = 0; i < stanzas.size(); ++i) {
    if (const Factor* f = MostSelective(stanzas[i].factors, MinLiteral(stanzas[i]))) {
      plan[i] = f->spellings;
    }
  }
  const std::vector<std::vector<std::string>> best = plan;
  // Over budget: the stanza with the most literals falls back to a single
  // one, until the set fits or nothing more can fall back.
  while (Patterns(plan) > budget) {
    size_t pick = 0;
    const Factor* single = nullptr;
    for (size_t i = 0; i < stanzas.size(); ++i) {
      if (plan[i].size() <= 1 || (single != nullptr && plan[i].size() <= plan[pick].size())) {
        continue;  // Ties go to the earlier stanza.
      }
      if (const Factor* f = Single(stanzas[i], i, plan)) {
        pick = i;
        single = f;
      }
    }
    if (single == nullptr) break;
    plan[pick] = single->spellings;
  }
  // Still over: the set has more stanzas than the budget, and shorter,
  // commoner literals would only add to Hyperscan's work (measured on the
  // shipped set: docs/performance.md). Each stanza keeps its best factor.
  if (Patterns(plan) > budget) return best;
  return plan;
}

}  // namespace exact::match
