// The EXACT 1.41 design, for bench/compare: read lines with stdio, run every
// stanza's POSIX ERE through glibc regcomp/regexec with submatches, first
// match wins. Prints lines, matching lines and seconds.
//   regexec_baseline SERVERS.CONF LOG
#include <regex.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "src/base/files.h"
#include "src/config/servers_conf.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: regexec_baseline SERVERS.CONF LOG\n");
    return 64;
  }
  auto text = exact::base::ReadFileToString(argv[1]);
  if (!text.ok()) return 66;
  exact::config::Diagnostics d;
  auto stanzas = exact::config::ParseServersConf(*text, argv[1], &d);
  std::vector<regex_t> res(stanzas.size());
  for (size_t i = 0; i < stanzas.size(); ++i) {
    // glibc has no "(?:"; a plain group matches the same lines.
    std::string ere = absl::StrReplaceAll(stanzas[i].ere, {{"(?:", "("}});
    if (regcomp(&res[i], ere.c_str(), REG_EXTENDED) != 0) return 65;
  }
  FILE* f = std::fopen(argv[2], "r");
  if (f == nullptr) return 66;
  char* line = nullptr;
  size_t cap = 0;
  ssize_t n;
  unsigned long long lines = 0, matched = 0;
  auto start = std::chrono::steady_clock::now();
  while ((n = getline(&line, &cap, f)) > 0) {
    ++lines;
    if (line[n - 1] == '\n') line[n - 1] = '\0';
    regmatch_t m[10];
    for (regex_t& re : res) {
      if (regexec(&re, line, 10, m, 0) == 0) {
        ++matched;
        break;
      }
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%llu lines, %llu matched, %.3f s\n", lines, matched, secs);
  return 0;
}
