// exact.conf: the daemon's `key value` settings, compatible with EXACT 1.41.
// Every 1.41 key is accepted with 1.41's defaults (for a build with
// localstatedir=/var and sysconfdir=/etc). As in 1.41, '#' starts a comment
// anywhere on a line. Unlike 1.41, an unknown key is an error, values are
// checked, and relative paths are taken relative to the file's directory.
// Thread safety: plain values.
#ifndef EXACT_SRC_CONFIG_EXACT_CONF_H_
#define EXACT_SRC_CONFIG_EXACT_CONF_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/config/diagnostic.h"

namespace exact::config {

// Map formats. kEximText and kEximCdb hold the same entries as kText and kCdb
// in Exim's key form for net-lsearch/net-cdb lookups (IPv6 as eight
// 4-digit groups joined by '.').
enum class MapFormat { kText, kDb, kLmdb, kCdb, kEximText, kEximCdb };

// "text", "db", "lmdb", "cdb", "exim", "exim-cdb".
const char* MapFormatName(MapFormat format);

// Which captured group holds what: 1.41's `order` parameter.
enum class FieldOrder { kUserAddress, kAddressUser };

// `match`/`order` written directly in exact.conf (older EXACT versions).
struct InlineStanza {
  std::string match;
  SourceLocation match_location;  // Column of the pattern's first byte.
  std::optional<FieldOrder> order;
  SourceLocation order_location;
};

// The name the map of `format` is published under: its own `…file` key if
// set, else `authfile`.
struct Settings;
std::string MapName(const Settings& settings, MapFormat format);

struct Settings {
  std::string user = "mail";
  std::string group = "mail";
  // A supplementary group kept after the privilege drop, so that a log
  // created anew by logrotate (Debian: root:adm 0640) can still be opened.
  std::string loggroup;
  // The journal input (docs/journald.md): on when units or commands are set.
  std::vector<std::string> journal_units;
  std::vector<std::string> journal_commands;
  std::vector<std::string> journal_files;  // Journal files to read instead of the system journal.
  std::string pidfile = "/run/exact/exact.pid";
  std::vector<std::string> maillog = {"/var/log/mail.log"};
  std::string serverdefs = "/etc/exact/exact-servers.conf";
  std::vector<std::string> servers = {"uw-imap"};  // Or the single word "all".
  std::vector<MapFormat> authtypes = {MapFormat::kText};
  std::string authfile = "/var/lib/exact/relay";
  std::string authtemp;  // "" = authfile + ".tmp".
  // Per-format map names (`lmdbfile` …) overriding `authfile` for that format.
  std::map<MapFormat, std::string> map_names;
  unsigned authmode = 0640;  // Mode of every map file.
  std::string authgroup;     // Group of every map file; "" = exact's own group.
  std::string dumpfile = "/var/lib/exact/dump";
  int64_t timeout = 1800;
  int64_t flush = 300;
  int64_t suspicious = 120;
  bool log_to_syslog = true;  // `logging syslog` (true) or `internal`.
  std::string logfile = "/var/log/exact/exact.log";
  std::string statefile;  // "" = authfile + ".state".
  std::string socketmap;  // "" = off; "unix:/path", "inet:IPV4:PORT" or "inet:[IPV6]:PORT".
  SourceLocation socketmap_location;
  // Client networks an inet: socketmap answers (checked by match::ParseNetworks);
  // required when it listens beyond loopback, since the protocol has no
  // authentication.
  std::vector<std::pair<std::string, SourceLocation>> socketmap_allow;
  // exactctl's unix socket (docs/exactctl.md); "" = "exact.ctl" beside the
  // pid file, "none" = off.
  std::string controlsocket;
  std::string controlgroup;  // Group whose members may use it; "" = root and exact only.
  // Prometheus metrics (docs/metrics.md): a loopback "IP:PORT" served over
  // HTTP ("" = off), and a file for node_exporter's textfile collector.
  std::string metrics_listen;
  std::string metrics_textfile;
  bool log_debug = false;  // `loglevel debug`: one line per granted, refreshed, ... address.
  // CIDR lists, as written, each with where it was written; checked by
  // match::ParseNetworks.
  std::vector<std::pair<std::string, SourceLocation>> ignore_networks;  // Never publish.
  std::vector<std::pair<std::string, SourceLocation>> static_networks;  // Always publish.
  // At most one map rename per this many milliseconds: short enough that a
  // login is in the map within a second, long enough to coalesce bursts.
  int64_t publish_interval_ms = 500;
  std::optional<InlineStanza> inline_stanza;
  // Fleet mode (docs/fleet.md): shared stores every login is also written
  // to, as "host:port" words, and the Redis server a relay follows.
  std::vector<std::string> memcache_servers;
  std::string memcache_prefix;  // "" = the key Postfix's default key_format asks for.
  std::vector<std::string> redis_servers;
  std::string redis_prefix = "exact:";
  std::string redis_stream = "exact:grants";
  int64_t redis_stream_length = 100000;
  std::string subscribe;        // "" = off; a Redis "host:port" whose stream this relay follows.
  int64_t fleet_queue = 65536;  // Changes waiting per store before a resync stands in.

  // Where `server` and `serverdefs` were set, for later diagnostics.
  SourceLocation server_location;
  SourceLocation serverdefs_location;
};

// Parses `text` (the contents of `file_name`) over the defaults in
// `settings`. Every problem is added to `diags`; settings with errors keep
// their defaults.
void ParseExactConf(absl::string_view text, const std::string& file_name, Settings* settings,
                    Diagnostics* diags);

// Names of every key exact.conf accepts, for suggestions and docs.
std::vector<std::string> ExactConfKeys();

// Parses `order`'s value ("username,address" or "address,username", blanks
// ignored); false on anything else.
bool ParseFieldOrder(absl::string_view text, FieldOrder* order);

// Parses "1800", "30m", "2h", "1d" into seconds; false on anything else.
bool ParseDuration(absl::string_view text, int64_t* seconds);

// Parses "250ms" or anything ParseDuration takes into milliseconds.
bool ParseDurationMillis(absl::string_view text, int64_t* millis);

}  // namespace exact::config

#endif  // EXACT_SRC_CONFIG_EXACT_CONF_H_
