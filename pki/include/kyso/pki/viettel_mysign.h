// The "viettel-mysign" remote signer: Viettel MySign's remote-signing service, modelled on the API
// shape Viettel publishes for integrators (docs/architecture.md, "Partner remote signing").
//
//   POST /ras/v1/login        {client_id, client_secret, profile_id, user_id}
//                             → {access_token, token_type, expires_in}: a token per user
//   POST /certificates/info   {client_id, profile_id, user_id, certificates: "chain", certInfo,
//                              authInfo} → [{credential_id, cert: {certificates: [base64 DER]}}]
//   POST /signHash            {client_id, credentialID, numSignatures, documents: [{document_id,
//                              document_name}], hash: [base64], hashAlgo, signAlgo, async: true}
//                             → {transactionId}
//   POST /requests/status     {transactionId} → {transactionId, status, signatures: [base64]}
//
// status: 1 signed, 4000 waiting and 6000 signing (Waiting), 4001 timed out (Expired), 4002
// rejected, 4004 failed, 4005 quota used up (QuotaExhausted), 13004 certificate expired or revoked
// (CredentialRevoked); the same numbers in an error answer to signHash give the same states.
// Errors are {error, error_description}: HTTP 400 is InputError("partner_refused_request"), 404
// NotFoundError ("partner_user_unknown" at login, "partner_credential_unknown" at signHash,
// "partner_transaction_unknown" when polling), 401 at login or 403 "partner_unauthorized", 5xx
// and anything unreadable "partner_unavailable".
//
// Tokens are cached per user until shortly before they expire; a 401 drops the user's token, and
// the call is repeated once after a new login. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "kyso/pki/clock.h"
#include "kyso/pki/remote_signer.h"

namespace kyso::pki {

struct ViettelMySignSettings {
  // Up to the service prefix, e.g. https://remotesigning.viettel.vn:8773/vtss/service.
  std::string baseUrl;
  std::string clientId;
  std::string clientSecret;
  std::string profileId;
  // Optional file of "name = value" lines (client_secret, webhook_secret) that fills the secrets
  // left empty above.
  std::string secretsFile;
  // Shared with Viettel for the webhook's HMAC; empty: every webhook is refused.
  std::string webhookSecret;
  std::chrono::milliseconds connectTimeout{5'000};
  std::chrono::milliseconds readTimeout{30'000};
};

class ViettelMySign final : public RemoteSigner {
 public:
  // kyso's own bound per request (the service publishes none).
  static constexpr std::size_t kMaxDigests = 50;
  static constexpr std::string_view kWebhookSignatureHeader = "X-MySign-Signature";
  // hashAlgo is the digest's OID; signAlgo is rsaEncryption (PKCS#1 v1.5), the only one offered.
  static constexpr std::string_view kSignAlgorithm = "1.2.840.113549.1.1.1";

  // Reads the secrets file; throws InputError("config_invalid") for incomplete settings.
  explicit ViettelMySign(ViettelMySignSettings settings, const Clock& clock = SystemClock::instance());
  ~ViettelMySign() override;
  ViettelMySign(const ViettelMySign&) = delete;
  ViettelMySign& operator=(const ViettelMySign&) = delete;

  std::string name() const override { return "viettel-mysign"; }
  std::vector<RemoteCredential> credentials(const std::string& userId) override;
  // documents[i].document_id is the reference (with "-<i+1>" when there are several digests).
  RemoteSignStatus submit(const RemoteSignRequest& request) override;
  RemoteSignStatus status(const std::string& userId, const std::string& transactionId) override;
  // The body is requests/status's answer ({transactionId, status, signatures}). Authentication,
  // until Viettel's own scheme is known: the header holds the lower-case hex HMAC-SHA256 (RFC 2104)
  // of the raw body under webhookSecret, optionally as "sha256=<hex>".
  RemoteSignStatus parseWebhook(const std::string& body, const std::string& signatureHeader) override;

 private:
  // The enrolment connector (partner_enrollment.h) speaks to the same gateway with this session.
  friend class ViettelMySignEnrollment;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kyso::pki
