// Spelling out factors: each node as the few strings it can match, runs of
// nodes as their concatenations, capped at kMaxRequiredLiterals.
#include "src/match/required_literals.h"

#include <algorithm>
#include <optional>

namespace exact::match {

using config::EreNode;
using config::EreSeq;

namespace {

using Strings = std::vector<std::string>;

void Dedupe(Strings* s) {
  std::sort(s->begin(), s->end());
  s->erase(std::unique(s->begin(), s->end()), s->end());
}

// Every concatenation of a string of `a` with a string of `b`; nullopt past
// the cap.
std::optional<Strings> Concat(const Strings& a, const Strings& b) {
  if (a.size() * b.size() > kMaxRequiredLiterals) return std::nullopt;
  Strings out;
  for (const std::string& x : a) {
    for (const std::string& y : b) out.push_back(x + y);
  }
  Dedupe(&out);
  return out;
}

std::optional<Strings> SpellNode(const EreNode& n);

std::optional<Strings> SpellSeq(const EreSeq& seq) {
  Strings out{""};
  for (const EreNode& n : seq) {
    std::optional<Strings> s = SpellNode(n);
    if (!s) return std::nullopt;
    std::optional<Strings> joined = Concat(out, *s);
    if (!joined) return std::nullopt;
    out = std::move(*joined);
  }
  return out;
}

// The strings `n` can match, when they are few (at most the cap); zero-width
// assertions match the empty string.
std::optional<Strings> SpellNode(const EreNode& n) {
  switch (n.kind) {
    case EreNode::Kind::kSet: {
      if (n.set.count() > kMaxRequiredLiterals) return std::nullopt;
      Strings out;
      for (size_t c = 0; c < 256; ++c) {
        if (n.set[c]) out.emplace_back(1, static_cast<char>(c));
      }
      return out;
    }
    case EreNode::Kind::kGroup: {
      Strings out;
      for (const EreSeq& b : n.branches) {
        std::optional<Strings> s = SpellSeq(b);
        if (!s) return std::nullopt;
        out.insert(out.end(), s->begin(), s->end());
      }
      Dedupe(&out);
      if (out.size() > kMaxRequiredLiterals) return std::nullopt;
      return out;
    }
    case EreNode::Kind::kRepeat: {
      if (n.max < 0) return std::nullopt;
      std::optional<Strings> one = SpellNode(n.branches[0][0]);
      if (!one) return std::nullopt;
      Strings out;
      Strings power{""};
      for (int k = 0; k <= n.max; ++k) {
        if (k >= n.min) out.insert(out.end(), power.begin(), power.end());
        if (k == n.max) break;
        std::optional<Strings> next = Concat(power, *one);
        if (!next) return std::nullopt;
        power = std::move(*next);
      }
      Dedupe(&out);
      if (out.size() > kMaxRequiredLiterals) return std::nullopt;
      return out;
    }
    case EreNode::Kind::kBol:
    case EreNode::Kind::kEol:
    case EreNode::Kind::kWordBoundary:
      return Strings{""};
  }
  return std::nullopt;
}

size_t Shortest(const Strings& s) {
  size_t m = s.empty() ? 0 : s[0].size();
  for (const std::string& x : s) m = std::min(m, x.size());
  return m;
}

// Drops strings that contain another: a line holding the longer one holds
// the shorter, so the shorter alone flags it.
void DropSuperstrings(Strings* s) {
  Strings kept;
  for (const std::string& x : *s) {
    bool redundant = false;
    for (const std::string& y : *s) {
      if (&x != &y && y.size() < x.size() && x.find(y) != std::string::npos) redundant = true;
    }
    if (!redundant) kept.push_back(x);
  }
  *s = std::move(kept);
}

}  // namespace

std::vector<Factor> RequiredFactors(const std::vector<EreSeq>& ast) {
  std::vector<Factor> out;
  if (ast.size() != 1) return out;
  const EreSeq& seq = ast[0];
  std::vector<std::optional<Strings>> spelled;
  for (const EreNode& n : seq) spelled.push_back(SpellNode(n));

  // Every run of consecutive spellable nodes is a factor: any match spells
  // the run contiguously.
  for (size_t a = 0; a < seq.size(); ++a) {
    Strings run{""};
    for (size_t b = a; b < seq.size() && spelled[b]; ++b) {
      std::optional<Strings> joined = Concat(run, *spelled[b]);
      if (!joined) break;
      run = std::move(*joined);
      if (Shortest(run) < kMinRequiredLiteral) continue;
      Factor f{run, Shortest(run)};
      DropSuperstrings(&f.spellings);
      out.push_back(std::move(f));
    }
  }
  return out;
}

const Factor* MostSelective(const std::vector<Factor>& factors, size_t min_shortest) {
  const Factor* best = nullptr;
  for (const Factor& f : factors) {
    if (f.shortest < min_shortest) continue;
    if (best == nullptr || f.shortest > best->shortest ||
        (f.shortest == best->shortest && f.spellings.size() < best->spellings.size())) {
      best = &f;
    }
  }
  return best;
}

std::vector<std::string> RequiredLiterals(const std::vector<EreSeq>& ast) {
  const std::vector<Factor> factors = RequiredFactors(ast);
  const Factor* best = MostSelective(factors);
  return best == nullptr ? std::vector<std::string>{} : best->spellings;
}

}  // namespace exact::match
