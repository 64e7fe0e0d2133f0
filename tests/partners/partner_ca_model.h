// The certificate authority behind a simulated partner (smartca_model.h, mysign_model.h): the
// registrations it received, by the integrator's reference (refId / request_id), and the
// certificates it issues for them, for real, with OpenSSL from the test PKI's issuing CA (RSA):
// for the applicant's CSR key, or for a key it makes and keeps itself (the partner's HSM), with
// which its signhash then signs. A reference seen before answers the registration made then, and
// `created` counts how many registrations each reference made: the tests require one.
#pragma once

#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/software_key.h"
#include "test_support.h"

namespace kyso::test {

class PartnerCaModel {
 public:
  enum class Status { InProcess, WaitingForApplicant, Issued, Rejected, Expired };

  struct Registration {
    std::string requestId;
    std::string reference;
    pki::CertificateSubject subject;
    Bytes csrDer;  // empty: the partner keeps the key
    Status status = Status::WaitingForApplicant;
    std::string credentialId;
    std::optional<pki::SigningCredential> credential;  // once issued: the key (the CSR's or its own)
    std::string revocationReason;                      // empty: not revoked
  };

  // What the partner saw: registrations made per reference.
  std::map<std::string, int> created;
  std::map<std::string, Registration> byRequest;
  // The next registrations are made, and their answers then lost (HTTP 503).
  int loseNextAnswers = 0;

  // Finds or makes the registration for `reference`. Returns null with `problem` set for bad input.
  Registration* registration(const std::string& reference, const Poco::JSON::Object& subject, const std::string& csr,
                             std::string& problem) {
    for (auto& [id, r] : byRequest) {
      if (r.reference == reference) return &r;
    }
    Registration r;
    r.reference = reference;
    r.subject.commonName = subject.optValue<std::string>("cn", "");
    r.subject.province = subject.optValue<std::string>("st", "");
    if (const auto uids = subject.getArray("uid")) {
      for (unsigned i = 0; i < uids->size(); ++i) r.subject.uids.push_back(uids->getElement<std::string>(i));
    }
    if (reference.empty() || r.subject.commonName.empty() || r.subject.uids.empty() ||
        subject.optValue<std::string>("c", "") != "VN") {
      problem = "subject incomplete";
      return nullptr;
    }
    if (!csr.empty()) {
      try {
        r.csrDer = fromBase64(csr);
        pki::CertificateRequest::parse(r.csrDer);
      } catch (const std::exception&) {
        problem = "csr invalid";
        return nullptr;
      }
    }
    r.requestId = "req-" + std::to_string(byRequest.size() + 1) + "-" + reference;
    ++created[reference];
    return &(byRequest[r.requestId] = std::move(r));
  }

  Registration& byReference(const std::string& reference) {
    for (auto& [id, r] : byRequest) {
      if (r.reference == reference) return r;
    }
    throw std::logic_error("no registration for " + reference);
  }

  // The citizen confirms in the partner's app: the CA issues.
  void confirm(const std::string& reference) {
    Registration& r = byReference(reference);
    const pki::DevPki& pki = devPki();
    std::shared_ptr<pki::SoftwareKey> own;
    std::unique_ptr<pki::CertificateRequest> request;
    EVP_PKEY* key = nullptr;
    if (r.csrDer.empty()) {
      own = pki::SoftwareKey::generate(pki::KeyAlgorithm::Rsa);
      key = own->get();
    } else {
      request = std::make_unique<pki::CertificateRequest>(pki::CertificateRequest::parse(r.csrDer));
      key = request->publicKey();
    }
    pki::CertificateProfile profile;
    profile.subject = pki::vietnameseSubjectName(r.subject);
    profile.notBefore = std::chrono::system_clock::now() - std::chrono::hours(1);
    profile.lifetime = std::chrono::hours(24 * 365);
    profile.keyUsage = "critical,digitalSignature,nonRepudiation";
    profile.extendedKeyUsage = "clientAuth,emailProtection";
    const pki::Certificate leaf = pki::issueCertificate(profile, key, &pki.issuingCa(), *pki.issuingCaKey());
    r.credential = pki::SigningCredential{"citizen", own, {leaf, pki.issuingCa(), pki.rootCa()}};
    r.credentialId = "cred-" + r.requestId;
    r.status = Status::Issued;
  }
  void refuse(const std::string& reference) { byReference(reference).status = Status::Rejected; }

  // The chain as credentials/info gives it: base64 DER, leaf first.
  static Poco::JSON::Array::Ptr chain(const Registration& r) {
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    for (const auto& c : r.credential->chain) out->add(toBase64(c.der()));
    return out;
  }

  Registration* bySerial(const std::string& serial) {
    for (auto& [id, r] : byRequest) {
      if (r.credential && r.credential->certificate().serialHex() == serial) return &r;
    }
    return nullptr;
  }
  const pki::SigningCredential* byCredentialId(const std::string& id) const {
    for (const auto& [_, r] : byRequest) {
      if (r.credentialId == id && r.credential) return &*r.credential;
    }
    return nullptr;
  }
};

}  // namespace kyso::test
