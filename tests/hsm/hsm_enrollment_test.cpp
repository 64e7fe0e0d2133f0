// Enrolment in key mode "hsm" against SoftHSM2: POST /v1/enrollments without a CSR makes the
// applicant's key pair inside the configured token (labelled with the enrolment id) when the worker
// submits it, the local CA issues for that key, and the key then signs a PDF that pdfsig and
// openssl cms accept. A second pass (a restart before the answer was recorded) finds the key again
// instead of making another; without enrollment.hsm.* the mode stays refused.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <openssl/evp.h>

#include <algorithm>
#include <sstream>

#include "http_client.h"
#include "kyso/error.h"
#include "kyso/pki/applicant_keys.h"
#include "kyso/pki/pkcs11.h"
#include "kyso/signer/pdf_io.h"
#include "pdf_builder.h"
#include "soft_hsm.h"
#include "test_service.h"
#include "test_support.h"

namespace kyso::api {
namespace {

using Poco::JSON::Object;
using test::json;

constexpr const char* kName = "Phạm Thị Lan";
constexpr const char* kCccd = "079190012345";  // 079: Hồ Chí Minh

std::string stringify(const Object::Ptr& o) {
  std::ostringstream out;
  o->stringify(out);
  return out.str();
}

Object::Ptr hsmRequest() {
  Object::Ptr applicant = new Object;
  applicant->set("kind", "person");
  applicant->set("full_name", kName);
  applicant->set("cccd", kCccd);
  applicant->set("email", "lan.pham@example.vn");
  applicant->set("phone", "0987654321");
  applicant->set("province", "Hồ Chí Minh");
  Object::Ptr key = new Object;
  key->set("mode", "hsm");
  Object::Ptr o = new Object;
  o->set("applicant", applicant);
  o->set("partner", "local");
  o->set("key", key);
  o->set("consent", true);
  return o;
}

class HsmEnrollment : public ::testing::TestWithParam<pki::KeyAlgorithm> {
 protected:
  const test::SoftHsm& hsm = test::softHsm();
  test::TempDir work;

  std::map<std::string, std::string> hsmSettings() {
    test::writeFile(work / "hsm.pin", hsm.pin + "\n");
    std::filesystem::permissions(work / "hsm.pin",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return {{"enrollment.hsm.pkcs11_module", hsm.module.string()},
            {"enrollment.hsm.pkcs11_token", hsm.token},
            {"enrollment.hsm.pkcs11_pin_file", (work / "hsm.pin").string()},
            {"enrollment.hsm.key_algorithm", GetParam() == pki::KeyAlgorithm::Rsa ? "rsa" : "ec"},
            {"pki.dev.algorithm", GetParam() == pki::KeyAlgorithm::Rsa ? "rsa" : "ec"}};
  }
};

TEST_P(HsmEnrollment, KeyMadeInTheToken_IssuedForIt_SignsAPdfThePeersAccept) {
  test::TestService service({hsmSettings(), true});
  const std::string backend = service.key(Role::Backend, "procedures");
  const auto created =
      service.call("POST", "/v1/enrollments", backend, stringify(hsmRequest()), {{"Idempotency-Key", "hsm-1"}});
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string id = json(created.body)->getValue<std::string>("id");
  EXPECT_EQ(json(created.body)->getValue<std::string>("key_mode"), "hsm");
  EXPECT_EQ(json(created.body)->getValue<std::string>("key_label"), id);

  // No key before the enrolment is submitted: a replayed request would otherwise leave one behind.
  auto& keys = *service.core().enrollments().applicantKeys();
  EXPECT_THROW(keys.find(id), NotFoundError);
  const auto replayed =
      service.call("POST", "/v1/enrollments", backend, stringify(hsmRequest()), {{"Idempotency-Key", "hsm-1"}});
  EXPECT_EQ(json(replayed.body)->getValue<std::string>("id"), id);

  service.core().enrollmentWorker().advanceDue();
  const auto got = service.call("GET", "/v1/enrollments/" + id, backend);
  const auto done = json(got.body);
  ASSERT_EQ(done->getValue<std::string>("status"), "issued") << got.body;
  const std::string serial = done->getValue<std::string>("certificate_serial");
  const auto certificate = json(service.call("GET", "/v1/certificates/" + serial, backend).body);
  const auto chain = pki::Certificate::allFromPem(certificate->getValue<std::string>("chain_pem"));
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0].commonName(), kName);
  EXPECT_EQ(chain[0].subjectAttribute("UID").value_or(""), std::string("CCCD:") + kCccd);

  // The key the certificate is for lives in the token, generated there and never extractable.
  const auto key = keys.find(id);
  EXPECT_EQ(EVP_PKEY_eq(key->publicKey(), chain[0].publicKey()), 1);
  EXPECT_EQ(key->info().algorithm, GetParam());
  EXPECT_EQ(key->info().bits, GetParam() == pki::KeyAlgorithm::Rsa ? 2048u : 256u);
  EXPECT_TRUE(key->info().local);
  EXPECT_TRUE(key->info().neverExtractable);
  EXPECT_FALSE(key->info().extractable);
  const auto listed = key->token()->keys();
  EXPECT_EQ(std::count_if(listed.begin(), listed.end(), [&](const auto& k) { return k.label == id; }), 1);

  // The citizen's key signs: a PAdES signature made by the token, checked by pdfsig and openssl.
  pki::SigningCredential credential{"citizen", key, chain};
  signer::PadesOptions options;
  options.fields.signingTime = service.clock().now();
  signer::MemoryPdfOutput signedPdf;
  service.core().pades().sign(signer::PdfInput::fromMemory(test::buildPdf(test::onePageObjects())), signedPdf,
                              credential, options);
  test::writeFile(work / "signed.pdf", signedPdf.bytes());
  const auto peers = test::checkWithPeers(work / "signed.pdf", service.core().devPki()->rootCa(), {chain[1]});
  EXPECT_EQ(peers.validSignatures, 1) << peers.pdfsigOutput;
  EXPECT_EQ(peers.opensslVerified, 1) << peers.problems;
}

TEST_P(HsmEnrollment, KeyAlreadyInTheToken_FoundAgainNotMadeTwice) {
  test::TestService service({hsmSettings(), true});
  auto& enrollments = service.core().enrollments();
  pki::EnrollmentApplication a;
  a.applicant.fullName = kName;
  a.applicant.cccd = kCccd;
  a.applicant.email = "lan.pham@example.vn";
  a.applicant.phone = "0987654321";
  a.applicant.province = "Hồ Chí Minh";
  a.partner = "local";
  a.keyMode = "hsm";
  a.consent = true;
  a.actor = "apikey:test";
  const std::string id = enrollments.create(a).record.id;
  // What a crash between generating the key and recording the submission leaves: the key.
  const auto early = enrollments.applicantKeys()->keyFor(id);
  enrollments.advanceDue();
  const auto record = enrollments.get(id);
  ASSERT_EQ(record.phase, pki::EnrollmentPhase::Issued) << record.lastError;
  const auto chain = pki::Certificate::allFromPem(record.chainPem);
  EXPECT_EQ(EVP_PKEY_eq(early->publicKey(), chain.front().publicKey()), 1);
  const auto listed = early->token()->keys();
  EXPECT_EQ(std::count_if(listed.begin(), listed.end(), [&](const auto& k) { return k.label == id; }), 1);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, HsmEnrollment, ::testing::Values(pki::KeyAlgorithm::Rsa, pki::KeyAlgorithm::Ecdsa),
                         [](const auto& param) { return param.param == pki::KeyAlgorithm::Rsa ? "Rsa" : "Ec"; });

TEST(HsmEnrollmentOff, WithoutEnrollmentHsm_400KeyModeUnavailable) {
  test::TestService service;
  const std::string backend = service.key(Role::Backend, "procedures");
  const auto answer =
      service.call("POST", "/v1/enrollments", backend, stringify(hsmRequest()), {{"Idempotency-Key", "off-1"}});
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(test::errorCode(answer), "key_mode_unavailable");
}

TEST(HsmEnrollmentSettings, PinInPlaceOrIncomplete_ConfigInvalid) {
  EXPECT_THROW(Settings::load(std::nullopt, {{"enrollment.hsm.pkcs11_pin", "1234"}}, {}), InputError);
  EXPECT_THROW(Settings::load(std::nullopt, {{"enrollment.hsm.pkcs11_module", "/x.so"}}, {}), InputError);
  EXPECT_THROW(Settings::load(std::nullopt, {{"enrollment.hsm.pkcs11_token", "t"}}, {}), InputError);
  EXPECT_THROW(Settings::load(std::nullopt,
                              {{"enrollment.hsm.pkcs11_module", "/x.so"},
                               {"enrollment.hsm.pkcs11_token", "t"},
                               {"enrollment.hsm.pkcs11_pin_file", "/p"},
                               {"enrollment.hsm.key_algorithm", "dsa"}},
                              {}),
               InputError);
}

}  // namespace
}  // namespace kyso::api
