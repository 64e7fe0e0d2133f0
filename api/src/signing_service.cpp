#include "kyso/api/signing_service.h"

#include <Poco/JSON/Object.h>

#include <sstream>

#include "kyso/error.h"

namespace kyso::api {

SigningService::SigningService(const KeyRegistry& keys, const signer::PadesSigner& pades,
                               const AppearanceResources& appearances, store::AuditLog& audit, Metrics& metrics,
                               const pki::Clock& clock)
    : keys_(keys), pades_(pades), appearances_(appearances), audit_(audit), metrics_(metrics), clock_(clock) {}

SignPdfOutcome SigningService::signPdf(const signer::PdfInput& input, signer::PdfOutput& output,
                                       const SignPdfRequest& request, const std::string& actor) {
  const pki::SigningCredential& credential = request.keyId.empty() ? keys_.defaultKey() : keys_.get(request.keyId);
  return signPdfWith(credential, input, output, request, actor);
}

SignPdfOutcome SigningService::signPdfWith(const pki::SigningCredential& credential, const signer::PdfInput& input,
                                           signer::PdfOutput& output, const SignPdfRequest& request,
                                           const std::string& actor) {
  const bool longTerm = request.level == signer::PadesLevel::B_LT || request.level == signer::PadesLevel::B_LTA;
  if (longTerm && ltv_ == nullptr) {
    throw UnavailableError("ltv_not_available", "long-term signatures (B-LT, B-LTA) are not available here");
  }
  signer::PadesOptions options;
  options.level = longTerm ? signer::PadesLevel::B_T : request.level;
  options.fields.signingTime = clock_.now();
  // A key the service holds that cannot sign is the operator's problem, not the caller's.
  try {
    pki::requireUsableForSigning(credential.certificate(), options.fields.signingTime);
  } catch (const InputError& e) {
    throw UnavailableError("signing_key_unusable", "signing key '" + credential.id + "' cannot sign: " + e.what());
  }
  options.fields.reason = request.reason;
  options.fields.location = request.location;
  options.fields.contactInfo = request.contactInfo;
  options.fields.visible = request.visible;
  appearances_.completeFields(options.fields, credential.id, credential.certificate());
  // B-LT / B-LTA: the B-T signature, then its validation data and archive time-stamp (pdf_ltv.h).
  signer::MemoryPdfOutput staged;
  const signer::PadesResult result = pades_.sign(input, longTerm ? staged : output, credential, options);
  std::optional<signer::LtvResult> extension;
  if (longTerm) {
    extension =
        ltv_->extend(signer::PdfInput::fromMemory(staged.bytes()), output,
                     request.level == signer::PadesLevel::B_LT ? signer::LtvLevel::B_LT : signer::LtvLevel::B_LTA);
  }

  SignPdfOutcome outcome;
  outcome.keyId = credential.id;
  outcome.level = std::string(signer::padesLevelName(request.level));
  outcome.fieldName = result.prepared.fieldName;
  outcome.size = output.size();
  outcome.documentSha256 = result.documentSha256.empty() || longTerm ? output.sha256Hex() : result.documentSha256;
  outcome.timeStampTime = result.timeStampTime;

  Poco::JSON::Object details;
  details.set("field", outcome.fieldName);
  if (request.visible) details.set("appearance", std::string(signer::signatureLayoutName(request.visible->layout)));
  details.set("input_bytes", static_cast<Poco::UInt64>(input.size()));
  details.set("output_bytes", static_cast<Poco::UInt64>(outcome.size));
  details.set("signer", credential.certificate().subject());
  details.set("certificate_serial", credential.certificate().serialHex());
  if (outcome.timeStampTime) details.set("timestamp_time", pki::formatIso8601Utc(*outcome.timeStampTime));
  if (extension && extension->timeStampTime) {
    details.set("document_timestamp_time", pki::formatIso8601Utc(*extension->timeStampTime));
  }
  std::ostringstream json;
  details.stringify(json);

  // The signature is recorded before anyone receives the document: if the audit write fails, the
  // caller gets an error and no signed document.
  const store::AuditEntry entry = audit_.append({options.fields.signingTime, actor, "sign.pdf", credential.id,
                                                 outcome.documentSha256, outcome.level, json.str()});
  outcome.auditSequence = entry.sequence;
  metrics_.countSignature("pdf", outcome.level, credential.id);
  return outcome;
}

}  // namespace kyso::api
