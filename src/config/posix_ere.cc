// A recursive-descent parser for POSIX ERE that emits the translation as it
// goes. Grammar (POSIX.1-2017 9.5.3, plus GNU's \w \W \s \S \b \B and "(?:"):
//   ere    := branch ('|' branch)*
//   branch := piece*
//   piece  := atom ('*' | '+' | '?' | '{' n [',' [m]] '}')?
//   atom   := '(' ['?:'] ere ')' | '.' | '^' | '$' | bracket | '\' char | char
#include "src/config/posix_ere.h"

#include <bitset>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace exact::config {
namespace {

using ByteSet = std::bitset<256>;

constexpr int kMaxRepeat = 1000;  // Larger bounded repeats blow up automata.
constexpr int kMaxNesting = 100;

// Appends a single byte as a literal in the target dialect.
void EmitLiteral(unsigned char c, std::string* out) {
  if (absl::ascii_isalnum(c)) {
    out->push_back(static_cast<char>(c));
  } else {
    absl::StrAppend(out, absl::StrFormat("\\x%02x", c));
  }
}

// Emits a byte set as an explicit class; newline is always excluded.
void EmitSet(ByteSet set, std::string* out) {
  set.reset('\n');
  out->push_back('[');
  for (int c = 0; c < 256;) {
    if (!set.test(static_cast<size_t>(c))) {
      ++c;
      continue;
    }
    int end = c;
    while (end + 1 < 256 && set.test(static_cast<size_t>(end + 1))) ++end;
    absl::StrAppend(out, absl::StrFormat("\\x%02x", c));
    if (end > c) absl::StrAppend(out, absl::StrFormat("-\\x%02x", end));
    c = end + 1;
  }
  out->push_back(']');
}

bool ClassSet(absl::string_view name, ByteSet* set) {
  int (*pred)(int) = nullptr;
  if (name == "alpha")
    pred = [](int c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)) ? 1 : 0; };
  else if (name == "digit")
    pred = [](int c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)) ? 1 : 0; };
  else if (name == "alnum")
    pred = [](int c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) ? 1 : 0; };
  else if (name == "upper")
    pred = [](int c) { return absl::ascii_isupper(static_cast<unsigned char>(c)) ? 1 : 0; };
  else if (name == "lower")
    pred = [](int c) { return absl::ascii_islower(static_cast<unsigned char>(c)) ? 1 : 0; };
  else if (name == "space")
    pred = [](int c) { return absl::ascii_isspace(static_cast<unsigned char>(c)) ? 1 : 0; };
  else if (name == "blank")
    pred = [](int c) { return (c == ' ' || c == '\t') ? 1 : 0; };
  else if (name == "punct")
    pred = [](int c) { return absl::ascii_ispunct(static_cast<unsigned char>(c)) ? 1 : 0; };
  else if (name == "print")
    pred = [](int c) { return absl::ascii_isprint(static_cast<unsigned char>(c)) ? 1 : 0; };
  else if (name == "graph")
    pred = [](int c) { return absl::ascii_isgraph(static_cast<unsigned char>(c)) ? 1 : 0; };
  else if (name == "cntrl")
    pred = [](int c) { return absl::ascii_iscntrl(static_cast<unsigned char>(c)) ? 1 : 0; };
  else if (name == "xdigit")
    pred = [](int c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)) ? 1 : 0; };
  else
    return false;
  for (int c = 0; c < 128; ++c) {
    if (pred(c)) set->set(static_cast<size_t>(c));
  }
  return true;
}

class Translator {
 public:
  explicit Translator(absl::string_view ere) : in_(ere) {}

  EreTranslation Run() {
    auto ast = std::make_shared<std::vector<EreSeq>>(ParseAlternation(0));
    if (result_.error.empty() && pos_ < in_.size()) {
      // Only an unmatched ')' stops the top level early.
      Fail(pos_, "unmatched ')'; write \\) for a literal parenthesis");
    }
    result_.ok = result_.error.empty();
    if (result_.ok) {
      result_.pattern = std::move(out_);
      result_.ast = std::move(ast);
    }
    return result_;
  }

 private:
  bool failed() const { return !result_.error.empty(); }

  void Fail(size_t at, std::string message) {
    if (failed()) return;
    result_.error_offset = at;
    result_.error = std::move(message);
  }

  std::vector<EreSeq> ParseAlternation(int depth) {
    std::vector<EreSeq> branches;
    if (depth > kMaxNesting) {
      Fail(pos_, "groups nested too deeply");
      return branches;
    }
    branches.push_back(ParseBranch(depth));
    while (!failed() && pos_ < in_.size() && in_[pos_] == '|') {
      out_.push_back('|');
      ++pos_;
      branches.push_back(ParseBranch(depth));
    }
    return branches;
  }

  EreSeq ParseBranch(int depth) {
    EreSeq seq;
    while (!failed() && pos_ < in_.size() && in_[pos_] != '|' && in_[pos_] != ')') {
      ParsePiece(depth, &seq);
    }
    return seq;
  }

  void ParsePiece(int depth, EreSeq* seq) {
    EreNode atom;
    bool repeatable = ParseAtom(depth, &atom);
    if (failed()) return;
    seq->push_back(std::move(atom));
    bool quantified = false;
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c != '*' && c != '+' && c != '?' && c != '{') break;
      if (quantified) return Fail(pos_, "a quantifier cannot follow another quantifier");
      if (!repeatable) {
        return Fail(pos_, absl::StrCat("quantifier '", std::string(1, c),
                                       "' has nothing to repeat; write \\", std::string(1, c),
                                       " for a literal"));
      }
      quantified = true;
      int low = 0, high = -1;
      if (c == '{') {
        ParseInterval(&low, &high);
        if (failed()) return;
      } else {
        out_.push_back(c);
        ++pos_;
        low = c == '+' ? 1 : 0;
        high = c == '?' ? 1 : -1;
      }
      EreNode repeat;
      repeat.kind = EreNode::Kind::kRepeat;
      repeat.min = low;
      repeat.max = high;
      repeat.branches.push_back(EreSeq{std::move(seq->back())});
      seq->back() = std::move(repeat);
    }
  }

  // Returns whether the atom may carry a quantifier.
  bool ParseAtom(int depth, EreNode* node) {
    char c = in_[pos_];
    switch (c) {
      case '*':
      case '+':
      case '?':
      case '{':
        Fail(pos_,
             absl::StrCat("quantifier '", std::string(1, c), "' has nothing to repeat; write \\",
                          std::string(1, c), " for a literal"));
        return false;
      case '(': {
        size_t open = pos_++;
        // Extension: "(?:" opens a non-capturing group. In POSIX ERE "(?"
        // is an error, so no valid pattern changes meaning.
        node->kind = EreNode::Kind::kGroup;
        if (in_.substr(pos_, 2) == "?:") {
          pos_ += 2;
          out_ += "(?:";
        } else {
          node->capture = ++result_.groups;
          out_.push_back('(');
        }
        node->branches = ParseAlternation(depth + 1);
        if (failed()) return false;
        if (pos_ >= in_.size() || in_[pos_] != ')') {
          Fail(open, "unmatched '('; add ')' or write \\( for a literal parenthesis");
          return false;
        }
        ++pos_;
        out_.push_back(')');
        return true;
      }
      case '.':
        ++pos_;
        out_.push_back('.');
        node->set.set();
        node->set.reset('\n');
        return true;
      case '^':
      case '$':
        ++pos_;
        out_.push_back(c);
        node->kind = c == '^' ? EreNode::Kind::kBol : EreNode::Kind::kEol;
        return false;
      case '[':
        ParseBracket(&node->set);
        return true;
      case '\\':
        ParseEscape(node);
        return true;
      default:
        ++pos_;
        EmitLiteral(static_cast<unsigned char>(c), &out_);
        node->set.set(static_cast<unsigned char>(c));
        return true;
    }
  }

  void ParseEscape(EreNode* node) {
    size_t at = pos_++;
    if (pos_ >= in_.size()) return Fail(at, "trailing backslash");
    unsigned char c = static_cast<unsigned char>(in_[pos_++]);
    if (!absl::ascii_isalnum(c)) {
      node->set.set(c);
      return EmitLiteral(c, &out_);
    }
    ByteSet& set = node->set;
    switch (c) {
      case 'w':
      case 'W':
        ClassSet("alnum", &set);
        set.set('_');
        if (c == 'W') set.flip();
        set.reset('\n');
        return EmitSet(set, &out_);
      case 's':
      case 'S':
        ClassSet("space", &set);
        if (c == 'S') set.flip();
        set.reset('\n');
        return EmitSet(set, &out_);
      case 'b':
      case 'B':
        node->kind = EreNode::Kind::kWordBoundary;
        out_.push_back('\\');
        out_.push_back(static_cast<char>(c));
        return;
      case 'd':
        return Fail(at, "\\d is not POSIX ERE; use [0-9]");
      default:
        if (absl::ascii_isdigit(c)) {
          return Fail(at,
                      "back-references are not supported: they cannot be matched in "
                      "linear time");
        }
        return Fail(at, absl::StrCat("unknown escape \\", std::string(1, static_cast<char>(c)),
                                     "; POSIX ERE escapes only punctuation"));
    }
  }

  void ParseInterval(int* low_out, int* high_out) {
    size_t open = pos_++;
    auto read_number = [&](int* value) {
      size_t start = pos_;
      int v = 0;
      while (pos_ < in_.size() && absl::ascii_isdigit(static_cast<unsigned char>(in_[pos_]))) {
        v = v * 10 + (in_[pos_] - '0');
        if (v > kMaxRepeat) v = kMaxRepeat + 1;
        ++pos_;
      }
      *value = v;
      return pos_ > start;
    };
    int low = 0, high = -1;
    bool has_low = read_number(&low);
    bool comma = pos_ < in_.size() && in_[pos_] == ',';
    if (comma) ++pos_;
    bool has_high = comma && read_number(&high);
    if (pos_ >= in_.size() || in_[pos_] != '}' || (!has_low && !comma)) {
      return Fail(open,
                  "invalid interval; expected {n}, {n,} or {n,m}, or write \\{ for a "
                  "literal brace");
    }
    ++pos_;
    if (low > kMaxRepeat || high > kMaxRepeat) {
      return Fail(open, absl::StrCat("repeat count above ", kMaxRepeat));
    }
    if (has_high && high < low) return Fail(open, "interval {n,m} has m smaller than n");
    *low_out = low;
    *high_out = !comma ? low : (has_high ? high : -1);
    if (!comma) {
      absl::StrAppend(&out_, "{", low, "}");
    } else if (has_high) {
      absl::StrAppend(&out_, "{", low, ",", high, "}");
    } else {
      absl::StrAppend(&out_, "{", low, ",}");
    }
  }

  void ParseBracket(ByteSet* out_set) {
    size_t open = pos_++;
    bool negate = false;
    if (pos_ < in_.size() && in_[pos_] == '^') {
      negate = true;
      ++pos_;
    }
    ByteSet set;
    bool first = true;
    for (;;) {
      if (pos_ >= in_.size()) {
        return Fail(open, "unterminated bracket expression; add ']'");
      }
      unsigned char c = static_cast<unsigned char>(in_[pos_]);
      if (c == ']' && !first) {
        ++pos_;
        break;
      }
      first = false;
      if (c == '[' && pos_ + 1 < in_.size() &&
          (in_[pos_ + 1] == ':' || in_[pos_ + 1] == '=' || in_[pos_ + 1] == '.')) {
        char kind = in_[pos_ + 1];
        size_t close = in_.find(absl::StrCat(std::string(1, kind), "]"), pos_ + 2);
        if (close == absl::string_view::npos) {
          return Fail(pos_, absl::StrCat("unterminated [", std::string(1, kind), " in bracket"));
        }
        absl::string_view name = in_.substr(pos_ + 2, close - pos_ - 2);
        if (kind != ':') {
          return Fail(pos_, "collating symbols and equivalence classes are not supported");
        }
        if (!ClassSet(name, &set)) {
          return Fail(pos_, absl::StrCat("unknown character class [:", name, ":]"));
        }
        pos_ = close + 2;
        continue;
      }
      ++pos_;
      // A range, unless '-' is last in the bracket.
      if (pos_ + 1 < in_.size() && in_[pos_] == '-' && in_[pos_ + 1] != ']') {
        unsigned char hi = static_cast<unsigned char>(in_[pos_ + 1]);
        if (hi == '[' && pos_ + 2 < in_.size() && in_[pos_ + 2] == ':') {
          return Fail(pos_, "a range cannot end in a character class");
        }
        if (hi < c) {
          return Fail(pos_ - 1,
                      absl::StrFormat("invalid range %c-%c: the end is before the start", c, hi));
        }
        for (int x = c; x <= hi; ++x) set.set(static_cast<size_t>(x));
        pos_ += 2;
        continue;
      }
      set.set(c);
    }
    if (negate) set.flip();
    set.reset('\n');
    if (set.none()) return Fail(open, "bracket expression matches no character");
    *out_set = set;
    EmitSet(set, &out_);
  }

  absl::string_view in_;
  size_t pos_ = 0;
  std::string out_;
  EreTranslation result_;
};

}  // namespace

namespace {

void EmitAlternatives(const std::vector<EreSeq>& alts, std::string* out);

void EmitNode(const EreNode& n, std::string* out) {
  switch (n.kind) {
    case EreNode::Kind::kSet:
      if (n.set.count() == 1) {
        for (size_t c = 0; c < 256; ++c) {
          if (n.set[c]) EmitLiteral(static_cast<unsigned char>(c), out);
        }
      } else {
        EmitSet(n.set, out);
      }
      return;
    case EreNode::Kind::kRepeat:
      if (n.branches[0][0].kind == EreNode::Kind::kGroup) {
        EmitNode(n.branches[0][0], out);
      } else {
        out->append("(?:");
        EmitNode(n.branches[0][0], out);
        out->append(")");
      }
      if (n.max < 0) {
        absl::StrAppend(out, "{", n.min, ",}");
      } else {
        absl::StrAppend(out, "{", n.min, ",", n.max, "}");
      }
      return;
    case EreNode::Kind::kGroup:
      out->append("(?:");
      EmitAlternatives(n.branches, out);
      out->append(")");
      return;
    case EreNode::Kind::kBol:
      out->append("^");
      return;
    // A CRLF log's CR is stripped before the extractors see the line.
    case EreNode::Kind::kEol:
      out->append("\\r?$");
      return;
    case EreNode::Kind::kWordBoundary:
      out->append("\\b");
      return;
  }
}

void EmitAlternatives(const std::vector<EreSeq>& alts, std::string* out) {
  for (size_t a = 0; a < alts.size(); ++a) {
    if (a > 0) out->push_back('|');
    for (const EreNode& n : alts[a]) EmitNode(n, out);
  }
}

// Bytes of fixed literal text `n` stands for: a one-byte set, or a group of
// one branch of such (as "(cucipop)"); 0 for anything else.
size_t LiteralLength(const EreNode& n) {
  if (n.kind == EreNode::Kind::kSet) return n.set.count() == 1 ? 1 : 0;
  if (n.kind != EreNode::Kind::kGroup || n.branches.size() != 1) return 0;
  size_t len = 0;
  for (const EreNode& c : n.branches[0]) {
    size_t l = LiteralLength(c);
    if (l == 0) return 0;
    len += l;
  }
  return len;
}

}  // namespace

std::string PrefilterPattern(const std::vector<EreSeq>& ast) {
  std::string out;
  if (ast.size() == 1) {
    // Start at the longest literal run: the rarer the literal, the less
    // Hyperscan confirms ("]: " is in nearly every syslog line).
    const EreSeq& seq = ast[0];
    constexpr size_t kMinLiteral = 3;
    size_t best = 0, best_run = 0;
    for (size_t i = 1; i < seq.size(); ++i) {
      size_t run = 0, nodes = 0;
      while (i + nodes < seq.size() && LiteralLength(seq[i + nodes]) > 0) {
        run += LiteralLength(seq[i + nodes]);
        ++nodes;
      }
      if (run > best_run) {
        best = i;
        best_run = run;
      }
      i += nodes;
    }
    if (best_run >= kMinLiteral) {
      for (size_t j = best; j < seq.size(); ++j) EmitNode(seq[j], &out);
      return out;
    }
  }
  EmitAlternatives(ast, &out);
  return out;
}

EreTranslation TranslatePosixEre(absl::string_view ere) {
  if (ere.empty()) {
    EreTranslation r;
    r.error = "empty pattern";
    return r;
  }
  return Translator(ere).Run();
}

}  // namespace exact::config
