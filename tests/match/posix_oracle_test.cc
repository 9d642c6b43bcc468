// Differential test: for every bundled stanza and every line of the shared
// corpus and the sample log, exact's Hyperscan+RE2 matcher must agree with
// glibc's POSIX regexec (what EXACT 1.41 used) on whether the line matches
// and on the user and address text it captures.
#include <regex.h>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/match/matcher_fixture.h"

namespace exact::match {
namespace {

// glibc has no "(?:": make every group capturing and map our group numbers
// to the POSIX numbering of the rewritten pattern.
struct PosixForm {
  std::string ere;
  std::vector<int> group_index;  // Our group g (1-based) → POSIX group.
};

PosixForm ToPosix(const std::string& ere) {
  PosixForm f;
  f.group_index.push_back(0);
  int posix_group = 0;
  for (size_t i = 0; i < ere.size(); ++i) {
    char c = ere[i];
    if (c == '[') {  // Skip the bracket expression: ']' first is literal.
      size_t j = i + 1;
      if (j < ere.size() && ere[j] == '^') ++j;
      if (j < ere.size() && ere[j] == ']') ++j;
      while (j < ere.size() && ere[j] != ']') j += (ere[j] == '[' && ere[j + 1] == ':') ? 2 : 1;
      i = j;
      continue;
    }
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '(') {
      ++posix_group;
      if (ere.compare(i + 1, 2, "?:") != 0) f.group_index.push_back(posix_group);
    }
  }
  f.ere = absl::StrReplaceAll(ere, {{"(?:", "("}});
  return f;
}

TEST(PosixOracle, BundledStanzasAgreeWithRegexecOnEveryCorpusLine) {
  std::vector<std::string> lines = testing::CorpusLines();
  ASSERT_GT(lines.size(), 1500u);
  int matched = 0;
  for (const config::Stanza& stanza : testing::BundledStanzas()) {
    if (stanza.two_line()) continue;  // Its lines are halves: session_pairer_test.cc.
    auto m = testing::MakeMatcher({stanza});
    ASSERT_TRUE(m);
    PosixForm posix = ToPosix(stanza.ere);
    regex_t re;
    ASSERT_EQ(::regcomp(&re, posix.ere.c_str(), REG_EXTENDED), 0) << stanza.name;
    for (const std::string& whole : lines) {
      regmatch_t groups[16];
      std::optional<std::string> seen = testing::StanzaText(stanza, whole);
      const std::string line = seen.value_or("");
      bool oracle = seen && ::regexec(&re, line.c_str(), 16, groups, 0) == 0;
      auto r = testing::ScanText(*m, whole);
      bool ours = !r.logins.empty() || r.counts.bad_address > 0;
      ASSERT_EQ(ours, oracle) << stanza.name << ": " << line;
      if (!oracle || r.logins.empty()) continue;
      ++matched;
      auto text = [&](int g) {
        const regmatch_t& rm = groups[posix.group_index[static_cast<size_t>(g)]];
        return rm.rm_so < 0 ? std::string()
                            : line.substr(static_cast<size_t>(rm.rm_so),
                                          static_cast<size_t>(rm.rm_eo - rm.rm_so));
      };
      EXPECT_EQ(r.logins[0].user, text(stanza.user_group())) << stanza.name << ": " << line;
      std::optional<IpAddress> want = IpAddress::Parse(text(stanza.address_group()));
      ASSERT_TRUE(want.has_value()) << line;
      EXPECT_EQ(r.logins[0].address, *want) << stanza.name << ": " << line;
    }
    ::regfree(&re);
  }
  EXPECT_GT(matched, 350);
}

}  // namespace
}  // namespace exact::match
