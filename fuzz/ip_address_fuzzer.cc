// Fuzzes address parsing: anything accepted round-trips through its
// canonical text to the same address, and text is accepted exactly when
// glibc's inet_pton accepts it (both parsers are ours), as the same address.
#include <arpa/inet.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fuzz/fuzz_target.h"
#include "src/match/ip_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto a = exact::match::IpAddress::Parse(text);
  if (text.find('\0') == std::string::npos) {
    if (text.find(':') == std::string::npos) {
      in_addr v4;
      const bool want = ::inet_pton(AF_INET, text.c_str(), &v4) == 1;
      if (a.has_value() != want) std::abort();
      if (want && std::memcmp(a->bytes().data() + 12, &v4, 4) != 0) std::abort();
    } else {
      in6_addr v6;
      const bool want = ::inet_pton(AF_INET6, text.c_str(), &v6) == 1;
      if (a.has_value() != want) std::abort();
      if (want && std::memcmp(a->bytes().data(), &v6, 16) != 0) std::abort();
    }
  }
  if (!a) return 0;
  auto b = exact::match::IpAddress::Parse(a->ToString());
  if (!b || *a != *b) std::abort();
  if (a->ToString().size() > exact::match::IpAddress::kMaxTextLength) std::abort();
  return 0;
}
