// An OCSP responder (RFC 6960) for a CA kyso operates, served at POST /pki/ocsp. It signs with a
// delegated responder certificate (EKU id-kp-OCSPSigning, issued by the CA, RFC 6960 §4.2.2.2),
// and answers from the CA's register, so a revocation is visible in the next response.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/local_ca.h"

namespace kyso::pki {

struct OcspResponderOptions {
  // nextUpdate - thisUpdate of every SingleResponse (RFC 6960 §4.2.2.1).
  std::chrono::seconds validity{std::chrono::hours(1)};
  // More CertIDs in one request are a malformed request (a bound on the work one request makes).
  std::size_t maxCertificatesPerRequest = 32;
  // Signed answers to requests without a nonce kept for reuse (see respond()); 0 signs every answer.
  std::size_t reusableResponses = 1024;
};

// Thread-safe: each request builds its own OpenSSL objects; the reusable answers are behind a mutex.
class OcspResponder {
 public:
  // `chain` is the responder's certificate first, then the CA's (both go into every response so a
  // client holding only the root can check the signature). Throws InternalError when the responder
  // certificate has no OCSPSigning EKU or was not issued by `authority`.
  OcspResponder(const LocalCertificateAuthority& authority, CertificateChain chain, CaKeySource key, const Clock& clock,
                OcspResponderOptions options = {});

  // Answers a DER OCSPRequest with a DER OCSPResponse (RFC 6960 §4.2.1):
  // - successful: one SingleResponse per CertID — good, revoked (time and reason) or unknown (a
  //   serial the CA never issued, or an issuer the responder does not serve) — with thisUpdate and
  //   nextUpdate, the request's nonce copied (RFC 8954), ResponderID by key hash, SHA-256;
  // - malformedRequest: not DER, trailing bytes, no CertID or too many, a nonce longer than 32
  //   octets (RFC 8954 §2.1);
  // - unauthorized: no CertID names the CA this responder serves (RFC 5019 §2.2.3).
  // The signature's producedAt is OpenSSL's reading of the system clock; thisUpdate and nextUpdate
  // come from the injected clock. Failures of the register or the key throw.
  //
  // A request without a nonce whose bytes were answered before gets that same signed answer again
  // (RFC 5019 §2.2: pre-produced responses) while it is still true: the register is read for every
  // CertID of every request, and the earlier answer is reused only when each status (good, revoked
  // at the same time for the same reason, unknown) is the same as when it was signed and the clock
  // is within its thisUpdate..nextUpdate. A revocation, by this process or another one sharing the
  // register, is therefore in the very next answer; only the signing is saved.
  Bytes respond(ByteView requestDer) const;

  // An OCSPResponse with status malformedRequest and no body, for requests that never reach
  // respond() (a GET whose path is not base64).
  static Bytes malformedRequest();

 private:
  const LocalCertificateAuthority& authority_;
  CertificateChain chain_;
  CaKeySource key_;
  const Clock& clock_;
  OcspResponderOptions options_;

  // What a signed answer said, to tell whether it still holds.
  struct SignedAnswer {
    std::vector<std::optional<CertificateStatus>> statuses;  // per CertID; nullopt: unknown
    TimePoint thisUpdate;
    TimePoint nextUpdate;
    Bytes response;
  };
  mutable std::mutex answersMutex_;
  mutable std::map<Bytes, SignedAnswer> answers_;  // by the request's DER
};

}  // namespace kyso::pki
