// The "vnpt-smartca" remote signer: VNPT SmartCA's CSC-style gateway, modelled on the API shape
// VNPT publishes for integrators (docs/architecture.md, "Partner remote signing").
//
//   POST /auth/token                    OAuth2 (RFC 6749 §4.4 client credentials or §4.3 password,
//                                       form-encoded) → {access_token, token_type, expires_in}
//   POST /csc/credentials/list          {userId} → content: [credentialId, ...]
//   POST /csc/credentials/info          {credentialId, certificates: "chain", certInfo, authInfo}
//                                       → content.cert {status, certificates: [base64 DER, leaf first]}
//   POST /csc/signature/signhash        {credentialId, refTranId, notifyUrl, description,
//                                        datas: [{name, hash}]} → content.tranId
//   POST /csc/credentials/gettraninfo   {tranId} → content {tranId, tranStatus, signatures: [base64]}
//
// Every answer but the token's is the envelope {code, codeDesc, message, content}: code 0 success,
// 30000 bad input (InputError "partner_refused_request"), 50000 the partner's failure
// (partner_unavailable), 60000 unknown credential (NotFoundError "partner_user_unknown" when
// listing, "partner_credential_unknown" when signing, "partner_transaction_unknown" when polling),
// 65000 the citizen's service pack is used up (QuotaExhausted). tranStatus: 1 signed, 4000
// waiting, 4001 expired, 4002 rejected, 4003/4004 failed.
//
// One service token for all users, cached until shortly before it expires; a 401 drops it, and the
// call is repeated once with a new one. The gateway signs SHA-256 digests only (signhash names no
// algorithm). Before a signhash, credentials/info is asked for the certificate's status, so a
// revoked, expired or suspended certificate is reported (CredentialRevoked) without a request the
// citizen would see. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "kyso/pki/clock.h"
#include "kyso/pki/remote_signer.h"

namespace kyso::pki {

struct VnptSmartCaSettings {
  enum class Grant { ClientCredentials, Password };

  // The gateway, e.g. https://gwsca.vnpt.vn; /auth/token and /csc/... are below it.
  std::string baseUrl;
  Grant grant = Grant::ClientCredentials;
  std::string clientId;
  std::string clientSecret;
  // Password grant: kyso's service-provider account at VNPT (never a citizen's).
  std::string username;
  std::string password;
  // Optional file of "name = value" lines (client_secret, password, webhook_secret) that fills the
  // secrets left empty above, so they stay out of the main configuration.
  std::string secretsFile;
  // Where VNPT posts its notification for each transaction (kyso's webhook route); empty: none,
  // kyso polls.
  std::string notifyUrl;
  // Shared with VNPT for the webhook's HMAC; empty: every webhook is refused.
  std::string webhookSecret;
  std::chrono::milliseconds connectTimeout{5'000};
  std::chrono::milliseconds readTimeout{30'000};
};

class VnptSmartCa final : public RemoteSigner {
 public:
  static constexpr std::size_t kMaxDigests = 50;
  // The header the webhook's signature comes in (see parseWebhook).
  static constexpr std::string_view kWebhookSignatureHeader = "X-SmartCA-Signature";

  // Reads the secrets file; throws InputError("config_invalid") for incomplete settings.
  explicit VnptSmartCa(VnptSmartCaSettings settings, const Clock& clock = SystemClock::instance());
  ~VnptSmartCa() override;
  VnptSmartCa(const VnptSmartCa&) = delete;
  VnptSmartCa& operator=(const VnptSmartCa&) = delete;

  // "client_credentials" or "password"; throws InputError("config_invalid").
  static VnptSmartCaSettings::Grant parseGrant(std::string_view name);

  std::string name() const override { return "vnpt-smartca"; }
  std::vector<RemoteCredential> credentials(const std::string& userId) override;
  // At most kMaxDigests SHA-256 digests (InputError "invalid_remote_sign_request", "invalid_digest",
  // "unsupported_digest"); each is sent as datas[i] named after the reference.
  RemoteSignStatus submit(const RemoteSignRequest& request) override;
  RemoteSignStatus status(const std::string& userId, const std::string& transactionId) override;
  // The body is gettraninfo's content ({tranId, tranStatus, signatures}). Authentication, until
  // VNPT's own scheme is known: the header holds the lower-case hex HMAC-SHA256 (RFC 2104) of the
  // raw body under webhookSecret, optionally as "sha256=<hex>".
  RemoteSignStatus parseWebhook(const std::string& body, const std::string& signatureHeader) override;

 private:
  // The enrolment connector (partner_enrollment.h) speaks to the same gateway with this session.
  friend class VnptSmartCaEnrollment;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kyso::pki
