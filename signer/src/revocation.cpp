#include "kyso/signer/revocation.h"

#include "kyso/error.h"
#include "kyso/pki/http_client.h"

namespace kyso::signer {

RevocationAnswer HttpRevocationFetcher::fetch(const RevocationRequest& request) const {
  pki::HttpRequestSpec spec;
  spec.url = request.url;
  spec.timeout = request.timeout;
  spec.maxResponseBytes = request.maxResponseBytes;
  const bool ocsp = request.source == RevocationSource::Ocsp;
  const std::string peer = (ocsp ? "the OCSP responder " : "the CRL distribution point ") + request.url;
  if (ocsp) {
    spec.method = "POST";
    spec.contentType = "application/ocsp-request";
    spec.body = std::string(asChars(request.body));
  }
  const pki::HttpResult result = pki::httpExchange(spec, "revocation_unavailable", peer);
  if (result.status != 200) {
    throw UnavailableError("revocation_unavailable", peer + " answered HTTP " + std::to_string(result.status));
  }
  return {Bytes(result.body.begin(), result.body.end()), true};
}

RevocationCache::RevocationCache(RevocationCacheOptions options) : options_(options) {}

std::optional<Bytes> RevocationCache::find(const std::string& key, pki::TimePoint now) {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    erase(it);
    return std::nullopt;
  }
  return it->second.body;
}

void RevocationCache::store(const std::string& key, Bytes body, pki::TimePoint expires, pki::TimePoint now) {
  expires = std::min(expires, now + options_.maxAge);
  if (expires <= now || body.size() > options_.maxBytes || options_.maxEntries == 0) return;
  const std::lock_guard lock(mutex_);
  if (const auto it = entries_.find(key); it != entries_.end()) erase(it);
  if (entries_.size() >= options_.maxEntries || bytes_ + body.size() > options_.maxBytes) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      const auto next = std::next(it);
      if (it->second.expires <= now) erase(it);
      it = next;
    }
  }
  while (!order_.empty() && (entries_.size() >= options_.maxEntries || bytes_ + body.size() > options_.maxBytes)) {
    erase(entries_.find(order_.front()));
  }
  bytes_ += body.size();
  order_.push_back(key);
  entries_.emplace(key, Entry{std::move(body), expires, std::prev(order_.end())});
}

void RevocationCache::erase(std::map<std::string, Entry>::iterator it) {
  bytes_ -= it->second.body.size();
  order_.erase(it->second.order);
  entries_.erase(it);
}

std::size_t RevocationCache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

void RevocationCache::clear() {
  const std::lock_guard lock(mutex_);
  entries_.clear();
  order_.clear();
  bytes_ = 0;
}

}  // namespace kyso::signer
