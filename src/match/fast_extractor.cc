// The deterministic extractor: compile the ERE AST to a small program
// (literal runs, byte sets, greedy runs, groups), check the determinism
// condition at compile time, walk it with backtracking only at group
// alternatives.
#include "src/match/fast_extractor.h"

#include <bitset>
#include <cstdint>
#include <cstring>

#include "src/match/byte_search.h"

namespace exact::match {

using config::EreNode;
using config::EreSeq;
using ByteSet = std::bitset<256>;

// The program is laid out flat and small (16-byte instructions, 32-byte
// byte sets, literals in one string): every candidate line walks it, and
// the tree of nodes it replaced took ~370 bytes per instruction.
struct FastExtractor::Program {
  enum class Kind : uint8_t {
    kLiteral,
    kSet,
    kRun,
    kRunUntil,
    kFixed,
    kGroup,
    kOptionalGroup,
    kBol,
    kEol,
    kEnd
  };
  struct Inst {
    Kind kind = Kind::kEnd;
    uint8_t capture = 0;  // kGroup, kOptionalGroup: the group number, 0 when not capturing.
    // kLiteral: offset in `literals`; kSet, kRun: index in `sets`;
    // kRunUntil: index in `stops`; kFixed: offset in `fixed`; kGroup,
    // kOptionalGroup: index of the first alternative in `branches`.
    uint32_t arg = 0;
    // kLiteral, kFixed: length; kRun, kRunUntil: minimum count; groups:
    // number of alternatives.
    uint32_t count = 0;
    int32_t max = -1;  // kRun: maximum count, -1 for none.
  };
  struct ByteBits {
    uint64_t words[4] = {};
    bool Has(unsigned char c) const { return (words[c >> 6] >> (c & 63)) & 1; }
  };
  // One alternative of a group: its instructions run from `start` to a kEnd.
  struct Branch {
    uint32_t start = 0;
    // The bytes it can begin with (every byte when it can match empty):
    // most alternatives (program names, time stamp forms) fail on their
    // first byte, and this skips them without a call.
    uint32_t first = 0;  // Index in `sets`.
    bool nullable = false;
  };

  std::vector<Inst> code;
  std::vector<Branch> branches;
  std::vector<ByteBits> sets;
  std::string literals;
  // kFixed: one set index per byte. A time stamp such as
  // `[A-Z][a-z][a-z] [0-9]{2}:[0-9]{2}` is one instruction, not eleven,
  // and each instruction costs the walk a dispatch.
  std::vector<uint32_t> fixed;
  // kRunUntil: an unbounded run of every byte but a few (`[^ ]+`, whose set
  // also leaves out newline) is a search for those few, 16 bytes at a time.
  std::vector<StopBytes> stops;
  uint32_t entry = 0;

  uint32_t AddSet(const ByteSet& s) {
    ByteBits b;
    for (size_t c = 0; c < 256; ++c) {
      if (s[c]) b.words[c >> 6] |= uint64_t{1} << (c & 63);
    }
    for (size_t i = 0; i < sets.size(); ++i) {
      if (std::memcmp(sets[i].words, b.words, sizeof b.words) == 0) return static_cast<uint32_t>(i);
    }
    sets.push_back(b);
    return static_cast<uint32_t>(sets.size() - 1);
  }
};

namespace {

using Program = FastExtractor::Program;
using Inst = Program::Inst;
using Kind = Program::Kind;

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

// A repeat of one byte set: kRunUntil when it is unbounded and leaves out
// at most StopBytes::kMax bytes, else kRun.
Inst RunOf(const ByteSet& set, int min, int max, Program* p) {
  if (max < 0 && 256 - set.count() <= StopBytes::kMax) {
    unsigned char left_out[StopBytes::kMax];
    int n = 0;
    for (size_t c = 0; c < 256; ++c) {
      if (!set[c]) left_out[n++] = static_cast<unsigned char>(c);
    }
    StopBytes stops;
    if (stops.Set(left_out, n)) {
      p->stops.push_back(stops);
      return Inst{.kind = Kind::kRunUntil,
                  .arg = static_cast<uint32_t>(p->stops.size() - 1),
                  .count = static_cast<uint32_t>(min)};
    }
  }
  return Inst{
      .kind = Kind::kRun, .arg = p->AddSet(set), .count = static_cast<uint32_t>(min), .max = max};
}

// Extract reports groups 1 to 3; a later group is walked like a
// non-capturing one.
uint8_t Reported(int capture) {
  return capture > 0 && capture < 4 ? static_cast<uint8_t>(capture) : 0;
}

// Compiles each alternative of a group into `p`; `group` gets their range.
bool CompileBranches(const std::vector<EreSeq>& branches, const ByteSet& follow, Program* p,
                     Inst* group);

// Compiles `seq`, whose successor can begin with a byte of `follow`, into
// `out`. Returns false when the sequence is outside the deterministic class.
bool Compile(const EreSeq& seq, const ByteSet& follow, bool at_start, Program* p,
             std::vector<Inst>* out) {
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
          // A literal's bytes are the last ones added to `literals` until
          // another instruction follows it, so a run of them grows in place.
          if (out->empty() || out->back().kind != Kind::kLiteral) {
            out->push_back(
                Inst{.kind = Kind::kLiteral, .arg = static_cast<uint32_t>(p->literals.size())});
          }
          p->literals.push_back(c);
          ++out->back().count;
        } else {
          out->push_back(Inst{.kind = Kind::kSet, .arg = p->AddSet(n.set)});
        }
        break;
      case EreNode::Kind::kRepeat: {
        const EreNode& child = n.branches[0][0];
        if (child.kind == EreNode::Kind::kSet) {
          // A variable repeat must stop exactly where its successor begins.
          if (n.min != n.max && (child.set & next).any()) return false;
          out->push_back(RunOf(child.set, n.min, n.max, p));
        } else if (child.kind == EreNode::Kind::kGroup && n.min == 0 && n.max == 1) {
          Inst group{.kind = Kind::kOptionalGroup, .capture = Reported(child.capture)};
          if (!CompileBranches(child.branches, next, p, &group)) return false;
          out->push_back(group);
        } else {
          return false;  // Repeated groups: POSIX's "last iteration" rule; leave to RE2.
        }
        break;
      }
      case EreNode::Kind::kGroup: {
        Inst group{.kind = Kind::kGroup, .capture = Reported(n.capture)};
        if (!CompileBranches(n.branches, next, p, &group)) return false;
        out->push_back(group);
        break;
      }
      case EreNode::Kind::kBol:
        if (!(at_start && i == 0)) return false;
        out->push_back(Inst{.kind = Kind::kBol});
        break;
      case EreNode::Kind::kEol:
        out->push_back(Inst{.kind = Kind::kEol});
        break;
      case EreNode::Kind::kWordBoundary:
        return false;
    }
  }
  return true;
}

// Literals this short are cheaper checked byte by byte in a kFixed than
// with a call to memcmp.
constexpr uint32_t kShortLiteral = 4;

// True for an instruction that always consumes the same number of bytes.
bool IsFixedWidth(const Inst& in) {
  return in.kind == Kind::kSet ||
         (in.kind == Kind::kRun && in.max == static_cast<int32_t>(in.count)) ||
         (in.kind == Kind::kLiteral && in.count < kShortLiteral);
}

// Appends one set index per byte `in` consumes to `p->fixed`.
void AppendFixed(const Inst& in, Program* p) {
  switch (in.kind) {
    case Kind::kSet:
      p->fixed.push_back(in.arg);
      break;
    case Kind::kRun:
      p->fixed.insert(p->fixed.end(), in.count, in.arg);
      break;
    default:  // A short literal: each byte its own set.
      for (uint32_t i = 0; i < in.count; ++i) {
        ByteSet one;
        one.set(static_cast<unsigned char>(p->literals[in.arg + i]));
        p->fixed.push_back(p->AddSet(one));
      }
      break;
  }
}

// Appends `code` and its kEnd to the program, with each run of two or more
// fixed-width instructions fused into one kFixed; returns where it starts.
uint32_t Emit(const std::vector<Inst>& code, Program* p) {
  const auto start = static_cast<uint32_t>(p->code.size());
  for (size_t i = 0; i < code.size();) {
    size_t j = i;
    while (j < code.size() && IsFixedWidth(code[j])) ++j;
    if (j - i < 2) {
      p->code.push_back(code[i]);
      ++i;
      continue;
    }
    Inst fixed{.kind = Kind::kFixed, .arg = static_cast<uint32_t>(p->fixed.size())};
    for (; i < j; ++i) AppendFixed(code[i], p);
    fixed.count = static_cast<uint32_t>(p->fixed.size()) - fixed.arg;
    p->code.push_back(fixed);
  }
  p->code.push_back(Inst{.kind = Kind::kEnd});
  return start;
}

bool CompileBranches(const std::vector<EreSeq>& branches, const ByteSet& follow, Program* p,
                     Inst* group) {
  std::vector<Program::Branch> compiled;
  for (const EreSeq& b : branches) {
    std::vector<Inst> code;
    if (!Compile(b, follow, false, p, &code)) return false;
    bool nullable;
    const ByteSet first = First(b, 0, &nullable);
    compiled.push_back(Program::Branch{.start = Emit(code, p),
                                       .first = p->AddSet(nullable ? ByteSet().set() : first),
                                       .nullable = nullable});
  }
  group->arg = static_cast<uint32_t>(p->branches.size());
  group->count = static_cast<uint32_t>(compiled.size());
  p->branches.insert(p->branches.end(), compiled.begin(), compiled.end());
  return true;
}

// What to walk once a group's alternative reaches its kEnd.
struct Cont {
  uint32_t pc;
  const Cont* next;
  int close_capture;
};

class Walker {
 public:
  Walker(const Program& program, absl::string_view text, int groups)
      : p_(program), text_(text), groups_(groups) {}

  void Walk(uint32_t pc, size_t pos, const Cont* k) {
    for (;;) {
      const Inst& in = p_.code[pc];
      switch (in.kind) {
        case Kind::kEnd:
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
          if (k->close_capture > 0) {
            const size_t saved = end_[k->close_capture];
            end_[k->close_capture] = pos;
            Walk(k->pc, pos, k->next);
            end_[k->close_capture] = saved;
            return;
          }
          pc = k->pc;
          k = k->next;
          continue;
        case Kind::kLiteral: {
          // The first byte alone first: most mismatches end there.
          const char* lit = p_.literals.data() + in.arg;
          if (text_.size() - pos < in.count || text_[pos] != lit[0] ||
              !BytesEqual(text_.data() + pos, lit, in.count)) {
            return;
          }
          pos += in.count;
          ++pc;
          continue;
        }
        case Kind::kSet:
          if (pos >= text_.size() || !p_.sets[in.arg].Has(Byte(pos))) return;
          ++pos;
          ++pc;
          continue;
        case Kind::kRun: {
          const Program::ByteBits& set = p_.sets[in.arg];
          const size_t limit =
              in.max < 0 ? text_.size() : std::min(text_.size(), pos + static_cast<size_t>(in.max));
          size_t end = pos;
          while (end < limit && set.Has(Byte(end))) ++end;
          if (end - pos < in.count) return;
          pos = end;
          ++pc;
          continue;
        }
        case Kind::kRunUntil: {
          const size_t end = p_.stops[in.arg].Find(text_.data(), pos, text_.size());
          if (end - pos < in.count) return;
          pos = end;
          ++pc;
          continue;
        }
        case Kind::kFixed: {
          if (text_.size() - pos < in.count) return;
          const uint32_t* sets = p_.fixed.data() + in.arg;
          for (uint32_t j = 0; j < in.count; ++j) {
            if (!p_.sets[sets[j]].Has(Byte(pos + j))) return;
          }
          pos += in.count;
          ++pc;
          continue;
        }
        case Kind::kBol:
          if (pos != 0) return;
          ++pc;
          continue;
        case Kind::kEol:
          if (pos != text_.size()) return;
          ++pc;
          continue;
        case Kind::kGroup:
        case Kind::kOptionalGroup: {
          const Cont c{pc + 1, k, in.capture};
          size_t saved_start = 0, saved_end = 0;
          const bool tracked = in.capture > 0;
          if (tracked) {
            saved_start = start_[in.capture];
            saved_end = end_[in.capture];
            start_[in.capture] = pos;
          }
          // An alternative that cannot begin with the next byte (or cannot
          // match empty at the end) is not walked.
          const bool at_end = pos == text_.size();
          for (uint32_t b = in.arg; b < in.arg + in.count; ++b) {
            const Program::Branch& branch = p_.branches[b];
            if (at_end ? branch.nullable : p_.sets[branch.first].Has(Byte(pos))) {
              // Between alternatives the walk only moves forward through
              // the program, so counting alternatives bounds all of it.
              // Past the bound the result is void (parses() says so).
              if (++alternatives_ > kMaxAlternatives) return;
              Walk(branch.start, pos, &c);
            }
          }
          if (tracked) {
            start_[in.capture] = saved_start;
            end_[in.capture] = saved_end;
          }
          if (in.kind == Kind::kGroup) return;
          ++pc;  // Optional: also try without it.
          continue;
        }
      }
    }
  }

  // Parses of the longest length; 2 or more is ambiguous. A walk that runs
  // too long (an operator's pathological pattern) also reports ambiguity,
  // which sends the line to RE2.
  int parses() const { return alternatives_ > kMaxAlternatives ? 2 : parses_; }
  std::pair<size_t, size_t> best(int g) const { return best_[g]; }

 private:
  static constexpr size_t kUnset = static_cast<size_t>(-1);
  static constexpr int kMaxAlternatives = 2000;

  unsigned char Byte(size_t pos) const { return static_cast<unsigned char>(text_[pos]); }

  const Program& p_;
  absl::string_view text_;
  int groups_;
  int parses_ = 0;
  int alternatives_ = 0;
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
  auto program = std::make_shared<Program>();
  std::vector<Inst> code;
  if (!Compile(ast[0], ByteSet(), true, program.get(), &code)) return nullptr;
  program->entry = Emit(code, program.get());
  std::unique_ptr<FastExtractor> fx(new FastExtractor(groups));
  fx->program_ = std::move(program);
  return fx;
}

FastExtractor::Result FastExtractor::Extract(absl::string_view line,
                                             std::array<absl::string_view, 4>* groups) const {
  Walker w(*program_, line, groups_);
  w.Walk(program_->entry, 0, nullptr);
  if (w.parses() == 0) return Result::kNoParse;
  if (w.parses() > 1) return Result::kAmbiguous;
  for (int g = 1; g < 4; ++g) {
    auto [s, e] = w.best(g);
    (*groups)[static_cast<size_t>(g)] = s == static_cast<size_t>(-1) || e == static_cast<size_t>(-1)
                                            ? absl::string_view()
                                            : line.substr(s, e - s);
  }
  return Result::kOk;
}

}  // namespace exact::match
