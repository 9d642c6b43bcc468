// Fuzzes the metrics listener's HTTP request parser and its reply: never
// crashes, never reads past the bound, and every reply is a whole response.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "fuzz/fuzz_target.h"
#include "src/metrics/http_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 2 * exact::metrics::kMaxHeadBytes) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto r = exact::metrics::ParseHttpRequest(text);
  if (r.ok() && *r && (*r)->path.empty()) std::abort();
  for (bool final : {false, true}) {
    auto reply = exact::metrics::MetricsReply(text, final, [] { return std::string("m 1\n"); });
    if (final && !reply) std::abort();
    if (reply && !absl::StartsWith(*reply, "HTTP/1.1 ")) std::abort();
  }
  return 0;
}
