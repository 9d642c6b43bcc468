// exact-lookup: looks a client address up in relay maps, the way the MTA
// would (like `postmap -q`), in every format exact writes.
//
//   exact-lookup ADDRESS [MAP...]
//   exact-lookup -c /etc/exact.conf ADDRESS
//
// MAP is a file (NAME.lmdb, NAME.db, NAME.cdb, NAME.exim, NAME.exim.cdb, or text) or a
// Postfix-style TYPE:NAME (lmdb:NAME, hash:NAME, text:NAME). With -c the maps of that configuration
// are used, and its state file supplies the user name. Exit status: 0 found in every map, 1 found
// in none, 65 (EX_DATAERR) when the maps disagree, 64 usage, 66 a map cannot be read.
#include <sysexits.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/base/clock.h"
#include "src/base/files.h"
#include "src/base/log.h"
#include "src/config/config.h"
#include "src/match/ip_address.h"
#include "src/publish/map_reader.h"
#include "src/publish/map_writer.h"
#include "src/table/state_file.h"

namespace {

using exact::config::MapFormat;

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: exact-lookup [-c CONFIG] ADDRESS [MAP...]\n"
               "  MAP: FILE (NAME.lmdb, NAME.db, NAME.cdb, NAME.exim, NAME.exim.cdb, or text)\n"
               "       or lmdb:NAME, hash:NAME, cdb:NAME, text:NAME\n"
               "  -c CONFIG  look in the maps and state file of this exact.conf\n"
               "exit: 0 found everywhere, 1 found nowhere, 65 maps disagree, 66 unreadable\n");
}

struct Map {
  MapFormat format;
  std::string file;
};

Map ParseMapArg(const std::string& arg) {
  using exact::publish::MapFileName;
  if (absl::StartsWith(arg, "lmdb:"))
    return {MapFormat::kLmdb, MapFileName(MapFormat::kLmdb, arg.substr(5))};
  if (absl::StartsWith(arg, "hash:"))
    return {MapFormat::kDb, MapFileName(MapFormat::kDb, arg.substr(5))};
  if (absl::StartsWith(arg, "cdb:"))
    return {MapFormat::kCdb, MapFileName(MapFormat::kCdb, arg.substr(4))};
  if (absl::StartsWith(arg, "text:")) return {MapFormat::kText, arg.substr(5)};
  return {exact::publish::FormatOfFile(arg), arg};
}

std::string Describe(int64_t expiry) {
  std::string buf = exact::base::FormatLocalTime(expiry);
  int64_t left = expiry - static_cast<int64_t>(::time(nullptr));
  return left > 0 ? absl::StrCat(buf, " (in ", left / 60, "m", left % 60, "s)")
                  : absl::StrCat(buf, " (expired)");
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      Usage(stdout);
      return 0;
    }
    if (a == "-c" && i + 1 < argc) {
      config_path = argv[++i];
      continue;
    }
    args.push_back(a);
  }
  if (args.empty() || (args.size() == 1 && config_path.empty())) {
    Usage(stderr);
    return EX_USAGE;
  }
  std::optional<exact::match::IpAddress> address = exact::match::IpAddress::Parse(args[0]);
  if (!address) {
    std::fprintf(stderr, "exact-lookup: \"%s\" is not an IPv4 or IPv6 address\n", args[0].c_str());
    return EX_USAGE;
  }
  const std::string key = address->ToString();  // For messages.

  std::vector<Map> maps;
  std::string state_file;
  if (!config_path.empty()) {
    exact::config::LoadResult r = exact::config::LoadConfig(config_path);
    if (!r.config) {
      std::fputs(r.diagnostics.ToString().c_str(), stderr);
      return EX_CONFIG;
    }
    for (MapFormat f : r.config->settings.authtypes) {
      maps.push_back(
          {f, exact::publish::MapFileName(f, exact::config::MapName(r.config->settings, f))});
    }
    state_file = r.config->settings.statefile;
  }
  for (size_t i = 1; i < args.size(); ++i) maps.push_back(ParseMapArg(args[i]));

  int found = 0;
  for (const Map& m : maps) {
    auto v =
        exact::publish::LookupMapFile(m.format, m.file, exact::publish::MapKey(m.format, *address));
    if (!v.ok()) {
      std::fprintf(stderr, "exact-lookup: %s\n", std::string(v.status().message()).c_str());
      return EX_NOINPUT;
    }
    int64_t expiry;
    if (!v->has_value()) {
      std::printf("%s: %s not found\n", m.file.c_str(), key.c_str());
    } else if (absl::SimpleAtoi(**v, &expiry)) {
      std::printf("%s: %s found, expires %s\n", m.file.c_str(), key.c_str(),
                  Describe(expiry).c_str());
      ++found;
    } else {
      std::printf("%s: %s found\n", m.file.c_str(), key.c_str());
      ++found;
    }
  }
  if (!state_file.empty()) {
    auto text = exact::base::ReadFileToString(state_file);
    if (text.ok()) {
      for (const auto& r : exact::table::DecodeState(*text).records) {
        if (r.address == *address) {
          std::printf("state: %s user \"%s\", last login %s, expires %s\n", key.c_str(),
                      exact::base::Printable(r.user).c_str(),
                      exact::base::FormatLocalTime(r.last_login).c_str(),
                      Describe(r.expiry).c_str());
        }
      }
    }
  }
  if (found == static_cast<int>(maps.size())) return 0;
  return found == 0 ? 1 : EX_DATAERR;
}
