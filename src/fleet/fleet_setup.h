// Builds fleet mode's parts from exact.conf's settings; the daemon's only
// knowledge of src/fleet beyond Offer/Delete/Summary.
#ifndef EXACT_SRC_FLEET_FLEET_SETUP_H_
#define EXACT_SRC_FLEET_FLEET_SETUP_H_

#include <memory>

#include "src/base/clock.h"
#include "src/config/exact_conf.h"
#include "src/fleet/fleet_publisher.h"
#include "src/fleet/redis_subscriber.h"

namespace exact::fleet {

// nullptr when no `memcache` or `redis` server is set.
std::unique_ptr<FleetPublisher> MakeFleetPublisher(const config::Settings& settings,
                                                   const base::Clock* clock);

// nullptr when `subscribe` is not set.
std::unique_ptr<RedisSubscriber> MakeSubscriber(const config::Settings& settings,
                                                RedisSubscriber::Apply apply);

}  // namespace exact::fleet

#endif  // EXACT_SRC_FLEET_FLEET_SETUP_H_
