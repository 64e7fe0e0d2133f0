// Certificate enrolment at the remote-signing partners (VNPT SmartCA, Viettel MySign) through
// kyso's HTTP API, against the partner simulators, whose CA issues real certificates from the
// test PKI's issuing CA: POST /v1/enrollments with "partner": "vnpt-smartca" / "viettel-mysign",
// the worker's passes (advanceDue() on a FixedClock, never sleeping) through awaiting_applicant
// (the citizen confirms in the partner's app) to issued; the certificate checked by openssl verify
// and by a signature over a digest that openssl pkeyutl verifies with it. Also: the citizen
// refuses or lets it expire; the partner registers but its answer is lost (5xx), and the retry, with the same
// reference, makes no second registration; kyso restarts in the middle (a second service on the
// same data directory) without a second registration; revocation at the partner; key mode
// "partner" (no CSR: the partner keeps the key, and its signhash signs with it).
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>

#include "http_client.h"
#include "kyso/pki/certificate_request_builder.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/software_key.h"
#include "kyso/pki/viettel_mysign.h"
#include "kyso/pki/vnpt_smartca.h"
#include "mysign_model.h"
#include "partner_simulator.h"
#include "smartca_model.h"
#include "test_service.h"
#include "test_support.h"

namespace kyso::test {
namespace {

using Poco::JSON::Object;
using namespace std::chrono_literals;

const std::string kVnpt = "vnpt-smartca";
const std::string kMySign = "viettel-mysign";

std::string stringify(const Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

std::map<std::string, std::string> partnerSettings(const PartnerSimulator& sim) {
  return {
      {"partners.vnpt_smartca.base_url", sim.baseUrl()},
      {"partners.vnpt_smartca.client_id", "kyso-hcc"},
      {"partners.vnpt_smartca.client_secret", vnpt::kClientSecret},
      {"partners.vnpt_smartca.connect_timeout_seconds", "1"},
      {"partners.vnpt_smartca.timeout_seconds", "1"},
      {"partners.viettel_mysign.base_url", sim.baseUrl(mysign::kPrefix)},
      {"partners.viettel_mysign.client_id", "kyso-hcc"},
      {"partners.viettel_mysign.client_secret", mysign::kClientSecret},
      {"partners.viettel_mysign.profile_id", "adss:ras:profile:001"},
      {"partners.viettel_mysign.timeout_seconds", "1"},
  };
}

class PartnerEnrollments : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    simulator = std::make_unique<PartnerSimulator>();
    TestServiceOptions options;
    options.clock = &clock;
    options.settings = partnerSettings(*simulator);
    service = std::make_unique<TestService>(options);
    backendKey = service->key(api::Role::Backend, "procedure system");
  }
  static void TearDownTestSuite() {
    service.reset();
    simulator.reset();
  }
  void SetUp() override {
    smartCa = std::make_unique<vnpt::SmartCaModel>(*simulator);
    mySign = std::make_unique<mysign::MySignModel>(*simulator);
  }
  void TearDown() override { simulator->reset(); }

  const std::string& partner() const { return GetParam(); }
  PartnerCaModel& ca() { return partner() == kVnpt ? smartCa->ca : mySign->ca; }
  std::string registerPath() const {
    return partner() == kVnpt ? "/csc/credentials/register" : mysign::kPrefix + "/ras/v1/certificates/request";
  }
  // The reference each registration request carried (a request answered 401, for a token of an
  // earlier test's model, is sent again with a new token).
  std::vector<std::string> registrationReferences() const {
    std::vector<std::string> out;
    for (const auto& r : simulator->requests(registerPath())) {
      out.push_back(parseObject(r.body)->getValue<std::string>(partner() == kVnpt ? "refId" : "request_id"));
    }
    return out;
  }

  // The applicant's request; key mode "csr" with `csrDer`, else "partner".
  Object::Ptr request(const Bytes& csrDer) const {
    Object::Ptr applicant = new Object;
    applicant->set("kind", "person");
    applicant->set("full_name", subject.commonName);
    applicant->set("cccd", "001085012345");
    applicant->set("email", "an.nguyen@example.vn");
    applicant->set("phone", "0912345678");
    applicant->set("province", subject.province);
    Object::Ptr key = new Object;
    key->set("mode", csrDer.empty() ? "partner" : "csr");
    if (!csrDer.empty()) key->set("csr", toBase64(csrDer));
    Object::Ptr o = new Object;
    o->set("applicant", applicant);
    o->set("partner", partner());
    o->set("key", key);
    o->set("consent", true);
    return o;
  }
  Bytes csr() const {
    return pki::buildCertificateRequest(pki::vietnameseSubjectName(subject), applicantKey->get(), *applicantKey);
  }

  static std::string enrol(TestService& on, const Object::Ptr& body) {
    static int n = 0;
    const auto created = on.call("POST", "/v1/enrollments", backendKey, stringify(*body),
                                 {{"Idempotency-Key", "partner-enrol-" + std::to_string(++n)}});
    EXPECT_EQ(created.status, 202) << created.body;
    return json(created.body)->getValue<std::string>("id");
  }
  static Object::Ptr enrollment(TestService& on, const std::string& id) {
    const auto got = on.call("GET", "/v1/enrollments/" + id, backendKey);
    EXPECT_EQ(got.status, 200) << got.body;
    return json(got.body);
  }
  // One worker pass, after the poll interval and any retry delay have passed.
  static void pass(TestService& on) {
    clock.set(clock.now() + 10min);
    on.core().enrollmentWorker().advanceDue();
  }
  static std::string status(TestService& on, const std::string& id) {
    return enrollment(on, id)->getValue<std::string>("status");
  }

  // The issued certificate: chains to the test PKI's root (openssl verify) and verifies a
  // signature over a digest made with its key (openssl pkeyutl).
  void expectUsable(const std::string& chainPem, const Bytes& signature, const Bytes& digest) {
    const auto chain = pki::Certificate::allFromPem(chainPem);
    ASSERT_EQ(chain.size(), 3u);
    EXPECT_EQ(chain[0].commonName(), subject.commonName);
    EXPECT_EQ(chain[0].subjectAttribute("UID").value_or(""), "CCCD:001085012345");
    EXPECT_EQ(chain[0].subjectAttribute("C").value_or(""), "VN");
    writeFile(dir / "root.pem", devPki().rootCa().pem());
    writeFile(dir / "issuing.pem", chain[1].pem());
    writeFile(dir / "leaf.pem", chain[0].pem());
    const auto verified = run({"/usr/bin/openssl", "verify", "-CAfile", (dir / "root.pem").string(), "-untrusted",
                               (dir / "issuing.pem").string(), (dir / "leaf.pem").string()});
    EXPECT_EQ(verified.exitCode, 0) << verified.output;
    EXPECT_NE(verified.output.find(": OK"), std::string::npos) << verified.output;
    writeFile(dir / "digest.bin", std::string(digest.begin(), digest.end()));
    writeFile(dir / "signature.bin", std::string(signature.begin(), signature.end()));
    const auto checked =
        run({"/usr/bin/openssl", "pkeyutl", "-verify", "-certin", "-inkey", (dir / "leaf.pem").string(), "-in",
             (dir / "digest.bin").string(), "-sigfile", (dir / "signature.bin").string(), "-pkeyopt", "digest:sha256"});
    EXPECT_EQ(checked.exitCode, 0) << checked.output;
    EXPECT_NE(checked.output.find("Signature Verified Successfully"), std::string::npos) << checked.output;
  }

  static inline std::unique_ptr<PartnerSimulator> simulator;
  static inline pki::FixedClock clock{pki::parseIso8601("2026-11-27T09:00:00Z")};
  static inline std::unique_ptr<TestService> service;
  static inline std::string backendKey;

  std::unique_ptr<vnpt::SmartCaModel> smartCa;
  std::unique_ptr<mysign::MySignModel> mySign;
  pki::CertificateSubject subject{"Nguyễn Văn An", {"CCCD:001085012345"}, "Hà Nội", ""};
  std::shared_ptr<pki::SoftwareKey> applicantKey = pki::SoftwareKey::generate(pki::KeyAlgorithm::Ecdsa);
  TempDir dir;
};

TEST_P(PartnerEnrollments, CitizenConfirms_AwaitingApplicantThenIssued_ChainsAndSigns) {
  const std::string id = enrol(*service, request(csr()));
  EXPECT_EQ(status(*service, id), "received");
  pass(*service);
  const auto waiting = enrollment(*service, id);
  ASSERT_EQ(waiting->getValue<std::string>("status"), "awaiting_applicant") << stringify(*waiting);
  EXPECT_EQ(waiting->getValue<std::string>("partner_reference"), ca().byReference(id).requestId);
  pass(*service);  // polled: the citizen has not confirmed yet
  EXPECT_EQ(status(*service, id), "awaiting_applicant");

  ca().confirm(id);
  pass(*service);
  const auto done = enrollment(*service, id);
  ASSERT_EQ(done->getValue<std::string>("status"), "issued") << stringify(*done);
  const std::string serial = done->getValue<std::string>("certificate_serial");
  EXPECT_EQ(serial, ca().byReference(id).credential->certificate().serialHex());
  EXPECT_EQ(ca().created[id], 1);
  for (const auto& reference : registrationReferences()) EXPECT_EQ(reference, id);

  const auto certificate = service->call("GET", "/v1/certificates/" + serial, backendKey);
  ASSERT_EQ(certificate.status, 200) << certificate.body;
  const Bytes digest = pki::sha256(asBytes("tờ khai 000123"));
  expectUsable(json(certificate.body)->getValue<std::string>("chain_pem"),
               applicantKey->signDigest(pki::DigestAlgorithm::Sha256, digest), digest);
}

TEST_P(PartnerEnrollments, CitizenRefuses_Rejected) {
  const std::string id = enrol(*service, request(csr()));
  pass(*service);
  ASSERT_EQ(status(*service, id), "awaiting_applicant");
  ca().refuse(id);
  pass(*service);
  const auto done = enrollment(*service, id);
  ASSERT_EQ(done->getValue<std::string>("status"), "rejected") << stringify(*done);
  EXPECT_TRUE(done->getValue<std::string>("last_error").starts_with("partner_rejected: the applicant refused"))
      << stringify(*done);
  EXPECT_TRUE(done->isNull("next_attempt_at"));
}

TEST_P(PartnerEnrollments, CitizenNeverConfirms_PartnerExpiresIt_Rejected) {
  const std::string id = enrol(*service, request(csr()));
  pass(*service);
  ASSERT_EQ(status(*service, id), "awaiting_applicant");
  ca().byReference(id).status = PartnerCaModel::Status::Expired;
  pass(*service);
  const auto done = enrollment(*service, id);
  ASSERT_EQ(done->getValue<std::string>("status"), "rejected") << stringify(*done);
  EXPECT_TRUE(
      done->getValue<std::string>("last_error").starts_with("partner_rejected: the applicant did not confirm in time"))
      << stringify(*done);
}

// The partner registers, but its answer is lost (5xx): kyso retries after the backoff with the
// same reference, and the partner answers the registration it has.
TEST_P(PartnerEnrollments, AnswerLostIn5xx_RetriedWithTheSameReference_OneRegistration) {
  ca().loseNextAnswers = 1;
  const std::string id = enrol(*service, request(csr()));
  pass(*service);
  const auto retrying = enrollment(*service, id);
  EXPECT_EQ(retrying->getValue<std::string>("status"), "received") << stringify(*retrying);
  EXPECT_TRUE(retrying->getValue<std::string>("last_error").starts_with("partner_unavailable")) << stringify(*retrying);
  EXPECT_EQ(ca().created[id], 1);

  pass(*service);
  EXPECT_EQ(status(*service, id), "awaiting_applicant");
  ca().confirm(id);
  pass(*service);
  EXPECT_EQ(status(*service, id), "issued");
  const auto references = registrationReferences();
  EXPECT_GE(references.size(), 2u);  // the lost answer's and the retry's
  for (const auto& reference : references) EXPECT_EQ(reference, id);
  EXPECT_EQ(ca().created.size(), 1u);
  EXPECT_EQ(ca().created[id], 1);
}

// kyso stops after the partner registered (its answer lost), and a second service on the same
// data directory resumes: the same reference, no second registration, and the certificate.
TEST_P(PartnerEnrollments, RestartInTheMiddle_NoSecondRegistration) {
  TempDir data;
  std::filesystem::create_directories(data / "var");
  std::filesystem::copy(service->dataDir() / "pki", data / "var" / "pki", std::filesystem::copy_options::recursive);
  TestServiceOptions options;
  options.clock = &clock;
  options.settings = partnerSettings(*simulator);
  options.settings["data_dir"] = (data / "var").string();

  ca().loseNextAnswers = 1;
  std::string id;
  {
    TestService first(options);
    const std::string saved = backendKey;
    backendKey = first.key(api::Role::Backend, "procedure system");
    id = enrol(first, request(csr()));
    pass(first);
    EXPECT_EQ(status(first, id), "received");
    backendKey = saved;
  }  // stopped: what it had in memory is gone
  EXPECT_EQ(ca().created[id], 1);

  TestService second(options);
  pass(second);
  EXPECT_EQ(second.core().enrollments().get(id).phase, pki::EnrollmentPhase::AwaitingApplicant);
  ca().confirm(id);
  pass(second);
  const auto done = second.core().enrollments().get(id);
  ASSERT_EQ(done.phase, pki::EnrollmentPhase::Issued) << done.lastError;
  EXPECT_EQ(done.certificateSerial, ca().byReference(id).credential->certificate().serialHex());
  const auto references = registrationReferences();
  EXPECT_GE(references.size(), 2u);  // the lost answer's and the retry's
  for (const auto& reference : references) EXPECT_EQ(reference, id);
  EXPECT_EQ(ca().created.size(), 1u);
  EXPECT_EQ(ca().created[id], 1);
}

TEST_P(PartnerEnrollments, Revocation_RevokedAtThePartner) {
  const std::string id = enrol(*service, request(csr()));
  pass(*service);
  ca().confirm(id);
  pass(*service);
  const auto done = enrollment(*service, id);
  ASSERT_EQ(done->getValue<std::string>("status"), "issued") << stringify(*done);
  const std::string serial = done->getValue<std::string>("certificate_serial");
  const auto revoked =
      service->call("POST", "/v1/certificates/" + serial + "/revocation", backendKey, R"({"reason": "keyCompromise"})");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(json(revoked.body)->getValue<std::string>("status"), "revoked") << revoked.body;
  EXPECT_EQ(ca().byReference(id).revocationReason, "keyCompromise");
}

// Key mode "partner": no CSR; the partner makes the key and keeps it, and its signhash signs with it.
TEST_P(PartnerEnrollments, PartnerKeepsTheKey_IssuedWithoutCsr_SignsThroughSignHash) {
  const std::string id = enrol(*service, request({}));
  EXPECT_EQ(enrollment(*service, id)->getValue<std::string>("key_mode"), "partner");
  pass(*service);
  ASSERT_EQ(status(*service, id), "awaiting_applicant");
  EXPECT_TRUE(ca().byReference(id).csrDer.empty());
  ca().confirm(id);
  pass(*service);
  const auto done = enrollment(*service, id);
  ASSERT_EQ(done->getValue<std::string>("status"), "issued") << stringify(*done);
  const auto certificate =
      service->call("GET", "/v1/certificates/" + done->getValue<std::string>("certificate_serial"), backendKey);
  ASSERT_EQ(certificate.status, 200) << certificate.body;

  // The citizen signs a digest at the partner, with the credential it issued.
  const Bytes digest = pki::sha256(asBytes("tờ khai 000124"));
  pki::RemoteSignRequest sign;
  sign.userId = partner() == kVnpt ? vnpt::kUser : mysign::kUser;
  sign.credentialId = ca().byReference(id).credentialId;
  sign.reference = "sign-" + id;
  sign.digests = {digest};
  std::unique_ptr<pki::RemoteSigner> signer;
  if (partner() == kVnpt) {
    pki::VnptSmartCaSettings s;
    s.baseUrl = simulator->baseUrl();
    s.clientId = "kyso-hcc";
    s.clientSecret = vnpt::kClientSecret;
    signer = std::make_unique<pki::VnptSmartCa>(s, clock);
    smartCa->tranStatus = 1;
  } else {
    pki::ViettelMySignSettings s;
    s.baseUrl = simulator->baseUrl(mysign::kPrefix);
    s.clientId = "kyso-hcc";
    s.clientSecret = mysign::kClientSecret;
    s.profileId = "adss:ras:profile:001";
    signer = std::make_unique<pki::ViettelMySign>(s, clock);
    mySign->status = 1;
  }
  const auto submitted = signer->submit(sign);
  ASSERT_EQ(submitted.state, pki::RemoteSignState::Waiting);
  const auto signedDigest = signer->status(sign.userId, submitted.transactionId);
  ASSERT_EQ(signedDigest.state, pki::RemoteSignState::Signed);
  ASSERT_EQ(signedDigest.signatures.size(), 1u);
  EXPECT_FALSE(signedDigest.cms);
  expectUsable(json(certificate.body)->getValue<std::string>("chain_pem"), signedDigest.signatures[0], digest);
}

TEST_P(PartnerEnrollments, PartnerKeyModeAtTheLocalCa_400KeyModeUnavailable) {
  auto body = request({});
  body->set("partner", "local");
  const auto refused = service->call("POST", "/v1/enrollments", backendKey, stringify(*body),
                                     {{"Idempotency-Key", "partner-key-at-local-" + partner()}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(errorCode(refused), "key_mode_unavailable") << refused.body;
}

INSTANTIATE_TEST_SUITE_P(Partners, PartnerEnrollments, ::testing::Values(kVnpt, kMySign),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param == kVnpt ? "VnptSmartCa" : "ViettelMySign";
                         });

}  // namespace
}  // namespace kyso::test
