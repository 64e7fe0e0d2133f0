// Where a verifier gets revocation data from (RFC 6960 OCSP responses, RFC 5280 CRLs): a small
// fetcher interface, so that the network, a service's own CA answered in process, tests, and later
// the data embedded in a document (/DSS) plug in without the verifier knowing; and a cache that
// keeps an answer until its nextUpdate.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "kyso/pki/bytes.h"
#include "kyso/pki/clock.h"

namespace kyso::signer {

enum class RevocationSource { Ocsp, Crl };

struct RevocationRequest {
  RevocationSource source = RevocationSource::Ocsp;
  // The certificate's AIA id-ad-ocsp URL (RFC 5280 §4.2.2.1) or CRL distribution point (§4.2.1.13).
  std::string url;
  Bytes body;  // the DER OCSPRequest; empty for a CRL
  std::chrono::milliseconds timeout{5000};
  std::size_t maxResponseBytes = 1u << 20;
};

struct RevocationAnswer {
  Bytes body;  // a DER OCSPResponse, or a CRL in DER or PEM
  // False when the source is local and authoritative (a service's own CA answered in process):
  // asking again costs nothing and sees a revocation at once.
  bool cacheable = true;
};

class RevocationFetcher {
 public:
  virtual ~RevocationFetcher() = default;
  // Thread-safe. Throws UnavailableError when the source cannot be reached, does not answer in
  // time, answers with another HTTP status than 200, or sends more than request.maxResponseBytes.
  virtual RevocationAnswer fetch(const RevocationRequest& request) const = 0;
};

// Over HTTP(S) with pki::httpExchange: OCSP as POST application/ocsp-request (RFC 6960 appendix
// A.1), CRLs as GET. The timeout applies to connecting and to each read and write.
class HttpRevocationFetcher final : public RevocationFetcher {
 public:
  RevocationAnswer fetch(const RevocationRequest& request) const override;
};

struct RevocationCacheOptions {
  std::size_t maxEntries = 1024;
  std::size_t maxBytes = 64u << 20;
  // An answer is kept until its nextUpdate, but never longer than this: a CRL valid for a week
  // would otherwise hide a revocation for a week even where the CA publishes sooner.
  std::chrono::seconds maxAge{3600};
};

// Thread-safe. Keyed by what was asked (source, URL and request body); the verifier stores only
// answers that verified and decided something, with their nextUpdate as the expiry.
class RevocationCache {
 public:
  explicit RevocationCache(RevocationCacheOptions options = {});

  std::optional<Bytes> find(const std::string& key, pki::TimePoint now);
  // Keeps `body` until min(expires, now + maxAge); an answer larger than maxBytes is not kept.
  // Expired entries go first when space is needed, then the least recently stored.
  void store(const std::string& key, Bytes body, pki::TimePoint expires, pki::TimePoint now);
  std::size_t size() const;
  void clear();

 private:
  struct Entry {
    Bytes body;
    pki::TimePoint expires;
    std::list<std::string>::iterator order;
  };
  void erase(std::map<std::string, Entry>::iterator it);

  RevocationCacheOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::list<std::string> order_;  // oldest stored first
  std::size_t bytes_ = 0;
};

}  // namespace kyso::signer
