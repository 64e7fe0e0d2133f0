// Enrolment with the "cmp" partner configured by partners.cmp.* alone, end to end: POST
// /v1/enrollments, the worker's pass (driven with advanceDue(), never by sleeping) through the
// CMP connector to the mock server of the openssl command, GET of the certificate it issued. The
// mock answers with its fixed -rsp_cert, so that certificate is issued beforehand by the test
// PKI's issuing CA for the applicant's own key, with the subject kyso registers.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>

#include "http_client.h"
#include "kyso/error.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/certificate_request_builder.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/software_key.h"
#include "mock_cmp_server.h"
#include "test_service.h"
#include "test_support.h"

namespace kyso::api {
namespace {

using Poco::JSON::Object;
using test::json;
using namespace std::chrono_literals;

const std::string kReference = "kyso-test-ra";
const std::string kSecret = "shared secret of the test";

// The applicant, their key and CSR (the subject exactly as kyso registers it: the CMP connector
// hands the CSR to the CA as it is), the certificate the mock answers with, and its chain.
struct Material {
  test::TempDir dir;
  pki::CertificateSubject subject{"Nguyễn Văn An", {"CCCD:001085012345"}, "Hà Nội", ""};
  std::shared_ptr<pki::SoftwareKey> key = pki::SoftwareKey::generate(pki::KeyAlgorithm::Ecdsa);
  Bytes csrDer = pki::buildCertificateRequest(pki::vietnameseSubjectName(subject), key->get(), *key);
  pki::Certificate leaf;
  std::filesystem::path leafFile = dir / "leaf.pem";
  std::filesystem::path chainFile = dir / "chain.pem";  // issuing CA, root
  std::filesystem::path secretFile = dir / "cmp-secret";

  Material() : leaf(issue()) {
    const pki::DevPki& pki = test::devPki(pki::KeyAlgorithm::Ecdsa);
    test::writeFile(leafFile, leaf.pem());
    test::writeFile(chainFile, pki.issuingCa().pem() + pki.rootCa().pem());
    test::writeFile(secretFile, kSecret + "\n");
    std::filesystem::permissions(secretFile, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }

  pki::Certificate issue() const {
    const pki::DevPki& pki = test::devPki(pki::KeyAlgorithm::Ecdsa);
    pki::CertificateProfile profile;
    profile.subject = pki::vietnameseSubjectName(subject);
    profile.notBefore = std::chrono::system_clock::now() - 1h;
    profile.lifetime = std::chrono::hours(24 * 30);
    profile.keyUsage = "critical,digitalSignature,nonRepudiation";
    return pki::issueCertificate(profile, key->get(), &pki.issuingCa(), *pki.issuingCaKey());
  }
};

std::string stringify(const Object::Ptr& o) {
  std::ostringstream out;
  o->stringify(out);
  return out.str();
}

Object::Ptr cmpRequest(const Material& m) {
  Object::Ptr applicant = new Object;
  applicant->set("kind", "person");
  applicant->set("full_name", m.subject.commonName);
  applicant->set("cccd", "001085012345");
  applicant->set("email", "an.nguyen@example.vn");
  applicant->set("phone", "0912345678");
  applicant->set("province", m.subject.province);
  Object::Ptr key = new Object;
  key->set("mode", "csr");
  key->set("csr", toBase64(m.csrDer));
  Object::Ptr o = new Object;
  o->set("applicant", applicant);
  o->set("partner", "cmp");
  o->set("key", key);
  o->set("consent", true);
  return o;
}

TEST(CmpEnrollments, ConfiguredByPartnersCmp_IssuedByTheCaAndServedByGet) {
  Material m;
  test::MockCmpServer server({"-srv_ref", kReference, "-srv_secret", "pass:" + kSecret, "-rsp_cert",
                              m.leafFile.string(), "-rsp_extracerts", m.chainFile.string()});
  test::TestServiceOptions options;
  options.settings = {{"partners.cmp.url", server.url()},
                      {"partners.cmp.reference", kReference},
                      {"partners.cmp.secret_file", m.secretFile.string()},
                      {"partners.cmp.timeout_seconds", "5"}};
  test::TestService service(options);
  const std::string backendKey = service.key(Role::Backend, "procedure system");

  const auto created = service.call("POST", "/v1/enrollments", backendKey, stringify(cmpRequest(m)),
                                    {{"Idempotency-Key", "cmp-enrol-1"}});
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string id = json(created.body)->getValue<std::string>("id");

  EXPECT_GE(service.core().enrollmentWorker().advanceDue(), 1u);
  const auto got = service.call("GET", "/v1/enrollments/" + id, backendKey);
  ASSERT_EQ(got.status, 200) << got.body;
  const auto done = json(got.body);
  ASSERT_EQ(done->getValue<std::string>("status"), "issued") << got.body << "\n" << server.log();
  EXPECT_EQ(done->getValue<std::string>("partner"), "cmp");
  const std::string serial = done->getValue<std::string>("certificate_serial");
  EXPECT_EQ(serial, m.leaf.serialHex());

  const auto certificate = service.call("GET", "/v1/certificates/" + serial, backendKey);
  ASSERT_EQ(certificate.status, 200) << certificate.body;
  const auto c = json(certificate.body);
  EXPECT_EQ(c->getValue<std::string>("serial"), serial);
  EXPECT_EQ(c->getValue<std::string>("enrollment_id"), id);
  EXPECT_EQ(pki::Certificate::fromPem(c->getValue<std::string>("pem")), m.leaf);
  const auto chain = pki::Certificate::allFromPem(c->getValue<std::string>("chain_pem"));
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(chain.front(), m.leaf);
  EXPECT_EQ(chain.back(), test::devPki(pki::KeyAlgorithm::Ecdsa).rootCa());
}

TEST(CmpEnrollments, SecretFileOthersCanRead_StartRefusedConfigInvalid) {
  Material m;
  std::filesystem::permissions(m.secretFile, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  test::TestServiceOptions options;
  options.settings = {{"partners.cmp.url", "http://127.0.0.1:9/pkix/"},
                      {"partners.cmp.reference", kReference},
                      {"partners.cmp.secret_file", m.secretFile.string()}};
  try {
    test::TestService service(options);
    ADD_FAILURE() << "the service started";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "config_invalid");
    EXPECT_NE(std::string(e.what()).find("partners.cmp.secret_file"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos);
  }
}

}  // namespace
}  // namespace kyso::api
