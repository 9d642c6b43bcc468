// Joins the two lines of a two-line server's login (popa3d: "Session from
// ADDR", then "Authentication passed for USER" under the same pid) into one
// Login.
//
// The matcher scans chunks in parallel, so it only marks the halves
// (LoginKind::kSessionAddress / kSessionUser, keyed by stanza, host, tag and
// pid); the pairer sees every half in log order, on the pipeline's serial
// stage. A success half takes the address of the latest address half with
// its key, if that came no more than `window_us` earlier, and consumes it:
// one address line grants at most one login, and a pid reused by a later
// session that fails, or whose address is bad (kSessionReset), never
// inherits the earlier address. At most `max_open` address halves wait;
// past that the oldest is forgotten, so memory stays bounded whatever the log
// holds.
//
// Thread safety: none; one pairer belongs to one serial stage.
#ifndef EXACT_SRC_MATCH_SESSION_PAIRER_H_
#define EXACT_SRC_MATCH_SESSION_PAIRER_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "src/match/stanza_matcher.h"

namespace exact::match {

class SessionPairer {
 public:
  static constexpr size_t kDefaultMaxOpen = 4096;
  static constexpr int64_t kDefaultWindowMicros = 600'000'000;  // 10 minutes.

  explicit SessionPairer(size_t max_open = kDefaultMaxOpen,
                         int64_t window_us = kDefaultWindowMicros);

  // `logins` in line order, `times_us[i]` the time of login i's line. Each
  // success half that pairs becomes a whole kLogin with the address; every
  // other half is left as it is (callers grant kLogin records only).
  // Returns how many logins it completed.
  size_t Join(std::vector<Login>* logins, absl::Span<const int64_t> times_us);

  size_t open() const { return open_.size(); }

 private:
  struct Open {
    IpAddress address;
    int64_t time_us = 0;
    uint64_t seq = 0;  // Which insertion, so a stale queue entry is skipped.
  };
  void Evict();

  size_t max_open_;
  int64_t window_us_;
  uint64_t next_seq_ = 0;
  absl::flat_hash_map<std::string, Open> open_;
  std::deque<std::pair<std::string, uint64_t>> order_;  // Insertion order, for eviction.
};

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_SESSION_PAIRER_H_
