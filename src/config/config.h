// Loads exact.conf and the stanza file it names, selects the stanzas, and
// checks everything that can be checked without touching the system.
// Thread safety: plain values.
#ifndef EXACT_SRC_CONFIG_CONFIG_H_
#define EXACT_SRC_CONFIG_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "src/config/diagnostic.h"
#include "src/config/exact_conf.h"
#include "src/config/servers_conf.h"

namespace exact::config {

struct Config {
  std::string path;  // exact.conf, absolute.
  Settings settings;
  // The selected stanzas in the order they are tried: a legacy inline
  // stanza from exact.conf first, then file order (1.41's rule).
  std::vector<Stanza> stanzas;
};

struct LoadResult {
  std::optional<Config> config;  // Set exactly when there are no errors.
  Diagnostics diagnostics;       // Errors and warnings, in the order found.
};

LoadResult LoadConfig(const std::string& path);

}  // namespace exact::config

#endif  // EXACT_SRC_CONFIG_CONFIG_H_
