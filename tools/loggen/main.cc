// exact-loggen: writes a deterministic, realistic mixed mail log.
#include <sysexits.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "tools/loggen/log_generator.h"

namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: exact-loggen [options] SIZE\n"
               "Writes SIZE bytes (suffix K, M or G) of mail log to stdout.\n"
               "  --seed N            generator seed (default 1)\n"
               "  --logins FRACTION   share of successful login lines (default 0.05)\n"
               "  --failures FRACTION share of failed/look-alike lines (default 0.02)\n"
               "  --addresses N       distinct client addresses (default 10000)\n"
               "  --ipv6 FRACTION     share of IPv6 clients (default 0.1)\n"
               "  --answer FILE       also write the known answer: address TAB user\n");
}

bool ParseSize(const char* text, uint64_t* bytes) {
  std::string s = text;
  uint64_t unit = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'K':
      case 'k':
        unit = 1ULL << 10;
        s.pop_back();
        break;
      case 'M':
      case 'm':
        unit = 1ULL << 20;
        s.pop_back();
        break;
      case 'G':
      case 'g':
        unit = 1ULL << 30;
        s.pop_back();
        break;
    }
  }
  uint64_t v;
  if (!absl::SimpleAtoi(s, &v)) return false;
  *bytes = v * unit;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  exact::loggen::GeneratorOptions options;
  uint64_t size = 0;
  const char* answer_file = nullptr;
  bool have_size = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "exact-loggen: %s needs a value\n", name);
        std::exit(EX_USAGE);
      }
      return argv[++i];
    };
    bool ok = true;
    if (arg == "-h" || arg == "--help") {
      Usage(stdout);
      return 0;
    } else if (arg == "--seed") {
      ok = absl::SimpleAtoi(value("--seed"), &options.seed);
    } else if (arg == "--logins") {
      ok = absl::SimpleAtod(value("--logins"), &options.login_share);
    } else if (arg == "--failures") {
      ok = absl::SimpleAtod(value("--failures"), &options.failure_share);
    } else if (arg == "--addresses") {
      ok = absl::SimpleAtoi(value("--addresses"), &options.unique_addresses) &&
           options.unique_addresses > 0;
    } else if (arg == "--ipv6") {
      ok = absl::SimpleAtod(value("--ipv6"), &options.ipv6_share);
    } else if (arg == "--answer") {
      answer_file = value("--answer");
    } else if (!have_size && ParseSize(argv[i], &size)) {
      have_size = true;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "exact-loggen: bad argument \"%s\"\n", argv[i]);
      Usage(stderr);
      return EX_USAGE;
    }
  }
  if (!have_size) {
    Usage(stderr);
    return EX_USAGE;
  }
  exact::loggen::LogGenerator gen(options);
  gen.set_track_answer(answer_file != nullptr);
  std::string buf;
  uint64_t written = 0;
  while (written < size) {
    buf.clear();
    gen.AppendBytes(&buf, std::min<uint64_t>(1 << 20, size - written));
    if (std::fwrite(buf.data(), 1, buf.size(), stdout) != buf.size()) return EX_IOERR;
    written += buf.size();
  }
  if (answer_file != nullptr) {
    FILE* f = std::fopen(answer_file, "w");
    if (f == nullptr) return EX_CANTCREAT;
    for (const auto& [ip, user] : gen.answer())
      std::fprintf(f, "%s\t%s\n", ip.c_str(), user.c_str());
    std::fclose(f);
  }
  std::fprintf(stderr, "exact-loggen: %llu bytes, %llu lines, %llu logins\n",
               static_cast<unsigned long long>(written),
               static_cast<unsigned long long>(gen.lines()),
               static_cast<unsigned long long>(gen.logins()));
  return std::fflush(stdout) == 0 ? 0 : EX_IOERR;
}
