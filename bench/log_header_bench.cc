// Log header parser micro-benchmarks: nanoseconds per parsed line for each
// header form, for a mix of all of them, and for the worst case, where every
// line is in another civil hour, so each zone-less stamp misses the offset
// cache and asks absl. Lines of one form differ in their minutes, seconds and
// message, as consecutive lines of one log do. The parser's zone is
// Europe/Berlin (UTC if tzdata is missing), as the daemon's local zone would
// be.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "src/match/log_header.h"

namespace {

using exact::match::HeaderParser;
using exact::match::LogHeader;

// 2026-12-01T00:00:00Z.
constexpr int64_t kNowUs = int64_t{1'796'083'200} * 1'000'000;
constexpr int kLinesPerForm = 64;

absl::TimeZone BenchZone() {
  absl::TimeZone zone = absl::UTCTimeZone();
  absl::LoadTimeZone("Europe/Berlin", &zone);
  return zone;
}

// The message every form carries, as Dovecot writes a login.
std::string Login(int i) {
  return absl::StrFormat(
      "imap-login: Login: user=<user%d@example.com>, method=PLAIN, rip=192.0.2.%d, "
      "lip=198.51.100.1, mpid=%d, TLS, session=<3EQSIZLnDsM9xTGS>",
      i, i % 250 + 1, 3000 + i);
}

// kLinesPerForm lines of one form; `hour_step` moves each line that many
// hours on (0: all in one hour).
std::vector<std::string> Lines(const std::string& form, int hour_step = 0) {
  std::vector<std::string> out;
  for (int i = 0; i < kLinesPerForm; ++i) {
    const int minute = i % 60, second = (i * 7) % 60;
    const int hour = (9 + i * hour_step) % 24, day = 1 + (i * hour_step / 24) % 28;
    const std::string msg = Login(i);
    if (form == "bsd") {
      out.push_back(absl::StrFormat("Nov %2d %02d:%02d:%02d mail dovecot[812]: %s", day, hour,
                                    minute, second, msg));
    } else if (form == "bsd_nohost") {
      out.push_back(absl::StrFormat("Nov %2d %02d:%02d:%02d %s", day, hour, minute, second, msg));
    } else if (form == "bsd_precise") {
      out.push_back(absl::StrFormat("Nov %2d %02d:%02d:%02d.%06d mail dovecot[812]: %s", day, hour,
                                    minute, second, i * 15'013, msg));
    } else if (form == "rfc3339") {
      out.push_back(absl::StrFormat("2026-11-%02dT%02d:%02d:%02d.%06d+01:00 mail dovecot[812]: %s",
                                    day, hour, minute, second, i * 15'013, msg));
    } else if (form == "rfc3339_nozone") {
      out.push_back(absl::StrFormat("2026-11-%02dT%02d:%02d:%02d mail dovecot[812]: %s", day, hour,
                                    minute, second, msg));
    } else if (form == "rfc5424") {
      out.push_back(absl::StrFormat(
          "<22>1 2026-11-%02dT%02d:%02d:%02d.%06dZ mail dovecot 812 - [meta seq=\"%d\"] %s", day,
          hour, minute, second, i * 15'013, i, msg));
    } else if (form == "journal_full") {
      out.push_back(absl::StrFormat("Sun 2026-11-%02d %02d:%02d:%02d CET mail dovecot[812]: %s",
                                    day, hour, minute, second, msg));
    } else if (form == "unix") {
      out.push_back(absl::StrFormat("%d.%06d mail dovecot[812]: %s", 1'795'334'402 + i * 37,
                                    i * 15'013, msg));
    } else if (form == "tai64n") {
      out.push_back(
          absl::StrFormat("@4000000069%06x%08x %s", 0x2146a5 + i * 37, i * 15'013'000, msg));
    } else if (form == "iso_nohost") {
      out.push_back(
          absl::StrFormat("2026-11-%02d %02d:%02d:%02d %s", day, hour, minute, second, msg));
    } else if (form == "nginx") {
      out.push_back(absl::StrFormat(
          "2026/11/%02d %02d:%02d:%02d [info] 8#8: *%d client logged in, client: 192.0.2.%d, "
          "server: 0.0.0.0:25",
          day, hour, minute, second, 24'785 + i, i % 250 + 1));
    } else if (form == "zimbra") {
      out.push_back(absl::StrFormat(
          "2026-11-%02d %02d:%02d:%02d,%03d INFO  [Pop3Server-%d] [ip=172.16.0.3;oip=192.0.2.%d;] "
          "security - cmd=Auth; account=user%d@example.com; protocol=pop3;",
          day, hour, minute, second, i * 13 % 1000, i, i % 250 + 1, i));
    }
  }
  return out;
}

void Run(benchmark::State& state, const std::vector<std::string>& lines) {
  static const HeaderParser parser(BenchZone());
  LogHeader h;
  // Every line must parse, or the figure would be for the kNone path.
  for (const std::string& line : lines) {
    if (!parser.Parse(line, kNowUs, &h) || !h.has_time) {
      state.SkipWithError(("no header: " + line).c_str());
      return;
    }
  }
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& line = lines[i];
    benchmark::DoNotOptimize(parser.Parse(line, kNowUs, &h));
    benchmark::DoNotOptimize(h);
    bytes += static_cast<int64_t>(line.size());
    i = i + 1 == lines.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

// One iteration parses one line: the reported time is ns per line.
void BM_ParseForm(benchmark::State& state, const std::string& form) { Run(state, Lines(form)); }
BENCHMARK_CAPTURE(BM_ParseForm, bsd, std::string("bsd"));
BENCHMARK_CAPTURE(BM_ParseForm, bsd_nohost, std::string("bsd_nohost"));
BENCHMARK_CAPTURE(BM_ParseForm, bsd_precise, std::string("bsd_precise"));
BENCHMARK_CAPTURE(BM_ParseForm, rfc3339, std::string("rfc3339"));
BENCHMARK_CAPTURE(BM_ParseForm, rfc3339_nozone, std::string("rfc3339_nozone"));
BENCHMARK_CAPTURE(BM_ParseForm, rfc5424, std::string("rfc5424"));
BENCHMARK_CAPTURE(BM_ParseForm, journal_full, std::string("journal_full"));
BENCHMARK_CAPTURE(BM_ParseForm, unix, std::string("unix"));
BENCHMARK_CAPTURE(BM_ParseForm, tai64n, std::string("tai64n"));
BENCHMARK_CAPTURE(BM_ParseForm, iso_nohost, std::string("iso_nohost"));
BENCHMARK_CAPTURE(BM_ParseForm, nginx, std::string("nginx"));
BENCHMARK_CAPTURE(BM_ParseForm, zimbra, std::string("zimbra"));

// All forms interleaved, as from a host whose logs come in several shapes.
void BM_ParseMixed(benchmark::State& state) {
  std::vector<std::vector<std::string>> forms;
  for (const char* form :
       {"bsd", "bsd_nohost", "bsd_precise", "rfc3339", "rfc3339_nozone", "rfc5424", "journal_full",
        "unix", "tai64n", "iso_nohost", "nginx", "zimbra"}) {
    forms.push_back(Lines(form));
  }
  std::vector<std::string> mixed;
  for (int i = 0; i < kLinesPerForm; ++i) {
    for (const auto& lines : forms) mixed.push_back(lines[static_cast<size_t>(i)]);
  }
  Run(state, mixed);
}
BENCHMARK(BM_ParseMixed);

// Each BSD line in another hour (and every 24th on another day): a miss in
// the eight-hour offset cache every time.
void BM_ParseBsdEveryLineAnotherHour(benchmark::State& state) { Run(state, Lines("bsd", 5)); }
BENCHMARK(BM_ParseBsdEveryLineAnotherHour);

// Lines with no header: the cost of saying so.
void BM_ParseNoHeader(benchmark::State& state) {
  static const HeaderParser parser(BenchZone());
  const std::string line = "pop3d-ssl: LOGIN FAILED, ip=[::ffff:192.168.0.200]";
  LogHeader h;
  for (auto _ : state) {
    benchmark::DoNotOptimize(parser.Parse(line, kNowUs, &h));
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(line.size()));
}
BENCHMARK(BM_ParseNoHeader);

}  // namespace
