// Fuzzes the exact.conf parser: never crashes, and every diagnostic points
// at a line that exists.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_split.h"
#include "fuzz/fuzz_target.h"
#include "src/config/exact_conf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  exact::config::Settings settings;
  exact::config::Diagnostics diags;
  exact::config::ParseExactConf(text, "/fuzz/exact.conf", &settings, &diags);
  int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const auto& d : diags.all()) {
    if (d.location.line < 1 || d.location.line > lines || d.location.column < 1) std::abort();
  }
  return 0;
}
