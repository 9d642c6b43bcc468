// Log line templates and a splitmix64 stream: no library RNG, so the output
// is the same on every platform and standard library.
#include "tools/loggen/log_generator.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace exact::loggen {

LogGenerator::LogGenerator(const GeneratorOptions& options)
    : options_(options), state_(options.seed * 0x9e3779b97f4a7c15ULL + 1) {}

uint64_t LogGenerator::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double LogGenerator::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

std::string LogGenerator::Address(uint64_t index) const {
  // The first ipv6_share of the index space is IPv6, the rest IPv4 in 10/8.
  auto v6_count =
      static_cast<uint64_t>(static_cast<double>(options_.unique_addresses) * options_.ipv6_share);
  if (index < v6_count) {
    // Never a run of zero words, so this text is already canonical.
    // v >= 1 keeps the last two words from both being zero.
    uint64_t v = index + 1;
    return absl::StrFormat("2001:db8:1:1:1:1:%x:%x", (v >> 16) & 0xffff, v & 0xffff);
  }
  uint64_t v = index - v6_count + 1;
  return absl::StrCat(10, ".", (v >> 16) & 0xff, ".", (v >> 8) & 0xff, ".", v & 0xff);
}

std::string LogGenerator::Timestamp() {
  clock_ += Next() % 3;  // A couple of lines per second, on average.
  uint64_t s = clock_ % 86400;
  return absl::StrFormat("Nov %2d %02d:%02d:%02d", 1 + static_cast<int>((clock_ / 86400) % 28),
                         s / 3600, (s / 60) % 60, s % 60);
}

void LogGenerator::AppendLine(std::string* out) {
  ++lines_;
  const std::string ts = Timestamp();
  const uint64_t pid = 1000 + Next() % 60000;
  const uint64_t addr_index = Next() % options_.unique_addresses;
  const std::string ip = Address(addr_index);
  const std::string user = absl::StrCat("user", Next() % 100000);
  const double kind = Uniform();

  if (kind < options_.login_share) {
    ++logins_;
    if (track_answer_) answer_[ip] = user;
    switch (Next() % 5) {
      case 0:
        absl::StrAppend(out, ts, " mail1 dovecot: imap-login: Login: user=<", user,
                        ">, method=PLAIN, rip=", ip, ", lip=192.0.2.1, mpid=", pid,
                        ", TLS, session=<", absl::Hex(Next()), ">\n");
        return;
      case 1:
        absl::StrAppend(out, ts, " mail1 dovecot: pop3-login: Login: user=<", user,
                        ">, method=PLAIN, rip=", ip, ", lip=192.0.2.1, mpid=", pid, ", session=<",
                        absl::Hex(Next()), ">\n");
        return;
      case 2:
        absl::StrAppend(out, ts, " mail2 imapd[", pid, "]: Login user=", user, " host=client", pid,
                        ".example [", ip, "]\n");
        return;
      case 3:
        absl::StrAppend(out, ts, " mail2 courier-pop3d: LOGIN, user=", user, ", ip=[",
                        ip.find(':') == std::string::npos ? "::ffff:" : "", ip, "], port=[", pid,
                        "]\n");
        return;
      default:
        absl::StrAppend(out, ts, " mail3 cyrus/imap[", pid, "]: login: client.example [", ip, "] ",
                        user, " plaintext User logged in SESSIONID=<s-", pid, ">\n");
        return;
    }
  }
  if (kind < options_.login_share + options_.failure_share) {
    const std::string bad = absl::StrCat("198.51.100.", Next() % 250 + 1);
    switch (Next() % 5) {
      case 0:
        absl::StrAppend(out, ts,
                        " mail1 dovecot: pop3-login: Disconnected (auth failed, 1 "
                        "attempts in 2 secs): user=<",
                        user, ">, method=PLAIN, rip=", bad, ", lip=192.0.2.1, session=<x>\n");
        return;
      case 1:
        absl::StrAppend(out, ts, " mail2 imapd[", pid, "]: Login failed user=", user,
                        " auth=", user, " host=bad.example [", bad, "]\n");
        return;
      case 2:
        absl::StrAppend(out, ts, " mail3 cyrus/imap[", pid, "]: badlogin: bad.example [", bad,
                        "] plaintext SASL(-13): authentication failure\n");
        return;
      case 3:
        absl::StrAppend(out, ts, " mail2 courier-pop3d: LOGIN FAILED, user=", user,
                        ", ip=[::ffff:", bad, "]\n");
        return;
      default:
        absl::StrAppend(out, ts, " mx1 postfix/smtpd[", pid,
                        "]: NOQUEUE: reject: RCPT from "
                        "unknown[",
                        bad,
                        "]: 554 5.7.1 Relay access denied; from=<imapd[1]: "
                        "Login user=x host=h [",
                        bad, "]> to=<a@example.net> proto=ESMTP\n");
        return;
    }
  }
  const std::string qid = absl::StrFormat("%010X", Next() & 0xffffffffffULL);
  switch (Next() % 6) {
    case 0:
      absl::StrAppend(out, ts, " mx1 postfix/smtpd[", pid, "]: connect from mail", pid,
                      ".example.com[203.0.113.", pid % 250, "]\n");
      return;
    case 1:
      absl::StrAppend(out, ts, " mx1 postfix/smtpd[", pid, "]: ", qid, ": client=mail", pid,
                      ".example.com[203.0.113.", pid % 250, "]\n");
      return;
    case 2:
      absl::StrAppend(out, ts, " mx1 postfix/cleanup[", pid, "]: ", qid, ": message-id=<",
                      absl::Hex(Next()), "@example.com>\n");
      return;
    case 3:
      absl::StrAppend(out, ts, " mx1 postfix/qmgr[", pid, "]: ", qid, ": from=<sender", pid,
                      "@example.com>, size=", Next() % 100000, ", nrcpt=1 (queue active)\n");
      return;
    case 4:
      absl::StrAppend(out, ts, " mx1 postfix/smtp[", pid, "]: ", qid, ": to=<rcpt", pid,
                      "@example.org>, relay=mx.example.org[198.51.100.", pid % 250,
                      "]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 "
                      "Ok: queued)\n");
      return;
    default:
      absl::StrAppend(out, ts, " mx1 postfix/smtpd[", pid, "]: disconnect from mail", pid,
                      ".example.com[203.0.113.", pid % 250,
                      "] ehlo=1 mail=1 rcpt=1 data=1 "
                      "quit=1 commands=5\n");
      return;
  }
}

void LogGenerator::AppendBytes(std::string* out, uint64_t bytes) {
  while (out->size() < bytes) AppendLine(out);
}

}  // namespace exact::loggen
