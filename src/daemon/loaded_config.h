// One way to load a config and build what it implies (the matcher, the
// `ignore`, `static` and `socketmap_allow` networks), for start-up and reload alike: a reload
// then accepts exactly what a start would. And the running configuration
// written back out, for exactctl.
//
// Thread safety: a free function; the result is immutable once returned.
#ifndef EXACT_SRC_DAEMON_LOADED_CONFIG_H_
#define EXACT_SRC_DAEMON_LOADED_CONFIG_H_

#include <memory>
#include <optional>
#include <string>

#include "src/config/config.h"
#include "src/match/network.h"
#include "src/match/stanza_matcher.h"

namespace exact::daemon {

struct LoadedConfig {
  config::Config config;
  std::shared_ptr<const match::StanzaMatcher> matcher;
  match::NetworkSet ignore;
  match::NetworkSet statics;
  match::NetworkSet socketmap_allow;
};

// Loads `path`. Every problem lands in `diags`; on any error the result is
// empty and nothing of the config may be used.
std::optional<LoadedConfig> LoadConfigAndMatcher(const std::string& path,
                                                 config::Diagnostics* diags);

// The effective configuration in exact.conf's own syntax (exactctl config).
std::string EffectiveConfig(const config::Config& c, size_t stanzas);

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_LOADED_CONFIG_H_
