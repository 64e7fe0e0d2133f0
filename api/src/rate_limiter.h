// A token bucket per client address for public endpoints: `perMinute` requests at once, refilled
// at perMinute per minute. Thread-safe; the clock is injected so tests need not wait.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "kyso/pki/clock.h"

namespace kyso::api::detail {

class RateLimiter {
 public:
  // perMinute 0: no limit. At most `maxClients` buckets are kept; full ones go first when more
  // are needed, then the least recently used.
  RateLimiter(unsigned perMinute, const pki::Clock& clock, std::size_t maxClients = 10000);

  // Takes a token for `client`: nullopt when the request may proceed, else how long until the
  // next token (at least one second, for Retry-After).
  std::optional<std::chrono::seconds> take(const std::string& client);

 private:
  struct Bucket {
    double tokens = 0;
    pki::TimePoint updated;
  };
  double refill(Bucket& bucket, pki::TimePoint now) const;
  void makeRoom(pki::TimePoint now);

  double capacity_;  // tokens, and tokens per minute
  const pki::Clock& clock_;
  std::size_t maxClients_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace kyso::api::detail
