// Fuzzes the POSIX ERE translator: any input either fails with an offset
// inside the pattern or yields a pattern RE2 accepts with the same group count.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_target.h"
#include "re2/re2.h"
#include "src/config/posix_ere.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string ere(reinterpret_cast<const char*>(data), size);
  exact::config::EreTranslation t = exact::config::TranslatePosixEre(ere);
  if (!t.ok) {
    if (t.error_offset > ere.size()) std::abort();
    return 0;
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_longest_match(true);
  RE2 re(t.pattern, options);
  // RE2 may refuse for size (large repeats); it must never disagree on groups.
  if (re.ok() && re.NumberOfCapturingGroups() != t.groups) std::abort();
  if (t.pattern.find('\n') != std::string::npos) std::abort();
  return 0;
}
