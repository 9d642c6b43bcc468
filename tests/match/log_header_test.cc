// The log header parser, form by form, against golden values: times were
// computed independently (Python's zoneinfo over the same tzdata), lines are
// from /work/shared/corpus where the form occurs there.
#include "src/match/log_header.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace exact::match {
namespace {

constexpr int64_t kSecond = 1'000'000;
// 2026-12-01T00:00:00Z: the reading time for stamps without a year.
constexpr int64_t kNow = 1'796'083'200 * kSecond;

absl::TimeZone Zone(const char* name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name << " (is tzdata installed?)";
  return zone;
}

struct Want {
  HeaderForm form;
  int64_t time_us;
  int32_t precision_us;
  bool zone_given;
  int priority;
  const char* host;
  const char* tag;
  const char* pid;
  const char* message;
};

void ExpectHeader(const HeaderParser& parser, absl::string_view line, const Want& want,
                  int64_t now_us = kNow) {
  SCOPED_TRACE(std::string(line));
  LogHeader h;
  EXPECT_EQ(parser.Parse(line, now_us, &h), want.form != HeaderForm::kNone);
  EXPECT_EQ(HeaderFormName(h.form), HeaderFormName(want.form));
  EXPECT_TRUE(h.has_time);
  EXPECT_EQ(h.time_us, want.time_us);
  EXPECT_EQ(h.precision_us, want.precision_us);
  EXPECT_EQ(h.zone_given, want.zone_given);
  EXPECT_EQ(h.priority, want.priority);
  EXPECT_EQ(h.host, want.host);
  EXPECT_EQ(h.tag, want.tag);
  EXPECT_EQ(h.pid, want.pid);
  EXPECT_EQ(h.message, want.message);
}

const HeaderParser& Utc() {
  static const HeaderParser* parser = new HeaderParser(absl::UTCTimeZone());
  return *parser;
}

TEST(LogHeader, BsdForms) {
  const HeaderParser& p = Utc();
  // Space-padded day (mixed.epylog.log).
  ExpectHeader(
      p,
      "Apr  6 12:00:00 hagrid imapd[16091]: Authenticated user=jdcecile "
      "host=login2.dept.school.edu [192.168.182.75]",
      {HeaderForm::kBsd, 1'775'476'800 * kSecond, kSecond, false, -1, "hagrid", "imapd", "16091",
       "Authenticated user=jdcecile host=login2.dept.school.edu [192.168.182.75]"});
  // Unpadded day, '/' in the tag (cyrus.fail2ban.log).
  ExpectHeader(p,
               "Jan 4 21:51:05 hostname cyrus/imap[5355]: badlogin: localhost.localdomain "
               "[127.0.0.1] plaintext cyrus@localdomain SASL(-13): authentication failure: "
               "checkpass failed",
               {HeaderForm::kBsd, 1'767'563'465 * kSecond, kSecond, false, -1, "hostname",
                "cyrus/imap", "5355",
                "badlogin: localhost.localdomain [127.0.0.1] plaintext cyrus@localdomain "
                "SASL(-13): authentication failure: checkpass failed"});
  // Zero-padded day.
  ExpectHeader(p, "Nov 02 09:00:02 mx postfix/smtpd[4971]: connect from a.example[192.0.2.1]",
               {HeaderForm::kBsd, 1'793'610'002 * kSecond, kSecond, false, -1, "mx",
                "postfix/smtpd", "4971", "connect from a.example[192.0.2.1]"});
  // A tag without a pid (dovecot.ossec-docs.log).
  ExpectHeader(
      p,
      "Oct 18 14:23:37 host dovecot: imap-login: Login: user=<uuuuu>, method=PLAIN, "
      "rip=y.y.y.y, lip=x.x.x.x, TLS",
      {HeaderForm::kBsd, 1'792'333'417 * kSecond, kSecond, false, -1, "host", "dovecot", "",
       "imap-login: Login: user=<uuuuu>, method=PLAIN, rip=y.y.y.y, lip=x.x.x.x, TLS"});
  // Dovecot's own stamp inside the message is left for the stanza layer.
  ExpectHeader(p, "Nov 22 09:00:02 host dovecot: 2008-10-02 23:34:07 Info: pop3-login: Login",
               {HeaderForm::kBsd, 1'795'338'002 * kSecond, kSecond, false, -1, "host", "dovecot",
                "", "2008-10-02 23:34:07 Info: pop3-login: Login"});
  // journalctl -o short-precise.
  ExpectHeader(p, "Nov 22 09:00:02.123456 mail dovecot[812]: imap-login: Login: user=<a>",
               {HeaderForm::kBsd, 1'795'338'002'123'456, 1, false, -1, "mail", "dovecot", "812",
                "imap-login: Login: user=<a>"});
  // Milliseconds.
  ExpectHeader(
      p, "Nov 22 09:00:02.123 mail imapd: x",
      {HeaderForm::kBsd, 1'795'338'002'123'000, 1'000, false, -1, "mail", "imapd", "", "x"});
  // "<PRI>" first.
  ExpectHeader(p, "<22>Nov 22 09:00:02 mx postfix/smtpd[1]: connect",
               {HeaderForm::kBsd, 1'795'338'002 * kSecond, kSecond, false, 22, "mx",
                "postfix/smtpd", "1", "connect"});
  // No tag at all: the message follows the host.
  ExpectHeader(
      p, "Nov 22 09:00:02 mx -- MARK --",
      {HeaderForm::kBsd, 1'795'338'002 * kSecond, kSecond, false, -1, "mx", "", "", "-- MARK --"});
}

TEST(LogHeader, SyslogNgChainedHostsGiveTheLastHost) {
  const HeaderParser& p = Utc();
  // Both from mixed.epylog.log.
  ExpectHeader(p,
               "Apr 11 17:11:21 mail/mail imapd[23246]: Login user=matvey "
               "host=tonatiu.dept.school.edu [192.168.183.16]",
               {HeaderForm::kBsd, 1'775'927'481 * kSecond, kSecond, false, -1, "mail", "imapd",
                "23246", "Login user=matvey host=tonatiu.dept.school.edu [192.168.183.16]"});
  ExpectHeader(p, "Sep 25 23:10:08 src@annapurna imap-login: Login: icon [66.57.254.90]",
               {HeaderForm::kBsd, 1'790'377'808 * kSecond, kSecond, false, -1, "annapurna",
                "imap-login", "", "Login: icon [66.57.254.90]"});
  ExpectHeader(p, "Sep 22 21:54:43 relay/origin perl: pam_krb5: authentication succeeds",
               {HeaderForm::kBsd, 1'790'114'083 * kSecond, kSecond, false, -1, "origin", "perl", "",
                "pam_krb5: authentication succeeds"});
}

TEST(LogHeader, SolarisMessageIdIsSkipped) {
  // The message is from dovecot.logwatch.log, the header in front is ours.
  ExpectHeader(Utc(),
               "Jan 14 10:00:00 mailhost dovecot: [ID 583609 mail.info] imap-login: Maximum "
               "number of connections from user+IP exceeded",
               {HeaderForm::kBsd, 1'768'384'800 * kSecond, kSecond, false, -1, "mailhost",
                "dovecot", "", "imap-login: Maximum number of connections from user+IP exceeded"});
}

TEST(LogHeader, BsdWithoutHostWhenFirstTokenIsATag) {
  const HeaderParser& p = Utc();
  ExpectHeader(p,
               "Nov 22 09:00:02 imap-login: Info: Login: user=<tony>, method=PLAIN, "
               "rip=61.197.49.146",
               {HeaderForm::kBsdNoHost, 1'795'338'002 * kSecond, kSecond, false, -1, "",
                "imap-login", "", "Info: Login: user=<tony>, method=PLAIN, rip=61.197.49.146"});
  ExpectHeader(p, "Nov 22 09:00:02 dovecot[77]: auth: Info: x",
               {HeaderForm::kBsdNoHost, 1'795'338'002 * kSecond, kSecond, false, -1, "", "dovecot",
                "77", "auth: Info: x"});
  // A host with colons is not taken for a tag.
  ExpectHeader(
      p, "Nov 22 09:00:02 fe80::1 imapd: x",
      {HeaderForm::kBsd, 1'795'338'002 * kSecond, kSecond, false, -1, "fe80::1", "imapd", "", "x"});
}

TEST(LogHeader, Rfc3339Forms) {
  const HeaderParser& p = Utc();
  // cyrus.greengrocer.log.
  ExpectHeader(p,
               "2015-12-22T00:05:46.534634-05:00 imap30 sloti30t15/imap[4101108]: login: "
               "frontend1.nyi.internal [10.202.2.160] robntest plaintext User logged in "
               "SESSIONID=<sloti30t15-4101108-1450760746-1-6931901653674999381>",
               {HeaderForm::kRfc3339, 1'450'760'746'534'634, 1, true, -1, "imap30",
                "sloti30t15/imap", "4101108",
                "login: frontend1.nyi.internal [10.202.2.160] robntest plaintext User logged in "
                "SESSIONID=<sloti30t15-4101108-1450760746-1-6931901653674999381>"});
  // dovecot.popbefored.log.
  ExpectHeader(p,
               "2024-10-22T20:00:01.276189+09:00 exp1 dovecot: pop3-login: Login: user=<tony>, "
               "method=PLAIN, rip=61.197.49.146, lip=172.17.0.131, mpid=3147, TLS, "
               "session=<3EQSIZLnDsM9xTGS>",
               {HeaderForm::kRfc3339, 1'729'594'801'276'189, 1, true, -1, "exp1", "dovecot", "",
                "pop3-login: Login: user=<tony>, method=PLAIN, rip=61.197.49.146, "
                "lip=172.17.0.131, mpid=3147, TLS, session=<3EQSIZLnDsM9xTGS>"});
  ExpectHeader(
      p, "2026-11-22T09:00:02Z mx imapd[3]: m",
      {HeaderForm::kRfc3339, 1'795'338'002 * kSecond, kSecond, true, -1, "mx", "imapd", "3", "m"});
  // journalctl -o short-iso.
  ExpectHeader(
      p, "2026-11-22T09:00:02+0100 mx imapd[3]: m",
      {HeaderForm::kRfc3339, 1'795'334'402 * kSecond, kSecond, true, -1, "mx", "imapd", "3", "m"});
  ExpectHeader(p, "2026-11-22 09:00:02.123456+01:00 mx imapd[3]: m",
               {HeaderForm::kRfc3339, 1'795'334'402'123'456, 1, true, -1, "mx", "imapd", "3", "m"});
  ExpectHeader(
      p, "2026-11-22T09:00:02-03:30 mx imapd: m",
      {HeaderForm::kRfc3339, 1'795'350'602 * kSecond, kSecond, true, -1, "mx", "imapd", "", "m"});
  ExpectHeader(
      p, "<13>2026-11-22T09:00:02+14:00 mx imapd: m",
      {HeaderForm::kRfc3339, 1'795'287'602 * kSecond, kSecond, true, 13, "mx", "imapd", "", "m"});
  // Without a zone: the parser's zone.
  ExpectHeader(
      HeaderParser(Zone("Europe/Berlin")), "2026-11-22T09:00:02 mx imapd: m",
      {HeaderForm::kRfc3339, 1'795'334'402 * kSecond, kSecond, false, -1, "mx", "imapd", "", "m"});
}

TEST(LogHeader, IsoWithoutHost) {
  // dovecot.sshguard.log.
  ExpectHeader(
      Utc(),
      "2019-10-15 08:08:52 imap-login: Info: Disconnected (auth failed, 1 attempts in "
      "2 secs): user=<test>, method=PLAIN, rip=172.21.0.1, lip=172.21.0.3, TLS, "
      "session=<1MyTfu0USIqsFQAB>",
      {HeaderForm::kIsoNoHost, 1'571'126'932 * kSecond, kSecond, false, -1, "", "imap-login", "",
       "Info: Disconnected (auth failed, 1 attempts in 2 secs): user=<test>, "
       "method=PLAIN, rip=172.21.0.1, lip=172.21.0.3, TLS, session=<1MyTfu0USIqsFQAB>"});
}

TEST(LogHeader, Rfc5424) {
  const HeaderParser& p = Utc();
  // syslog-rfc5424.lograptor.log: SD is "-", so the bracket is the message's.
  ExpectHeader(p,
               "<165>1 2003-10-11T22:14:15.003Z frodo.example.com postfix - ID47 - "
               "[exampleSDID@17660 iut=\"3\"] - BOM Une entr\xC3\xA9",
               {HeaderForm::kRfc5424, 1'065'910'455'003'000, 1'000, true, 165, "frodo.example.com",
                "postfix", "", "[exampleSDID@17660 iut=\"3\"] - BOM Une entr\xC3\xA9"});
  // Structured data with escapes is skipped, a real BOM is dropped.
  ExpectHeader(p,
               "<22>1 2026-11-02T10:00:00Z mx dovecot 4711 - [a@1 x=\"q\\\"]\"][b y=\"\"] "
               "\xEF\xBB\xBFimap-login: Login",
               {HeaderForm::kRfc5424, 1'793'613'600 * kSecond, kSecond, true, 22, "mx", "dovecot",
                "4711", "imap-login: Login"});
  // Nil values; no MSG.
  LogHeader h;
  ASSERT_TRUE(p.Parse("<0>1 - - - - - -", kNow, &h));
  EXPECT_EQ(h.form, HeaderForm::kRfc5424);
  EXPECT_FALSE(h.has_time);
  EXPECT_EQ(h.precision_us, 0);
  EXPECT_EQ(h.priority, 0);
  EXPECT_EQ(h.host, "");
  EXPECT_EQ(h.tag, "");
  EXPECT_EQ(h.pid, "");
  EXPECT_EQ(h.message, "");
  // Unterminated structured data is not a header.
  EXPECT_FALSE(p.Parse("<22>1 2026-11-02T10:00:00Z mx app - - [a x=\"]\"", kNow, &h));
}

TEST(LogHeader, JournalFull) {
  const HeaderParser p(Zone("Europe/Berlin"));
  ExpectHeader(p, "Sun 2026-11-22 09:00:02 CET mail dovecot[812]: imap-login: Login: user=<a>",
               {HeaderForm::kJournalFull, 1'795'334'402 * kSecond, kSecond, false, -1, "mail",
                "dovecot", "812", "imap-login: Login: user=<a>"});
  ExpectHeader(p, "Sun 2026-11-22 09:00:02 UTC mail dovecot[812]: m",
               {HeaderForm::kJournalFull, 1'795'338'002 * kSecond, kSecond, true, -1, "mail",
                "dovecot", "812", "m"});
  ExpectHeader(p, "Sun 2026-11-22 09:00:02 +01 mail dovecot[812]: m",
               {HeaderForm::kJournalFull, 1'795'334'402 * kSecond, kSecond, true, -1, "mail",
                "dovecot", "812", "m"});
}

TEST(LogHeader, Unix) {
  ExpectHeader(Utc(), "1700000000.123456 mail dovecot[812]: imap-login: Login",
               {HeaderForm::kUnix, 1'700'000'000'123'456, 1, true, -1, "mail", "dovecot", "812",
                "imap-login: Login"});
  LogHeader h;
  EXPECT_FALSE(Utc().Parse("3.14159 is pi", kNow, &h));         // Too few digits to be a stamp.
  EXPECT_FALSE(Utc().Parse("1700000000 mail x: y", kNow, &h));  // No fraction.
}

TEST(LogHeader, Tai64n) {
  // dovecot.fail2ban.log. 0x4c91b044 - 37 s; 0x077a9e94 ns.
  ExpectHeader(Utc(),
               "@400000004c91b044077a9e94 imap-login: Info: Aborted login (auth failed, 1 "
               "attempts): user=<martin@waschbuesch.de>, method=CRAM-MD5, rip=80.187.101.33",
               {HeaderForm::kTai64n, 1'284'616'223'125'476, 1, true, -1, "", "imap-login", "",
                "Info: Aborted login (auth failed, 1 attempts): user=<martin@waschbuesch.de>, "
                "method=CRAM-MD5, rip=80.187.101.33"});
  ExpectHeader(
      Utc(), "@400000004c91b044077a9e94 starting up",
      {HeaderForm::kTai64n, 1'284'616'223'125'476, 1, true, -1, "", "", "", "starting up"});
  LogHeader h;
  EXPECT_FALSE(Utc().Parse("@400000004c91b044ffffffff x", kNow, &h));  // ns >= 1e9.
  EXPECT_FALSE(Utc().Parse("@300000004c91b044077a9e94 x", kNow, &h));  // Before 1970.
  EXPECT_FALSE(Utc().Parse("@400000004c91b044077a9e9g x", kNow, &h));
}

TEST(LogHeader, Nginx) {
  // nginx-mail.crowdsec.log.
  const absl::string_view line =
      "2022/04/05 13:25:11 [info] 8#8: *24785 client logged in, client: 209.85.210.53, "
      "server: 0.0.0.0:25";
  ExpectHeader(Utc(), line,
               {HeaderForm::kNginx, 1'649'165'111 * kSecond, kSecond, false, -1, "", "", "8",
                "*24785 client logged in, client: 209.85.210.53, server: 0.0.0.0:25"});
  LogHeader h;
  Utc().Parse(line, kNow, &h);
  EXPECT_EQ(h.level, "info");
  // The access log in the same file is no error-log header.
  EXPECT_FALSE(
      Utc().Parse("174.233.1.144 - - [02/Apr/2022:17:11:53 +0200] \"GET / HTTP/1.1\"", kNow, &h));
}

TEST(LogHeader, Zimbra) {
  // zimbra.misc.log.
  const absl::string_view line =
      "2015-03-26 21:51:36,505 INFO  [Pop3Server-13] [ip=172.16.0.3;oip=200.111.128.196;] "
      "security - cmd=Auth; account=jbarrera@example.com; protocol=pop3;";
  ExpectHeader(Utc(), line,
               {HeaderForm::kZimbra, 1'427'406'696'505'000, 1'000, false, -1, "", "", "",
                "[Pop3Server-13] [ip=172.16.0.3;oip=200.111.128.196;] security - cmd=Auth; "
                "account=jbarrera@example.com; protocol=pop3;"});
  LogHeader h;
  Utc().Parse(line, kNow, &h);
  EXPECT_EQ(h.level, "INFO");
}

TEST(LogHeader, NoHeaderGivesTheWholeLine) {
  // courier.wazuh.log, dovecot.logwatch.log, kerio.fail2ban.log, and others.
  for (absl::string_view line :
       {"pop3d-ssl: LOGIN FAILED, ip=[::ffff:192.168.0.200]",
        "dovecot: [ID 583609 mail.info] imap-login: Login",
        "[17/Jun/2011 17:00:45] Attempt to deliver to unknown recipient", "", "N", "Nov", "Nov 22",
        "Nov 22 09:00", "Sun 2026-11-22 09:00:02 ", "<999>Nov 22 09:00:02 h t: m",
        "2015-03-26 21:51:36,5 INFO  x"}) {
    LogHeader h;
    h.host = "stale";
    EXPECT_FALSE(Utc().Parse(line, kNow, &h)) << line;
    EXPECT_EQ(h.form, HeaderForm::kNone) << line;
    EXPECT_FALSE(h.has_time) << line;
    EXPECT_EQ(h.priority, -1) << line;
    EXPECT_EQ(h.host, "") << line;
    EXPECT_EQ(h.tag, "") << line;
    EXPECT_EQ(h.message.data(), line.data()) << line;
    EXPECT_EQ(h.message.size(), line.size()) << line;
  }
}

TEST(LogHeader, InvalidFieldsAreNoHeader) {
  for (const char* line : {"Feb 30 10:00:00 host tag: m",
                           "Apr 31 10:00:00 host tag: m",
                           "Nov 22 25:00:00 h t: m",
                           "Nov 22 09:60:00 h t: m",
                           "Nov 22 09:00:61 h t: m",
                           "Nov 32 09:00:00 h t: m",
                           "Nov 0 09:00:00 h t: m",
                           "Xyz 22 09:00:00 host tag: m",
                           "nov 22 09:00:00 host tag: m",
                           "Nov 22 09:00:00.1234567890 h t: m",
                           "Nov 22 9:00:00 h t: m",
                           "2026-02-29T10:00:00Z h t: m",
                           "2026-13-01T10:00:00Z h t: m",
                           "2026-00-01T10:00:00Z h t: m",
                           "2026-11-22T09:00:02+14:01 h t: m",
                           "2026-11-22T09:00:02+01:60 h t: m",
                           "2026-11-22T09:00:02+1 h t: m",
                           "2026-11-22T09:00:02.Z h t: m",
                           "2026-11-22X09:00:02Z h t: m",
                           "Sun 2026-11-22 09:00:02 Europe/Berlin h t: m",
                           "2022/04/05 13:25:11 info 8#8: m",
                           "2022/04/05 13:25:11.5 [info] 8#8: m",
                           "<22>1 2026-11-02 10:00:00Z mx app - - - m"}) {
    LogHeader h;
    EXPECT_FALSE(Utc().Parse(line, kNow, &h)) << line;
    EXPECT_FALSE(h.has_time) << line;
  }
}

TEST(LogHeader, LeapSecondIsTheSecondBefore) {
  LogHeader h;
  ASSERT_TRUE(Utc().Parse("2016-12-31T23:59:60Z h t: m", kNow, &h));
  EXPECT_EQ(h.time_us, 1'483'228'799 * kSecond);
}

TEST(LogHeader, YearIsTheLatestNotAfterTomorrow) {
  const HeaderParser& p = Utc();
  LogHeader h;
  // Read just after New Year: last year's.
  ASSERT_TRUE(p.Parse("Dec 31 23:59:59 h t: m", 1'767'225'630 * kSecond, &h));
  EXPECT_EQ(h.time_us, 1'767'225'599 * kSecond);  // 2025-12-31T23:59:59Z.
  // Read with the clock 40 s behind the logger's: next year's, within the day.
  ASSERT_TRUE(p.Parse("Jan  1 00:00:10 h t: m", 1'798'761'590 * kSecond, &h));
  EXPECT_EQ(h.time_us, 1'798'761'610 * kSecond);  // 2027-01-01T00:00:10Z.
  // Feb 29 picks the latest leap year, across 2100 (not one).
  ASSERT_TRUE(p.Parse("Feb 29 12:00:00 h t: m", 1'780'272'000 * kSecond, &h));  // 2026-06-01.
  EXPECT_EQ(h.time_us, 1'709'208'000 * kSecond);                                // 2024-02-29.
  ASSERT_TRUE(p.Parse("Feb 29 12:00:00 h t: m", 4'228'588'800 * kSecond, &h));  // 2104-01-01.
  EXPECT_EQ(h.time_us, 3'981'355'200 * kSecond);                                // 2096-02-29.
}

TEST(LogHeader, YearIsInferredInTheParsersZone) {
  // Read at 2026-12-30T23:30:00Z, a day before 2026-12-31T23:30:00Z, which
  // is already 2027 in Berlin (though not in UTC): "Jan  1 00:10:00" is
  // 2027's (2026-12-31T23:10:00Z), not 2026's.
  const HeaderParser p(Zone("Europe/Berlin"));
  LogHeader h;
  ASSERT_TRUE(p.Parse("Jan  1 00:10:00 h t: m", 1'798'673'400 * kSecond, &h));
  EXPECT_EQ(h.time_us, 1'798'758'600 * kSecond);
}

TEST(LogHeader, DaylightSavingRulesOfTheZone) {
  const HeaderParser berlin(Zone("Europe/Berlin"));
  LogHeader before, after;
  // The spring gap: 01:59:59 CET and 03:00:00 CEST are one second apart.
  ASSERT_TRUE(berlin.Parse("Mar 29 01:59:59 h t: m", kNow, &before));
  ASSERT_TRUE(berlin.Parse("Mar 29 03:00:00 h t: m", kNow, &after));
  EXPECT_EQ(before.time_us, 1'774'745'999 * kSecond);
  EXPECT_EQ(after.time_us - before.time_us, kSecond);
  // A skipped time is read with the offset before the gap (CET).
  ASSERT_TRUE(berlin.Parse("Mar 29 02:30:00 h t: m", kNow, &after));
  EXPECT_EQ(after.time_us, 1'774'747'800 * kSecond);
  // The repeated hour in autumn: the earlier instant (CEST).
  ASSERT_TRUE(berlin.Parse("Oct 25 02:30:00 h t: m", kNow, &after));
  EXPECT_EQ(after.time_us, 1'792'888'200 * kSecond);

  const HeaderParser new_york(Zone("America/New_York"));
  ASSERT_TRUE(new_york.Parse("Jul  4 12:00:00 h t: m", kNow, &after));
  EXPECT_EQ(after.time_us, 1'783'180'800 * kSecond);  // EDT, -4.
  ASSERT_TRUE(new_york.Parse("Nov  1 01:30:00 h t: m", kNow, &after));
  EXPECT_EQ(after.time_us, 1'793'511'000 * kSecond);  // The first 01:30, EDT.
  // journalctl's abbreviation tells the two apart.
  ASSERT_TRUE(new_york.Parse("Sun 2026-11-01 01:30:00 EST h t: m", kNow, &after));
  EXPECT_EQ(after.time_us, 1'793'514'600 * kSecond);
  ASSERT_TRUE(new_york.Parse("Sun 2026-11-01 01:30:00 EDT h t: m", kNow, &after));
  EXPECT_EQ(after.time_us, 1'793'511'000 * kSecond);
}

TEST(LogHeader, ParsersWithDifferentZonesDoNotShareCachedOffsets) {
  // Same civil hour on one thread, alternating parsers, and a new parser
  // likely at the address of the one just destroyed.
  const HeaderParser berlin(Zone("Europe/Berlin"));
  const HeaderParser new_york(Zone("America/New_York"));
  for (int i = 0; i < 3; ++i) {
    LogHeader b, n;
    ASSERT_TRUE(berlin.Parse("Jul  4 12:00:00 h t: m", kNow, &b));
    ASSERT_TRUE(new_york.Parse("Jul  4 12:00:00 h t: m", kNow, &n));
    EXPECT_EQ(n.time_us - b.time_us, 6 * 3600 * kSecond);
  }
  int64_t last = 0;
  for (const char* name : {"Europe/Berlin", "America/New_York", "Asia/Tokyo"}) {
    auto parser = std::make_unique<HeaderParser>(Zone(name));
    LogHeader h;
    ASSERT_TRUE(parser->Parse("Jul  4 12:00:00 h t: m", kNow, &h));
    EXPECT_NE(h.time_us, last) << name;
    last = h.time_us;
  }
}

// Every prefix of a valid line parses without reading past it, and any time
// it reports is an interval holding the full line's time (a cut fraction
// only widens it). The parser's zone is the stamps' own offset, so a cut
// offset does not move the time either.
TEST(LogHeader, TruncatedLinesNeverGiveAWrongTime) {
  const HeaderParser utc(absl::UTCTimeZone());
  const HeaderParser berlin(Zone("Europe/Berlin"));
  const HeaderParser plus9(absl::FixedTimeZone(9 * 3600));
  const std::vector<std::pair<const HeaderParser*, std::string>> cases = {
      {&utc, "Apr  6 12:00:00.123456 hagrid imapd[16091]: Authenticated user=j"},
      {&utc, "<22>Nov 22 09:00:02 mx postfix/smtpd[1]: connect"},
      {&berlin, "Nov 22 09:00:02 imap-login: Info: Login: user=<tony>"},
      {&plus9, "2024-10-22T20:00:01.276189+09:00 exp1 dovecot: pop3-login: Login"},
      {&utc, "<165>1 2003-10-11T22:14:15.003Z frodo postfix 12 ID47 [a b=\"]\"] msg"},
      {&berlin, "Sun 2026-11-22 09:00:02 CET mail dovecot[812]: imap-login: Login"},
      {&utc, "1700000000.123456 mail dovecot[812]: imap-login: Login"},
      {&utc, "@400000004c91b044077a9e94 imap-login: Info: Aborted login"},
      {&utc, "2019-10-15 08:08:52 imap-login: Info: Disconnected"},
      {&utc, "2022/04/05 13:25:11 [info] 8#8: *24785 client logged in"},
      {&utc, "2015-03-26 21:51:36,505 INFO  [Pop3Server-13] [ip=172.16.0.3;] security - x"},
  };
  for (const auto& [parser, line] : cases) {
    LogHeader full;
    ASSERT_TRUE(parser->Parse(line, kNow, &full)) << line;
    ASSERT_TRUE(full.has_time) << line;
    for (size_t n = 0; n <= line.size(); ++n) {
      // A copy of exactly n bytes, so ASan sees any read past the end.
      const std::string prefix = line.substr(0, n);
      LogHeader h;
      parser->Parse(prefix, kNow, &h);
      EXPECT_GE(h.message.data(), prefix.data()) << prefix;
      EXPECT_LE(h.message.data() + h.message.size(), prefix.data() + prefix.size()) << prefix;
      if (!h.has_time) continue;
      EXPECT_LE(h.time_us, full.time_us) << prefix;
      EXPECT_GT(h.time_us + h.precision_us, full.time_us) << prefix;
    }
  }
}

TEST(LogHeader, ArbitraryBytesGiveAValidHeader) {
  static constexpr char kNul[] = "Nov 22 09:00:02 h\0st t\0g: m\0";
  const std::string nul(kNul, sizeof kNul - 1);
  LogHeader h;
  ASSERT_TRUE(Utc().Parse(nul, kNow, &h));
  EXPECT_EQ(h.host, absl::string_view("h\0st", 4));
  EXPECT_EQ(h.tag, absl::string_view("t\0g", 3));
  EXPECT_EQ(h.message, absl::string_view("m\0", 2));
  const std::string binary = "\xff\xfe<\x80>1 @4000\x00\xff";
  EXPECT_FALSE(Utc().Parse(binary, kNow, &h));
  EXPECT_EQ(h.message, binary);
  std::string huge(1 << 20, '9');
  EXPECT_FALSE(Utc().Parse(huge, kNow, &h));
  huge = "Nov 22 09:00:02 " + std::string(1 << 20, 'x');
  ASSERT_TRUE(Utc().Parse(huge, kNow, &h));
  EXPECT_EQ(h.host.size(), size_t{1} << 20);
  // Reference times far outside any log's are clamped, not overflowed.
  EXPECT_TRUE(Utc().Parse("Dec 31 23:59:59 h t: m", INT64_MAX, &h));
  EXPECT_TRUE(Utc().Parse("Dec 31 23:59:59 h t: m", INT64_MIN, &h));
  EXPECT_TRUE(h.has_time);
}

}  // namespace
}  // namespace exact::match
