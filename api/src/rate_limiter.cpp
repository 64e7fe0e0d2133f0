#include "rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace kyso::api::detail {

RateLimiter::RateLimiter(unsigned perMinute, const pki::Clock& clock, std::size_t maxClients)
    : capacity_(perMinute), clock_(clock), maxClients_(std::max<std::size_t>(1, maxClients)) {}

double RateLimiter::refill(Bucket& bucket, pki::TimePoint now) const {
  // A clock that went back refills nothing.
  const double elapsed = std::max(0.0, std::chrono::duration<double>(now - bucket.updated).count());
  bucket.tokens = std::min(capacity_, bucket.tokens + elapsed * capacity_ / 60.0);
  bucket.updated = std::max(bucket.updated, now);
  return bucket.tokens;
}

void RateLimiter::makeRoom(pki::TimePoint now) {
  // Full buckets carry no state worth keeping.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    it = refill(it->second, now) >= capacity_ ? buckets_.erase(it) : std::next(it);
  }
  if (buckets_.size() < maxClients_) return;
  const auto oldest = std::min_element(buckets_.begin(), buckets_.end(), [](const auto& a, const auto& b) {
    return a.second.updated < b.second.updated;
  });
  buckets_.erase(oldest);
}

std::optional<std::chrono::seconds> RateLimiter::take(const std::string& client) {
  if (capacity_ <= 0) return std::nullopt;
  const pki::TimePoint now = clock_.now();
  const std::lock_guard lock(mutex_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= maxClients_) makeRoom(now);
    it = buckets_.emplace(client, Bucket{capacity_, now}).first;
  }
  if (refill(it->second, now) >= 1.0) {
    it->second.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait = std::ceil((1.0 - it->second.tokens) * 60.0 / capacity_);
  return std::chrono::seconds(std::max(1LL, static_cast<long long>(wait)));
}

}  // namespace kyso::api::detail
