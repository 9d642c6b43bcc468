// Fuzzes exactctl's protocol parsers: never crashes, and whatever parses
// encodes and parses again to the same request or response.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_target.h"
#include "src/control/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 2 * exact::control::kMaxRequestBytes) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto request = exact::control::ParseRequest(text);
  if (request.ok()) {
    auto line = exact::control::EncodeRequest(*request);
    if (!line.ok()) std::abort();
    auto again = exact::control::ParseRequest(*line);
    if (!again.ok() || !(*again == *request)) std::abort();
  }
  auto response = exact::control::ParseResponse(text);
  if (response.ok() && *response) {
    auto again = exact::control::ParseResponse(exact::control::EncodeResponse(**response));
    if (!again.ok() || !*again || !(**again == **response)) std::abort();
  }
  return 0;
}
