// Fuzzes what a subscriber reads from Redis: bytes of the RESP protocol,
// parsed by hiredis's own reader (as redisCommand does), then walked by
// ReadStreamReply. Every grant it yields must be a unicast address whose
// text round-trips, and the same bytes must give the same answer twice.
// Endpoint parsing (exact.conf's HOST:PORT) is fuzzed on the same input.
#include <hiredis/hiredis.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_target.h"
#include "src/fleet/endpoint.h"
#include "src/fleet/stream_reply.h"

namespace {

// Debian 12's hiredis (0.14) has no `maxelements`: an array header callocs
// the length it declares before any element arrives, so "*1700000000" asks
// for 13 GB. That is the library's behaviour towards the Redis server exact
// is configured to trust (docs/fleet.md), not exact's code, which is what
// this target is for: inputs declaring more elements than any stream reply
// exact asks for could hold are left out.
bool DeclaresHugeArray(const std::string& text) {
  constexpr long kMaxElements = 1 << 16;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '*' || (i > 0 && text[i - 1] != '\n')) continue;
    long n = 0;
    for (size_t j = i + 1; j < text.size() && text[j] >= '0' && text[j] <= '9'; ++j) {
      n = n * 10 + (text[j] - '0');
      if (n > kMaxElements) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto e = exact::fleet::ParseEndpoint(text)) {
    if (e->port < 1 || e->port > 65535) std::abort();
    auto again = exact::fleet::ParseEndpoint(e->ToString());
    if (!again || again->host != e->host || again->port != e->port) std::abort();
  }
  if (DeclaresHugeArray(text)) return 0;
  redisReader* reader = redisReaderCreate();
  if (reader == nullptr) return 0;
  redisReaderFeed(reader, text.data(), text.size());
  void* raw = nullptr;
  while (redisReaderGetReply(reader, &raw) == REDIS_OK && raw != nullptr) {
    const auto* reply = static_cast<const redisReply*>(raw);
    auto batch = exact::fleet::ReadStreamReply(reply);
    auto again = exact::fleet::ReadStreamReply(reply);
    if (batch.ok() != again.ok()) std::abort();
    if (batch.ok()) {
      if (batch->grants != again->grants || batch->last_id != again->last_id) std::abort();
      for (const exact::fleet::Grant& g : batch->grants) {
        if (!g.address.IsUnicast()) std::abort();
        auto back = exact::match::IpAddress::Parse(g.address.ToString());
        if (!back || *back != g.address) std::abort();
      }
      if (!batch->grants.empty() && batch->last_id.empty()) std::abort();
    }
    freeReplyObject(raw);
    raw = nullptr;
  }
  redisReaderFree(reader);
  return 0;
}
