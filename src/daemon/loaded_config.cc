#include "src/daemon/loaded_config.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "src/publish/map_writer.h"

namespace exact::daemon {

std::optional<LoadedConfig> LoadConfigAndMatcher(const std::string& path,
                                                 config::Diagnostics* diags) {
  config::LoadResult loaded = config::LoadConfig(path);
  diags->Append(loaded.diagnostics);
  if (!loaded.config) return std::nullopt;
  LoadedConfig out;
  absl::StatusOr<std::unique_ptr<match::StanzaMatcher>> m =
      match::StanzaMatcher::Create(loaded.config->stanzas, diags);
  const config::Settings& s = loaded.config->settings;
  out.ignore = match::ParseNetworks(s.ignore_networks, "ignore", diags);
  out.statics = match::ParseNetworks(s.static_networks, "static", diags);
  out.socketmap_allow = match::ParseNetworks(s.socketmap_allow, "socketmap_allow", diags);
  // Only a fully parsed list is checked against the map formats.
  if (s.static_networks.size() == out.statics.networks().size()) {
    publish::CheckStaticNetworks(s, out.statics, diags);
  }
  if (!m.ok() || diags->HasErrors()) return std::nullopt;
  out.matcher = std::move(*m);
  out.config = std::move(*loaded.config);
  return out;
}

std::string EffectiveConfig(const config::Config& c, size_t stanzas) {
  const config::Settings& s = c.settings;
  std::string out = absl::StrCat("# ", c.path, ", as running (", stanzas, " stanza(s))\n");
  auto line = [&](const char* key, const std::string& value) {
    if (!value.empty()) absl::StrAppend(&out, key, " ", value, "\n");
  };
  auto texts = [](const auto& list) {
    std::vector<std::string> v;
    for (const auto& [text, at] : list) v.push_back(text);
    return absl::StrJoin(v, ", ");
  };
  std::vector<std::string> types;
  for (config::MapFormat f : s.authtypes) types.push_back(config::MapFormatName(f));
  line("user", s.user);
  line("group", s.group);
  line("loggroup", s.loggroup);
  line("pidfile", s.pidfile);
  line("maillog", absl::StrJoin(s.maillog, ", "));
  line("journal_units", absl::StrJoin(s.journal_units, ", "));
  line("journal_commands", absl::StrJoin(s.journal_commands, ", "));
  line("serverdefs", s.serverdefs);
  line("server", absl::StrJoin(s.servers, ", "));
  line("authtype", absl::StrJoin(types, ", "));
  line("authfile", s.authfile);
  for (const auto& [format, name] : s.map_names) {
    line(absl::StrCat(config::MapFormatName(format), "file").c_str(), name);
  }
  line("authtemp", s.authtemp);
  line("authmode", absl::StrFormat("%04o", s.authmode));
  line("authgroup", s.authgroup);
  line("statefile", s.statefile);
  line("dumpfile", s.dumpfile);
  line("timeout", absl::StrCat(s.timeout));
  line("flush", absl::StrCat(s.flush));
  line("suspicious", absl::StrCat(s.suspicious));
  line("publish_interval", absl::StrCat(s.publish_interval_ms, "ms"));
  line("logging", s.log_to_syslog ? "syslog" : "internal");
  if (!s.log_to_syslog) line("logfile", s.logfile);
  line("loglevel", s.log_debug ? "debug" : "info");
  line("socketmap", s.socketmap);
  line("socketmap_allow", texts(s.socketmap_allow));
  line("controlsocket", s.controlsocket);
  line("controlgroup", s.controlgroup);
  line("metrics_listen", s.metrics_listen);
  line("metrics_textfile", s.metrics_textfile);
  line("ignore", texts(s.ignore_networks));
  line("static", texts(s.static_networks));
  return out;
}

}  // namespace exact::daemon
