// The exact.conf parser: one declarative table of keys, each with a setter
// that validates its value and reports problems at the value's column.
#include "src/config/exact_conf.h"

#include <algorithm>
#include <filesystem>
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "src/base/files.h"
#include "src/base/log.h"
#include "src/config/socket_address.h"
#include "src/fleet/endpoint.h"

namespace exact::config {

const char* MapFormatName(MapFormat format) {
  switch (format) {
    case MapFormat::kText:
      return "text";
    case MapFormat::kDb:
      return "db";
    case MapFormat::kLmdb:
      return "lmdb";
    case MapFormat::kCdb:
      return "cdb";
    case MapFormat::kEximText:
      return "exim";
    case MapFormat::kEximCdb:
      return "exim-cdb";
  }
  return "?";
}

std::string MapName(const Settings& settings, MapFormat format) {
  auto it = settings.map_names.find(format);
  return it == settings.map_names.end() ? settings.authfile : it->second;
}

bool ParseFieldOrder(absl::string_view text, FieldOrder* order) {
  std::string compact = absl::StrReplaceAll(text, {{" ", ""}, {"\t", ""}});
  if (compact == "username,address") {
    *order = FieldOrder::kUserAddress;
  } else if (compact == "address,username") {
    *order = FieldOrder::kAddressUser;
  } else {
    return false;
  }
  return true;
}

namespace {

// `digits` as a number from 1 to `max`: digits only, no sign or blanks.
bool ParsePositive(absl::string_view digits, int64_t max, int64_t* value) {
  int64_t v = 0;
  if (digits.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(digits[0])) ||
      !absl::SimpleAtoi(digits, &v) || v <= 0 || v > max) {
    return false;
  }
  *value = v;
  return true;
}

}  // namespace

bool ParseDuration(absl::string_view text, int64_t* seconds) {
  if (text.empty()) return false;
  int64_t unit = 1;
  switch (text.back()) {
    case 's':
      unit = 1;
      text.remove_suffix(1);
      break;
    case 'm':
      unit = 60;
      text.remove_suffix(1);
      break;
    case 'h':
      unit = 3600;
      text.remove_suffix(1);
      break;
    case 'd':
      unit = 86400;
      text.remove_suffix(1);
      break;
    default:
      break;
  }
  int64_t value = 0;
  if (!ParsePositive(text, 10 * 365 * 86400LL / unit, &value)) return false;
  *seconds = value * unit;
  return true;
}

bool ParseDurationMillis(absl::string_view text, int64_t* millis) {
  if (absl::ConsumeSuffix(&text, "ms")) return ParsePositive(text, 86400 * 1000LL, millis);
  int64_t seconds = 0;
  if (!ParseDuration(text, &seconds)) return false;
  *millis = seconds * 1000;
  return true;
}

namespace {

// What a setter gets: the value, where it starts, and where to report.
struct Value {
  absl::string_view text;
  SourceLocation location;
  const std::string* base_dir;
  Diagnostics* diags;

  void Error(std::string message) const { diags->Error(location, std::move(message)); }
};

std::string ResolvePath(const Value& v) {
  std::filesystem::path p(std::string(v.text));
  if (p.is_relative()) p = std::filesystem::path(*v.base_dir) / p;
  return p.lexically_normal().string();
}

bool SingleWord(const Value& v, absl::string_view key) {
  if (v.text.find_first_of(" \t") != absl::string_view::npos) {
    v.Error(absl::StrCat("\"", key, "\" takes one value; found spaces in \"", v.text, "\""));
    return false;
  }
  return true;
}

std::vector<std::string> SplitList(absl::string_view text) {
  return absl::StrSplit(text, absl::ByAnyChar(", \t"), absl::SkipEmpty());
}

using Setter = std::function<void(const Value&, Settings*)>;

std::function<void(const Value&, Settings*)> PathSetter(std::string Settings::*field,
                                                        absl::string_view key) {
  std::string k(key);
  return [field, k](const Value& v, Settings* s) {
    if (SingleWord(v, k)) s->*field = ResolvePath(v);
  };
}

// A list of words (commas or blanks), each kept with its own column.
std::function<void(const Value&, Settings*)> ListSetter(
    std::vector<std::pair<std::string, SourceLocation>> Settings::*field) {
  return [field](const Value& v, Settings* s) {
    auto& out = s->*field;
    out.clear();
    size_t i = 0;
    while (i < v.text.size()) {
      size_t start = v.text.find_first_not_of(", \t", i);
      if (start == absl::string_view::npos) break;
      size_t end = v.text.find_first_of(", \t", start);
      if (end == absl::string_view::npos) end = v.text.size();
      SourceLocation at = v.location;
      at.column += static_cast<int>(start);
      out.emplace_back(std::string(v.text.substr(start, end - start)), at);
      i = end;
    }
  };
}

std::function<void(const Value&, Settings*)> MapNameSetter(MapFormat format) {
  return [format](const Value& v, Settings* s) {
    if (SingleWord(v, MapFormatName(format))) s->map_names[format] = ResolvePath(v);
  };
}

// A setter for a duration field: `parse` reads the value, `expected` says
// what it should have been.
std::function<void(const Value&, Settings*)> DurationSetter(
    int64_t Settings::*field, absl::string_view key,
    bool (*parse)(absl::string_view, int64_t*) = ParseDuration,
    absl::string_view expected = "a positive number of seconds (or 30m, 2h, 1d)") {
  std::string k(key), e(expected);
  return [field, k, e, parse](const Value& v, Settings* s) {
    int64_t value;
    if (!parse(v.text, &value)) {
      v.Error(absl::StrCat("\"", k, "\" must be ", e, "; got \"", v.text, "\""));
      return;
    }
    s->*field = value;
  };
}

// A list of HOST:PORT words (commas or blanks).
std::function<void(const Value&, Settings*)> EndpointListSetter(
    std::vector<std::string> Settings::*field, absl::string_view key) {
  std::string k(key);
  return [field, k](const Value& v, Settings* s) {
    std::vector<std::string> out;
    for (const std::string& word : SplitList(v.text)) {
      if (!fleet::ParseEndpoint(word)) {
        v.Error(absl::StrCat("\"", k, "\" takes HOST:PORT words ([V6]:PORT for IPv6); got \"",
                             base::Printable(word, 64), "\""));
        return;
      }
      out.push_back(word);
    }
    s->*field = std::move(out);
  };
}

// A key prefix or stream name: printable, no blanks (memcached keys refuse
// them), at most 100 bytes (memcached keys end at 250).
std::function<void(const Value&, Settings*)> KeyPrefixSetter(std::string Settings::*field,
                                                             absl::string_view key) {
  std::string k(key);
  return [field, k](const Value& v, Settings* s) {
    bool printable =
        std::all_of(v.text.begin(), v.text.end(), [](char c) { return c > ' ' && c < 0x7f; });
    if (!printable || v.text.size() > 100 || v.text.find(' ') != absl::string_view::npos) {
      v.Error(absl::StrCat("\"", k, "\" must be at most 100 printable characters, no blanks"));
      return;
    }
    s->*field = v.text == "\"\"" ? "" : std::string(v.text);
  };
}

// A whole number, at least `min`.
std::function<void(const Value&, Settings*)> CountSetter(int64_t Settings::*field,
                                                         absl::string_view key, int64_t min) {
  std::string k(key);
  return [field, k, min](const Value& v, Settings* s) {
    int64_t n;
    if (!absl::SimpleAtoi(v.text, &n) || n < min || n > 100000000) {
      v.Error(absl::StrCat("\"", k, "\" must be a whole number from ", min, " to 100000000; got \"",
                           base::Printable(v.text, 64), "\""));
      return;
    }
    s->*field = n;
  };
}

const absl::flat_hash_map<std::string, Setter>& KeyTable() {
  static const auto* table = new absl::flat_hash_map<std::string, Setter>{
      {"user",
       [](const Value& v, Settings* s) {
         if (SingleWord(v, "user")) s->user = std::string(v.text);
       }},
      {"group",
       [](const Value& v, Settings* s) {
         if (SingleWord(v, "group")) s->group = std::string(v.text);
       }},
      {"pidfile", PathSetter(&Settings::pidfile, "pidfile")},
      {"maillog",
       [](const Value& v, Settings* s) {
         s->maillog.clear();
         // Blanks or commas between files; "-" is standard input.
         for (absl::string_view p : SplitList(v.text)) {
           Value one = v;
           one.text = p;
           s->maillog.push_back(p == "-" ? std::string(p) : ResolvePath(one));
         }
       }},
      {"serverdefs",
       [](const Value& v, Settings* s) {
         if (!SingleWord(v, "serverdefs")) return;
         s->serverdefs = ResolvePath(v);
         s->serverdefs_location = v.location;
       }},
      {"server",
       [](const Value& v, Settings* s) {
         s->servers = SplitList(v.text);
         s->server_location = v.location;
         for (const std::string& name : s->servers) {
           if (name == "all" && s->servers.size() > 1) {
             v.Error("\"all\" selects every stanza; list it alone");
           }
         }
       }},
      {"authtype",
       [](const Value& v, Settings* s) {
         std::vector<MapFormat> formats;
         for (const std::string& name : SplitList(v.text)) {
           if (name == "text")
             formats.push_back(MapFormat::kText);
           else if (name == "db" || name == "hash")
             formats.push_back(MapFormat::kDb);
           else if (name == "lmdb")
             formats.push_back(MapFormat::kLmdb);
           else if (name == "cdb")
             formats.push_back(MapFormat::kCdb);
           else if (name == "exim")
             formats.push_back(MapFormat::kEximText);
           else if (name == "exim-cdb")
             formats.push_back(MapFormat::kEximCdb);
           else {
             v.Error(absl::StrCat(
                 "unknown authtype \"", name, "\"; expected text, db, lmdb, cdb, exim or exim-cdb",
                 DidYouMeanSuffix(name, {"text", "db", "lmdb", "cdb", "exim", "exim-cdb"})));
             return;
           }
         }
         s->authtypes = formats;
       }},
      {"authfile", PathSetter(&Settings::authfile, "authfile")},
      {"textfile", MapNameSetter(MapFormat::kText)},
      {"dbfile", MapNameSetter(MapFormat::kDb)},
      {"lmdbfile", MapNameSetter(MapFormat::kLmdb)},
      {"cdbfile", MapNameSetter(MapFormat::kCdb)},
      {"eximfile", MapNameSetter(MapFormat::kEximText)},
      {"eximcdbfile", MapNameSetter(MapFormat::kEximCdb)},
      {"authmode",
       [](const Value& v, Settings* s) {
         unsigned mode = 0;
         bool ok = !v.text.empty() && v.text.size() <= 4;
         for (char c : v.text) {
           ok = ok && c >= '0' && c <= '7';
           mode = mode * 8 + static_cast<unsigned>(c - '0');
         }
         if (!ok || mode > 0777) {
           v.Error(absl::StrCat("\"authmode\" must be an octal mode such as 0640; got \"", v.text,
                                "\""));
         } else if (mode & 0002) {
           v.Error(absl::StrCat("\"authmode\" ", v.text,
                                " lets anyone rewrite who may relay; drop the world-write bit"));
         } else {
           s->authmode = mode;
         }
       }},
      {"authgroup",
       [](const Value& v, Settings* s) {
         if (SingleWord(v, "authgroup")) s->authgroup = std::string(v.text);
       }},
      {"journal_units",
       [](const Value& v, Settings* s) {
         s->journal_units.clear();
         for (absl::string_view u : SplitList(v.text)) s->journal_units.emplace_back(u);
       }},
      {"journal_commands",
       [](const Value& v, Settings* s) {
         s->journal_commands.clear();
         for (absl::string_view c : SplitList(v.text)) s->journal_commands.emplace_back(c);
       }},
      {"journal_files",
       [](const Value& v, Settings* s) {
         s->journal_files.clear();
         for (absl::string_view p : SplitList(v.text)) {
           Value one = v;
           one.text = p;
           s->journal_files.push_back(ResolvePath(one));
         }
       }},
      {"loggroup",
       [](const Value& v, Settings* s) {
         if (SingleWord(v, "loggroup")) s->loggroup = std::string(v.text);
       }},
      {"authtemp", PathSetter(&Settings::authtemp, "authtemp")},
      {"dumpfile", PathSetter(&Settings::dumpfile, "dumpfile")},
      {"statefile", PathSetter(&Settings::statefile, "statefile")},
      {"logfile", PathSetter(&Settings::logfile, "logfile")},
      {"timeout", DurationSetter(&Settings::timeout, "timeout")},
      {"ignore", ListSetter(&Settings::ignore_networks)},
      {"static", ListSetter(&Settings::static_networks)},
      {"publish_interval",
       DurationSetter(&Settings::publish_interval_ms, "publish_interval", ParseDurationMillis,
                      "a positive duration such as 500ms, 1s or 2")},
      {"socketmap",
       [](const Value& v, Settings* s) {
         if (!SingleWord(v, "socketmap")) return;
         if (absl::StartsWith(v.text, "unix:")) {
           Value path = v;
           path.text = v.text.substr(5);
           s->socketmap = absl::StrCat("unix:", ResolvePath(path));
         } else if (absl::StatusOr<SocketAddress> a = ParseSocketAddress(v.text);
                    a.ok() && (a->is_unix || a->port > 0)) {
           s->socketmap = std::string(v.text);
         } else {
           v.Error(
               absl::StrCat("\"socketmap\" must be unix:PATH, inet:IPV4:PORT or "
                            "inet:[IPV6]:PORT; got \"",
                            v.text, "\""));
         }
         s->socketmap_location = v.location;
       }},
      {"controlsocket",
       [](const Value& v, Settings* s) {
         if (!SingleWord(v, "controlsocket")) return;
         s->controlsocket = v.text == "none" ? std::string("none") : ResolvePath(v);
       }},
      {"controlgroup",
       [](const Value& v, Settings* s) {
         if (SingleWord(v, "controlgroup")) s->controlgroup = std::string(v.text);
       }},
      {"metrics_listen",
       [](const Value& v, Settings* s) {
         if (!SingleWord(v, "metrics_listen")) return;
         // Loopback only: the metrics name no secret, but exact listens on
         // nothing an outsider can reach.
         const size_t colon = v.text.rfind(':');
         int port = 0;
         const absl::string_view host =
             colon == absl::string_view::npos ? absl::string_view() : v.text.substr(0, colon);
         if (colon == absl::string_view::npos ||
             !absl::SimpleAtoi(v.text.substr(colon + 1), &port) || port < 1 || port > 65535 ||
             !(absl::StartsWith(host, "127.") || host == "localhost")) {
           v.Error(absl::StrCat("\"metrics_listen\" must be a loopback 127.x.y.z:PORT; got \"",
                                v.text, "\""));
           return;
         }
         s->metrics_listen = std::string(v.text);
       }},
      {"metrics_textfile", PathSetter(&Settings::metrics_textfile, "metrics_textfile")},
      {"loglevel",
       [](const Value& v, Settings* s) {
         if (v.text == "debug")
           s->log_debug = true;
         else if (v.text == "info")
           s->log_debug = false;
         else
           v.Error(
               absl::StrCat("\"loglevel\" must be \"info\" or \"debug\"; got \"", v.text, "\""));
       }},
      {"socketmap_allow", ListSetter(&Settings::socketmap_allow)},
      {"memcache", EndpointListSetter(&Settings::memcache_servers, "memcache")},
      {"memcache_prefix", KeyPrefixSetter(&Settings::memcache_prefix, "memcache_prefix")},
      {"redis", EndpointListSetter(&Settings::redis_servers, "redis")},
      {"redis_prefix", KeyPrefixSetter(&Settings::redis_prefix, "redis_prefix")},
      {"redis_stream", KeyPrefixSetter(&Settings::redis_stream, "redis_stream")},
      {"redis_stream_length",
       CountSetter(&Settings::redis_stream_length, "redis_stream_length", 1000)},
      {"fleet_queue", CountSetter(&Settings::fleet_queue, "fleet_queue", 1)},
      {"subscribe",
       [](const Value& v, Settings* s) {
         if (!SingleWord(v, "subscribe")) return;
         if (!fleet::ParseEndpoint(v.text)) {
           v.Error(absl::StrCat("\"subscribe\" must be a Redis HOST:PORT; got \"",
                                base::Printable(v.text, 64), "\""));
           return;
         }
         s->subscribe = std::string(v.text);
       }},
      {"flush", DurationSetter(&Settings::flush, "flush")},
      {"suspicious", DurationSetter(&Settings::suspicious, "suspicious")},
      {"logging",
       [](const Value& v, Settings* s) {
         if (v.text == "syslog")
           s->log_to_syslog = true;
         else if (v.text == "internal")
           s->log_to_syslog = false;
         else
           v.Error(absl::StrCat("\"logging\" must be \"syslog\" or \"internal\"; got \"", v.text,
                                "\""));
       }},
      {"match",
       [](const Value& v, Settings* s) {
         if (!s->inline_stanza) s->inline_stanza.emplace();
         s->inline_stanza->match = std::string(v.text);
         s->inline_stanza->match_location = v.location;
       }},
      {"order",
       [](const Value& v, Settings* s) {
         FieldOrder order;
         if (!ParseFieldOrder(v.text, &order)) {
           v.Error(
               absl::StrCat("\"order\" must be \"username,address\" or \"address,username\"; "
                            "got \"",
                            v.text, "\""));
           return;
         }
         if (!s->inline_stanza) s->inline_stanza.emplace();
         s->inline_stanza->order = order;
         s->inline_stanza->order_location = v.location;
       }},
  };
  return *table;
}

}  // namespace

std::vector<std::string> ExactConfKeys() {
  std::vector<std::string> keys;
  for (const auto& [name, setter] : KeyTable()) keys.push_back(name);
  std::sort(keys.begin(), keys.end());
  return keys;
}

namespace {

// The socketmap protocol has no authentication: anyone who can connect may
// ask who may relay. Beyond loopback that needs an explicit list of clients.
void CheckSocketmapExposure(const Settings& s, Diagnostics* diags) {
  if (!s.socketmap_allow.empty() && !absl::StartsWith(s.socketmap, "inet:")) {
    diags->Warning(s.socketmap_allow.front().second,
                   "socketmap_allow applies only to an inet: socketmap; ignored (a unix: "
                   "socket is guarded by its mode and group)");
    return;
  }
  if (!absl::StartsWith(s.socketmap, "inet:") || !s.socketmap_allow.empty()) return;
  absl::StatusOr<SocketAddress> a = ParseSocketAddress(s.socketmap);
  if (!a.ok() || a->loopback) return;
  diags->Error(s.socketmap_location,
               absl::StrCat("socketmap ", s.socketmap,
                            " listens beyond loopback, and the protocol has no authentication; "
                            "list the client networks that may connect with socketmap_allow "
                            "(e.g. \"socketmap_allow 192.0.2.25, 2001:db8::/64\"), or listen "
                            "on unix:PATH or 127.0.0.1"));
}

}  // namespace

void ParseExactConf(absl::string_view text, const std::string& file_name, Settings* settings,
                    Diagnostics* diags) {
  const std::string base_dir = base::SplitPath(base::AbsolutePath(file_name)).first;
  const std::vector<std::string> keys = ExactConfKeys();
  absl::flat_hash_map<std::string, int> first_line;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t key_start = line.find_first_not_of(" \t");
    if (key_start == absl::string_view::npos) continue;
    size_t key_end = line.find_first_of(" \t", key_start);
    if (key_end == absl::string_view::npos) key_end = line.size();
    std::string key(line.substr(key_start, key_end - key_start));
    SourceLocation key_at{file_name, line_no, static_cast<int>(key_start) + 1};

    auto it = KeyTable().find(key);
    if (it == KeyTable().end()) {
      diags->Error(key_at, absl::StrCat("unknown key \"", base::Printable(key, 64), "\"",
                                        DidYouMeanSuffix(key, keys)));
      continue;
    }
    size_t value_start = line.find_first_not_of(" \t", key_end);
    if (value_start == absl::string_view::npos) {
      diags->Error({file_name, line_no, static_cast<int>(key_end) + 1},
                   absl::StrCat("missing value for \"", key, "\""));
      continue;
    }
    absl::string_view value = absl::StripTrailingAsciiWhitespace(line.substr(value_start));
    if (auto [prev, inserted] = first_line.emplace(key, line_no); !inserted) {
      // EXACT 1.41 kept the first of duplicate keys; so do we, loudly.
      diags->Warning(key_at, absl::StrCat("duplicate key \"", key, "\"; the value on line ",
                                          prev->second, " stays in effect"));
      continue;
    }
    Value v{value, {file_name, line_no, static_cast<int>(value_start) + 1}, &base_dir, diags};
    it->second(v, settings);
  }
  CheckSocketmapExposure(*settings, diags);
}

}  // namespace exact::config
