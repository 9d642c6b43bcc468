// exact-test: runs a configuration's stanzas over a log and says, line by
// line, what exact would do with it -- the counterpart of fail2ban-regex and
// Hyperscan's hscheck. It uses the daemon's own matcher, header parser,
// two-line pairing and grant rule (the libraries), never a copy.
//
//   exact-test [-c CONF | -s SERVERS] [--summary] [--missed] [--json]
//              [--now TIME] LOG|-
//
// Thread safety: single-threaded.
#include <getopt.h>
#include <sysexits.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "src/base/files.h"
#include "src/base/log.h"
#include "src/config/config.h"
#include "src/config/servers_conf.h"
#include "src/match/ip_address.h"
#include "src/match/log_header.h"
#include "src/match/network.h"
#include "src/match/session_pairer.h"
#include "src/match/stanza_matcher.h"
#include "src/table/grant.h"

namespace {

using exact::match::Login;
using exact::match::LoginKind;

constexpr char kDefaultConfig[] = "/etc/exact.conf";

void Usage(FILE* out) {
  std::fprintf(
      out,
      "usage: exact-test [-c CONF | -s SERVERS] [--summary] [--missed] [--json] [--now TIME] "
      "LOG|-\n"
      "  -c, --config CONF    the stanzas, timeout and ignore list of this exact.conf\n"
      "                       (default %s)\n"
      "  -s, --servers FILE   every stanza of this exact-servers.conf instead (no ignore\n"
      "                       list, timeout 1800 s; `optin` stanzas too)\n"
      "      --summary        only the totals, not each line\n"
      "      --missed         also list lines that look like logins (they mention login,\n"
      "                       auth or user, and an address) but that no stanza took\n"
      "      --json           one JSON document instead of text\n"
      "      --now TIME       judge staleness as at TIME (RFC 3339), not now\n"
      "  -h, --help           this text\n"
      "exit: 0 done, 64 usage, 66 the log cannot be read, 78 the configuration is bad\n",
      kDefaultConfig);
}

std::string Json(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      absl::StrAppend(&out, "\\u00", absl::Hex(c, absl::kZeroPad2));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string Rfc3339(int64_t time_us) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", absl::FromUnixMicros(time_us),
                          absl::UTCTimeZone());
}

// One line's verdict.
struct Event {
  size_t line = 0;     // 1-based.
  std::string kind;    // "login", "rejected", "missed".
  std::string reason;  // For "rejected": bad-address, stale, ignored-network,
                       // untrusted-tag; "" otherwise.
  std::string stanza, user, address, tag;
  std::optional<int64_t> time_us;
};

// Does `line` look like a login: it mentions login, auth or user, and holds
// a token that is an address?
bool LooksLikeLogin(absl::string_view line) {
  const std::string lower = absl::AsciiStrToLower(line);
  if (!absl::StrContains(lower, "login") && !absl::StrContains(lower, "logged in") &&
      !absl::StrContains(lower, "auth") && !absl::StrContains(lower, "user")) {
    return false;
  }
  for (absl::string_view token : absl::StrSplit(line, absl::ByAnyChar(" []()<>,;=\"'"))) {
    while (!token.empty() && (token.back() == ':' || token.back() == '.')) token.remove_suffix(1);
    if (token.size() < 3 || token.find_first_of(".:") == absl::string_view::npos) continue;
    if (exact::match::IpAddress::Parse(token)) return true;
  }
  return false;
}

absl::StatusOr<std::string> ReadStdin() {
  std::string out;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, stdin)) > 0;) out.append(buf, n);
  if (std::ferror(stdin)) return absl::UnavailableError("cannot read standard input");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, servers_path, now_text;
  bool summary_only = false, missed = false, json = false;
  static const struct option kOptions[] = {
      {"config", required_argument, nullptr, 'c'}, {"servers", required_argument, nullptr, 's'},
      {"summary", no_argument, nullptr, 'S'},      {"missed", no_argument, nullptr, 'm'},
      {"json", no_argument, nullptr, 'j'},         {"now", required_argument, nullptr, 'n'},
      {"help", no_argument, nullptr, 'h'},         {nullptr, 0, nullptr, 0},
  };
  opterr = 0;  // Our own message: the same whatever argv[0] is.
  for (int c; (c = getopt_long(argc, argv, "c:s:h", kOptions, nullptr)) != -1;) {
    switch (c) {
      case 'c':
        config_path = optarg;
        break;
      case 's':
        servers_path = optarg;
        break;
      case 'S':
        summary_only = true;
        break;
      case 'm':
        missed = true;
        break;
      case 'j':
        json = true;
        break;
      case 'n':
        now_text = optarg;
        break;
      case 'h':
        Usage(stdout);
        return EX_OK;
      default:
        std::fprintf(stderr, "exact-test: bad option or missing value: %s\n",
                     exact::base::Printable(argv[optind - 1], 64).c_str());
        Usage(stderr);
        return EX_USAGE;
    }
  }
  if (optind != argc - 1 || (!config_path.empty() && !servers_path.empty())) {
    Usage(stderr);
    return EX_USAGE;
  }
  const std::string log_path = argv[optind];

  int64_t now_us = absl::ToUnixMicros(absl::Now());
  if (!now_text.empty()) {
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, now_text, &t, &err)) {
      std::fprintf(stderr, "exact-test: --now \"%s\" is not an RFC 3339 time (%s)\n",
                   exact::base::Printable(now_text, 64).c_str(), err.c_str());
      return EX_USAGE;
    }
    now_us = absl::ToUnixMicros(t);
  }

  // The stanzas, timeout and ignore list, as the daemon would load them.
  std::vector<exact::config::Stanza> stanzas;
  int64_t timeout = 1800;
  exact::match::NetworkSet ignore;
  exact::config::Diagnostics diags;
  if (!servers_path.empty()) {
    absl::StatusOr<std::string> text = exact::base::ReadFileToString(servers_path);
    if (!text.ok()) {
      std::fprintf(stderr, "exact-test: %s: %s\n", servers_path.c_str(),
                   std::string(text.status().message()).c_str());
      return EX_CONFIG;
    }
    stanzas = exact::config::ParseServersConf(*text, servers_path, &diags);
    for (const exact::config::Stanza& s : stanzas) {
      if (std::string w = exact::config::UnanchoredStanzaWarning(s); !w.empty()) {
        diags.Warning(s.location, std::move(w));
      }
    }
  } else {
    exact::config::LoadResult r =
        exact::config::LoadConfig(config_path.empty() ? kDefaultConfig : config_path);
    diags.Append(r.diagnostics);
    if (r.config) {
      stanzas = std::move(r.config->stanzas);
      timeout = r.config->settings.timeout;
      ignore = exact::match::ParseNetworks(r.config->settings.ignore_networks, "ignore", &diags);
    }
  }
  auto matcher = diags.HasErrors()
                     ? absl::StatusOr<std::unique_ptr<exact::match::StanzaMatcher>>(
                           absl::InvalidArgumentError("config"))
                     : exact::match::StanzaMatcher::Create(std::move(stanzas), &diags);
  for (const exact::config::Diagnostic& d : diags.all()) {
    std::fprintf(stderr, "%s\n", d.ToString().c_str());
  }
  if (!matcher.ok()) {
    std::fprintf(stderr, "exact-test: the configuration has errors; nothing tested\n");
    return EX_CONFIG;
  }
  const exact::match::StanzaMatcher& m = **matcher;

  absl::StatusOr<std::string> log =
      log_path == "-" ? ReadStdin() : exact::base::ReadFileToString(log_path);
  if (!log.ok()) {
    std::fprintf(stderr, "exact-test: %s: %s\n", log_path.c_str(),
                 std::string(log.status().message()).c_str());
    return EX_NOINPUT;
  }

  // Line by line, so each verdict has its line; the halves of two-line
  // logins are joined in order, as the daemon's serial stage does.
  const exact::match::HeaderParser headers(absl::LocalTimeZone());
  absl::StatusOr<std::unique_ptr<exact::match::StanzaMatcher::Scratch>> scratch = m.NewScratch();
  if (!scratch.ok()) {
    std::fprintf(stderr, "exact-test: %s\n", std::string(scratch.status().message()).c_str());
    return EX_SOFTWARE;
  }
  exact::match::SessionPairer pairer;
  std::vector<Event> events;
  std::map<std::string, uint64_t> by_stanza;
  std::map<std::string, uint64_t> by_reason;
  uint64_t lines = 0;
  absl::string_view text = *log;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lines;
    std::vector<Login> logins;
    exact::match::ScanCounts counts;
    if (absl::Status st = m.Scan(line, scratch->get(), &logins, &counts); !st.ok()) {
      std::fprintf(stderr, "exact-test: line %llu: %s\n", static_cast<unsigned long long>(lines),
                   std::string(st.message()).c_str());
      return EX_SOFTWARE;
    }
    exact::match::LogHeader header;
    const bool has_header = headers.Parse(line, now_us, &header);
    std::vector<int64_t> times(logins.size(), header.has_time ? header.time_us : now_us);
    pairer.Join(&logins, times);
    bool taken = false;
    for (const Login& l : logins) {
      if (l.kind != LoginKind::kLogin) {
        taken = true;  // A two-line half: the other line reports.
        continue;
      }
      Event e{lines, "login",     "", m.stanzas()[l.stanza].name, l.user, l.address.ToString(),
              "",    std::nullopt};
      exact::table::LoginStamp stamp;
      if (header.has_time) {
        e.time_us = header.time_us;
        stamp = {true, header.time_us, header.precision_us};
      }
      const exact::table::Grant g =
          exact::table::GrantFor(stamp, now_us, now_us / 1'000'000, timeout);
      if (!ignore.empty() && ignore.Contains(l.address)) {
        e.kind = "rejected";
        e.reason = "ignored-network";
      } else if (!g.live) {
        e.kind = "rejected";
        e.reason = "stale";
      }
      if (e.kind == "login") {
        ++by_stanza[e.stanza];
      } else {
        ++by_reason[e.reason];
      }
      events.push_back(std::move(e));
      taken = true;
    }
    if (!taken && (counts.bad_address > 0 || counts.untrusted > 0)) {
      Event e{lines,
              "rejected",
              counts.bad_address > 0 ? "bad-address" : "untrusted-tag",
              "",
              "",
              "",
              has_header ? std::string(header.tag) : "",
              std::nullopt};
      ++by_reason[e.reason];
      events.push_back(std::move(e));
      taken = true;
    }
    if (!taken && missed && LooksLikeLogin(line)) {
      events.push_back(Event{lines, "missed", "", "", "", "", "", std::nullopt});
      events.back().user = std::string(line);  // The line itself, for the report.
      ++by_reason["missed"];
    }
  }

  const uint64_t missed_count = by_reason.count("missed") ? by_reason["missed"] : 0;
  uint64_t logins_total = 0;
  for (const auto& [name, n] : by_stanza) logins_total += n;
  if (json) {
    std::string out =
        absl::StrCat("{\"lines\": ", lines, ", \"logins\": ", logins_total, ", \"by_stanza\": {");
    bool first = true;
    for (const auto& [name, n] : by_stanza) {
      absl::StrAppend(&out, first ? "" : ", ", Json(name), ": ", n);
      first = false;
    }
    absl::StrAppend(&out, "}, \"rejected\": {");
    first = true;
    for (const auto& [reason, n] : by_reason) {
      if (reason == "missed") continue;
      absl::StrAppend(&out, first ? "" : ", ", Json(reason), ": ", n);
      first = false;
    }
    absl::StrAppend(&out, "}");
    if (missed) absl::StrAppend(&out, ", \"missed\": ", missed_count);
    if (!summary_only) {
      absl::StrAppend(&out, ", \"events\": [");
      for (size_t i = 0; i < events.size(); ++i) {
        const Event& e = events[i];
        absl::StrAppend(&out, i ? ",\n  " : "\n  ", "{\"line\": ", e.line,
                        ", \"kind\": ", Json(e.kind));
        if (!e.reason.empty()) absl::StrAppend(&out, ", \"reason\": ", Json(e.reason));
        if (e.kind == "missed") {
          absl::StrAppend(&out, ", \"text\": ", Json(e.user), "}");
          continue;
        }
        if (!e.stanza.empty()) absl::StrAppend(&out, ", \"stanza\": ", Json(e.stanza));
        if (!e.stanza.empty()) absl::StrAppend(&out, ", \"user\": ", Json(e.user));
        if (!e.address.empty()) absl::StrAppend(&out, ", \"address\": ", Json(e.address));
        if (e.time_us) absl::StrAppend(&out, ", \"time\": ", Json(Rfc3339(*e.time_us)));
        if (!e.tag.empty()) absl::StrAppend(&out, ", \"tag\": ", Json(e.tag));
        absl::StrAppend(&out, "}");
      }
      absl::StrAppend(&out, events.empty() ? "]" : "\n]");
    }
    std::cout << out << "}\n";
    return EX_OK;
  }
  if (!summary_only) {
    for (const Event& e : events) {
      std::string out = absl::StrCat(e.line, ": ", e.kind);
      if (e.kind == "missed") {
        std::cout << out << ": " << exact::base::Printable(e.user, 512) << "\n";
        continue;
      }
      if (!e.reason.empty()) absl::StrAppend(&out, " (", e.reason, ")");
      if (!e.stanza.empty()) {
        absl::StrAppend(&out, " stanza=", e.stanza, " user=", exact::base::Printable(e.user, 128),
                        " address=", e.address);
      }
      if (e.time_us) absl::StrAppend(&out, " time=", Rfc3339(*e.time_us));
      if (!e.tag.empty()) absl::StrAppend(&out, " tag=", exact::base::Printable(e.tag, 64));
      std::cout << out << "\n";
    }
  }
  std::cout << "lines: " << lines << "\nlogins: " << logins_total;
  for (const auto& [name, n] : by_stanza) std::cout << "\n  " << name << ": " << n;
  uint64_t rejected = 0;
  for (const auto& [reason, n] : by_reason) rejected += reason == "missed" ? 0 : n;
  std::cout << "\nrejected: " << rejected;
  for (const auto& [reason, n] : by_reason) {
    if (reason != "missed") std::cout << "\n  " << reason << ": " << n;
  }
  if (missed) std::cout << "\nmissed: " << missed_count;
  std::cout << "\n";
  return EX_OK;
}
