// Fuzzes address parsing: anything accepted round-trips through its
// canonical text to the same address.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_target.h"
#include "src/match/ip_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto a = exact::match::IpAddress::Parse(text);
  if (!a) return 0;
  auto b = exact::match::IpAddress::Parse(a->ToString());
  if (!b || *a != *b) std::abort();
  if (a->ToString().size() > exact::match::IpAddress::kMaxTextLength) std::abort();
  return 0;
}
