// Remote signing with a citizen's key held by a partner CA (VNPT SmartCA, Viettel MySign): kyso
// prepares the PDF (PAdES) or XML (XMLDSig) for the citizen's certificate, sends the digest to the
// partner through its RemoteSigner and answers at once; the citizen confirms in the partner's app,
// and the partner's webhook or kyso's poll brings the signature value, with which kyso finishes
// the very document it prepared. The session, kept in the database, then holds the signed file.
//
// States: waiting → signed | rejected (the citizen refused) | expired (not confirmed in time) |
// failed (a stable error code: partner_quota_exhausted, partner_certificate_revoked,
// partner_signing_failed, partner_signature_invalid, partner_certificate_mismatch, and the
// partner_cms_* codes below).
//
// A partner answers in one of two forms, by its setting partners.<name>.answer
// (pki::RemoteAnswerForm):
// - `signature` (the default): kyso sends the digest of its own signed attributes. The answer is a
//   bare signature value (PKCS#1 v1.5 or ECDSA) or a CMS SignedData without signed attributes
//   that wraps one; from a CMS kyso takes the SignerInfo's value after checking that its signer
//   certificate is the credential's. The value must verify over kyso's digest. A CMS whose
//   SignerInfo has signed attributes signs the partner's attributes, not kyso's: failed,
//   partner_signature_invalid.
// - `cms`: kyso sends the PDF's document digest (its byte range) and the partner answers a whole
//   CMS over signed attributes of its own whose message-digest is that digest. kyso checks it
//   (signer::CadesSignature::fromSigned: detached, one SignerInfo by the credential's leaf,
//   content-type id-data, message-digest, SHA-256, the signature) and embeds it, with the chain
//   added and, for B-T, kyso's signature time-stamp. Failures: partner_cms_invalid,
//   partner_cms_content_attached, partner_cms_digest_mismatch, partner_certificate_mismatch,
//   partner_signature_invalid, partner_cms_too_large. Without ESS signing-certificate-v2 (or with
//   a signing-time) the result is signed but not PAdES baseline: the session's warnings say so.
//   Such a CMS cannot carry an XML signature value, so XML is refused up front
//   (partner_xml_unsupported).

// Nothing lives only in memory: a restarted service polls the waiting sessions where they stood.
// Thread-safe: handlers, webhooks and the worker share it; a session is changed under its version,
// so a webhook and a poll racing over it finish it once.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kyso/api/appearance_resources.h"
#include "kyso/api/metrics.h"
#include "kyso/api/periodic_worker.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/remote_signer.h"
#include "kyso/signer/pades_signer.h"
#include "kyso/store/audit_log.h"
#include "kyso/store/remote_signing.h"

namespace kyso::api {

struct RemoteSigningOptions {
  std::chrono::seconds partnerPoll{5};            // between two status requests for one session
  std::chrono::seconds longestPoll{300};          // the backoff's cap while a partner does not answer
  std::chrono::seconds lifetime{10 * 60};         // the citizen must confirm within it
  std::chrono::seconds retention{7 * 24 * 3600};  // final sessions are deleted after it
  std::size_t batch = 50;                         // sessions polled per pass
};

struct RemoteSigningRequest {
  std::string partner;       // "vnpt-smartca", "viettel-mysign"
  std::string userId;        // the citizen at the partner
  std::string credentialId;  // empty: the user's only credential
  std::string format;        // "pdf" or "xml"
  Bytes document;
  std::string description;  // shown in the partner's app; default from the session id
  // PDF
  signer::PadesLevel level = signer::PadesLevel::B_B;
  std::string reason, location, contactInfo;
  std::optional<signer::VisibleSignature> visible;
  // XML: the Id of the element signed, the Id of the element the Signature goes into (empty: the
  // root) and the Signature's own Id.
  std::string signedDataId;
  std::string signatureParentId;
  std::string signatureId = "CitizenSignature";
};

class RemoteSigningService {
 public:
  RemoteSigningService(const signer::PadesSigner& pades, const AppearanceResources& appearances,
                       store::RemoteSigningRepository& sessions, store::AuditLog& audit, Metrics& metrics,
                       const pki::Clock& clock, RemoteSigningOptions options = {});
  ~RemoteSigningService();

  // Makes `signer` the one for its name(), answering in the form `answer`.
  void addSigner(std::shared_ptr<pki::RemoteSigner> signer,
                 pki::RemoteAnswerForm answer = pki::RemoteAnswerForm::Signature);
  std::shared_ptr<pki::RemoteSigner> signer(const std::string& name) const;

  // Prepares, submits and stores; the record is usually "waiting". Throws InputError
  // ("unknown_partner", "unsupported_format", "invalid_field", "partner_xml_unsupported", the
  // signer's and the adapter's input errors), NotFoundError ("partner_user_unknown", "partner_credential_unknown"),
  // UnavailableError ("partner_unavailable", "partner_unauthorized": nothing stored, try again).
  store::RemoteSigningRecord create(const RemoteSigningRequest& request, const std::string& actor);
  // NotFoundError("remote_signing_not_found"), also for another caller's session.
  store::RemoteSigningRecord get(const std::string& id, const std::string& actor);
  // The signed document; ConflictError("remote_signature_pending") while waiting,
  // ConflictError("remote_signature_not_signed") for a session that ended otherwise.
  std::string document(const std::string& id, const std::string& actor);

  // A partner's notification: authenticated by the adapter (AccessError
  // "partner_webhook_unauthenticated"), then applied to the session of its transaction
  // (NotFoundError "remote_signing_not_found"). A notification for a session already final
  // (a replay, or a poll was first) changes nothing. Returns the session as it stands.
  store::RemoteSigningRecord notify(const std::string& partner, const std::string& body,
                                    const std::string& signatureHeader);

  // What a signed session's document falls short of (a partner's CMS that is not PAdES baseline),
  // in words; empty for most.
  static std::vector<std::string> warnings(const store::RemoteSigningRecord& record);

  // One pass over the due sessions (the worker's); returns how many it looked at. Never throws.
  std::size_t pollDue();

  // The background poll (started by the server only; tests call pollDue()).
  void startWorker(std::chrono::milliseconds interval);
  void stopWorker();

 private:
  // Applies a partner's status to a session; returns the session as stored afterwards.
  store::RemoteSigningRecord apply(store::RemoteSigningRecord record, const pki::RemoteSignStatus& status);
  store::RemoteSigningRecord load(const std::string& id, const std::string& actor, bool withDocument);
  // The signed document from the partner's value, and its warnings; throws InputError with a
  // partner_* code.
  struct Finished {
    std::string document;
    std::vector<std::string> warnings;
  };
  Finished finish(const store::RemoteSigningRecord& record, const pki::RemoteSignStatus& status) const;
  // The partner's bare value or wrapped CMS, finishing kyso's own CMS or XML signature.
  std::string finishWithValue(const store::RemoteSigningRecord& record, const pki::RemoteSignStatus& status) const;
  // The partner's whole CMS, embedded into the prepared PDF.
  Finished finishWithCms(const store::RemoteSigningRecord& record, const pki::RemoteSignStatus& status) const;
  pki::RemoteAnswerForm answerForm(const std::string& partner) const;

  const signer::PadesSigner& pades_;
  const AppearanceResources& appearances_;
  store::RemoteSigningRepository& sessions_;
  store::AuditLog& audit_;
  Metrics& metrics_;
  const pki::Clock& clock_;
  RemoteSigningOptions options_;
  mutable std::mutex signersMutex_;
  std::map<std::string, std::shared_ptr<pki::RemoteSigner>> signers_;
  std::map<std::string, pki::RemoteAnswerForm> answers_;
  std::mutex passMutex_;
  std::unique_ptr<PeriodicWorker> worker_;  // last: stops before the members it uses go
};

}  // namespace kyso::api
