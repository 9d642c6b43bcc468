// Fuzzes the stanza parser: never crashes; every stanza it accepts has a
// translated pattern with at least three groups.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_target.h"
#include "src/config/servers_conf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  exact::config::Diagnostics diags;
  auto stanzas = exact::config::ParseServersConf(text, "/fuzz/servers.conf", &diags);
  for (const auto& s : stanzas) {
    if (s.groups < 3 || s.pattern.empty() || s.name.empty()) std::abort();
  }
  return 0;
}
