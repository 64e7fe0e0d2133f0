#include "kyso/api/service_core.h"

#include <algorithm>

#include "kyso/error.h"
#include "kyso/pki/applicant_keys.h"
#include "kyso/pki/cmp_connector.h"
#include "kyso/pki/local_connector.h"
#include "kyso/pki/partner_enrollment.h"
#include "kyso/receipts/receipt_pdf.h"

namespace kyso::api {

namespace {

// The "cmp" partner (partners.cmp.*). The shared secret is read here, not kept in Settings, and
// lives on only in the connector.
std::shared_ptr<pki::CaConnector> cmpConnector(const CmpPartnerSettings& cmp) {
  pki::CmpSettings settings;
  settings.url = cmp.url;
  settings.reference = cmp.reference;
  if (!cmp.secretFile.empty()) settings.secret = Settings::readSecretFile(cmp.secretFile, "partners.cmp.secret_file");
  settings.protectionCertificateFile = cmp.protectionCertificateFile;
  settings.protectionKeyFile = cmp.protectionKeyFile;
  settings.serverCertificateFile = cmp.serverCertificateFile;
  settings.trustedCaFile = cmp.trustedCaFile;
  settings.expectedSender = cmp.expectedSender;
  settings.timeout = cmp.timeout;
  try {
    auto connector = std::make_shared<pki::CmpConnector>(settings);
    std::fill(settings.secret.begin(), settings.secret.end(), '\0');
    return connector;
  } catch (const InputError& e) {
    std::fill(settings.secret.begin(), settings.secret.end(), '\0');
    // The connector's messages do not say which settings they are about.
    throw InputError(e.code(), std::string("partners.cmp: ") + e.what(), e.kind());
  } catch (...) {
    std::fill(settings.secret.begin(), settings.secret.end(), '\0');
    throw;
  }
}

}  // namespace

ServiceCore::ServiceCore(Settings settings, const pki::Clock& clock) : settings_(std::move(settings)), clock_(clock) {
  std::filesystem::create_directories(settings_.dataDir);

  if (settings_.usesDevPki()) {
    // The dev certificates name this service's CRL and OCSP URLs: they need a real port.
    if (!pki::DevPki::exists(settings_.devPkiDir())) settings_.requireDevPkiUrlUsable();
    devPki_ = pki::DevPki::ensure(settings_.devPkiDir(), settings_.devPki, clock_);
    keys_.add(devPki_->seal());
  } else {
    for (const KeySettings& key : settings_.keys) keys_.add(KeyRegistry::load(key));
  }
  const auto ids = keys_.ids();
  if (std::find(ids.begin(), ids.end(), settings_.defaultKey) == ids.end()) {
    throw InputError("config_invalid", "keys.default names no configured key: " + settings_.defaultKey);
  }
  keys_.setDefault(settings_.defaultKey);
  for (const auto& [id, _] : settings_.appearances) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      throw InputError("config_invalid", "appearance.key." + id + " names no configured key");
    }
  }

  // A configured TSA is trusted through its own anchors; the embedded one through the dev root.
  if (!settings_.tsaUrl.empty()) {
    timeStamps_ = std::make_shared<pki::TimeStampClient>(pki::httpTransport(settings_.tsaUrl, settings_.tsaTimeout),
                                                         pki::Certificate::allFromPemFile(settings_.tsaTrustFile),
                                                         clock_, std::chrono::minutes(5), settings_.tsaMaxTokenBytes);
  } else if (devPki_) {
    auto transport = [this](const Bytes& request) { return embeddedTsa()->respond(request); };
    timeStamps_ = std::make_shared<pki::TimeStampClient>(transport, std::vector<pki::Certificate>{devPki_->rootCa()},
                                                         clock_, std::chrono::minutes(5), settings_.tsaMaxTokenBytes);
  }
  pades_ = std::make_unique<signer::PadesSigner>(timeStamps_);
  store_ = store::openSqliteStore(settings_.databaseFile());
  appearances_ = std::make_unique<AppearanceResources>(settings_);
  signing_ = std::make_unique<SigningService>(keys_, *pades_, *appearances_, store_->audit(), metrics_, clock_);
  sessions_ = std::make_unique<SigningSessionService>(*pades_, *appearances_, store_->signingSessions(), metrics_,
                                                      clock_, settings_.sessionLifetime, settings_.sessionRetention);
  apiKeys_ = std::make_unique<ApiKeyService>(store_->apiKeys(), clock_);
  workSlots_ = std::make_unique<WorkSlots>(settings_.threads);

  receipts::ReceiptServiceOptions receiptOptions;
  receiptOptions.publicBaseUrl = settings_.publicUrl;
  receiptOptions.defaultKeyId = keys_.defaultId();
  receiptOptions.audit = &store_->audit();
  receipts_ = std::make_unique<receipts::ReceiptService>(
      store_->receipts(), [this](const std::string& id) -> const pki::SigningCredential& { return keys_.get(id); },
      [this](const receipts::Receipt& receipt, const pki::SigningCredential& credential) {
        return signedReceiptPdf(receipt, credential);
      },
      clock_, receiptOptions);

  EventDeliveryOptions eventOptions;
  eventOptions.pollInterval = settings_.callbackPollInterval;
  eventOptions.timeout = settings_.callbackTimeout;
  eventOptions.userAgent = std::string("kyso/") + KYSO_VERSION;
  eventDelivery_ = std::make_unique<EventDelivery>(store_->receipts(), clock_, eventOptions);

  // The development PKI's CAs, with their register in the store. The certificates the PKI issued
  // itself are filed at every start (a read once they are in), so OCSP knows them as "good".
  if (devPki_) {
    const pki::DevPki& pki = *devPki_;
    certificateRegister_ = store::certificateRegister(store_->certificates());
    pki::LocalCaOptions rootOptions;
    rootOptions.crlValidity = std::chrono::hours(24 * 7);
    rootOptions.crlRefresh = std::chrono::hours(24);
    rootCa_ = std::make_unique<pki::LocalCertificateAuthority>(
        pki.rootCa(), [&pki] { return pki.rootKey(); }, *certificateRegister_, clock_, rootOptions);
    pki::LocalCaOptions issuingOptions;
    issuingOptions.crlUrl = settings_.publicUrl + "/pki/crl";
    issuingOptions.ocspUrl = settings_.publicUrl + "/pki/ocsp";
    issuingOptions.caIssuersUrl = settings_.publicUrl + "/pki/ca/issuing.crt";
    issuingCa_ = std::make_unique<pki::LocalCertificateAuthority>(
        pki.issuingCa(), [&pki] { return pki.issuingCaKey(); }, *certificateRegister_, clock_, issuingOptions);
    rootCa_->record(pki.issuingCa());
    for (const pki::SigningCredential* leaf : {&pki.seal(), &pki.tsa(), &pki.ocspResponder()}) {
      issuingCa_->record(leaf->certificate());
    }
    ocspResponder_ = std::make_unique<pki::OcspResponder>(
        *issuingCa_, pki::CertificateChain{pki.ocspResponder().certificate(), pki.issuingCa()},
        [&pki] { return pki.ocspKey(); }, clock_);
  }

  pki::EnrollmentOptions enrollmentOptions;
  enrollmentOptions.pollInterval = settings_.enrollmentPartnerPoll;
  enrollmentOptions.maxFailures = settings_.enrollmentMaxFailures;
  enrollmentOptions.maxAge = settings_.enrollmentMaxAge;
  enrollments_ = std::make_unique<pki::EnrollmentService>(store_->enrollments(), clock_, enrollmentOptions);
  if (issuingCa_) {
    enrollments_->addConnector(
        std::make_shared<pki::LocalConnector>(*issuingCa_, store_->connectorTransactions(), clock_));
  }
  if (settings_.cmp.configured()) enrollments_->addConnector(cmpConnector(settings_.cmp));
  // The remote-signing partners enrol too, by the same settings (partner_enrollment.h).
  if (settings_.remoteSigning.vnpt) {
    enrollments_->addConnector(std::make_shared<pki::VnptSmartCaEnrollment>(*settings_.remoteSigning.vnpt, clock_));
  }
  if (settings_.remoteSigning.viettel) {
    enrollments_->addConnector(
        std::make_shared<pki::ViettelMySignEnrollment>(*settings_.remoteSigning.viettel, clock_));
  }
  if (settings_.enrollmentHsm.configured()) {
    const EnrollmentHsmSettings& hsm = settings_.enrollmentHsm;
    auto token = pki::Pkcs11Token::open(pki::Pkcs11Module::load(hsm.pkcs11Module), hsm.pkcs11Token,
                                        KeyRegistry::readPinFile(hsm.pkcs11PinFile, "enrollment.hsm.pkcs11_pin_file"));
    enrollments_->setApplicantKeys(std::make_shared<pki::ApplicantKeys>(std::move(token), hsm.algorithm));
  }
  enrollmentWorker_ = std::make_unique<EnrollmentWorker>(*enrollments_, settings_.enrollmentPollInterval,
                                                         [this] { eventDelivery_->wake(); });
  verification_ = std::make_unique<VerificationService>(
      settings_, clock_, devPki_ ? &*devPki_ : nullptr,
      OwnRevocationSources{settings_.publicUrl, ocspResponder_.get(), issuingCa_.get(), rootCa_.get()});
  ltv_ = std::make_unique<signer::PdfLtvExtender>(verification_->policy(), timeStamps_);
  signing_->enableLongTerm(ltv_.get());

  RemoteSigningOptions remoteOptions;
  remoteOptions.partnerPoll = settings_.remoteSigning.partnerPoll;
  remoteOptions.longestPoll = std::max(remoteOptions.longestPoll, remoteOptions.partnerPoll);
  remoteOptions.lifetime = settings_.remoteSigning.lifetime;
  remoteOptions.retention = settings_.remoteSigning.retention;
  remoteSigning_ = std::make_unique<RemoteSigningService>(*pades_, *appearances_, store_->remoteSigning(),
                                                          store_->audit(), metrics_, clock_, remoteOptions);
  // The adapters read their secrets files here and keep the secrets; Settings keeps a copy only
  // of what was configured in place.
  if (settings_.remoteSigning.vnpt) {
    remoteSigning_->addSigner(std::make_shared<pki::VnptSmartCa>(*settings_.remoteSigning.vnpt, clock_),
                              settings_.remoteSigning.vnptAnswer);
  }
  if (settings_.remoteSigning.viettel) {
    remoteSigning_->addSigner(std::make_shared<pki::ViettelMySign>(*settings_.remoteSigning.viettel, clock_),
                              settings_.remoteSigning.viettelAnswer);
  }
}

// The receipt's PDF copy, sealed like any signed result: B-T when a time-stamping authority is
// configured, else B-B. The page is rendered with the issue time as its creation date, so the
// unsigned rendering is the same whenever it is made.
Bytes ServiceCore::signedReceiptPdf(const receipts::Receipt& receipt, const pki::SigningCredential& credential) const {
  const std::string unsigned_ = receipts::renderReceiptPdf(receipt, *appearances_->fonts(), receipt.issuedAt);
  signer::PadesOptions options;
  options.level = pades_->canTimeStamp() ? signer::PadesLevel::B_T : signer::PadesLevel::B_B;
  options.fields.signingTime = clock_.now();
  options.fields.reason =
      "Biên lai điện tử " + receipt.series.symbol + " số " + receipts::formatReceiptNumber(receipt.number);
  options.fields.signerName = receipt.organization.name;
  signer::MemoryPdfOutput output;
  pades_->sign(signer::PdfInput::fromMemory(unsigned_), output, credential, options);
  const std::string& bytes = output.bytes();
  return Bytes(bytes.begin(), bytes.end());
}

ServiceCore::~ServiceCore() = default;

std::shared_ptr<const pki::TimeStampAuthority> ServiceCore::embeddedTsa() const {
  if (!devPki_) return nullptr;
  std::call_once(embeddedTsaOnce_, [this] {
    try {
      embeddedTsa_ = std::make_shared<pki::TimeStampAuthority>(devPki_->tsaKey(), devPki_->tsa().chain,
                                                               settings_.tsaPolicyOid, clock_);
    } catch (const InputError& e) {
      // A TSA key that does not fit its certificate is the server's fault, not the caller's.
      throw Error(ErrorKind::Internal, "key_unavailable", "a service key cannot be loaded",
                  std::string("embedded TSA: ") + e.what());
    }
  });
  return embeddedTsa_;
}

}  // namespace kyso::api
