// The matcher: all stanzas in one scan, first stanza in file order wins,
// addresses validated, and the bundled stanzas against real log lines.
#include "src/match/stanza_matcher.h"

#include <dirent.h>

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/match/matcher_fixture.h"

namespace exact::match {
namespace {

using testing::BundledStanzas;
using testing::MakeMatcher;
using testing::ScanText;
using testing::StanzasFromText;

std::set<std::string> Addresses(const std::vector<Login>& logins) {
  std::set<std::string> out;
  for (const Login& l : logins) out.insert(l.address.ToString());
  return out;
}

TEST(StanzaMatcher, BundledStanzasFindExactlyTheSuccessfulLogins) {
  auto m = MakeMatcher(BundledStanzas());
  ASSERT_TRUE(m);
  absl::StatusOr<std::string> log =
      base::ReadFileToString(std::string(EXACT_SOURCE_DIR) + "/conf/sample-mail.log");
  ASSERT_TRUE(log.ok());
  auto r = ScanText(*m, *log);
  EXPECT_EQ(
      Addresses(r.logins),
      (std::set<std::string>{"192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13", "192.0.2.14",
                             "192.0.2.15", "192.0.2.16", "192.0.2.17", "2001:db8::25"}));
  // courier ip=[not-an-ip;rm -rf /] is not shaped like an address: no match.
  EXPECT_EQ(r.counts.bad_address, 0u);
  EXPECT_EQ(r.counts.lines, 19u);
  std::set<std::string> users;
  for (const Login& l : r.logins) users.insert(l.user);
  EXPECT_TRUE(users.count("ivan@example.org"));
  EXPECT_TRUE(users.count("alice"));
  EXPECT_FALSE(users.count("mallory"));
  EXPECT_FALSE(users.count("evil"));
}

TEST(StanzaMatcher, LoginTextInsideAnotherProgramsLineIsNotALogin) {
  auto m = MakeMatcher(BundledStanzas());
  ASSERT_TRUE(m);
  for (const char* line : {
           // CVE-2001-1075 style: a sender address that spells a Qpopper login.
           "Nov 22 09:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[198.51.100.9]: "
           "554 5.7.1 Relay access denied; from=<\"POP login by user \"admin\" at (h) "
           "198.51.100.66\"@example.org>",
           "Nov 22 09:00:01 mx postfix/cleanup[1]: ABC: message-id=<dovecot: imap-login: Login: "
           "user=<x>, method=PLAIN, rip=198.51.100.67, lip=1.2.3.4>",
           "Nov 22 09:00:01 mx sshd[1]: Invalid user imapd[1]: Login user=x host=h "
           "[198.51.100.68] from 198.51.100.68",
       }) {
    auto r = ScanText(*m, line);
    EXPECT_TRUE(r.logins.empty()) << line;
  }
}

TEST(StanzaMatcher, FirstStanzaInFileOrderWins) {
  auto m = MakeMatcher(StanzasFromText(
      "<server late>\norder username,address\nmatch (L) u=([a-z]+) .*ip=([0-9.]+)\n</server>\n"
      "<server early>\norder address,username\nmatch (L) u=[a-z]+ (.*) ip=([0-9.]+)\n</server>\n"));
  ASSERT_TRUE(m);
  auto r = ScanText(*m, "L u=bob 192.0.2.1 ip=192.0.2.2\n");
  ASSERT_EQ(r.logins.size(), 1u);
  EXPECT_EQ(r.logins[0].stanza, 0u);  // "late" is first in the file.
  EXPECT_EQ(r.logins[0].user, "bob");
  EXPECT_EQ(r.logins[0].address.ToString(), "192.0.2.2");
}

TEST(StanzaMatcher, ALaterStanzaMatchesWhenTheFirstDoesNot) {
  auto m = MakeMatcher(StanzasFromText(
      "<server a>\norder username,address\nmatch (A) u=([a-z]+) ip=([0-9.]+)\n</server>\n"
      "<server b>\norder username,address\nmatch (B) u=([a-z]+) ip=([0-9.]+)\n</server>\n"));
  ASSERT_TRUE(m);
  auto r = ScanText(*m, "B u=carol ip=192.0.2.3\nA u=dave ip=192.0.2.4\n");
  ASSERT_EQ(r.logins.size(), 2u);
  EXPECT_EQ(r.logins[0].stanza, 1u);
  EXPECT_EQ(r.logins[0].user, "carol");
  EXPECT_EQ(r.logins[1].stanza, 0u);
  EXPECT_EQ(r.logins[1].line_offset, 23u);
}

TEST(StanzaMatcher, LeftmostLongestOverallMatch) {
  // POSIX takes the longest match at the leftmost position: the address
  // group gets the whole address, not a prefix.
  auto m = MakeMatcher(StanzasFromText(
      "<server a>\norder username,address\nmatch (x|xy) (u|us)(1\\.2\\.3\\.4|1\\.2\\.3\\.45)\n"
      "</server>\n"));
  ASSERT_TRUE(m);
  auto r = ScanText(*m, "xy us1.2.3.45\n");
  ASSERT_EQ(r.logins.size(), 1u);
  EXPECT_EQ(r.logins[0].address.ToString(), "1.2.3.45");
  EXPECT_EQ(r.logins[0].user, "us");
}

TEST(StanzaMatcher, MatchesNeverSpanLines) {
  auto m = MakeMatcher(StanzasFromText(
      "<server a>\norder username,address\nmatch (L) u=([^ ]*) ip=([^ ]*)$\n</server>\n"));
  ASSERT_TRUE(m);
  auto r = ScanText(*m, "L u=\nip=192.0.2.1\nL u=x ip=192.0.2.2\n");
  ASSERT_EQ(r.logins.size(), 1u);
  EXPECT_EQ(r.logins[0].address.ToString(), "192.0.2.2");
}

TEST(StanzaMatcher, BinaryAndBadAddressLinesAreSkippedAndCounted) {
  auto m = MakeMatcher(StanzasFromText(
      "<server a>\norder username,address\nmatch (L) u=([^ ]*) ip=([^ ]*)\n</server>\n"));
  ASSERT_TRUE(m);
  static const char kText[] =
      "L u=a ip=192.0.2.1\nL u=\0b ip=192.0.2.2\nL u=c ip=999.1.1.1\nL u=d ip=::\n";
  std::string text(kText, sizeof kText - 1);
  auto r = ScanText(*m, text);
  EXPECT_EQ(Addresses(r.logins), std::set<std::string>{"192.0.2.1"});
  EXPECT_EQ(r.counts.binary, 1u);
  EXPECT_EQ(r.counts.bad_address, 2u);
  EXPECT_EQ(r.counts.lines, 4u);
}

TEST(StanzaMatcher, UnterminatedLastLineIsScanned) {
  auto m = MakeMatcher(StanzasFromText(
      "<server a>\norder username,address\nmatch (L) u=([^ ]*) ip=([^ ]*)$\n</server>\n"));
  ASSERT_TRUE(m);
  auto r = ScanText(*m, "noise\nL u=a ip=192.0.2.9");
  EXPECT_EQ(Addresses(r.logins), std::set<std::string>{"192.0.2.9"});
  EXPECT_EQ(r.counts.lines, 2u);
}

TEST(StanzaMatcher, EXACT141StanzasCompileVerbatim) {
  auto m = MakeMatcher(StanzasFromText(
      "<server uw-imap>\n    order username,address\n"
      "    match (Login|Auth|Authenticated) user=([^ ]*).*\\[([^ ]*)\\]\n</server>\n"
      "<server courier>\n    order username,address\n"
      "    match (LOGIN), user=(.*), ip=\\[::ffff:(.*)\\]\n</server>\n"
      "<server cyrus>\n    order address,username\n"
      "    match (login):.*\\[([0-9\\.]*)\\] ([^ ]*) .*\n</server>\n"
      "<server perdition>\n    order address,username\n"
      "    match (Auth): ([0-9\\.]*)->.*user=\"([^\"]*)\"\n</server>\n"
      "<server qpopper>\n    order username,address\n"
      "    match (login) by user \\\"(.*)\\\" at \\([^ ]*\\) (.*) \\[[^ ]*\\]\n</server>\n"
      "<server teapop>\n    order username,address\n"
      "    match (Successful login for) (.*).*\\[([0-9\\.]*)\\]$\n</server>\n"
      "<server cucipop>\n    order username,address\n"
      "    match (cucipop)\\[[0-9]+\\]: ([^ ]+) ([0-9\\.]+) [0-9]+, [0-9]+ \\([0-9]+\\), [0-9]+ "
      "\\([0-9]+\\)$\n</server>\n"));
  ASSERT_TRUE(m);
  auto r = ScanText(*m, "Nov 22 09:00:05 mx imapd[1]: Login user=carol host=h [192.0.2.11]\n");
  EXPECT_EQ(Addresses(r.logins), std::set<std::string>{"192.0.2.11"});
}

TEST(StanzaMatcher, EmptyMatchingPatternIsAConfigError) {
  config::Diagnostics d;
  auto m = StanzaMatcher::Create(
      StanzasFromText("<server a>\norder username,address\nmatch (x*)(y*)(z*)\n</server>\n"), &d);
  EXPECT_FALSE(m.ok());
  ASSERT_EQ(d.error_count(), 1);
  EXPECT_EQ(d.all()[0].ToString(),
            "test.conf:3:7: error: pattern of stanza \"a\" can match an empty string, so every "
            "line would be a login");
}

// The shared corpus of real log lines (../shared/corpus): failure lines of
// every server must never produce a login, whatever else they contain.
TEST(StanzaMatcher, CorpusFailureLinesNeverMatch) {
  auto m = MakeMatcher(BundledStanzas());
  ASSERT_TRUE(m);
  DIR* dir = ::opendir(EXACT_CORPUS_DIR);
  ASSERT_NE(dir, nullptr) << "corpus not found at " << EXACT_CORPUS_DIR;
  int files = 0;
  int successes = 0;
  while (struct dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (!absl::EndsWith(name, ".log")) continue;
    ++files;
    absl::StatusOr<std::string> text =
        base::ReadFileToString(std::string(EXACT_CORPUS_DIR) + "/" + name);
    ASSERT_TRUE(text.ok());
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      if (absl::StartsWith(line, "# ")) continue;
      auto r = ScanText(*m, line);
      if (r.logins.empty()) continue;
      ++successes;
      for (const char* failure : {"failed", "FAILED", "badlogin", "Disconnected", "Aborted",
                                  "aborted", "failure", "Failure", "status=\"fail"}) {
        EXPECT_FALSE(absl::StrContains(line, failure)) << name << ": " << line;
      }
      EXPECT_FALSE(absl::StrContains(line, "postfix/")) << name << ": " << line;
    }
  }
  ::closedir(dir);
  EXPECT_GT(files, 40);
  EXPECT_GT(successes, 300);  // The UW-IMAP stream alone holds 349 logins.
}

}  // namespace
}  // namespace exact::match
