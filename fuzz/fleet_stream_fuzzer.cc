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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto e = exact::fleet::ParseEndpoint(text)) {
    if (e->port < 1 || e->port > 65535) std::abort();
    auto again = exact::fleet::ParseEndpoint(e->ToString());
    if (!again || again->host != e->host || again->port != e->port) std::abort();
  }
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
