// Helpers shared by the matcher tests: build a matcher from stanza text or
// from the bundled conf/exact-servers.conf, and scan text with it.
#ifndef EXACT_TESTS_MATCH_MATCHER_FIXTURE_H_
#define EXACT_TESTS_MATCH_MATCHER_FIXTURE_H_

#include <dirent.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "src/base/files.h"
#include "src/config/servers_conf.h"
#include "src/match/stanza_matcher.h"

namespace exact::match::testing {

inline std::vector<config::Stanza> StanzasFromText(const std::string& text) {
  config::Diagnostics d;
  std::vector<config::Stanza> s = config::ParseServersConf(text, "test.conf", &d);
  EXPECT_FALSE(d.HasErrors()) << d.ToString();
  return s;
}

// The shipped stanzas that `server all` selects (`optin` ones only when
// asked for).
inline std::vector<config::Stanza> BundledStanzas(bool with_opt_in = false) {
  absl::StatusOr<std::string> text =
      base::ReadFileToString(std::string(EXACT_SOURCE_DIR) + "/conf/exact-servers.conf");
  EXPECT_TRUE(text.ok());
  std::vector<config::Stanza> all = StanzasFromText(text.value_or(""));
  std::vector<config::Stanza> out;
  for (config::Stanza& s : all) {
    if (with_opt_in || !s.opt_in) out.push_back(std::move(s));
  }
  return out;
}

// What `stanza`'s pattern is matched against on `line`: the message when the
// stanza trusts the line's program tag, nothing when it does not, the whole
// line for a 1.41 stanza.
inline std::optional<std::string> StanzaText(const config::Stanza& stanza, absl::string_view line) {
  if (!stanza.reads_message()) return std::string(line);
  static const HeaderParser parser(absl::UTCTimeZone());
  LogHeader h;
  parser.Parse(line, 0, &h);
  absl::string_view form = h.form == HeaderForm::kNginx    ? "nginx"
                           : h.form == HeaderForm::kZimbra ? "zimbra"
                                                           : "";
  if (h.form == HeaderForm::kNone || !stanza.TrustsProgram(h.tag, form)) return std::nullopt;
  return std::string(h.message);
}

inline std::unique_ptr<StanzaMatcher> MakeMatcher(std::vector<config::Stanza> stanzas) {
  config::Diagnostics d;
  auto m = StanzaMatcher::Create(std::move(stanzas), &d);
  EXPECT_TRUE(m.ok()) << d.ToString();
  return m.ok() ? std::move(*m) : nullptr;
}

struct ScanResult {
  std::vector<Login> logins;
  ScanCounts counts;
};

inline ScanResult ScanText(const StanzaMatcher& m, absl::string_view text) {
  ScanResult r;
  auto scratch = m.NewScratch();
  EXPECT_TRUE(scratch.ok()) << scratch.status();
  if (!scratch.ok()) return r;
  absl::Status st = m.Scan(text, scratch->get(), &r.logins, &r.counts);
  EXPECT_TRUE(st.ok()) << st;
  return r;
}

// Every line of the bundled sample log and of the shared corpus
// (tests/corpus/*.log), without the corpus's "# " comments.
inline std::vector<std::string> CorpusLines() {
  std::vector<std::string> lines;
  auto add_file = [&](const std::string& path) {
    absl::StatusOr<std::string> text = base::ReadFileToString(path);
    if (!text.ok()) return;
    for (absl::string_view l : absl::StrSplit(*text, '\n')) {
      if (!l.empty() && !absl::StartsWith(l, "# ")) lines.emplace_back(l);
    }
  };
  add_file(std::string(EXACT_SOURCE_DIR) + "/conf/sample-mail.log");
  if (DIR* dir = ::opendir(EXACT_CORPUS_DIR)) {
    while (struct dirent* e = ::readdir(dir)) {
      if (absl::EndsWith(e->d_name, ".log")) {
        add_file(std::string(EXACT_CORPUS_DIR) + "/" + e->d_name);
      }
    }
    ::closedir(dir);
  }
  return lines;
}

}  // namespace exact::match::testing

#endif  // EXACT_TESTS_MATCH_MATCHER_FIXTURE_H_
