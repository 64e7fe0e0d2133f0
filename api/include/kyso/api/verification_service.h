// Signature verification as the service offers it (POST /v1/verify, kyso verify): the verifier
// with the configured trust anchors, revocation data fetched over HTTP with a cache, and this
// service's own CA (the development PKI) answered in process.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kyso/api/settings.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/dev_pki.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/ocsp_responder.h"
#include "kyso/signer/pdf_verifier.h"
#include "kyso/signer/revocation.h"
#include "kyso/signer/xml_verifier.h"

namespace kyso::api {

// The CRLs and OCSP responder this service operates itself, by the URLs its certificates name.
struct OwnRevocationSources {
  std::string publicUrl;  // settings.publicUrl: the certificates name {publicUrl}/pki/ocsp, /pki/crl...
  const pki::OcspResponder* ocsp = nullptr;
  pki::LocalCertificateAuthority* issuingCa = nullptr;  // GET /pki/crl
  pki::LocalCertificateAuthority* rootCa = nullptr;     // GET /pki/crl/root
};

// Answers requests for this service's own revocation URLs in process — a verification must not
// wait for a work slot of the server it runs in — and sends everything else to `network`.
// The in-process answers are authoritative and not cached.
class OwnPkiRevocationFetcher final : public signer::RevocationFetcher {
 public:
  OwnPkiRevocationFetcher(OwnRevocationSources own, std::shared_ptr<const signer::RevocationFetcher> network);
  signer::RevocationAnswer fetch(const signer::RevocationRequest& request) const override;

 private:
  OwnRevocationSources own_;
  std::shared_ptr<const signer::RevocationFetcher> network_;
};

// Reads the trust anchor files of `settings.verify` (verify.trust.*). A named file must exist; a
// file without any certificate (the shipped placeholders) adds none. Throws
// InputError("config_invalid") naming the setting.
std::vector<pki::Certificate> configuredTrustAnchors(const VerifySettings& settings);

class VerificationService {
 public:
  // `devPki`: its root is trusted too (may be null). `own`: see OwnPkiRevocationFetcher.
  VerificationService(const Settings& settings, const pki::Clock& clock, const pki::DevPki* devPki,
                      OwnRevocationSources own);

  // EN 319 102-1 validation of every signature of `input` with revocation required
  // (signer::verifyPdf). Throws DocumentError for a document that cannot be evaluated.
  signer::VerificationReport verifyPdf(const signer::PdfInput& input) const;
  // The same for the XML signatures of a document parsed with signer::parseXml (signer::verifyXml).
  signer::VerificationReport verifyXml(const signer::XmlDocument& document, std::uint64_t size) const;

  const signer::VerificationPolicy& policy() const { return policy_; }
  signer::RevocationCache& revocationCache() { return *cache_; }

 private:
  std::shared_ptr<const signer::RevocationFetcher> fetcher_;
  std::unique_ptr<signer::RevocationCache> cache_;
  signer::VerificationPolicy policy_;
};

}  // namespace kyso::api
