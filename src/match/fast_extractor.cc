// The deterministic extractor: compile the ERE AST to a small program
// (literal runs, byte sets, greedy runs, groups), check the determinism
// condition at compile time, walk it with backtracking only at group
// alternatives.
#include "src/match/fast_extractor.h"

#include <bitset>
#include <cstring>

namespace exact::match {

using config::EreNode;
using config::EreSeq;
using ByteSet = std::bitset<256>;

struct FastExtractor::Op {
  enum class Kind { kLiteral, kSet, kRun, kGroup, kOptionalGroup, kBol, kEol };
  Kind kind = Kind::kLiteral;
  std::string literal{};          // kLiteral
  std::array<bool, 256> table{};  // kSet, kRun
  int min = 0, max = -1;          // kRun
  int capture = 0;                // kGroup, kOptionalGroup
  std::vector<Prog> branches{};   // kGroup, kOptionalGroup
  // kGroup, kOptionalGroup: per branch, the bytes it can begin with, or all
  // bytes when it can match empty. Most alternatives (program names, time
  // stamp forms) fail on their first byte; this skips them without a call.
  std::vector<std::array<bool, 256>> branch_first{};
  std::vector<char> branch_nullable{};
};

namespace {

using Op = FastExtractor::Op;
using Prog = FastExtractor::Prog;

ByteSet First(const EreSeq& seq, size_t from, bool* nullable);

ByteSet FirstOfNode(const EreNode& n, bool* nullable) {
  switch (n.kind) {
    case EreNode::Kind::kSet:
      *nullable = false;
      return n.set;
    case EreNode::Kind::kRepeat: {
      ByteSet f = FirstOfNode(n.branches[0][0], nullable);
      if (n.min == 0) *nullable = true;
      return f;
    }
    case EreNode::Kind::kGroup: {
      ByteSet f;
      *nullable = false;
      for (const EreSeq& b : n.branches) {
        bool bn;
        f |= First(b, 0, &bn);
        *nullable |= bn;
      }
      return f;
    }
    default:  // Assertions consume nothing.
      *nullable = true;
      return ByteSet();
  }
}

ByteSet First(const EreSeq& seq, size_t from, bool* nullable) {
  ByteSet f;
  for (size_t i = from; i < seq.size(); ++i) {
    bool n;
    f |= FirstOfNode(seq[i], &n);
    if (!n) {
      *nullable = false;
      return f;
    }
  }
  *nullable = true;
  return f;
}

std::array<bool, 256> Table(const ByteSet& s) {
  std::array<bool, 256> t{};
  for (size_t c = 0; c < 256; ++c) t[c] = s[c];
  return t;
}

// Compiles each alternative of a group into `op`.
bool CompileBranches(const std::vector<EreSeq>& branches, const ByteSet& follow, Op* op);

// Compiles `seq`, whose successor can begin with a byte of `follow`.
// Returns false when the sequence is outside the deterministic class.
bool Compile(const EreSeq& seq, const ByteSet& follow, bool at_start, Prog* out) {
  for (size_t i = 0; i < seq.size(); ++i) {
    const EreNode& n = seq[i];
    bool rest_nullable;
    ByteSet next = First(seq, i + 1, &rest_nullable);
    if (rest_nullable) next |= follow;
    switch (n.kind) {
      case EreNode::Kind::kSet:
        if (n.set.count() == 1) {
          char c = 0;
          for (size_t b = 0; b < 256; ++b) {
            if (n.set[b]) c = static_cast<char>(b);
          }
          if (!out->empty() && out->back().kind == Op::Kind::kLiteral) {
            out->back().literal.push_back(c);
          } else {
            out->push_back(Op{.kind = Op::Kind::kLiteral, .literal = std::string(1, c)});
          }
        } else {
          out->push_back(Op{.kind = Op::Kind::kSet, .table = Table(n.set)});
        }
        break;
      case EreNode::Kind::kRepeat: {
        const EreNode& child = n.branches[0][0];
        if (child.kind == EreNode::Kind::kSet) {
          // A variable repeat must stop exactly where its successor begins.
          if (n.min != n.max && (child.set & next).any()) return false;
          out->push_back(
              Op{.kind = Op::Kind::kRun, .table = Table(child.set), .min = n.min, .max = n.max});
        } else if (child.kind == EreNode::Kind::kGroup && n.min == 0 && n.max == 1) {
          Op op{.kind = Op::Kind::kOptionalGroup, .capture = child.capture};
          if (!CompileBranches(child.branches, next, &op)) return false;
          out->push_back(std::move(op));
        } else {
          return false;  // Repeated groups: POSIX's "last iteration" rule; leave to RE2.
        }
        break;
      }
      case EreNode::Kind::kGroup: {
        Op op{.kind = Op::Kind::kGroup, .capture = n.capture};
        if (!CompileBranches(n.branches, next, &op)) return false;
        out->push_back(std::move(op));
        break;
      }
      case EreNode::Kind::kBol:
        if (!(at_start && i == 0)) return false;
        out->push_back(Op{.kind = Op::Kind::kBol});
        break;
      case EreNode::Kind::kEol:
        out->push_back(Op{.kind = Op::Kind::kEol});
        break;
      case EreNode::Kind::kWordBoundary:
        return false;
    }
  }
  return true;
}

bool CompileBranches(const std::vector<EreSeq>& branches, const ByteSet& follow, Op* op) {
  for (const EreSeq& b : branches) {
    op->branches.emplace_back();
    if (!Compile(b, follow, false, &op->branches.back())) return false;
    bool nullable;
    ByteSet first = First(b, 0, &nullable);
    op->branch_first.push_back(Table(nullable ? ByteSet().set() : first));
    op->branch_nullable.push_back(nullable);
  }
  return true;
}

struct Cont {
  const Prog* prog;
  size_t index;
  const Cont* next;
  int close_capture;
};

class Walker {
 public:
  Walker(absl::string_view text, size_t line_size, int groups)
      : text_(text), line_size_(line_size), groups_(groups) {}

  void Walk(const Prog* prog, size_t i, size_t pos, const Cont* k) {
    for (;;) {
      if (++steps_ > kMaxSteps) return;
      if (i == prog->size()) {
        if (k == nullptr) {
          // A complete parse: POSIX wants the longest, and only one of that length.
          if (parses_ == 0 || pos > best_end_) {
            parses_ = 1;
            best_end_ = pos;
            for (int g = 0; g <= groups_ && g < 4; ++g) best_[g] = {start_[g], end_[g]};
          } else if (pos == best_end_) {
            ++parses_;
          }
          return;
        }
        if (k->close_capture > 0 && k->close_capture < 4) {
          size_t saved = end_[k->close_capture];
          end_[k->close_capture] = pos;
          Walk(k->prog, k->index, pos, k->next);
          end_[k->close_capture] = saved;
          return;
        }
        prog = k->prog;
        i = k->index;
        k = k->next;
        continue;
      }
      const Op& op = (*prog)[i];
      switch (op.kind) {
        case Op::Kind::kLiteral:
          // The first byte inline: most mismatches end there, without a call.
          if (text_.size() - pos < op.literal.size() || text_[pos] != op.literal[0] ||
              std::memcmp(text_.data() + pos + 1, op.literal.data() + 1,
                          op.literal.size() - 1) != 0) {
            return;
          }
          pos += op.literal.size();
          ++i;
          continue;
        case Op::Kind::kSet:
          if (pos >= text_.size() || !op.table[static_cast<unsigned char>(text_[pos])]) return;
          ++pos;
          ++i;
          continue;
        case Op::Kind::kRun: {
          size_t limit = op.max < 0 ? text_.size() : std::min(text_.size(), pos + op.max);
          size_t end = pos;
          while (end < limit && op.table[static_cast<unsigned char>(text_[end])]) ++end;
          if (end - pos < static_cast<size_t>(op.min)) return;
          pos = end;
          ++i;
          continue;
        }
        case Op::Kind::kBol:
          if (pos != 0) return;
          ++i;
          continue;
        case Op::Kind::kEol:
          if (pos != line_size_) return;
          ++i;
          continue;
        case Op::Kind::kGroup:
        case Op::Kind::kOptionalGroup: {
          Cont c{prog, i + 1, k, op.capture};
          size_t saved_start = 0, saved_end = 0;
          bool tracked = op.capture > 0 && op.capture < 4;
          if (tracked) {
            saved_start = start_[op.capture];
            saved_end = end_[op.capture];
            start_[op.capture] = pos;
          }
          // A branch that cannot begin with the next byte (or cannot match
          // empty at the end) is not walked.
          const bool at_end = pos == text_.size();
          const unsigned char next_byte = at_end ? 0 : static_cast<unsigned char>(text_[pos]);
          for (size_t b = 0; b < op.branches.size(); ++b) {
            if (at_end ? op.branch_nullable[b] : op.branch_first[b][next_byte]) {
              Walk(&op.branches[b], 0, pos, &c);
            }
          }
          if (tracked) {
            start_[op.capture] = saved_start;
            end_[op.capture] = saved_end;
          }
          if (op.kind == Op::Kind::kGroup) return;
          ++i;  // Optional: also try without it.
          continue;
        }
      }
    }
  }

  // Parses of the longest length; 2 or more is ambiguous. A walk that runs
  // too long (an operator's pathological pattern) also reports ambiguity,
  // which sends the line to RE2.
  int parses() const { return steps_ > kMaxSteps ? 2 : parses_; }
  std::pair<size_t, size_t> best(int g) const { return best_[g]; }

 private:
  static constexpr size_t kUnset = static_cast<size_t>(-1);
  static constexpr int kMaxSteps = 10000;
  absl::string_view text_;
  size_t line_size_;
  int groups_;
  int parses_ = 0;
  int steps_ = 0;
  size_t best_end_ = 0;
  size_t start_[4] = {0, kUnset, kUnset, kUnset};
  size_t end_[4] = {0, kUnset, kUnset, kUnset};
  std::pair<size_t, size_t> best_[4] = {};
};

}  // namespace

std::unique_ptr<FastExtractor> FastExtractor::Create(const std::vector<config::EreSeq>& ast,
                                                     int groups) {
  // One top-level branch that starts with '^': every match starts at the
  // line start, so Hyperscan's largest end offset bounds the match.
  if (ast.size() != 1 || ast[0].empty() || ast[0][0].kind != EreNode::Kind::kBol) return nullptr;
  auto prog = std::make_shared<Prog>();
  if (!Compile(ast[0], ByteSet(), true, prog.get())) return nullptr;
  std::unique_ptr<FastExtractor> fx(new FastExtractor(groups));
  fx->prog_ = std::move(prog);
  return fx;
}

FastExtractor::Result FastExtractor::Extract(absl::string_view line,
                                             std::array<absl::string_view, 4>* groups) const {
  Walker w(line, line.size(), groups_);
  w.Walk(prog_.get(), 0, 0, nullptr);
  if (w.parses() == 0) return Result::kNoParse;
  if (w.parses() > 1) return Result::kAmbiguous;
  for (int g = 1; g < 4; ++g) {
    auto [s, e] = w.best(g);
    (*groups)[static_cast<size_t>(g)] =
        s == static_cast<size_t>(-1) || e == static_cast<size_t>(-1)
            ? absl::string_view()
            : line.substr(s, e - s);
  }
  return Result::kOk;
}

}  // namespace exact::match
