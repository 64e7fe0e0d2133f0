// Two-step signing for keys kyso does not hold — an officer's USB token behind the desktop helper,
// a citizen's key at a partner CA. Step one prepares the document for the signer's certificate and
// hands out what the key must sign; step two takes the signature value, checks it against that
// certificate and finishes the very document prepared in step one. Both steps are the stages of
// the one-step signer, so the result is the file one-step signing makes from the same inputs.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "kyso/api/appearance_resources.h"
#include "kyso/api/metrics.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/signer/pades_signer.h"
#include "kyso/store/store.h"

namespace kyso::api {

struct CreateSessionRequest {
  signer::PadesLevel level = signer::PadesLevel::B_B;
  pki::CertificateChain chain;  // the signer's certificate first; order of the rest free
  std::string reason;
  std::string location;
  std::string contactInfo;
  // Invisible unless set; the image comes with the request (kyso holds none for external keys).
  std::optional<signer::VisibleSignature> visible;
};

// A session as callers see it.
struct SessionView {
  std::string id;
  std::string status;  // "open", "completed", "expired"
  std::string level;
  std::string fieldName;
  pki::TimePoint signingTime;
  pki::TimePoint createdAt;
  pki::TimePoint expiresAt;
  std::optional<pki::TimePoint> completedAt;
  std::string signer;           // subject of the signer's certificate
  std::string signatureScheme;  // "rsa-pkcs1-v1_5", "ecdsa"
  pki::DigestAlgorithm digestAlgorithm = pki::DigestAlgorithm::Sha256;
  Bytes toBeSigned;            // DER signed attributes: what CKM_SHA256_RSA_PKCS / CKM_ECDSA_SHA256 sign
  Bytes digest;                // their digest: what a "sign this hash" API signs
  Bytes digestInfo;            // RSA only: the DigestInfo that CKM_RSA_PKCS signs
  std::string documentSha256;  // once completed
  std::int64_t auditSequence = 0;
};

struct CompletedSession {
  SessionView view;
  std::string document;  // the signed PDF
};

class SigningSessionService {
 public:
  // Sessions stay open for `lifetime`; a session, open or completed, is deleted `retention`
  // after it expired.
  SigningSessionService(const signer::PadesSigner& pades, const AppearanceResources& appearances,
                        store::SigningSessionRepository& sessions, Metrics& metrics, const pki::Clock& clock,
                        std::chrono::seconds lifetime, std::chrono::seconds retention);

  SessionView create(const signer::PdfInput& input, const CreateSessionRequest& request, const std::string& actor);
  // Errors: 404 session_not_found (also for another caller's session), 409 session_completed,
  // 410 session_expired, 400 invalid_signature_encoding, 422 signature_invalid (the session stays
  // open), 503 for the time-stamp or the database.
  CompletedSession complete(const std::string& id, ByteView signatureValue, const std::string& actor);
  SessionView get(const std::string& id, const std::string& actor);
  // The signed document of a completed session; 409 session_open before, 410 session_expired for
  // an open session past its expiry.
  std::string document(const std::string& id, const std::string& actor);

 private:
  store::SigningSessionRecord load(const std::string& id, const std::string& actor, bool withDocument);
  SessionView view(const store::SigningSessionRecord& record) const;

  const signer::PadesSigner& pades_;
  const AppearanceResources& appearances_;
  store::SigningSessionRepository& sessions_;
  Metrics& metrics_;
  const pki::Clock& clock_;
  std::chrono::seconds lifetime_;
  std::chrono::seconds retention_;
};

}  // namespace kyso::api
