// Fuzzes the stanza parser: never crashes; every stanza it accepts has a
// translated pattern with at least three groups (one, and a session pattern
// with one, for a two-line stanza, which must trust a program tag).
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
    if (s.pattern.empty() || s.name.empty()) std::abort();
    if (s.two_line()) {
      if (s.groups < 1 || s.session_groups < 1 || s.session_pattern.empty()) std::abort();
      if (!s.reads_message()) std::abort();
    } else if (s.groups < 3) {
      std::abort();
    }
    for (const auto& p : s.programs) {
      if (p.empty()) std::abort();
    }
    (void)exact::config::UnanchoredStanzaWarning(s);
  }
  return 0;
}
