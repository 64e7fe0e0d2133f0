// pki::CertificateRegister over the certificate index: the adapter that lets the local CA keep its
// register in the store while pki stays below store in the build.
#include "kyso/error.h"
#include "kyso/store/certificates.h"

namespace kyso::store {

namespace {

class IndexRegister final : public pki::CertificateRegister {
 public:
  explicit IndexRegister(CertificateIndex& index) : index_(index) {}

  bool record(const std::string& issuerKeyId, const pki::Certificate& certificate) override {
    CertificateRecord r;
    r.serial = certificate.serialHex();
    r.issuerKeyId = issuerKeyId;
    r.der = certificate.der();
    // Most calls re-record a known certificate (the development PKI's, at every start): a read
    // answers those without taking the write lock.
    if (const auto existing = index_.find(issuerKeyId, r.serial); existing && existing->der == r.der) return false;
    r.issuer = certificate.issuer();
    r.subject = certificate.subject();
    r.notBefore = certificate.notBefore();
    r.notAfter = certificate.notAfter();
    return index_.insert(r);
  }

  std::optional<pki::CertificateStatus> status(const std::string& issuerKeyId, const std::string& serialHex) override {
    // Read for every OCSP request: the state only, not the certificate.
    const auto found = index_.state(issuerKeyId, serialHex);
    if (!found) return std::nullopt;
    pki::CertificateStatus status;
    status.serialHex = found->serial;
    status.revoked = found->revoked;
    if (status.revoked) {
      if (!found->revokedAt) throw InternalError("a revoked certificate without a revocation time", "database_corrupt");
      status.revokedAt = *found->revokedAt;
      status.reason = static_cast<pki::RevocationReason>(found->reason);
    }
    return status;
  }

  bool revoke(const std::string& issuerKeyId, const std::string& serialHex, pki::TimePoint at,
              pki::RevocationReason reason) override {
    return index_.revoke(issuerKeyId, serialHex, at, static_cast<int>(reason));
  }

  std::vector<pki::RevokedCertificate> revoked(const std::string& issuerKeyId) override {
    std::vector<pki::RevokedCertificate> out;
    for (const RevocationRecord& r : index_.revoked(issuerKeyId)) out.push_back({r.serial, r.revokedAt, r.reason});
    return out;
  }

  std::uint64_t nextCrlNumber(const std::string& issuerKeyId) override { return index_.nextCrlNumber(issuerKeyId); }

 private:
  CertificateIndex& index_;
};

}  // namespace

std::unique_ptr<pki::CertificateRegister> certificateRegister(CertificateIndex& index) {
  return std::make_unique<IndexRegister>(index);
}

}  // namespace kyso::store
