// A citizen's key held by a partner CA's remote-signing service (VNPT SmartCA, Viettel MySign, ...):
// kyso never sees the key. It finds the citizen's credential and certificate chain, sends the
// digests to sign, and learns — minutes later, once the citizen confirms in the partner's app —
// the signature values. kyso builds the PAdES/XAdES container itself (two-step signing), so only
// hashes ever leave.
//
// Secrets (client ids and secrets, tokens) come from configuration or a secrets file and are never
// logged or put in error messages.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/digest.h"

namespace kyso::pki {

// What a partner answers for a digest (the setting partners.<name>.answer):
//   Signature  a signature value over the digest kyso sent, bare (PKCS#1 v1.5, ECDSA) or wrapped
//              in a CMS without signed attributes; kyso sends the digest of its own signed
//              attributes and builds the CMS itself.
//   Cms        a whole CMS SignedData over signed attributes of the partner's own, whose
//              message-digest is the digest kyso sent; kyso sends the document digest (the PDF's
//              byte range) and embeds the partner's CMS. It cannot carry an XML signature value.
enum class RemoteAnswerForm { Signature, Cms };

// "signature" or "cms"; throws InputError("config_invalid") naming `setting`.
RemoteAnswerForm parseRemoteAnswerForm(std::string_view text, const std::string& setting);

// One signing credential of a user at the partner: its id there and its certificate chain.
struct RemoteCredential {
  std::string id;
  CertificateChain chain;  // leaf first
};

struct RemoteSignRequest {
  std::string userId;        // the citizen at the partner (CCCD, MST or the partner's user id)
  std::string credentialId;  // from credentials()
  std::string reference;     // kyso's id for the request (the partner's refTranId / document id)
  std::string description;   // shown to the citizen in the partner's app
  DigestAlgorithm digestAlgorithm = DigestAlgorithm::Sha256;
  // What to sign: for PAdES, the digest of kyso's signed attributes (RemoteAnswerForm::Signature)
  // or of the document's byte range (RemoteAnswerForm::Cms).
  std::vector<Bytes> digests;
};

enum class RemoteSignState {
  Waiting,            // the citizen has not confirmed yet
  Signed,             // `signatures` holds one value per digest, in order
  Expired,            // the citizen did not confirm in time
  Rejected,           // the citizen refused
  QuotaExhausted,     // the citizen's service package has no signatures left
  CredentialRevoked,  // the certificate is revoked or expired at the partner
  Failed,             // the partner failed to sign
};

struct RemoteSignStatus {
  RemoteSignState state = RemoteSignState::Waiting;
  std::string transactionId;  // the partner's
  // Signed: raw PKCS#1 v1.5 / ECDSA values, or whole CMS SignedData (some partners answer with a
  // CMS): `cms` says which. Base64 line breaks from the partner are already removed.
  std::vector<Bytes> signatures;
  bool cms = false;
  std::string message;  // the partner's words for a final failure
};

class RemoteSigner {
 public:
  virtual ~RemoteSigner() = default;
  // "vnpt-smartca", "viettel-mysign"
  virtual std::string name() const = 0;

  // The user's credentials with their chains. Throws UnavailableError("partner_unavailable")
  // (timeouts, 5xx, malformed answers: retry later), AccessError/InputError for refusals with a
  // stable code ("partner_unauthorized", "partner_user_unknown").
  virtual std::vector<RemoteCredential> credentials(const std::string& userId) = 0;
  // Sends the digests; the answer is usually Waiting with the partner's transaction id.
  virtual RemoteSignStatus submit(const RemoteSignRequest& request) = 0;
  virtual RemoteSignStatus status(const std::string& userId, const std::string& transactionId) = 0;
  // The partner's notification (webhook) body, authenticated as the partner specifies; returns
  // the status it reports, or throws AccessError("partner_webhook_unauthenticated").
  virtual RemoteSignStatus parseWebhook(const std::string& body, const std::string& signatureHeader) = 0;
};

// The signature value in a partner's CMS answer (RFC 5652 §5.3): the one SignerInfo's signature,
// once its signer certificate (carried in the CMS) is found to be `credential`'s. The value signs
// kyso's digest only when the SignerInfo has no signed attributes; one that has them signs the
// partner's own attributes and is refused. Throws InputError: partner_signature_invalid (not a
// SignedData, not one SignerInfo, signed attributes), partner_certificate_mismatch (no signer
// certificate, or another one).
Bytes signatureValueFromCms(ByteView cmsDer, const Certificate& credential);

}  // namespace kyso::pki
