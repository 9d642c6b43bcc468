#include "src/daemon/loaded_config.h"

#include <utility>

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

}  // namespace exact::daemon
