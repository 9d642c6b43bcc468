// exact: POP-before-SMTP relay authorization. Command line only; the work
// is in src/daemon/ (daemon.h).
#include <getopt.h>
#include <sysexits.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "src/daemon/daemon.h"

#ifndef EXACT_DEFAULT_CONFIG
#define EXACT_DEFAULT_CONFIG "/etc/exact.conf"
#endif

namespace {

constexpr char kVersion[] = "exact 2.0.0";

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: exact [options]\n"
               "  -c, --config FILE   configuration (default " EXACT_DEFAULT_CONFIG
               ")\n"
               "  -f, --foreground    do not daemonize; log to stderr\n"
               "  -d, --debug         verbose logging\n"
               "      --once          read the logs from start to end, publish, exit\n"
               "      --from-start    read the logs whole before following them\n"
               "      --as-of TIME    with --once: as at TIME (\"YYYY-mm-dd HH:MM:SS\", local)\n"
               "      --check         check the configuration and exit\n"
               "      --threads N     matching threads (default: one per core)\n"
               "  -p, --preserve      accepted for EXACT 1.41; maps are always kept\n"
               "  -V, --version       print the version\n"
               "  -h, --help          this text\n");
}

}  // namespace

int main(int argc, char** argv) {
  exact::daemon::DaemonOptions options;
  options.config_path = EXACT_DEFAULT_CONFIG;
  enum { kOnce = 256, kFromStart, kCheck, kThreads, kAsOf };
  static const option kLong[] = {
      {"config", required_argument, nullptr, 'c'},
      {"foreground", no_argument, nullptr, 'f'},
      {"debug", no_argument, nullptr, 'd'},
      {"preserve", no_argument, nullptr, 'p'},
      {"preserver", no_argument, nullptr, 'p'},  // 1.41's spelling.
      {"sleep", no_argument, nullptr, 's'},
      {"version", no_argument, nullptr, 'V'},
      {"help", no_argument, nullptr, 'h'},
      {"once", no_argument, nullptr, kOnce},
      {"from-start", no_argument, nullptr, kFromStart},
      {"check", no_argument, nullptr, kCheck},
      {"threads", required_argument, nullptr, kThreads},
      {"as-of", required_argument, nullptr, kAsOf},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, "c:fdpsVh", kLong, nullptr)) != -1) {
    switch (c) {
      case 'c':
        options.config_path = optarg;
        break;
      case 'f':
        options.foreground = true;
        break;
      case 'd':
        options.debug = true;
        break;
      case 'p':
        break;
      case 's':
        break;  // 1.41's debugger pause; meaningless now.
      case 'V':
        std::printf("%s\n", kVersion);
        return 0;
      case 'h':
        Usage(stdout);
        return 0;
      case kOnce:
        options.once = true;
        options.from_start = true;
        break;
      case kFromStart:
        options.from_start = true;
        break;
      case kCheck:
        options.check_only = true;
        break;
      case kThreads:
        if (!absl::SimpleAtoi(optarg, &options.threads) || options.threads < 1 ||
            options.threads > 256) {
          std::fprintf(stderr, "exact: --threads takes a number from 1 to 256\n");
          return EX_USAGE;
        }
        break;
      case kAsOf: {
        absl::Time t;
        std::string err;
        if (!absl::ParseTime("%Y-%m-%d %H:%M:%S", optarg, absl::LocalTimeZone(), &t, &err) &&
            !absl::ParseTime(absl::RFC3339_full, optarg, &t, &err)) {
          std::fprintf(stderr,
                       "exact: --as-of takes \"YYYY-mm-dd HH:MM:SS\" (local time) or RFC 3339\n");
          return EX_USAGE;
        }
        options.as_of_us = absl::ToUnixMicros(t);
        break;
      }
      default:
        Usage(stderr);
        return EX_USAGE;
    }
  }
  if (options.as_of_us != 0 && !options.once) {
    std::fprintf(stderr, "exact: --as-of needs --once\n");
    return EX_USAGE;
  }
  if (optind != argc) {
    std::fprintf(stderr, "exact: unexpected argument \"%s\"\n", argv[optind]);
    Usage(stderr);
    return EX_USAGE;
  }
  return exact::daemon::RunDaemon(options);
}
