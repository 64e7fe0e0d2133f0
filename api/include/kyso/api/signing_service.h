// Signing as the service offers it: resolve the key, sign, and record the signature in the audit
// log and the metrics. The HTTP handlers and the CLI both go through here.
#pragma once

#include <optional>
#include <string>

#include "kyso/api/appearance_resources.h"
#include "kyso/api/key_registry.h"
#include "kyso/api/metrics.h"
#include "kyso/pki/clock.h"
#include "kyso/signer/pades_signer.h"
#include "kyso/signer/pdf_ltv.h"
#include "kyso/store/audit_log.h"

namespace kyso::api {

struct SignPdfRequest {
  std::string keyId;  // empty: the default key
  signer::PadesLevel level = signer::PadesLevel::B_B;
  std::string reason;
  std::string location;
  std::string contactInfo;
  // Invisible unless set; what it leaves open comes from the key's appearance settings.
  std::optional<signer::VisibleSignature> visible;
};

struct SignPdfOutcome {
  std::string keyId;
  std::string level;
  std::string fieldName;
  std::string documentSha256;  // of the signed document
  std::uint64_t size = 0;
  std::int64_t auditSequence = 0;
  std::optional<pki::TimePoint> timeStampTime;
};

class SigningService {
 public:
  SigningService(const KeyRegistry& keys, const signer::PadesSigner& pades, const AppearanceResources& appearances,
                 store::AuditLog& audit, Metrics& metrics, const pki::Clock& clock);

  SignPdfOutcome signPdf(const signer::PdfInput& input, signer::PdfOutput& output, const SignPdfRequest& request,
                         const std::string& actor);
  // B-LT and B-LTA: the B-T signature is extended by `ltv` (not owned; set once at start-up).
  void enableLongTerm(const signer::PdfLtvExtender* ltv) { ltv_ = ltv; }

  // With a credential that is not in the registry (the CLI's --p12).
  SignPdfOutcome signPdfWith(const pki::SigningCredential& credential, const signer::PdfInput& input,
                             signer::PdfOutput& output, const SignPdfRequest& request, const std::string& actor);

 private:
  const KeyRegistry& keys_;
  const signer::PadesSigner& pades_;
  const AppearanceResources& appearances_;
  store::AuditLog& audit_;
  Metrics& metrics_;
  const pki::Clock& clock_;
  const signer::PdfLtvExtender* ltv_ = nullptr;
};

}  // namespace kyso::api
