#include "src/fleet/stream_reply.h"

#include <utility>

namespace exact::fleet {
namespace {

bool IsString(const redisReply* r) {
  return r != nullptr && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS);
}
absl::string_view View(const redisReply* r) { return absl::string_view(r->str, r->len); }
bool IsArray(const redisReply* r, size_t n_min) {
  return r != nullptr && r->type == REDIS_REPLY_ARRAY && r->elements >= n_min;
}

}  // namespace

absl::StatusOr<StreamBatch> ReadStreamReply(const redisReply* reply) {
  StreamBatch batch;
  if (reply == nullptr) return absl::InvalidArgumentError("no reply");
  if (reply->type == REDIS_REPLY_NIL) return batch;
  if (reply->type == REDIS_REPLY_ERROR) {
    return absl::UnavailableError(std::string("XREAD: ") + std::string(View(reply)));
  }
  if (!IsArray(reply, 1)) return absl::InvalidArgumentError("XREAD reply is not an array");
  const redisReply* stream = reply->element[0];
  if (!IsArray(stream, 2) || !IsArray(stream->element[1], 0)) {
    return absl::InvalidArgumentError("XREAD reply: a stream is not [name, entries]");
  }
  const redisReply* entries = stream->element[1];
  for (size_t i = 0; i < entries->elements; ++i) {
    const redisReply* entry = entries->element[i];
    if (!IsArray(entry, 2) || !IsString(entry->element[0]) ||
        !IsStreamId(View(entry->element[0]))) {
      return absl::InvalidArgumentError("XREAD reply: an entry is not [id, fields]");
    }
    batch.last_id = std::string(View(entry->element[0]));
    const redisReply* fields = entry->element[1];
    if (fields->type != REDIS_REPLY_ARRAY || fields->elements % 2 != 0) {
      ++batch.bad_entries;
      continue;
    }
    std::vector<std::pair<absl::string_view, absl::string_view>> pairs;
    bool strings = true;
    for (size_t f = 0; f + 1 < fields->elements; f += 2) {
      if (!IsString(fields->element[f]) || !IsString(fields->element[f + 1])) {
        strings = false;
        break;
      }
      pairs.emplace_back(View(fields->element[f]), View(fields->element[f + 1]));
    }
    absl::StatusOr<Grant> g =
        strings ? ParseStreamFields(pairs) : absl::InvalidArgumentError("not strings");
    if (g.ok()) {
      batch.grants.push_back(*g);
    } else {
      ++batch.bad_entries;
    }
  }
  return batch;
}

}  // namespace exact::fleet
