// Enrolment with the "cmp" partner configured by partners.cmp.* alone, end to end: POST
// /v1/enrollments, the worker's pass (driven with advanceDue(), never by sleeping) through the
// CMP connector to the mock server of the openssl command, GET of the certificate it issued. The
// mock answers with its fixed -rsp_cert, so that certificate is issued beforehand by the test
// PKI's issuing CA for the applicant's own key (the key of the CSR the test makes), with the
// subject kyso registers. The certificate then signs a PDF that pdfsig accepts, and is revoked
// at the partner through POST /v1/certificates/{serial}/revocation (a CMP rr).
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <thread>

#include "http_client.h"
#include "kyso/error.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/certificate_request_builder.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/software_key.h"
#include "kyso/signer/pdf_io.h"
#include "mock_cmp_server.h"
#include "pdf_builder.h"
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
    // As Vietnamese public CAs issue them (DOMAIN.md): e-mail protection and client
    // authentication, a CRL and an OCSP responder. Nothing answers at those URLs: pdfsig runs
    // with -no-ocsp; without them, poppler 22.12 calls the certificate an "unknown issue".
    profile.extendedKeyUsage = "emailProtection,clientAuth";
    profile.crlUrl = "http://127.0.0.1:9/crl";
    profile.ocspUrl = "http://127.0.0.1:9/ocsp";
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

// The requests the mock has logged, once it has logged at least `atLeast` of them: its output
// reaches the log through a pipe that a thread drains, so a line written before the mock answered
// may arrive a moment after the answer (waits up to 10 s for it, then counts what is there).
std::size_t requestsSeen(test::MockCmpServer& server, std::size_t atLeast = 0) {
  const auto count = [&] {
    const std::string log = server.log();
    std::size_t n = 0;
    for (auto at = log.find("Received request"); at != std::string::npos; at = log.find("Received request", at + 1)) {
      ++n;
    }
    return n;
  };
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (count() < atLeast && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  return count();
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

  // Usable for signing: a PAdES signature with the applicant's own key and the chain GET served,
  // accepted by pdfsig and openssl cms under the CA's root.
  ASSERT_EQ(chain.size(), 3u);
  const pki::SigningCredential credential{"citizen", m.key, {chain[0], chain[1]}};
  signer::PadesOptions signing;
  signing.fields.signingTime = service.clock().now();
  signer::MemoryPdfOutput signedPdf;
  service.core().pades().sign(signer::PdfInput::fromMemory(test::buildPdf(test::onePageObjects())), signedPdf,
                              credential, signing);
  test::writeFile(m.dir / "signed.pdf", signedPdf.bytes());
  const auto peers = test::checkWithPeers(m.dir / "signed.pdf", chain.back(), {chain[1]});
  EXPECT_EQ(peers.signatures, 1) << peers.pdfsigOutput;
  EXPECT_EQ(peers.validSignatures, 1) << peers.pdfsigOutput;
  EXPECT_EQ(peers.trustedCertificates, 1) << peers.pdfsigOutput;
  EXPECT_EQ(peers.opensslVerified, 1) << peers.problems;
  EXPECT_NE(peers.pdfsigOutput.find(m.subject.commonName), std::string::npos) << peers.pdfsigOutput;

  // Revoked at the partner through the API: the connector sends the CA a CMP rr for it, one more
  // request to the mock (which logs each request as it arrives, before it answers).
  const std::size_t before = requestsSeen(server);
  const auto revoked =
      service.call("POST", "/v1/certificates/" + serial + "/revocation", backendKey, R"({"reason": "keyCompromise"})");
  ASSERT_EQ(revoked.status, 200) << revoked.body << "\n" << server.log();
  EXPECT_EQ(json(revoked.body)->getValue<std::string>("status"), "revoked");
  EXPECT_EQ(json(revoked.body)->getValue<std::string>("revocation_reason"), "keyCompromise");
  EXPECT_EQ(json(service.call("GET", "/v1/certificates/" + serial, backendKey).body)->getValue<std::string>("status"),
            "revoked");
  EXPECT_EQ(requestsSeen(server, before + 1), before + 1) << server.log();
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
