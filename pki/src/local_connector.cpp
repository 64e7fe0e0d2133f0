#include "kyso/pki/local_connector.h"

#include "kyso/error.h"

namespace kyso::pki {

LocalConnector::LocalConnector(LocalCertificateAuthority& ca, TransactionRegister& transactions, const Clock& clock,
                               std::string name)
    : ca_(ca), transactions_(transactions), clock_(clock), name_(std::move(name)) {}

EnrollmentStatus LocalConnector::issued(ByteView der) const {
  EnrollmentStatus status;
  status.state = EnrollmentState::Issued;
  const Certificate leaf = Certificate::fromDer(der);
  status.partnerReference = leaf.serialHex();
  status.chain = {leaf, ca_.certificate()};
  return status;
}

EnrollmentStatus LocalConnector::submit(const EnrollmentRequest& request) {
  if (request.transactionId.empty()) throw InternalError("an enrolment request without a transaction id");
  std::lock_guard lock(mutex_);
  if (const auto earlier = transactions_.issuedFor(name_, request.transactionId)) return issued(*earlier);
  Certificate certificate = [&] {
    try {
      return ca_.issue(CertificateRequest::parse(request.csrDer), request.subject);
    } catch (const InputError& e) {
      // What a partner answers for input it cannot use; retrying the same input cannot help.
      throw InputError("partner_refused_request", std::string("the local CA refused the request: ") + e.what());
    }
  }();
  // A crash between the issue and this record leaves a certificate in the CA's register that no
  // enrolment names (it was never handed out); the retry issues the one that is delivered.
  const Bytes kept = transactions_.recordIssued(name_, request.transactionId, certificate.der(), clock_.now());
  return issued(kept);
}

EnrollmentStatus LocalConnector::poll(const std::string& transactionId, const std::string& /*partnerReference*/) {
  std::lock_guard lock(mutex_);
  if (const auto earlier = transactions_.issuedFor(name_, transactionId)) return issued(*earlier);
  EnrollmentStatus status;
  status.state = EnrollmentState::Rejected;
  status.reason = "the local CA has no request with this transaction id";
  return status;
}

void LocalConnector::revoke(const Certificate& certificate, RevocationReason reason) {
  // false when it was revoked already: not an error (the first revocation stands).
  ca_.revoke(certificate.serialHex(), reason);
}

}  // namespace kyso::pki
