#include "kyso/pki/applicant_keys.h"

#include "kyso/error.h"

namespace kyso::pki {

ApplicantKeys::ApplicantKeys(std::shared_ptr<Pkcs11Token> token, KeyAlgorithm algorithm)
    : token_(std::move(token)), algorithm_(algorithm) {
  if (!token_) throw InternalError("applicant keys without a token");
}

std::shared_ptr<Pkcs11Key> ApplicantKeys::keyFor(const std::string& enrollmentId) {
  try {
    return token_->findKey(enrollmentId);
  } catch (const NotFoundError& e) {
    if (e.code() != "pkcs11_key_not_found") throw;
  }
  try {
    return token_->generateKey(algorithm_, enrollmentId);
  } catch (const ConflictError&) {
    // Made meanwhile by another pass (passes do not overlap, but a second process may share the
    // token): use that one.
    return token_->findKey(enrollmentId);
  }
}

std::shared_ptr<Pkcs11Key> ApplicantKeys::find(const std::string& enrollmentId) const {
  return token_->findKey(enrollmentId);
}

}  // namespace kyso::pki
