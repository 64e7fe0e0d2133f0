// Everything the server and the CLI share, wired from the settings: the data directory, the keys
// (configured, or the development PKI), time-stamping, the database and the services.
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "kyso/api/api_keys.h"
#include "kyso/api/enrollment_worker.h"
#include "kyso/api/event_delivery.h"
#include "kyso/api/key_registry.h"
#include "kyso/api/metrics.h"
#include "kyso/api/remote_signing.h"
#include "kyso/api/settings.h"
#include "kyso/api/signing_service.h"
#include "kyso/api/signing_sessions.h"
#include "kyso/api/verification_service.h"
#include "kyso/api/work_slots.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/dev_pki.h"
#include "kyso/pki/enrollment_service.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/ocsp_responder.h"
#include "kyso/pki/time_stamp.h"
#include "kyso/receipts/receipt_service.h"
#include "kyso/signer/pades_signer.h"
#include "kyso/signer/pdf_ltv.h"
#include "kyso/store/store.h"

namespace kyso::api {

class ServiceCore {
 public:
  explicit ServiceCore(Settings settings, const pki::Clock& clock = pki::SystemClock::instance());
  ~ServiceCore();

  const Settings& settings() const { return settings_; }
  const pki::Clock& clock() const { return clock_; }
  store::Store& store() { return *store_; }
  const KeyRegistry& keys() const { return keys_; }
  // Present when the service runs on the development PKI.
  const std::optional<pki::DevPki>& devPki() const { return devPki_; }
  // The embedded TSA, when it has a key (the development PKI's TSA); built on first use.
  std::shared_ptr<const pki::TimeStampAuthority> embeddedTsa() const;
  std::shared_ptr<pki::TimeStampSource> timeStamps() const { return timeStamps_; }
  const signer::PadesSigner& pades() const { return *pades_; }
  const AppearanceResources& appearances() const { return *appearances_; }
  SigningService& signing() { return *signing_; }
  SigningSessionService& sessions() { return *sessions_; }
  ApiKeyService& apiKeys() { return *apiKeys_; }
  receipts::ReceiptService& receipts() { return *receipts_; }
  Metrics& metrics() { return metrics_; }
  WorkSlots& workSlots() { return *workSlots_; }
  // Receipt events to the API clients' callbacks. Built here, started only by the server.
  EventDelivery& eventDelivery() { return *eventDelivery_; }
  // On the development PKI: its issuing CA (end-entity certificates, GET /pki/crl), its root (CA
  // certificates, GET /pki/crl/root) and the issuing CA's OCSP responder (/pki/ocsp); null otherwise.
  pki::LocalCertificateAuthority* issuingCa() { return issuingCa_.get(); }
  pki::LocalCertificateAuthority* rootCa() { return rootCa_.get(); }
  const pki::OcspResponder* ocspResponder() const { return ocspResponder_.get(); }
  // Certificate enrolment through partner CAs: "local" (the issuing CA) on the development PKI;
  // tests add their own connectors. Its worker is started only by the server.
  pki::EnrollmentService& enrollments() { return *enrollments_; }
  EnrollmentWorker& enrollmentWorker() { return *enrollmentWorker_; }
  // Signature verification (POST /v1/verify, kyso verify) with its revocation fetcher and cache.
  VerificationService& verification() { return *verification_; }
  // Long-term extension (B-LT, B-LTA: POST /v1/extend/pdf, kyso extend pdf) with the verifier's
  // trust anchors and revocation sources and the configured TSA.
  const signer::PdfLtvExtender& ltv() const { return *ltv_; }
  // Remote signing with citizens' keys at the partners configured in partners.vnpt_smartca.* and
  // partners.viettel_mysign.*; tests add their own signers. Its worker is started by the server.
  RemoteSigningService& remoteSigning() { return *remoteSigning_; }

 private:
  Bytes signedReceiptPdf(const receipts::Receipt& receipt, const pki::SigningCredential& credential) const;

  Settings settings_;
  const pki::Clock& clock_;
  std::optional<pki::DevPki> devPki_;
  KeyRegistry keys_;
  mutable std::once_flag embeddedTsaOnce_;
  mutable std::shared_ptr<const pki::TimeStampAuthority> embeddedTsa_;
  std::shared_ptr<pki::TimeStampSource> timeStamps_;
  std::unique_ptr<signer::PadesSigner> pades_;
  std::unique_ptr<store::Store> store_;
  Metrics metrics_;
  std::unique_ptr<AppearanceResources> appearances_;
  std::unique_ptr<SigningService> signing_;
  std::unique_ptr<SigningSessionService> sessions_;
  std::unique_ptr<ApiKeyService> apiKeys_;
  std::unique_ptr<receipts::ReceiptService> receipts_;
  std::unique_ptr<WorkSlots> workSlots_;
  // Last: its worker stops before the store it reads goes away.
  std::unique_ptr<EventDelivery> eventDelivery_;
  // The CAs keep their register in the store; destroyed before it (and the responder before its CA).
  std::unique_ptr<pki::CertificateRegister> certificateRegister_;
  std::unique_ptr<pki::LocalCertificateAuthority> rootCa_;
  std::unique_ptr<pki::LocalCertificateAuthority> issuingCa_;
  std::unique_ptr<pki::OcspResponder> ocspResponder_;
  // Last: the worker stops first, then the service and its connectors (the local one uses the
  // issuing CA above).
  std::unique_ptr<pki::EnrollmentService> enrollments_;
  std::unique_ptr<EnrollmentWorker> enrollmentWorker_;
  // Uses the CAs and the responder above.
  std::unique_ptr<VerificationService> verification_;
  std::unique_ptr<signer::PdfLtvExtender> ltv_;  // after verification_: it uses its fetcher and cache
  // Last: its worker stops before everything it uses.
  std::unique_ptr<RemoteSigningService> remoteSigning_;
};

}  // namespace kyso::api
