// Key custody for enrolments in key mode "hsm": the applicant's key pair is generated inside the
// Center's PKCS#11 token, never leaves it, and is found again by its label — the enrolment id — to
// build the request, to check the partner's certificate, and later to sign for the citizen.
//
// The key is made when the enrolment is first submitted, not when it is received: a replayed
// request (Idempotency-Key) then leaves no orphan key, and a restart between generating and
// submitting finds the key under its label instead of making a second one.
#pragma once

#include <memory>
#include <string>

#include "kyso/pki/pkcs11.h"

namespace kyso::pki {

class ApplicantKeys {
 public:
  // Keys of `algorithm` (RSA-2048 or P-256) in `token`, which stays logged in.
  ApplicantKeys(std::shared_ptr<Pkcs11Token> token, KeyAlgorithm algorithm);

  // The key labelled `enrollmentId`, generated inside the token when it has none yet.
  std::shared_ptr<Pkcs11Key> keyFor(const std::string& enrollmentId);
  // The key labelled `enrollmentId`; NotFoundError("pkcs11_key_not_found") when it has none.
  std::shared_ptr<Pkcs11Key> find(const std::string& enrollmentId) const;

  const std::string& tokenLabel() const { return token_->info().label; }
  KeyAlgorithm algorithm() const { return algorithm_; }

 private:
  std::shared_ptr<Pkcs11Token> token_;
  KeyAlgorithm algorithm_;
};

}  // namespace kyso::pki
