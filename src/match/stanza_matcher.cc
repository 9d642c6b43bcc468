// Hyperscan prefilter over chunks, RE2 confirmation and extraction per line.
#include "src/match/stanza_matcher.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "src/base/count_newlines.h"
#include "src/match/literal_plan.h"
#include "src/match/required_literals.h"

namespace exact::match {

ScanCounts& ScanCounts::operator+=(const ScanCounts& o) {
  lines += o.lines;
  candidates += o.candidates;
  logins += o.logins;
  bad_address += o.bad_address;
  binary += o.binary;
  oversized += o.oversized;
  unconfirmed += o.unconfirmed;
  fast_extractions += o.fast_extractions;
  untrusted += o.untrusted;
  return *this;
}

StanzaMatcher::Scratch::~Scratch() {
  if (hs != nullptr) hs_free_scratch(hs);
}

StanzaMatcher::~StanzaMatcher() {
  if (prototype_ != nullptr) hs_free_scratch(prototype_);
  if (database_ != nullptr) hs_free_database(database_);
}

namespace {

// MULTILINE: '^' and '$' hold at line boundaries inside a chunk. No DOTALL,
// so '.' never crosses a newline; the ERE translation keeps newline out of
// every class too.
constexpr unsigned kHsFlags = HS_FLAG_MULTILINE;

RE2::Options ExtractorOptions() {
  RE2::Options options;
  options.set_longest_match(true);                     // POSIX leftmost-longest.
  options.set_encoding(RE2::Options::EncodingLatin1);  // Log lines are bytes.
  options.set_log_errors(false);
  options.set_case_sensitive(true);
  return options;
}

// A literal as a Hyperscan pattern: every byte escaped.
std::string LiteralPattern(absl::string_view literal) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : literal) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// `ast` with every '^' removed: a superset, for prefiltering messages.
std::vector<config::EreSeq> WithoutLineStarts(const std::vector<config::EreSeq>& ast) {
  std::vector<config::EreSeq> out;
  for (const config::EreSeq& seq : ast) {
    config::EreSeq copy;
    for (const config::EreNode& node : seq) {
      if (node.kind == config::EreNode::Kind::kBol) continue;
      config::EreNode n = node;
      n.branches = WithoutLineStarts(node.branches);
      copy.push_back(std::move(n));
    }
    out.push_back(std::move(copy));
  }
  return out;
}

// The name a `program @NAME` entry gives a header form with no tag.
absl::string_view OwnLogFormName(HeaderForm form) {
  switch (form) {
    case HeaderForm::kNginx:
      return "nginx";
    case HeaderForm::kZimbra:
      return "zimbra";
    default:
      return "";
  }
}

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
            unsigned int /*flags*/, void* context) {
  auto* sink = static_cast<std::vector<std::pair<uint64_t, uint32_t>>*>(context);
  sink->emplace_back(to, id);
  return 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<StanzaMatcher>> StanzaMatcher::Create(
    std::vector<config::Stanza> stanzas, config::Diagnostics* diags) {
  auto matcher = std::unique_ptr<StanzaMatcher>(new StanzaMatcher);
  static std::atomic<uint64_t> generations{0};
  matcher->generation_ = generations.fetch_add(1) + 1;
  int errors = 0;
  std::vector<StanzaLiterals> literal_options;
  std::vector<std::string> patterns_alone;
  // Ids 0..n-1 are the stanzas' `match` patterns, in file order; the
  // two-line stanzas' `session` patterns follow.
  for (uint32_t i = 0; i < stanzas.size(); ++i) matcher->rules_.push_back({i, false});
  for (uint32_t i = 0; i < stanzas.size(); ++i) {
    if (stanzas[i].two_line()) matcher->rules_.push_back({i, true});
  }
  // Hyperscan gets a prefilter (a superset: the extractors verify every
  // line in full); check each alone first, so an error names its stanza.
  for (const Rule& rule : matcher->rules_) {
    const config::Stanza& s = stanzas[rule.stanza];
    const std::shared_ptr<const std::vector<config::EreSeq>>& ast =
        rule.session ? s.session_ast : s.ast;
    const std::string& full = rule.session ? s.session_pattern : s.pattern;
    const config::SourceLocation& where = rule.session ? s.session_location : s.match_location;
    // A message pattern's '^' is the message start, which Hyperscan cannot
    // see: its prefilter drops the anchors.
    std::vector<config::EreSeq> unanchored;
    if (ast && s.reads_message()) unanchored = WithoutLineStarts(*ast);
    const std::string pattern = !ast                ? full
                                : s.reads_message() ? config::PrefilterPattern(unanchored)
                                                    : config::PrefilterPattern(*ast);
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_expression_info(pattern.c_str(), kHsFlags, &info, &err) != HS_SUCCESS) {
      diags->Error(where, absl::StrCat("pattern of stanza \"", s.name,
                                       "\" cannot be compiled: ", err->message));
      hs_free_compile_error(err);
      ++errors;
      continue;
    }
    if (info->min_width == 0) {
      diags->Error(where,
                   absl::StrCat("pattern of stanza \"", s.name,
                                "\" can match an empty string, so every line would be a login"));
      ++errors;
    }
    free(info);
    auto re = std::make_unique<RE2>(full, ExtractorOptions());
    if (!re->ok()) {
      diags->Error(where, absl::StrCat("pattern of stanza \"", s.name,
                                       "\" is rejected by RE2: ", re->error()));
      ++errors;
    }
    matcher->extractors_.push_back(std::move(re));
    matcher->fast_.push_back(
        ast ? FastExtractor::Create(*ast, rule.session ? s.session_groups : s.groups) : nullptr);
    std::vector<Factor> factors =
        ast ? RequiredFactors(s.reads_message() ? unanchored : *ast) : std::vector<Factor>{};
    // A line a stanza reads carries one of its tags: when they are all plain
    // names, that is one more required factor (cucipop's message has none).
    if (s.reads_message() && ast) {
      Factor tags;
      for (const std::string& p : s.programs) {
        if (p.empty() || p.front() == '@' || p.front() == '*' || p.back() == '*') {
          tags.spellings.clear();
          break;
        }
        tags.spellings.push_back(p);
      }
      if (!tags.spellings.empty() && tags.spellings.size() <= kMaxRequiredLiterals) {
        tags.shortest = tags.spellings[0].size();
        for (const std::string& t : tags.spellings)
          tags.shortest = std::min(tags.shortest, t.size());
        if (tags.shortest >= kMinRequiredLiteral) factors.push_back(std::move(tags));
      }
    }
    literal_options.push_back(StanzaLiterals{std::move(factors), matcher->fast_.back() != nullptr});
    patterns_alone.push_back(pattern);
  }
  if (errors > 0) return absl::InvalidArgumentError("stanza patterns do not compile");
  if (stanzas.empty()) return absl::InvalidArgumentError("no stanzas to match");
  std::vector<std::vector<std::string>> plan = PlanLiterals(literal_options);
  for (size_t i = 0; i < matcher->rules_.size(); ++i) {
    Prefilter prefilter;
    prefilter.literals = !plan[i].empty();
    prefilter.patterns =
        prefilter.literals ? std::move(plan[i]) : std::vector<std::string>{patterns_alone[i]};
    matcher->prefilters_.push_back(std::move(prefilter));
  }

  // One Hyperscan expression per distinct literal (stanzas may share one)
  // or pattern; each reports its own id, which names the rules it flags.
  std::vector<std::string> expressions;
  std::vector<unsigned> ids;
  absl::flat_hash_map<std::string, unsigned> literal_ids;
  for (size_t i = 0; i < matcher->rules_.size(); ++i) {
    const Prefilter& p = matcher->prefilters_[i];
    for (const std::string& text : p.patterns) {
      if (p.literals) {
        auto [it, added] = literal_ids.emplace(text, static_cast<unsigned>(expressions.size()));
        if (!added) {
          matcher->expression_rules_[it->second].push_back(static_cast<uint32_t>(i));
          continue;
        }
      }
      ids.push_back(static_cast<unsigned>(expressions.size()));
      expressions.push_back(p.literals ? LiteralPattern(text) : text);
      matcher->expression_rules_.push_back({static_cast<uint32_t>(i)});
    }
  }
  std::vector<const char*> patterns;
  for (const std::string& e : expressions) patterns.push_back(e.c_str());
  std::vector<unsigned> flags(patterns.size(), kHsFlags);
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(patterns.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK, nullptr,
                       &matcher->database_, &err) != HS_SUCCESS) {
    std::string message = err->message;
    if (err->expression >= 0) {
      const config::Stanza& s = stanzas
          [matcher->rules_[matcher->expression_rules_[ids[static_cast<size_t>(err->expression)]][0]]
               .stanza];
      diags->Error(s.match_location, absl::StrCat("pattern of stanza \"", s.name,
                                                  "\" cannot be compiled: ", message));
    } else {
      diags->Error({}, absl::StrCat("the stanza set cannot be compiled: ", message));
    }
    hs_free_compile_error(err);
    return absl::InvalidArgumentError(message);
  }
  if (hs_alloc_scratch(matcher->database_, &matcher->prototype_) != HS_SUCCESS) {
    return absl::ResourceExhaustedError("cannot allocate Hyperscan scratch space");
  }
  matcher->stanzas_ = std::move(stanzas);
  return matcher;
}

absl::StatusOr<std::unique_ptr<StanzaMatcher::Scratch>> StanzaMatcher::NewScratch() const {
  auto scratch = std::unique_ptr<Scratch>(new Scratch);
  if (hs_error_t e = hs_clone_scratch(prototype_, &scratch->hs); e != HS_SUCCESS) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot allocate Hyperscan scratch space (hs_clone_scratch: ", e, ")"));
  }
  return scratch;
}

void StanzaMatcher::MatchLine(absl::string_view line, uint32_t line_offset,
                              const std::vector<uint32_t>& candidates, int64_t now_us,
                              std::vector<Login>* out, ScanCounts* counts) const {
  ++counts->candidates;
  if (line.size() > kMaxLineBytes) {
    ++counts->oversized;
    return;
  }
  // CRLF logs: the CR is not part of the line, so `$` holds before it.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (std::memchr(line.data(), '\0', line.size()) != nullptr) {
    ++counts->binary;
    return;
  }
  std::array<absl::string_view, 4> groups;
  LogHeader header;
  bool header_parsed = false;
  bool untrusted = false;
  for (uint32_t id : candidates) {
    const Rule& rule = rules_[id];
    const config::Stanza& stanza = stanzas_[rule.stanza];
    absl::string_view text = line;
    bool trusted = true;
    if (stanza.reads_message()) {
      if (!header_parsed) {
        // The time is not used here; a recent reference keeps the year
        // search to one step and the parser's hour cache warm.
        headers_.Parse(line, now_us, &header);
        header_parsed = true;
      }
      trusted = stanza.TrustsProgram(header.tag, OwnLogFormName(header.form));
      // A stanza that trusts the tag reads the message; one that does not
      // still reads it, but only to count the line as untrusted.
      if (!trusted && (untrusted || header.form == HeaderForm::kNone)) continue;
      text = header.message;
    }
    bool found = false;
    const FastExtractor::Result fast =
        fast_[id] ? fast_[id]->Extract(text, &groups) : FastExtractor::Result::kAmbiguous;
    if (fast == FastExtractor::Result::kOk) {
      found = true;
      if (trusted) ++counts->fast_extractions;
    } else if (fast == FastExtractor::Result::kNoParse) {
      continue;  // The walk is exhaustive: no parse means no match.
    } else {
      // Not eligible, or ambiguous: RE2 decides, with POSIX's longest match.
      re2::StringPiece re_groups[4];
      const re2::StringPiece piece(text.data(), text.size());
      const int ngroups = std::min(4, (rule.session ? stanza.session_groups : stanza.groups) + 1);
      if (extractors_[id]->Match(piece, 0, piece.size(), RE2::UNANCHORED, re_groups, ngroups)) {
        found = true;
        for (size_t g = 0; g < 4; ++g) {
          groups[g] = g < static_cast<size_t>(ngroups)
                          ? absl::string_view(re_groups[g].data(), re_groups[g].size())
                          : absl::string_view();
        }
      }
    }
    if (!found) continue;
    if (!trusted) {
      untrusted = true;
      continue;
    }
    Login login;
    login.stanza = rule.stanza;
    login.line_offset = line_offset;
    login.line_size = static_cast<uint32_t>(line.size());
    if (stanza.two_line()) {
      // The halves pair on stanza, host, tag and pid; a line with no pid
      // cannot be paired and is no login.
      if (header.pid.empty()) continue;
      login.session_key =
          absl::StrCat(rule.stanza, " ", header.host, " ", header.tag, " ", header.pid);
      if (rule.session) {
        std::optional<IpAddress> ip = IpAddress::Parse(groups[1]);
        if (!ip || !ip->IsUnicast()) {
          ++counts->bad_address;
          login.kind = LoginKind::kSessionReset;  // Forget any earlier address for this pid.
        } else {
          login.kind = LoginKind::kSessionAddress;
          login.address = *ip;
        }
      } else {
        login.kind = LoginKind::kSessionUser;
        const absl::string_view user = groups[1];
        login.user.assign(user.data(), std::min<size_t>(user.size(), kMaxUserBytes));
      }
      out->push_back(std::move(login));
      return;
    }
    const absl::string_view address = groups[static_cast<size_t>(stanza.address_group())];
    const absl::string_view user = groups[static_cast<size_t>(stanza.user_group())];
    std::optional<IpAddress> ip = IpAddress::Parse(address);
    if (!ip || !ip->IsUnicast()) {
      ++counts->bad_address;
      return;  // The first matching stanza owns the line, valid or not.
    }
    login.address = *ip;
    login.user.assign(user.data(), std::min<size_t>(user.size(), kMaxUserBytes));
    out->push_back(std::move(login));
    ++counts->logins;
    return;
  }
  if (untrusted) {
    ++counts->untrusted;
    return;
  }
  ++counts->unconfirmed;
}

absl::Status StanzaMatcher::Scan(absl::string_view chunk, Scratch* scratch, std::vector<Login>* out,
                                 ScanCounts* counts) const {
  const char* data = chunk.data();
  const size_t size = chunk.size();
  std::vector<std::pair<uint64_t, uint32_t>>& events = scratch->events;
  events.clear();
  if (hs_error_t e =
          hs_scan(database_, data, static_cast<unsigned>(size), 0, scratch->hs, OnMatch, &events);
      e != HS_SUCCESS) {
    return absl::InternalError(absl::StrCat("hs_scan failed (", e, ")"));
  }
  counts->lines += base::CountNewlines(data, size);
  if (size > 0 && data[size - 1] != '\n') ++counts->lines;
  if (!std::is_sorted(events.begin(), events.end())) std::sort(events.begin(), events.end());

  // At most one login per flagged line: grow the output once, not by doubling.
  out->reserve(out->size() + events.size());
  std::vector<uint32_t>& ids = scratch->candidates;
  const int64_t now_us = events.empty() ? 0 : absl::ToUnixMicros(absl::Now());
  size_t i = 0;
  while (i < events.size()) {
    size_t last = events[i].first == 0 ? 0 : static_cast<size_t>(events[i].first - 1);
    const void* nl_before = last == 0 ? nullptr : ::memrchr(data, '\n', last);
    size_t line_start =
        nl_before ? static_cast<size_t>(static_cast<const char*>(nl_before) - data) + 1 : 0;
    if (last < size && data[last] == '\n') line_start = last + 1;  // Defensive: never span.
    const void* nl_after = std::memchr(data + last, '\n', size - last);
    size_t line_end =
        nl_after ? static_cast<size_t>(static_cast<const char*>(nl_after) - data) : size;
    ids.clear();
    while (i < events.size() && events[i].first <= line_end) {
      for (uint32_t rule : expression_rules_[events[i].second]) ids.push_back(rule);
      ++i;
    }
    std::sort(ids.begin(), ids.end());  // File order (session rules after all stanzas).
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (line_end > line_start) {
      MatchLine(chunk.substr(line_start, line_end - line_start), static_cast<uint32_t>(line_start),
                ids, now_us, out, counts);
    }
  }
  return absl::OkStatus();
}

}  // namespace exact::match
