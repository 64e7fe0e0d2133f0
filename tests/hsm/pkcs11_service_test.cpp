// The agency's seal key in a PKCS#11 token, configured through keys.<id>.pkcs11_*: the service
// logs in at start-up (a wrong or exposed PIN file stops it there), signs PDFs that pdfsig and
// openssl accept, and reports the token's failures while signing as server faults, never as the
// caller's 401 or 404.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <p11-kit/pkcs11.h>

#include <map>
#include <stdexcept>
#include <string>

#include "kyso/api/service_core.h"
#include "kyso/error.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/pkcs11.h"
#include "kyso/receipts/receipt_service.h"
#include "kyso/signer/pdf_io.h"
#include "soft_hsm.h"
#include "test_support.h"
#include "xml_peers.h"

namespace kyso::api {
namespace {

using pki::KeyAlgorithm;
using test::expectThrow;

const pki::DistinguishedName kAgency = {{"C", "VN"},
                                        {"ST", "Lâm Đồng"},
                                        {"O", "Trung tâm Phục vụ hành chính công tỉnh Lâm Đồng"},
                                        {"CN", "Trung tâm Phục vụ hành chính công tỉnh Lâm Đồng"},
                                        {"UID", "MST:0101234565"}};

// Logs the application out of a token behind the key source's back, through the module's own
// functions: what a restarted HSM or a dropped network session does to a running service.
void logOutBehindTheService(const std::filesystem::path& module, const std::string& tokenLabel) {
  const auto loaded = pki::Pkcs11Module::load(module);  // the service's instance; initialised
  CK_SLOT_ID slot = 0;
  bool found = false;
  for (const auto& t : loaded->tokens()) {
    if (t.label == tokenLabel) {
      slot = t.slot;
      found = true;
    }
  }
  if (!found) throw std::runtime_error("no token " + tokenLabel);
  void* library = dlopen(module.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) throw std::runtime_error(dlerror());
  auto getFunctionList = reinterpret_cast<CK_C_GetFunctionList>(dlsym(library, "C_GetFunctionList"));
  CK_FUNCTION_LIST* f = nullptr;
  if (getFunctionList == nullptr || getFunctionList(&f) != CKR_OK) throw std::runtime_error("C_GetFunctionList");
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  if (f->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &session) != CKR_OK) {
    throw std::runtime_error("C_OpenSession");
  }
  const CK_RV rv = f->C_Logout(session);  // ends the login of every session of the application
  f->C_CloseSession(session);
  dlclose(library);
  if (rv != CKR_OK) throw std::runtime_error("C_Logout: " + std::to_string(rv));
}

class Pkcs11Service : public ::testing::Test {
 protected:
  const test::SoftHsm& hsm = test::softHsm();
  test::TempDir dir;
  std::map<std::string, std::string> config;

  std::string label(const std::string& prefix) const {
    return prefix + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  // Generates a key in the token, has the development PKI's issuing CA certify it (as the local
  // CA does from the token's CSR) and configures it as key 'agency', by label or by id. The
  // token is closed again, so that the service's own login is what is tested.
  void configureSeal(KeyAlgorithm algorithm, bool byId = false, const std::string& chainOfLabel = {}) {
    const pki::DevPki& pki = test::devPki(algorithm);
    auto token = pki::Pkcs11Token::open(pki::Pkcs11Module::load(hsm.module), hsm.token, test::pin(hsm.pin));
    const auto key = token->generateKey(algorithm, label("seal"));
    const auto certified = chainOfLabel.empty() ? key : token->generateKey(algorithm, label(chainOfLabel));
    pki::CertificateProfile profile;
    profile.subject = kAgency;
    profile.notBefore = pki::SystemClock::instance().now() - std::chrono::hours(1);
    profile.lifetime = std::chrono::hours(24 * 30);
    profile.keyUsage = "critical,digitalSignature,nonRepudiation";
    profile.extendedKeyUsage = "emailProtection";
    // pdfsig (poppler with NSS) wants a CRL distribution point on a signing certificate; it does
    // not fetch it.
    profile.crlUrl = "http://127.0.0.1:8080/pki/crl";
    const pki::Certificate leaf =
        pki::issueCertificate(profile, certified->publicKey(), &pki.issuingCa(), *pki.issuingCaKey());
    test::writeFile(dir / "agency-chain.pem", leaf.pem() + pki.issuingCa().pem());
    writePin(hsm.pin);
    config = {{"data_dir", (dir / "var").string()},
              {"keys.agency.pkcs11_module", hsm.module.string()},
              {"keys.agency.pkcs11_token", hsm.token},
              {"keys.agency.pkcs11_pin_file", (dir / "hsm.pin").string()},
              {"keys.agency.pem_chain", (dir / "agency-chain.pem").string()}};
    if (byId) {
      config["keys.agency.pkcs11_key_id"] = toHex(key->info().id);
    } else {
      config["keys.agency.pkcs11_key_label"] = key->info().label;
    }
  }

  void writePin(const std::string& pin, std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                                      std::filesystem::perms::owner_write) {
    test::writeFile(dir / "hsm.pin", pin + "\n");
    std::filesystem::permissions(dir / "hsm.pin", mode);
  }

  Settings settings() const { return Settings::load(std::nullopt, config, {}); }

  SignPdfOutcome sign(ServiceCore& core, const std::string& name) {
    SignPdfRequest request;
    request.reason = "Đóng dấu bằng khóa trong HSM";
    const auto input = signer::PdfInput::fromFile(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"), 1u << 30);
    signer::FilePdfOutput output(dir / name);
    const SignPdfOutcome outcome = core.signing().signPdf(input, output, request, "test");
    output.commit();
    return outcome;
  }
};

class Pkcs11ServiceSeal : public Pkcs11Service, public ::testing::WithParamInterface<KeyAlgorithm> {};

// RSA (CKM_RSA_PKCS over the DigestInfo) configured by label, ECDSA (the token's r||s as DER) by id.
TEST_P(Pkcs11ServiceSeal, SealKeyInToken_SignedPdf_PdfsigAndOpensslAcceptIt) {
  configureSeal(GetParam(), GetParam() == KeyAlgorithm::Ecdsa);
  ServiceCore core(settings());
  EXPECT_FALSE(core.devPki());
  EXPECT_EQ(core.keys().ids(), std::vector<std::string>{"agency"});
  EXPECT_EQ(core.keys().defaultKey().key->algorithm(), GetParam());

  const SignPdfOutcome outcome = sign(core, "sealed.pdf");
  EXPECT_EQ(outcome.keyId, "agency");
  const test::PeerVerdict v = test::checkWithPeers(dir / "sealed.pdf", test::devPki(GetParam()).rootCa());
  EXPECT_EQ(v.signatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;
  EXPECT_NE(v.pdfsigOutput.find("Trung tâm Phục vụ hành chính công tỉnh Lâm Đồng"), std::string::npos)
      << v.pdfsigOutput;
}

INSTANTIATE_TEST_SUITE_P(Algorithms, Pkcs11ServiceSeal, ::testing::Values(KeyAlgorithm::Rsa, KeyAlgorithm::Ecdsa),
                         [](const auto& p) { return p.param == KeyAlgorithm::Rsa ? "Rsa" : "Ecdsa"; });

// An e-receipt sealed by the key in the token: issued through the receipt service with the series'
// default key 'agency', and accepted by xmlsec1 against the development root.
TEST_F(Pkcs11Service, ReceiptSealedInTheToken_Xmlsec1VerifiesIt) {
  configureSeal(KeyAlgorithm::Rsa);
  ServiceCore core(settings());
  const auto local = std::chrono::floor<std::chrono::days>(pki::SystemClock::instance().now() + pki::kVietnamUtcOffset);
  const int year = static_cast<int>(std::chrono::year_month_day(local).year());
  receipts::SeriesSpec spec;
  spec.symbol = (year % 100 < 10 ? "0" : "") + std::to_string(year % 100) + "THS";
  spec.organization = {"Trung tâm Phục vụ hành chính công tỉnh Lâm Đồng", "0101234565", "Phường Xuân Hương, Đà Lạt"};
  const receipts::Series series = core.receipts().createSeries(spec);
  EXPECT_EQ(series.keyId, "agency");

  receipts::IssueRequest request;
  request.symbol = spec.symbol;
  request.actor = "apikey:test";
  request.idempotencyKey = "hsm-1";
  request.content.payer = {"Nguyễn Văn A", "008085012345", "Tổ 5, phường Phan Thiết"};
  request.content.items = {{"LPHT01", "Lệ phí cấp bản sao trích lục hộ tịch", receipts::FeeKind::LePhi, 8000}};
  request.content.payment = {receipts::PaymentMethod::Online, "PG-HSM-1", "paygov",
                             pki::parseIso8601("2026-11-27T09:15:00+07:00")};
  request.content.dossier = {"H59.22-261127-0001", "1.001193"};
  const receipts::IssueResult issued = core.receipts().issue(request);
  EXPECT_EQ(issued.receipt.number, 1u);

  const std::string xml = core.receipts().xml(issued.receipt.id);
  EXPECT_NE(xml.find("0101234565"), std::string::npos);
  test::writeFile(dir / "receipt.xml", xml);
  const test::PeerCheck verdict =
      test::xmlsec1Verify(dir / "receipt.xml", test::devPki().rootCa(), &test::devPki().issuingCa());
  EXPECT_TRUE(verdict.ok) << verdict.output;
  // The certificate in the signature is the token key's (from keys.agency.pem_chain).
  const auto chain = pki::Certificate::allFromPemFile((dir / "agency-chain.pem").string());
  EXPECT_NE(xml.find(toBase64(chain.front().der())), std::string::npos);
  // A changed amount no longer verifies: xmlsec1 checked the token's signature, not just the form.
  std::string tampered = xml;
  tampered.replace(tampered.find("<TgTien>8000"), 12, "<TgTien>9000");
  test::writeFile(dir / "tampered.xml", tampered);
  EXPECT_FALSE(test::xmlsec1Verify(dir / "tampered.xml", test::devPki().rootCa(), &test::devPki().issuingCa()).ok);
}

TEST_F(Pkcs11Service, WrongPinInTheFile_StopsStartUpNamingTheKey) {
  configureSeal(KeyAlgorithm::Ecdsa);
  writePin("9999");
  const Error e = expectThrow<Error>([&] { ServiceCore core(settings()); });
  EXPECT_EQ(e.code(), "pkcs11_login_failed");
  EXPECT_NE(std::string(e.what()).find("key 'agency' in PKCS#11 token 'kyso-test'"), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).find("9999"), std::string::npos) << e.what();
}

TEST_F(Pkcs11Service, PinFileReadableByOthers_StopsStartUpWithConfigInvalid) {
  configureSeal(KeyAlgorithm::Ecdsa);
  using std::filesystem::perms;
  for (const perms mode : {perms::owner_read | perms::group_read, perms::owner_read | perms::others_read,
                           perms::owner_read | perms::owner_write | perms::group_write}) {
    writePin(hsm.pin, mode);
    const Error e = expectThrow<Error>([&] { ServiceCore core(settings()); });
    EXPECT_EQ(e.code(), "config_invalid");
    EXPECT_NE(std::string(e.what()).find("keys.agency.pkcs11_pin_file"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
  }
  writePin(hsm.pin, perms::owner_read);
  EXPECT_NO_THROW(ServiceCore core(settings()));
}

TEST_F(Pkcs11Service, MissingKeyOrToken_StopsStartUpWithTheTokenCode) {
  configureSeal(KeyAlgorithm::Ecdsa);
  config["keys.agency.pkcs11_key_label"] = "no-such-key";
  EXPECT_EQ(expectThrow<Error>([&] { ServiceCore core(settings()); }).code(), "pkcs11_key_not_found");
  config["keys.agency.pkcs11_token"] = "no-such-token";
  EXPECT_EQ(expectThrow<Error>([&] { ServiceCore core(settings()); }).code(), "pkcs11_token_not_found");
}

TEST_F(Pkcs11Service, ChainOfAnotherKey_StopsStartUpWithKeyCertificateMismatch) {
  configureSeal(KeyAlgorithm::Ecdsa, false, "other");
  const Error e = expectThrow<Error>([&] { ServiceCore core(settings()); });
  EXPECT_EQ(e.code(), "key_certificate_mismatch");
  EXPECT_NE(std::string(e.what()).find("key 'agency'"), std::string::npos) << e.what();
}

TEST_F(Pkcs11Service, TokenLoggedOutWhileServing_TheSignatureLogsInAgainAndSucceeds) {
  configureSeal(KeyAlgorithm::Rsa);
  ServiceCore core(settings());
  sign(core, "before.pdf");
  logOutBehindTheService(hsm.module, hsm.token);
  sign(core, "after.pdf");  // logged in again with the PIN read again from its file, then signed
  const test::PeerVerdict v = test::checkWithPeers(dir / "after.pdf", test::devPki().rootCa());
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;
}

TEST_F(Pkcs11Service, PinRefusedWhenLoggingInAgain_IsKeyUnavailableNot401_AndNotTriedAgain) {
  configureSeal(KeyAlgorithm::Ecdsa);
  auto core = std::make_unique<ServiceCore>(settings());
  logOutBehindTheService(hsm.module, hsm.token);
  writePin("9999");  // the PIN file changed under the running service

  const Error refused = expectThrow<Error>([&] { sign(*core, "refused.pdf"); });
  EXPECT_EQ(refused.kind(), ErrorKind::Internal);  // 500: the client sees only the generic message
  EXPECT_EQ(refused.code(), "key_unavailable");
  EXPECT_NE(refused.detail().find("pkcs11_login_failed"), std::string::npos) << refused.detail();
  EXPECT_NE(refused.detail().find("key 'agency'"), std::string::npos) << refused.detail();

  // A token locks its PIN after a few wrong tries: the service does not try again on its own.
  writePin(hsm.pin);
  const Error again = expectThrow<Error>([&] { sign(*core, "again.pdf"); });
  EXPECT_EQ(again.code(), "key_unavailable");
  EXPECT_NE(again.detail().find("not tried again until a restart"), std::string::npos) << again.detail();

  core.reset();
  core = std::make_unique<ServiceCore>(settings());  // a restart with the PIN file fixed
  EXPECT_EQ(sign(*core, "restarted.pdf").keyId, "agency");
}

}  // namespace
}  // namespace kyso::api
