// exactctl: talks to a running exact over its control socket
// (docs/exactctl.md). The work is done by the daemon; this program parses
// the command line, sends one request and prints the answer, exiting with
// the answer's sysexits code.
#include <getopt.h>
#include <sysexits.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "src/base/files.h"
#include "src/config/diagnostic.h"
#include "src/config/exact_conf.h"
#include "src/control/control_client.h"
#include "src/control/protocol.h"

#ifndef EXACT_DEFAULT_CONFIG
#define EXACT_DEFAULT_CONFIG "/etc/exact.conf"
#endif

namespace {

constexpr char kVersion[] = "exactctl 2.0.0";

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: exactctl [options] COMMAND [ARGS]\n"
               "commands:\n"
               "  list [--json]                       live addresses: address, user, last "
               "login, expiry\n"
               "  show ADDRESS                        one address\n"
               "  add ADDRESS [--for DURATION] [--user USER]\n"
               "                                      a manual grant (default: timeout)\n"
               "  remove ADDRESS                      revoke until its next real login\n"
               "  flush                               publish the maps now\n"
               "  stats                               counters since start\n"
               "  reload                              reread the configuration (as SIGHUP)\n"
               "  config                              the effective configuration\n"
               "options:\n"
               "  -c, --config FILE    exact.conf naming the socket (default " EXACT_DEFAULT_CONFIG
               ")\n"
               "  -s, --socket PATH    the control socket (overrides the configuration)\n"
               "  -t, --timeout SECS   how long to wait for exact (default 10)\n"
               "  -V, --version        print the version\n"
               "  -h, --help           this text\n");
}

// The socket exact.conf names, as the daemon derives it.
int SocketFromConfig(const std::string& path, std::string* socket) {
  absl::StatusOr<std::string> text = exact::base::ReadFileToString(path);
  if (!text.ok()) {
    std::fprintf(stderr, "exactctl: cannot read %s: %s (name the socket with -s)\n", path.c_str(),
                 std::string(text.status().message()).c_str());
    return EX_NOINPUT;
  }
  exact::config::Settings s;
  exact::config::Diagnostics diags;
  exact::config::ParseExactConf(*text, path, &s, &diags);
  if (s.controlsocket == "none") {
    std::fprintf(stderr, "exactctl: %s sets `controlsocket none`\n", path.c_str());
    return EX_UNAVAILABLE;
  }
  *socket = s.controlsocket.empty() ? exact::base::SplitPath(s.pidfile).first + "/exact.ctl"
                                    : s.controlsocket;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path = EXACT_DEFAULT_CONFIG;
  std::string socket;
  std::string for_duration, user;
  bool json = false;
  int timeout_s = 10;
  enum { kJson = 256, kFor, kUser };
  static const option kLong[] = {
      {"config", required_argument, nullptr, 'c'},
      {"socket", required_argument, nullptr, 's'},
      {"timeout", required_argument, nullptr, 't'},
      {"version", no_argument, nullptr, 'V'},
      {"help", no_argument, nullptr, 'h'},
      {"json", no_argument, nullptr, kJson},
      {"for", required_argument, nullptr, kFor},
      {"user", required_argument, nullptr, kUser},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, "c:s:t:Vh", kLong, nullptr)) != -1) {
    switch (c) {
      case 'c':
        config_path = optarg;
        break;
      case 's':
        socket = optarg;
        break;
      case 't':
        if (!absl::SimpleAtoi(optarg, &timeout_s) || timeout_s <= 0 || timeout_s > 3600) {
          std::fprintf(stderr, "exactctl: --timeout takes 1 to 3600 seconds\n");
          return EX_USAGE;
        }
        break;
      case 'V':
        std::printf("%s\n", kVersion);
        return 0;
      case 'h':
        Usage(stdout);
        return 0;
      case kJson:
        json = true;
        break;
      case kFor:
        for_duration = optarg;
        break;
      case kUser:
        user = optarg;
        break;
      default:
        Usage(stderr);
        return EX_USAGE;
    }
  }
  std::vector<std::string> words(argv + optind, argv + argc);
  if (words.empty()) {
    Usage(stderr);
    return EX_USAGE;
  }
  const std::string command = words[0];
  const size_t want_args = command == "show" || command == "add" || command == "remove" ? 1 : 0;
  const bool known = command == "list" || command == "show" || command == "add" ||
                     command == "remove" || command == "flush" || command == "stats" ||
                     command == "reload" || command == "config";
  if (!known) {
    std::fprintf(stderr, "exactctl: unknown command \"%s\" (see exactctl --help)\n",
                 command.c_str());
    return EX_USAGE;
  }
  if (words.size() - 1 != want_args) {
    std::fprintf(stderr, "exactctl: %s takes %s\n", command.c_str(),
                 want_args ? "one ADDRESS" : "no argument");
    return EX_USAGE;
  }
  if ((json && command != "list") ||
      ((!for_duration.empty() || !user.empty()) && command != "add")) {
    std::fprintf(stderr, "exactctl: %s is only for %s\n", json ? "--json" : "--for/--user",
                 json ? "list" : "add");
    return EX_USAGE;
  }
  exact::control::Request request{command, {words.begin() + 1, words.end()}};
  if (json) request.args.push_back("--json");
  if (!for_duration.empty()) request.args.insert(request.args.end(), {"--for", for_duration});
  if (!user.empty()) request.args.insert(request.args.end(), {"--user", user});

  if (socket.empty()) {
    if (int rc = SocketFromConfig(config_path, &socket); rc != 0) return rc;
  }
  absl::StatusOr<exact::control::Response> r =
      exact::control::Call(socket, request, timeout_s * 1000);
  if (!r.ok()) {
    std::fprintf(stderr, "exactctl: %s\n", std::string(r.status().message()).c_str());
    if (absl::IsInvalidArgument(r.status())) return EX_PROTOCOL;
    if (absl::IsPermissionDenied(r.status())) return EX_NOPERM;
    if (absl::IsDeadlineExceeded(r.status())) return EX_TEMPFAIL;
    return EX_UNAVAILABLE;
  }
  std::fwrite(r->body.data(), 1, r->body.size(), r->code == 0 ? stdout : stderr);
  return r->code;
}
