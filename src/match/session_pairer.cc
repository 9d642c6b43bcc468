// Pid-keyed pairing of two-line logins, bounded in time and memory.
#include "src/match/session_pairer.h"

namespace exact::match {

SessionPairer::SessionPairer(size_t max_open, int64_t window_us)
    : max_open_(max_open == 0 ? 1 : max_open), window_us_(window_us) {}

void SessionPairer::Evict() {
  // The queue holds one entry per insertion; overwritten keys leave stale
  // entries, which are dropped here too, so it stays within 2 * max_open_.
  while (open_.size() > max_open_ || order_.size() > 2 * max_open_) {
    auto [key, seq] = std::move(order_.front());
    order_.pop_front();
    auto it = open_.find(key);
    if (it != open_.end() && it->second.seq == seq) open_.erase(it);
  }
}

size_t SessionPairer::Join(std::vector<Login>* logins, absl::Span<const int64_t> times_us) {
  size_t joined = 0;
  for (size_t i = 0; i < logins->size(); ++i) {
    Login& login = (*logins)[i];
    const int64_t t = i < times_us.size() ? times_us[i] : 0;
    switch (login.kind) {
      case LoginKind::kLogin:
        break;
      case LoginKind::kSessionReset:
        open_.erase(login.session_key);
        break;
      case LoginKind::kSessionAddress: {
        Open& o = open_[login.session_key];
        o = {login.address, t, next_seq_++};
        order_.emplace_back(login.session_key, o.seq);
        Evict();
        break;
      }
      case LoginKind::kSessionUser: {
        auto it = open_.find(login.session_key);
        if (it == open_.end()) break;
        const Open o = it->second;
        open_.erase(it);
        const int64_t age = t - o.time_us;
        if (age > window_us_ || age < -window_us_) break;
        login.address = o.address;
        login.kind = LoginKind::kLogin;
        ++joined;
        break;
      }
    }
  }
  return joined;
}

}  // namespace exact::match
