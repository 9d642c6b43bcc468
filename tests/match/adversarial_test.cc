// The header layer under every form, and the adversarial suite: text an
// attacker controls (user names, mail senders, other programs' messages)
// never authorises an address it chose.
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "src/match/session_pairer.h"
#include "tests/match/matcher_fixture.h"

namespace exact::match {
namespace {

using testing::BundledStanzas;
using testing::MakeMatcher;
using testing::ScanText;

constexpr int64_t kStampUs = 1'793'613'600'000'000;  // 2026-11-02T10:00:00Z.
constexpr int64_t kNowUs = kStampUs + 3'600'000'000;

const StanzaMatcher& Shipped() {
  static const StanzaMatcher* m = MakeMatcher(BundledStanzas(/*with_opt_in=*/true)).release();
  return *m;
}

// The same Dovecot success behind each header form: same user, address and
// time (read in UTC) from each.
TEST(HeaderForms, OneSuccessLineBehindEveryHeaderGivesTheSameLogin) {
  const std::string msg =
      "imap-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.10, lip=192.0.2.1, mpid=7, "
      "TLS, session=<abc>";
  const std::string own = absl::StrReplaceAll(msg, {{"Login: ", "Info: Login: "}});
  const std::vector<std::string> lines = {
      "Nov  2 10:00:00 mail dovecot: " + msg,                        // BSD, padded day
      "Nov 2 10:00:00 mail dovecot: " + msg,                         // unpadded day
      "Nov 02 10:00:00 mail dovecot: " + msg,                        // zero-padded day
      "Nov  2 10:00:00 mail dovecot[123]: " + msg,                   // with pid
      "<22>Nov  2 10:00:00 mail dovecot: " + msg,                    // raw <PRI>
      "Nov  2 10:00:00 relay/mail dovecot: " + msg,                  // syslog-ng host/host
      "Nov  2 10:00:00 src@mail dovecot: " + msg,                    // syslog-ng src@host
      "Nov  2 10:00:00 mail dovecot: [ID 583609 mail.info] " + msg,  // Solaris
      "2026-11-02T10:00:00+00:00 mail dovecot: " + msg,              // RFC 3339
      "2026-11-02T10:00:00.000000Z mail dovecot[1]: " + msg,         // RFC 3339, µs
      "<22>1 2026-11-02T10:00:00Z mail dovecot 123 - - " + msg,      // RFC 5424
      "<22>1 2026-11-02T10:00:00Z mail dovecot - ID1 [origin ip=\"192.0.2.1\"] " + msg,
      "2026-11-02T10:00:00+0000 mail dovecot[123]: " + msg,              // journalctl short-iso
      "Nov 02 10:00:00.000000 mail dovecot[123]: " + msg,                // short-precise
      "Mon 2026-11-02 10:00:00 UTC mail dovecot[123]: " + msg,           // short-full
      "1793613600.000000 mail dovecot[123]: " + msg,                     // short-unix
      "@400000006ae85f4500000000 " + own,                                // TAI64N (multilog)
      "Nov 02 10:00:00 " + own,                                          // Dovecot log_path
      "2026-11-02 10:00:00 " + own,                                      // log_path, ISO stamp
      "Nov  2 10:00:00 mail dovecot: 2026-11-02 10:00:00 Info: " + msg,  // 1.x own log via syslog
  };
  const HeaderParser parser(absl::UTCTimeZone());
  for (const std::string& line : lines) {
    auto r = ScanText(Shipped(), line);
    ASSERT_EQ(r.logins.size(), 1u) << line;
    EXPECT_EQ(r.logins[0].user, "alice") << line;
    EXPECT_EQ(r.logins[0].address.ToString(), "192.0.2.10") << line;
    LogHeader h;
    ASSERT_TRUE(parser.Parse(line, kNowUs, &h)) << line;
    EXPECT_TRUE(h.has_time) << line;
    EXPECT_EQ(h.time_us, kStampUs) << line;
  }
}

// The own-log forms of servers that do not use syslog.
TEST(HeaderForms, NginxAndZimbraOwnLogsAreRead) {
  auto r = ScanText(Shipped(),
                    "2022/04/05 13:25:31 [info] 8#8: *24790 client logged in, client: "
                    "192.0.2.44, server: 0.0.0.0:993, login: \"bob\", upstream: 10.0.0.9:143\n"
                    "2015-03-26 21:51:36,505 INFO  [Pop3Server-13] [ip=10.0.0.3;oip=192.0.2.45;] "
                    "security - cmd=Auth; account=carol@example.com; protocol=pop3;\n"
                    "2015-03-26 21:51:37,505 INFO  [Pop3Server-14] [ip=10.0.0.3;oip=192.0.2.46;] "
                    "security - cmd=Auth; account=eve@example.com; protocol=pop3; error=bad\n");
  ASSERT_EQ(r.logins.size(), 2u);
  EXPECT_EQ(r.logins[0].address.ToString(), "192.0.2.44");
  EXPECT_EQ(r.logins[0].user, "bob");
  EXPECT_EQ(r.logins[1].address.ToString(), "192.0.2.45");  // oip=, not the proxy's ip=.
  EXPECT_EQ(r.logins[1].user, "carol@example.com");
}

// Success lines of every shipped server, USER where the client's name goes,
// with the real client 192.0.2.77.
const std::vector<std::string>& SuccessTemplates() {
  static const auto* t = new std::vector<std::string>{
      "Nov  2 10:00:00 mx dovecot: imap-login: Login: user=<USER>, method=PLAIN, "
      "rip=192.0.2.77, lip=192.0.2.1, mpid=1, TLS, session=<s>",
      "Nov  2 10:00:00 mx dovecot: pop3-login: Logged in: user=<USER>, method=PLAIN, "
      "rip=192.0.2.77, lip=192.0.2.1, mpid=1, session=<s>",
      "Nov  2 10:00:00 mx dovecot: imap-login: proxy(USER): started proxying to 10.0.0.2:143: "
      "user=<USER>, method=PLAIN, rip=192.0.2.77, lip=192.0.2.1, secured, session=<GKEBFAwQ>",
      "Nov  2 10:00:00 mx dovecot: pop3-login: proxy(USER): started proxying to 10.0.0.2:110/bob "
      "(master m): user=<USER>, method=PLAIN, rip=192.0.2.77, lip=192.0.2.1",
      "Nov  2 10:00:00 mx imap-login: Login: USER [192.0.2.77]",
      "Nov  2 10:00:00 mx imapd[1]: Login user=USER host=h.example [192.0.2.77]",
      "Nov  2 10:00:00 mx ipop3d[1]: Login user=USER host=h.example [192.0.2.77] nmsgs=0/0",
      "Nov  2 10:00:00 mx pop3d: LOGIN, user=USER, ip=[::ffff:192.0.2.77], port=[1]",
      "Nov  2 10:00:00 mx cyrus/imap[1]: login: h.example [192.0.2.77] USER plaintext User "
      "logged in SESSIONID=<s>",
      "Nov  2 10:00:00 mx perdition[1]: Auth: 192.0.2.77->192.0.2.1 user=\"USER\" "
      "server=\"imap\" port=\"143\" status=\"ok\"",
      "Nov  2 10:00:00 mx in.qpopper[1]: (v4.0.9) POP login by user \"USER\" at (h.example) "
      "192.0.2.77 [pop_log.c:244]",
      "Nov  2 10:00:00 mx popper: (USER,192.0.2.77) Authenticated.",
      "Nov  2 10:00:00 mx teapop[1]: Successful login for USER [192.0.2.1] from h.example "
      "[192.0.2.77]",
      "Nov  2 10:00:00 mx cucipop[1]: USER 192.0.2.77 0, 0 (0), 0 (0)",
      "Nov  2 10:00:00 mx vpopmail[1]: vchkpw-pop3: (PLAIN) login success USER:192.0.2.77",
      "Nov  2 10:00:00 mx vm-pop3d[1]: User 'USER' logged in from 192.0.2.77, nmsgs=3",
      "2022/04/05 13:25:31 [info] 8#8: *1 client logged in, client: 192.0.2.77, server: "
      "0.0.0.0:993, login: \"USER\", upstream: 10.0.0.9:143",
      "2015-03-26 21:51:36,505 INFO  [ImapServer-1] [ip=192.0.2.77;] security - cmd=Auth; "
      "account=USER; protocol=imap;",
      "Nov  2 10:00:00 mx postfix/smtpd[1]: ABC123: client=h.example[192.0.2.77], "
      "sasl_method=PLAIN, sasl_username=USER",
  };
  return *t;
}

// What an attacker puts in a user name: each server's own delimiters with
// the injected address, and whole fake login lines.
const std::vector<std::string>& Payloads() {
  static const auto* p = new std::vector<std::string>{
      "x>, method=PLAIN, rip=6.6.6.6, lip=",
      "x>, method=PLAIN, rip=6.6.6.6, lip=1.1.1.1",
      "x>, method=PLAIN, rip=6.6.6.6, lip=1.1.1.1, session=<",
      "x, ip=[6.6.6.6]",
      "x, ip=[6.6.6.6], port=[1]",
      "x\" at (h) 6.6.6.6",
      "x\" at (h) 6.6.6.6 [pop_log.c:1]",
      "x host=h [6.6.6.6]",
      "x [6.6.6.6]",
      "x] [6.6.6.6",
      "x [1.1.1.1] from h [6.6.6.6]",
      "x rip=6.6.6.6",
      "[6.6.6.6]",
      "x,6.6.6.6) Authenticated.",
      "x:6.6.6.6",
      "x' logged in from 6.6.6.6, nmsgs=1",
      "x\", upstream: 6.6.6.6",
      "x;] [ip=6.6.6.6;",
      "x 6.6.6.6 0, 0 (0), 0 (0)",
      "imap-login: Login: user=<a>, method=PLAIN, rip=6.6.6.6, lip=1.1.1.1",
      "Nov  2 10:00:00 mx imapd[1]: Login user=a host=h [6.6.6.6]",
      "x\nNov  2 10:00:00 mx imapd[1]: Login user=a host=h [6.6.6.6]",
  };
  return *p;
}

TEST(Adversarial, InjectedUserNamesInSuccessesNeverPublishTheInjectedAddress) {
  int real = 0;
  for (const std::string& tmpl : SuccessTemplates()) {
    // The template itself is a login for the real client.
    auto plain = ScanText(Shipped(), absl::StrReplaceAll(tmpl, {{"USER", "alice"}}));
    ASSERT_EQ(plain.logins.size(), 1u) << tmpl;
    EXPECT_EQ(plain.logins[0].address.ToString(), "192.0.2.77") << tmpl;
    for (const std::string& payload : Payloads()) {
      // A newline in a user name cannot reach a log as one (syslog escapes
      // it); if it did, the second line is another program's (imapd's) line.
      if (payload.find('\n') != std::string::npos) continue;
      const std::string line = absl::StrReplaceAll(tmpl, {{"USER", payload}});
      auto r = ScanText(Shipped(), line);
      for (const Login& l : r.logins) {
        EXPECT_EQ(l.address.ToString(), "192.0.2.77") << line;
        ++real;
      }
    }
  }
  EXPECT_GT(real, 0);  // Some servers do take such names, with the real address.
}

// Failure lines of every server: whatever the user name, nothing.
const std::vector<std::string>& FailureTemplates() {
  static const auto* t = new std::vector<std::string>{
      "Nov  2 10:00:00 mx dovecot: pop3-login: Disconnected (auth failed, 1 attempts in 2 "
      "secs): user=<USER>, method=PLAIN, rip=192.0.2.99, lip=192.0.2.1, session=<s>",
      "Nov  2 10:00:00 mx dovecot: imap-login: Login aborted: Logged out (auth failed, 1 "
      "attempts): user=<USER>, method=PLAIN, rip=192.0.2.99, lip=192.0.2.1",
      "Nov  2 10:00:00 mx dovecot: imap-login: Maximum number of connections from user+IP "
      "exceeded (mail_max_userip_connections=10): user=<USER>, method=PLAIN, rip=192.0.2.99, "
      "lip=192.0.2.1",
      "Nov  2 10:00:00 mx imapd[1]: Login failed user=USER auth=USER host=h [192.0.2.99]",
      "Nov  2 10:00:00 mx imapd[1]: Login disabled user=USER auth=USER host=h [192.0.2.99]",
      "Nov  2 10:00:00 mx pop3d: LOGIN FAILED, user=USER, ip=[::ffff:192.0.2.99]",
      "Nov  2 10:00:00 mx cyrus/imap[1]: badlogin: h [192.0.2.99] plaintext USER SASL(-13): "
      "authentication failure",
      "Nov  2 10:00:00 mx perdition[1]: Auth: 192.0.2.99->192.0.2.1 user=\"USER\" server=\"s\" "
      "port=\"143\" status=\"failed: Re-Authentication Failure\"",
      "Nov  2 10:00:00 mx popper[1]: [AUTH] Failed attempted login to USER from host "
      "(h) 192.0.2.99",
      "Nov  2 10:00:00 mx teapop[1]: Failed login for USER [192.0.2.1] from h [192.0.2.99]",
      "Nov  2 10:00:00 mx vpopmail[1]: vchkpw-pop3: password fail USER:192.0.2.99",
      "Nov  2 10:00:00 mx vm-pop3d[1]: User 'USER' - failed auth, from=192.0.2.99",
      "Nov  2 10:00:00 mx popa3d[1]: Authentication failed for USER",
      "Nov  2 10:00:00 mx solid-pop3d[1]: authentication failed for user USER - 192.0.2.99",
      "2022/04/05 13:25:31 [info] 8#8: *1 client login failed: \"Authentication credentials "
      "invalid\" while in http auth state, client: 192.0.2.99, server: 0.0.0.0:993, login: "
      "\"USER\"",
      "2015-03-26 21:51:36,505 INFO  [ImapServer-1] [ip=192.0.2.99;] security - cmd=Auth; "
      "account=USER; protocol=imap; error=authentication failed for [USER], invalid password;",
      "Nov  2 10:00:00 mx postfix/smtpd[1]: warning: unknown[192.0.2.99]: SASL LOGIN "
      "authentication failed: UGFzc3dvcmQ6, sasl_username=USER",
      "Nov  2 10:00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.99]: 554 "
      "5.7.1 Relay access denied; from=<USER> to=<a@example.net> proto=ESMTP helo=<h>",
      "Nov  2 10:00:00 mx postfix/cleanup[1]: ABC: message-id=<USER>",
      "Nov  2 10:00:00 mx sshd[1]: Invalid user USER from 192.0.2.99 port 22",
  };
  return *t;
}

TEST(Adversarial, FailureLinesYieldNothingWhateverTheUserName) {
  for (const std::string& tmpl : FailureTemplates()) {
    for (const std::string& payload : Payloads()) {
      if (payload.find('\n') != std::string::npos) continue;  // As above.
      const std::string line = absl::StrReplaceAll(tmpl, {{"USER", payload}});
      auto r = ScanText(Shipped(), line);
      EXPECT_TRUE(r.logins.empty()) << line;
    }
  }
}

// A property test: random user names, drawn from the bytes every format
// uses as a delimiter, in every server's failure lines.
TEST(Adversarial, RandomUserNamesInFailureTemplatesNeverAuthorise) {
  std::mt19937 rng(11);  // Fixed seed: a failure is reproducible.
  const std::string alphabet = "ab6.:[]<>(),;=\"' @/-x*rip=lip=ip=oip=LOGIN Login:user=";
  const std::vector<std::string> fragments = {
      "rip=6.6.6.6",     "ip=[6.6.6.6]", "[6.6.6.6]",         "6.6.6.6",
      ", lip=1.1.1.1",   "\" at (h) ",   ">, method=PLAIN, ", "status=\"ok\"",
      " User logged in", ", nmsgs=1",    "oip=6.6.6.6;"};
  int lines = 0;
  for (int round = 0; round < 300; ++round) {
    std::string user;
    const int parts = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < parts; ++i) {
      if (rng() % 2) {
        user += fragments[rng() % fragments.size()];
      } else {
        for (int j = static_cast<int>(rng() % 5); j >= 0; --j)
          user += alphabet[rng() % alphabet.size()];
      }
    }
    for (const std::string& tmpl : FailureTemplates()) {
      const std::string line = absl::StrReplaceAll(tmpl, {{"USER", user}});
      auto r = ScanText(Shipped(), line);
      ++lines;
      EXPECT_TRUE(r.logins.empty()) << line;
    }
    for (const std::string& tmpl : SuccessTemplates()) {
      const std::string line = absl::StrReplaceAll(tmpl, {{"USER", user}});
      auto r = ScanText(Shipped(), line);
      for (const Login& l : r.logins) EXPECT_EQ(l.address.ToString(), "192.0.2.77") << line;
    }
  }
  EXPECT_EQ(lines, 300 * static_cast<int>(FailureTemplates().size()));
}

// SMTP senders and recipients are text the attacker writes into Postfix's
// lines: CVE-2001-1075's fake Qpopper login, and others' success text.
TEST(Adversarial, SmtpSendersAndRecipientsNeverPoseAsLogins) {
  for (const std::string& payload : Payloads()) {
    for (const std::string& tmpl : {
             std::string("Nov  2 10:00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from "
                         "x[192.0.2.99]: 554 5.7.1 Relay access denied; from=<\"POP login by "
                         "user \"admin\" at (h) 6.6.6.6\"@example.org> to=<PAYLOAD> proto=ESMTP"),
             std::string("Nov  2 10:00:00 mx postfix/qmgr[1]: ABC: from=<PAYLOAD>, size=1, "
                         "nrcpt=1 (queue active)"),
             std::string("Nov  2 10:00:00 mx postfix/smtp[1]: ABC: to=<PAYLOAD>, relay=none"),
         }) {
      const std::string line = absl::StrReplaceAll(tmpl, {{"PAYLOAD", payload}});
      EXPECT_TRUE(ScanText(Shipped(), line).logins.empty()) << line;
    }
  }
}

// Success text, verbatim, under a program tag that is not the server's.
TEST(Adversarial, SuccessTextUnderAnotherProgramsTagIsCountedNotGranted) {
  int untrusted = 0;
  for (const std::string& tmpl : SuccessTemplates()) {
    const size_t colon = tmpl.find(": ", 16);
    if (tmpl[0] != 'N' || colon == std::string::npos) continue;  // Syslog lines only.
    const std::string message = tmpl.substr(colon + 2);
    for (const char* tag : {"sshd[1]", "postfix/cleanup[1]", "logger", "su"}) {
      const std::string line = absl::StrCat("Nov  2 10:00:00 mx ", tag, ": ",
                                            absl::StrReplaceAll(message, {{"USER", "mallory"}}));
      auto r = ScanText(Shipped(), line);
      EXPECT_TRUE(r.logins.empty()) << line;
      untrusted += static_cast<int>(r.counts.untrusted);
    }
  }
  EXPECT_GT(untrusted, 40);
}

// popa3d: the address line and the success line, tied by host, tag and pid.
std::vector<Login> Paired(const std::string& text, SessionPairer* pairer,
                          std::vector<int64_t> times = {}) {
  auto r = ScanText(Shipped(), text);
  times.resize(r.logins.size(), 0);
  pairer->Join(&r.logins, times);
  std::vector<Login> out;
  for (Login& l : r.logins) {
    if (l.kind == LoginKind::kLogin) out.push_back(std::move(l));
  }
  return out;
}

TEST(SessionPairer, TheSuccessLineTakesTheAddressOfItsOwnPid) {
  SessionPairer pairer;
  auto logins = Paired(
      "Dec  1 11:59:04 mail popa3d[1234]: Session from 192.0.2.5\n"
      "Dec  1 11:59:04 mail popa3d[1235]: Session from 192.0.2.6\n"
      "Dec  1 11:59:05 mail popa3d[1235]: Authentication passed for bob\n"
      "Dec  1 11:59:05 mail popa3d[1234]: Authentication passed for alice\n",
      &pairer);
  ASSERT_EQ(logins.size(), 2u);
  EXPECT_EQ(logins[0].user, "bob");
  EXPECT_EQ(logins[0].address.ToString(), "192.0.2.6");
  EXPECT_EQ(logins[1].user, "alice");
  EXPECT_EQ(logins[1].address.ToString(), "192.0.2.5");
  EXPECT_EQ(pairer.open(), 0u);
}

TEST(SessionPairer, APidReusedByAFailedLoginInheritsNothing) {
  SessionPairer pairer;
  // One address line grants one login; a reused pid whose session line is
  // bad (or whose login fails) does not get the earlier address.
  auto logins = Paired(
      "Dec  1 11:59:04 mail popa3d[7]: Session from 192.0.2.5\n"
      "Dec  1 11:59:05 mail popa3d[7]: Authentication passed for alice\n"
      "Dec  1 12:00:00 mail popa3d[7]: Authentication passed for mallory\n"
      "Dec  1 12:01:00 mail popa3d[8]: Session from 192.0.2.9\n"
      "Dec  1 12:01:01 mail popa3d[8]: Authentication failed for eve\n"
      "Dec  1 12:02:00 mail popa3d[8]: Session from aaa.bbb.ccc.ddd\n"
      "Dec  1 12:02:01 mail popa3d[8]: Authentication passed for trudy\n"
      "Dec  1 12:02:02 other popa3d[7]: Authentication passed for oscar\n",
      &pairer);
  ASSERT_EQ(logins.size(), 1u);
  EXPECT_EQ(logins[0].user, "alice");
}

TEST(SessionPairer, OutsideTheWindowNothingPairs) {
  SessionPairer pairer(/*max_open=*/16, /*window_us=*/60'000'000);
  auto logins = Paired(
      "Dec  1 11:59:04 mail popa3d[7]: Session from 192.0.2.5\n"
      "Dec  1 12:09:04 mail popa3d[7]: Authentication passed for alice\n",
      &pairer, {0, 600'000'000});
  EXPECT_TRUE(logins.empty());
}

TEST(SessionPairer, MemoryIsBoundedAndTheOldestIsForgotten) {
  SessionPairer pairer(/*max_open=*/4);
  std::string text;
  for (int pid = 1; pid <= 100; ++pid) {
    absl::StrAppend(&text, "Dec  1 11:59:04 mail popa3d[", pid, "]: Session from 192.0.2.", pid,
                    "\n");
  }
  absl::StrAppend(&text, "Dec  1 11:59:05 mail popa3d[1]: Authentication passed for old\n",
                  "Dec  1 11:59:05 mail popa3d[100]: Authentication passed for new\n");
  auto logins = Paired(text, &pairer);
  ASSERT_EQ(logins.size(), 1u);
  EXPECT_EQ(logins[0].user, "new");
  EXPECT_EQ(logins[0].address.ToString(), "192.0.2.100");
  EXPECT_LE(pairer.open(), 4u);
}

// The hot stanzas stay on the FastExtractor (no RE2): scan speed.
TEST(ShippedSpeed, EveryOneLineStanzaIsReadByTheFastExtractor) {
  for (const std::string& tmpl : SuccessTemplates()) {
    const std::string line = absl::StrReplaceAll(tmpl, {{"USER", "alice"}});
    auto r = ScanText(Shipped(), line);
    ASSERT_EQ(r.logins.size(), 1u) << line;
    EXPECT_EQ(r.counts.fast_extractions, 1u) << Shipped().stanzas()[r.logins[0].stanza].name;
  }
}

}  // namespace
}  // namespace exact::match
