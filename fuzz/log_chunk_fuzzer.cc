// Fuzzes the matcher with the bundled stanzas over arbitrary chunks (binary,
// huge lines, no newlines): never crashes, lines are counted exactly, and
// the logins are exactly those of a reference that tries every stanza's
// full pattern with RE2 on every line, first stanza wins. The reference
// checks the Hyperscan prefilters (literals or patterns) never miss a line
// and the FastExtractor's "no parse" is always right.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_split.h"
#include "fuzz/fuzz_target.h"
#include "re2/re2.h"
#include "src/base/files.h"
#include "src/config/servers_conf.h"
#include "src/match/log_header.h"
#include "src/match/session_pairer.h"
#include "src/match/stanza_matcher.h"

namespace {

const exact::match::StanzaMatcher& Matcher() {
  static const exact::match::StanzaMatcher* matcher = [] {
    auto text =
        exact::base::ReadFileToString(std::string(EXACT_SOURCE_DIR) + "/conf/exact-servers.conf");
    if (!text.ok()) std::abort();
    exact::config::Diagnostics d;
    auto stanzas = exact::config::ParseServersConf(*text, "exact-servers.conf", &d);
    auto m = exact::match::StanzaMatcher::Create(stanzas, &d);
    if (!m.ok()) std::abort();
    return m->release();
  }();
  return *matcher;
}

const std::vector<std::unique_ptr<RE2>>& Reference() {
  static const auto* res = [] {
    auto* v = new std::vector<std::unique_ptr<RE2>>;
    RE2::Options o;
    o.set_longest_match(true);
    o.set_encoding(RE2::Options::EncodingLatin1);
    for (const auto& s : Matcher().stanzas()) v->push_back(std::make_unique<RE2>(s.pattern, o));
    return v;
  }();
  return *res;
}

const exact::match::HeaderParser& Headers() {
  static const auto* parser = new exact::match::HeaderParser(absl::UTCTimeZone());
  return *parser;
}

// The logins the reference finds, as "stanza address user" strings.
std::vector<std::string> ReferenceLogins(absl::string_view chunk) {
  std::vector<std::string> out;
  const auto& stanzas = Matcher().stanzas();
  if (!chunk.empty() && chunk.back() == '\n') chunk.remove_suffix(1);
  if (chunk.empty()) return out;
  for (absl::string_view line : absl::StrSplit(chunk, '\n')) {
    if (line.empty() || line.find('\0') != absl::string_view::npos) continue;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    exact::match::LogHeader h;
    Headers().Parse(line, 0, &h);
    const absl::string_view own = h.form == exact::match::HeaderForm::kNginx    ? "nginx"
                                  : h.form == exact::match::HeaderForm::kZimbra ? "zimbra"
                                                                                : "";
    for (size_t i = 0; i < stanzas.size(); ++i) {
      // Two-line stanzas give halves, which the pairer joins: not compared.
      if (stanzas[i].two_line()) continue;
      absl::string_view seen = line;
      if (stanzas[i].reads_message()) {
        if (h.form == exact::match::HeaderForm::kNone || !stanzas[i].TrustsProgram(h.tag, own)) {
          continue;
        }
        seen = h.message;
      }
      re2::StringPiece g[4];
      if (!Reference()[i]->Match(re2::StringPiece(seen.data(), seen.size()), 0, seen.size(),
                                 RE2::UNANCHORED, g, 4)) {
        continue;
      }
      auto text = [&](int n) { return std::string(g[n].data(), g[n].size()); };
      auto ip = exact::match::IpAddress::Parse(text(stanzas[i].address_group()));
      if (ip && ip->IsUnicast()) {
        std::string user = text(stanzas[i].user_group()).substr(0, exact::match::kMaxUserBytes);
        out.push_back(std::to_string(i) + " " + ip->ToString() + " " + user);
      }
      break;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& m = Matcher();
  static auto* scratch = (*m.NewScratch()).release();
  std::string chunk(reinterpret_cast<const char*>(data), size);
  std::vector<exact::match::Login> logins;
  exact::match::ScanCounts counts;
  if (!m.Scan(chunk, scratch, &logins, &counts).ok()) std::abort();
  uint64_t newlines = static_cast<uint64_t>(std::count(chunk.begin(), chunk.end(), '\n'));
  uint64_t expect = newlines + (!chunk.empty() && chunk.back() != '\n' ? 1 : 0);
  if (counts.lines != expect) std::abort();
  size_t whole = 0;
  for (const auto& l : logins) {
    if (l.line_offset >= size || l.user.size() > exact::match::kMaxUserBytes) std::abort();
    if (l.kind != exact::match::LoginKind::kLogin) {
      if (l.session_key.empty()) std::abort();
      continue;
    }
    if (!l.address.IsUnicast()) std::abort();
    ++whole;
  }
  if (counts.logins != whole) std::abort();
  // The pairer stays within its bound whatever the halves say.
  static auto* pairer = new exact::match::SessionPairer(/*max_open=*/8);
  std::vector<exact::match::Login> halves = logins;
  pairer->Join(&halves, std::vector<int64_t>(halves.size(), 0));
  if (pairer->open() > 8) std::abort();
  std::vector<std::string> got;
  for (const auto& l : logins) {
    if (l.kind != exact::match::LoginKind::kLogin) continue;
    got.push_back(std::to_string(l.stanza) + " " + l.address.ToString() + " " + l.user);
  }
  if (got != ReferenceLogins(chunk)) std::abort();
  return 0;
}
