// exact-servers.conf parsing.
#include "src/config/servers_conf.h"

#include "gtest/gtest.h"

namespace exact::config {
namespace {

TEST(ServersConf, ParsesStanzasInFileOrder) {
  Diagnostics d;
  std::vector<Stanza> s = ParseServersConf(
      "# servers\n"
      "<server one>\n"
      "    order username,address\n"
      "    match (Login) user=([^ ]*) \\[([^]]*)\\]\n"
      "</server>\n"
      "\n"
      "<server two>\n"
      "    order address,username\n"
      "    match (x) ([0-9.]+) (order )\n"
      "</server>\n",
      "s.conf", &d);
  ASSERT_FALSE(d.HasErrors()) << d.ToString();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].name, "one");
  EXPECT_EQ(s[0].user_group(), 2);
  EXPECT_EQ(s[0].address_group(), 3);
  EXPECT_EQ(s[1].name, "two");
  EXPECT_EQ(s[1].user_group(), 3);
  EXPECT_EQ(s[1].address_group(), 2);
  // A pattern mentioning "order " is still a pattern (1.41's scanner got this wrong).
  EXPECT_EQ(s[1].ere, "(x) ([0-9.]+) (order )");
  EXPECT_EQ(s[1].location.line, 7);
  EXPECT_EQ(s[1].match_location.column, 11);
}

TEST(ServersConf, MissingOrderIsAnErrorNotInherited) {
  Diagnostics d;
  std::vector<Stanza> s = ParseServersConf(
      "<server a>\norder username,address\nmatch (a)(b)(c)\n</server>\n"
      "<server b>\nmatch (a)(b)(c)\n</server>\n",
      "s.conf", &d);
  EXPECT_EQ(s.size(), 1u);
  ASSERT_EQ(d.error_count(), 1);
  EXPECT_EQ(d.all()[0].ToString(),
            "s.conf:5:1: error: stanza \"b\" has no `order` line; add `order username,address` "
            "or `order address,username`");
}

TEST(ServersConf, PatternErrorsPointIntoThePattern) {
  Diagnostics d;
  ParseServersConf("<server a>\n  order username,address\n  match (a)(b)(c[\n</server>\n", "s.conf",
                   &d);
  ASSERT_EQ(d.error_count(), 1);
  EXPECT_EQ(d.all()[0].ToString(),
            "s.conf:3:17: error: in pattern of stanza \"a\": unterminated bracket expression; "
            "add ']'");
}

TEST(ServersConf, TooFewGroupsIsExplained) {
  Diagnostics d;
  ParseServersConf("<server a>\norder username,address\nmatch (a)(b)\n</server>\n", "s.conf", &d);
  ASSERT_EQ(d.error_count(), 1);
  EXPECT_NE(d.all()[0].message.find("has 2 group(s); it needs 3"), std::string::npos);
}

TEST(ServersConf, StructuralErrorsAreAllReported) {
  Diagnostics d;
  ParseServersConf(
      "match (a)(b)(c)\n"  // outside a stanza
      "<server a>\n"
      "  ordr username,address\n"  // typo
      "<server b>\n"               // a not closed
      "</server>\n"
      "</server>\n"    // nothing open
      "<server b>\n",  // duplicate, and unclosed at EOF
      "s.conf", &d);
  std::vector<std::string> got;
  for (const Diagnostic& x : d.all()) got.push_back(x.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "s.conf:1:1: error: \"match\" outside a stanza; expected <server NAME>",
                     "s.conf:3:3: error: unknown directive \"ordr\" (did you mean \"order\"?); a "
                     "stanza holds `order`, `match`, `program`, `session`, `legacy` and `optin`",
                     "s.conf:2:1: error: stanza \"a\" is not closed; add </server> before line 4",
                     "s.conf:4:1: error: stanza \"b\" has no `match` line",
                     "s.conf:4:1: error: stanza \"b\" has no `order` line; add `order "
                     "username,address` or `order address,username`",
                     "s.conf:6:1: error: </server> without an open <server NAME>",
                     "s.conf:7:1: error: stanza \"b\" is already defined on line 4",
                 }));
}

TEST(ServersConf, ProgramLegacyAndSessionAreRead) {
  Diagnostics d;
  std::vector<Stanza> s = ParseServersConf(
      "<server a>\n  program imapd, ipop3d */imap perdition* @nginx\n  order username,address\n"
      "  match ^(L) u=([^ ]+) ip=([0-9.]+)$\n</server>\n"
      "<server b>\n  legacy\n  order username,address\n  match (L) u=([^ ]+) ip=([0-9.]+)\n"
      "</server>\n"
      "<server c>\n  program popa3d\n  session ^Session from ([^ ]+)$\n"
      "  match ^Authentication passed for ([^ ]+)$\n</server>\n",
      "s.conf", &d);
  ASSERT_FALSE(d.HasErrors()) << d.ToString();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].programs,
            (std::vector<std::string>{"imapd", "ipop3d", "*/imap", "perdition*", "@nginx"}));
  EXPECT_TRUE(s[0].TrustsProgram("ipop3d", ""));
  EXPECT_TRUE(s[0].TrustsProgram("cyrus/imap", ""));
  EXPECT_TRUE(s[0].TrustsProgram("perdition.imaps", ""));
  EXPECT_TRUE(s[0].TrustsProgram("", "nginx"));
  EXPECT_FALSE(s[0].TrustsProgram("", "zimbra"));
  EXPECT_FALSE(s[0].TrustsProgram("postfix/smtpd", ""));
  EXPECT_FALSE(s[0].TrustsProgram("imapd-ssl", ""));
  EXPECT_EQ(UnanchoredStanzaWarning(s[0]), "");
  EXPECT_TRUE(s[1].legacy);
  EXPECT_EQ(UnanchoredStanzaWarning(s[1]), "");
  EXPECT_TRUE(s[2].two_line());
  EXPECT_EQ(s[2].user_group(), 1);
}

TEST(ServersConf, BadProgramEntriesAndUntiedSessionsAreErrors) {
  Diagnostics d;
  ParseServersConf(
      "<server a>\n  program a*b @journal\n  order username,address\n"
      "  match ^(L) u=([^ ]+) ip=([0-9.]+)$\n</server>\n"
      "<server c>\n  session ^Session from ([^ ]+)$\n"
      "  match ^Authentication passed for ([^ ]+)$\n</server>\n"
      "<server d>\n  legacy yes\n</server>\n",
      "s.conf", &d);
  std::vector<std::string> got;
  for (const Diagnostic& x : d.all()) got.push_back(x.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "s.conf:2:11: error: `program` entry \"a*b\" is not a tag, \"*SUFFIX\", "
                     "\"PREFIX*\", \"@nginx\" or \"@zimbra\"",
                     "s.conf:2:11: error: `program` entry \"@journal\" is not a tag, "
                     "\"*SUFFIX\", \"PREFIX*\", \"@nginx\" or \"@zimbra\"",
                     "s.conf:6:1: error: stanza \"c\" has `session` but no `program`: the two "
                     "lines are tied by tag, host and pid",
                     "s.conf:11:3: error: `legacy` takes no value",
                     "s.conf:10:1: error: stanza \"d\" has no `match` line",
                     "s.conf:10:1: error: stanza \"d\" has no `order` line; add `order "
                     "username,address` or `order address,username`",
                 }));
}

}  // namespace
}  // namespace exact::config
