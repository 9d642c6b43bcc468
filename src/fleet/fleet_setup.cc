#include "src/fleet/fleet_setup.h"

#include <utility>
#include <vector>

namespace exact::fleet {

std::unique_ptr<FleetPublisher> MakeFleetPublisher(const config::Settings& s,
                                                   const base::Clock* clock) {
  std::vector<std::unique_ptr<GrantStore>> stores;
  StoreOptions mc;
  mc.key_prefix = s.memcache_prefix;
  for (const std::string& server : s.memcache_servers) {
    stores.push_back(MakeMemcachedStore(*ParseEndpoint(server), mc));  // Checked by the parser.
  }
  StoreOptions redis;
  redis.key_prefix = s.redis_prefix;
  redis.stream = s.redis_stream;
  redis.stream_length = s.redis_stream_length;
  for (const std::string& server : s.redis_servers) {
    stores.push_back(MakeRedisStore(*ParseEndpoint(server), redis));
  }
  if (stores.empty()) return nullptr;
  PublisherOptions options;
  options.queue_bound = static_cast<size_t>(s.fleet_queue);
  return std::make_unique<FleetPublisher>(std::move(stores), clock, options);
}

std::unique_ptr<RedisSubscriber> MakeSubscriber(const config::Settings& s,
                                                RedisSubscriber::Apply apply) {
  if (s.subscribe.empty()) return nullptr;
  return std::make_unique<RedisSubscriber>(*ParseEndpoint(s.subscribe), s.redis_stream,
                                           std::move(apply));
}

}  // namespace exact::fleet
