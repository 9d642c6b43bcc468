// The shipped stanzas (conf/exact-servers.conf) against every file of the
// corpus of real log lines (tests/corpus, a copy of ../shared/corpus with
// each file's "# source:" line): per file, exactly this set of (stanza,
// user, address) logins, and nothing from any failure or look-alike line.
#include <dirent.h>

#include <map>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "src/match/session_pairer.h"
#include "tests/match/matcher_fixture.h"

namespace exact::match {
namespace {

using testing::BundledStanzas;
using testing::MakeMatcher;

// "stanza user address" for each login in `text`, the two-line halves
// paired as the daemon pairs them.
std::multiset<std::string> Logins(const StanzaMatcher& m, const std::string& text) {
  std::string lines;
  for (absl::string_view l : absl::StrSplit(text, '\n')) {
    if (!absl::StartsWith(l, "# ")) absl::StrAppend(&lines, l, "\n");
  }
  auto r = testing::ScanText(m, lines);
  SessionPairer pairer;
  std::vector<int64_t> times(r.logins.size(), 0);
  pairer.Join(&r.logins, times);
  std::multiset<std::string> out;
  for (const Login& l : r.logins) {
    if (l.kind != LoginKind::kLogin) continue;
    out.insert(absl::StrCat(m.stanzas()[l.stanza].name, " ", l.user, " ", l.address.ToString()));
  }
  return out;
}

std::multiset<std::string> Repeat(const std::vector<std::pair<std::string, int>>& counts) {
  std::multiset<std::string> out;
  for (const auto& [login, n] : counts) {
    for (int i = 0; i < n; ++i) out.insert(login);
  }
  return out;
}

// Files not listed yield no login at all.
const std::map<std::string, std::multiset<std::string>>& Expected() {
  static const auto* kExpected = new std::map<std::string, std::multiset<std::string>>{
      // Headerless lines (cyrus.patterndb, uwimap.patterndb, courier.wazuh, one
      // uwimap.wazuh line) carry no tag, so no stanza reads them; placeholder
      // addresses (y.y.y.y, aaa.bbb.ccc.ddd) are never published; Zimbra soap/zsync,
      // vpopmail smtp/submission/webmail and nginx's login-less SMTP session are
      // not mail-fetching logins (docs/exact-servers.conf.md).
      {"courier.ossec-docs.log",
       {"courier web10_mauricio 192.168.0.100", "courier web10_mauricio 192.168.0.100",
        "courier web10_mauricio 192.168.0.100", "courier web10_mauricio 192.168.0.100"}},
      {"cyrus.greengrocer.log", {"cyrus robntest 10.202.2.160", "cyrus robntest 10.202.2.160"}},
      {"dovecot.crowdsec.log", {"dovecot test@yourdomain.net 172.17.0.1"}},
      {"dovecot.lograptor.log",
       {"dovecot admin 192.168.0.1", "dovecot dino 192.168.190.12", "dovecot root 10.0.0.2",
        "dovecot tarbosauros 192.168.19.178", "dovecot tarbosauros 192.168.19.178",
        "dovecot triceratops 192.168.41.96"}},
      {"dovecot.popbefored.log", {"dovecot tony 61.197.49.146", "dovecot tony 61.197.49.146"}},
      {"mixed.epylog.log",
       {"courier testman 127.0.0.1", "dovecot-0.99 icon 66.57.254.90",
        "uw-imap jdcecile 192.168.182.75", "uw-imap matvey 192.168.183.16",
        "uw-imap shka 192.168.169.5"}},
      {"nginx-mail.crowdsec.log",
       {"nginx-mail admin@example.com 174.233.1.144",
        "nginx-mail admin@example.com 174.233.1.144"}},
      {"popper-hms.popauth-watcher.log", {"popper-hms tbarney 192.156.252.66"}},
      {"postfix.lograptor.log", {"postfix-sasl triceratops 192.168.4.150"}},
      {"postfix.postfix_exporter.log", {"postfix-sasl user@domain 1.2.3.4"}},
      {"teapop.popauth-watcher.log", {"teapop user@domain 127.0.0.1"}},
      {"uwimap.popbefored.log", {"uw-imap tony 202.32.124.66", "uw-imap tony 61.209.254.2"}},
      {"uwimap.renoirb.log", {"uw-imap test@renoirboulanger.com 127.0.0.1"}},
      {"uwimap.wazuh.log",  // 347 logins
       Repeat({
           {"uw-imap acp 200.255.5.8", 14},           {"uw-imap andreiaps 200.255.5.8", 9},
           {"uw-imap auditar 200.255.5.8", 4},        {"uw-imap auditarconsultoria 200.255.5.8", 2},
           {"uw-imap bedan 200.255.5.8", 2},          {"uw-imap bgr 200.255.5.8", 2},
           {"uw-imap blowsky 200.255.5.8", 6},        {"uw-imap carolduarte 200.255.5.8", 2},
           {"uw-imap ceopenedo4 200.255.5.8", 4},     {"uw-imap claudiadessimoni 200.255.5.8", 10},
           {"uw-imap cooperarh 200.255.5.8", 4},      {"uw-imap diegoperes 200.255.5.8", 6},
           {"uw-imap diretori 200.255.5.8", 6},       {"uw-imap dsf 200.255.5.8", 8},
           {"uw-imap estudio 200.255.5.8", 6},        {"uw-imap fonterra 200.255.5.8", 2},
           {"uw-imap hype 200.255.5.8", 6},           {"uw-imap joao 200.255.5.8", 4},
           {"uw-imap jurac_lo 200.255.5.8", 2},       {"uw-imap lamafia 200.255.5.8", 4},
           {"uw-imap lenita 200.255.5.8", 23},        {"uw-imap leobarroso 200.255.5.8", 2},
           {"uw-imap lhalpern 200.255.5.8", 12},      {"uw-imap martti 200.255.5.8", 6},
           {"uw-imap nicolau 200.255.5.8", 4},        {"uw-imap niguna 200.255.5.8", 4},
           {"uw-imap noka 200.255.5.8", 6},           {"uw-imap paulomartins 200.255.5.8", 12},
           {"uw-imap pessoal 200.255.5.8", 31},       {"uw-imap raphaelv 200.255.5.8", 7},
           {"uw-imap resenet 200.255.5.8", 23},       {"uw-imap rfonseca 200.255.5.8", 8},
           {"uw-imap rgmuller 200.255.5.8", 11},      {"uw-imap rhsc 200.255.5.8", 7},
           {"uw-imap robertoferraz 200.255.5.8", 14}, {"uw-imap sergiogrl 200.255.5.8", 15},
           {"uw-imap sesan 200.255.5.8", 14},         {"uw-imap sil 200.255.5.8", 4},
           {"uw-imap solaris 200.255.5.8", 11},       {"uw-imap terabyte 200.255.5.8", 4},
           {"uw-imap tetedias 200.255.5.8", 3},       {"uw-imap tiago 200.255.5.8", 8},
           {"uw-imap tupa8 200.255.5.8", 2},          {"uw-imap valseved 200.255.5.8", 3},
           {"uw-imap wald-meister 200.255.5.8", 2},   {"uw-imap wrs 200.255.5.8", 8},
       })},
      {"vm-pop3d.renoirb.log", {"vm-pop3d test@renoirboulanger.com 69.159.235.26"}},
      {"vpopmail.ossec-docs.log",
       {"vpopmail user@my_domain 1.2.3.4", "vpopmail user@my_domain 1.2.3.4",
        "vpopmail user@my_domain 1.2.3.4"}},
      {"zimbra.misc.log",
       {"zimbra jbarrera@example.com 200.111.128.196", "zimbra terriw@dizi.dc 68.98.153.60",
        "zimbra terriw@dizi.dc 68.98.153.60"}},
  };
  return *kExpected;
}

TEST(ShippedStanzas, EachCorpusFileYieldsExactlyItsSuccesses) {
  auto m = MakeMatcher(BundledStanzas(/*with_opt_in=*/true));
  ASSERT_TRUE(m);
  DIR* dir = ::opendir(EXACT_CORPUS_DIR);
  ASSERT_NE(dir, nullptr);
  int files = 0;
  while (struct dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (!absl::EndsWith(name, ".log")) continue;
    ++files;
    absl::StatusOr<std::string> text =
        base::ReadFileToString(std::string(EXACT_CORPUS_DIR) + "/" + name);
    ASSERT_TRUE(text.ok());
    auto it = Expected().find(name);
    const std::multiset<std::string> want =
        it == Expected().end() ? std::multiset<std::string>{} : it->second;
    const std::multiset<std::string> got = Logins(*m, *text);
    EXPECT_EQ(got, want) << name << ":\n  \"" << absl::StrJoin(got, "\",\n  \"") << "\"";
  }
  ::closedir(dir);
  EXPECT_EQ(files, 49);
}

}  // namespace
}  // namespace exact::match
