// DER objects a verifier meets again and again, decoded once per process.
//
// With OpenSSL 3, decoding a structure that holds certificates is the dearest step of checking a
// small signature: each certificate's public key goes through the provider decoders. A server
// sees the same few certificates (an issuer's CA, its OCSP responder, its TSA) and the same
// revocation answers in document after document, so those are kept here, by their exact DER:
// equal bytes decode to equal objects, so reusing the decoding changes no result — every check
// (signatures, paths, times, revocation) is still made on the decoded object at each use.
//
// Bounded (a full cache is emptied and starts again) and thread-safe; the shared objects are only
// read once decoded (OpenSSL locks the few caches it keeps inside an X509).
#pragma once

#include <openssl/ocsp.h>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"

namespace kyso::signer::detail {

template <typename T>
class DecodedCache {
 public:
  explicit DecodedCache(std::size_t capacity) : capacity_(capacity) {}

  // What `der` decodes to: `decode(der)` the first time (outside the lock; an exception keeps
  // nothing), the same value afterwards.
  template <typename Decode>
  T get(ByteView der, Decode&& decode) {
    Bytes key(der.begin(), der.end());
    {
      const std::lock_guard lock(mutex_);
      if (const auto found = entries_.find(key); found != entries_.end()) return found->second;
    }
    T value = decode(der);
    const std::lock_guard lock(mutex_);
    if (entries_.size() >= capacity_) entries_.clear();
    entries_.insert_or_assign(std::move(key), value);
    return value;
  }

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::map<Bytes, T> entries_;
};

// An X.509 certificate (Certificate::fromDer: throws InputError("invalid_certificate")), its
// public key decoded too when OpenSSL can read it.
pki::Certificate decodeCertificate(ByteView der);

// An OCSPResponse (RFC 6960 §4.2.1) as far as a verifier reads it before its checks.
struct DecodedOcspResponse {
  bool complete = false;  // one DER OCSPResponse and nothing after it
  int status = -1;        // responseStatus, when complete
  // The BasicOCSPResponse of a successful answer; null for another response type. Shared: read only.
  std::shared_ptr<OCSP_BASICRESP> basic;
};
std::shared_ptr<const DecodedOcspResponse> decodeOcspResponse(ByteView der);
// The same, decoded now and not kept: for an answer that cannot come again (it echoes a nonce).
std::shared_ptr<const DecodedOcspResponse> readOcspResponse(ByteView der);

}  // namespace kyso::signer::detail
