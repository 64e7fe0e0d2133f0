// Certificate enrolment over HTTP, as the procedure system uses it: POST /v1/enrollments with the
// applicant and their CSR, the worker's passes (driven here with advanceDue() and a FixedClock,
// never by sleeping), the certificate checked by the real peers (openssl verify, a PAdES signature
// checked by pdfsig and openssl cms, openssl ocsp after a revocation), field-level 400s, idempotent
// retries, partners that wait, refuse or never answer (scripted connectors), and a restart in the
// middle of an enrolment (a new ServiceCore on the same data directory).
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <openssl/x509.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>

#include "http_client.h"
#include "kyso/error.h"
#include "kyso/pki/local_connector.h"
#include "kyso/pki/software_key.h"
#include "kyso/signer/pdf_io.h"
#include "pdf_builder.h"
#include "test_service.h"
#include "test_support.h"

namespace kyso::api {
namespace {

using Poco::JSON::Object;
using test::errorCode;
using test::http;
using test::HttpAnswer;
using test::json;
using namespace std::chrono_literals;

constexpr const char* kName = "Nguyễn Văn An";
constexpr const char* kCccd = "001085012345";  // 001: Hà Nội
constexpr const char* kMst = "0101234565";

std::string stringify(const Object::Ptr& o) {
  std::ostringstream out;
  o->stringify(out);
  return out.str();
}

// An applicant's key and PKCS#10 request, made by openssl as a citizen's tool would.
struct Csr {
  std::filesystem::path key;
  std::string pem;
  std::string base64Der;
};

// A partner CA whose answers the test writes.
class ScriptedPartner final : public pki::CaConnector {
 public:
  using Submit = std::function<pki::EnrollmentStatus(const pki::EnrollmentRequest&)>;
  using Poll = std::function<pki::EnrollmentStatus(const std::string&, const std::string&)>;
  ScriptedPartner(std::string name, Submit submit, Poll poll = {})
      : name_(std::move(name)), submit_(std::move(submit)), poll_(std::move(poll)) {}
  std::string name() const override { return name_; }
  pki::EnrollmentStatus submit(const pki::EnrollmentRequest& request) override {
    std::lock_guard lock(mutex_);
    submits.push_back(request.transactionId);
    return submit_(request);
  }
  pki::EnrollmentStatus poll(const std::string& transactionId, const std::string& reference) override {
    std::lock_guard lock(mutex_);
    polls.push_back(transactionId + "/" + reference);
    return poll_(transactionId, reference);
  }
  void revoke(const pki::Certificate&, pki::RevocationReason) override {}

  std::vector<std::string> submits, polls;

 private:
  std::string name_;
  Submit submit_;
  Poll poll_;
  std::mutex mutex_;
};

class Enrollments : public ::testing::Test {
 protected:
  static inline std::unique_ptr<test::TestService> service;
  static inline pki::TimePoint start;
  static inline std::string adminKey, backendKey, signerKey;
  static inline Csr personCsr, organizationCsr, emptySubjectCsr, weakCsr, wrongNameCsr, wrongUidCsr;

  static Csr makeCsr(const std::string& name, const std::vector<std::string>& keyOptions, const std::string& subject) {
    Csr csr;
    csr.key = service->dir().path() / (name + ".key");
    const auto pem = service->dir().path() / (name + ".csr");
    std::vector<std::string> argv = {"/usr/bin/openssl", "req", "-new", "-nodes", "-utf8"};
    argv.insert(argv.end(), keyOptions.begin(), keyOptions.end());
    argv.insert(argv.end(), {"-keyout", csr.key.string(), "-out", pem.string(), "-subj", subject});
    const auto made = test::run(argv);
    EXPECT_EQ(made.exitCode, 0) << made.output;
    csr.pem = test::readFile(pem);
    const auto der = service->dir().path() / (name + ".der");
    EXPECT_EQ(
        test::run({"/usr/bin/openssl", "req", "-in", pem.string(), "-outform", "DER", "-out", der.string()}).exitCode,
        0);
    csr.base64Der = toBase64(asBytes(test::readFile(der)));
    return csr;
  }

  static void SetUpTestSuite() {
    service = std::make_unique<test::TestService>();
    start = service->clock().now();
    adminKey = service->key(Role::Admin, "operator");
    backendKey = service->key(Role::Backend, "procedure system");
    signerKey = service->key(Role::Signer, "desktop helper");
    // Events are queued for every registered callback; this one is never called (the delivery
    // worker does not run here), so the outbox keeps them for the tests to read.
    const auto callback =
        service->call("PUT", "/v1/callback", backendKey, R"({"url": "http://127.0.0.1:9/kyso/events"})");
    ASSERT_EQ(callback.status, 200) << callback.body;

    const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"};
    personCsr = makeCsr("person", ec, std::string("/CN=") + kName + "/UID=CCCD:" + kCccd + "/C=VN");
    organizationCsr = makeCsr("organization", {"-newkey", "rsa:2048"}, "/C=VN");
    emptySubjectCsr = makeCsr("empty", ec, "/");
    weakCsr = makeCsr("weak", {"-newkey", "rsa:1024"}, std::string("/CN=") + kName);
    wrongNameCsr = makeCsr("wrong-name", ec, "/CN=Trần Văn Bình");
    wrongUidCsr = makeCsr("wrong-uid", ec, std::string("/CN=") + kName + "/UID=CCCD:001085099999");
  }
  static void TearDownTestSuite() { service.reset(); }
  // Tests that move the clock put it back.
  void TearDown() override { service->clock().set(start); }

  static std::string uniqueKey() {
    static std::atomic<int> n{0};
    return "enrol-" + std::to_string(++n);
  }
  static Object::Ptr personRequest(const std::string& csr = personCsr.pem, const std::string& partner = "local") {
    Object::Ptr applicant = new Object;
    applicant->set("kind", "person");
    applicant->set("full_name", kName);
    applicant->set("cccd", kCccd);
    applicant->set("email", "an.nguyen@example.vn");
    applicant->set("phone", "0912345678");
    applicant->set("province", "Hà Nội");
    Object::Ptr key = new Object;
    key->set("mode", "csr");
    key->set("csr", csr);
    Object::Ptr o = new Object;
    o->set("applicant", applicant);
    o->set("partner", partner);
    o->set("key", key);
    o->set("consent", true);
    return o;
  }
  static Object::Ptr organizationRequest() {
    Object::Ptr o = personRequest(organizationCsr.base64Der);
    Object::Ptr applicant = o->getObject("applicant");
    applicant->set("kind", "organization");
    applicant->set("full_name", "Công ty TNHH Phần mềm Tuyên Quang");
    applicant->remove("cccd");
    applicant->set("mst", kMst);
    applicant->set("representative", "Lê Thị Hoa");
    applicant->set("province", "Tuyên Quang");
    return o;
  }
  static HttpAnswer enrol(const Object::Ptr& request, const std::string& idempotencyKey = uniqueKey(),
                          const std::string& key = backendKey) {
    return service->call("POST", "/v1/enrollments", key, stringify(request), {{"Idempotency-Key", idempotencyKey}});
  }
  static Object::Ptr enrollment(const std::string& id) {
    const auto answer = service->call("GET", "/v1/enrollments/" + id, backendKey);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return json(answer.body);
  }
  // POSTs, runs the worker's pass and returns the enrolment as GET shows it afterwards.
  static Object::Ptr enrolAndAdvance(const Object::Ptr& request) {
    const auto created = enrol(request);
    EXPECT_EQ(created.status, 202) << created.body;
    const std::string id = json(created.body)->getValue<std::string>("id");
    service->core().enrollmentWorker().advanceDue();
    return enrollment(id);
  }
  // Events of `type` in the outbox whose body mentions `needle`.
  static std::vector<store::OutboxEvent> events(const std::string& type, const std::string& needle) {
    std::vector<store::OutboxEvent> out;
    for (auto& e : service->core().store().receipts().dueEvents(start + std::chrono::hours(24 * 3650), 100'000)) {
      if (e.type == type && e.body.find(needle) != std::string::npos) out.push_back(std::move(e));
    }
    return out;
  }
  static pki::EnrollmentApplication application(const std::string& partner) {
    pki::EnrollmentApplication a;
    a.applicant.fullName = kName;
    a.applicant.cccd = kCccd;
    a.applicant.email = "an.nguyen@example.vn";
    a.applicant.phone = "+84912345678";
    a.applicant.province = "Hà Nội";
    a.partner = partner;
    a.keyMode = "csr";
    a.csr = personCsr.pem;
    a.consent = true;
    a.actor = "apikey:test";
    return a;
  }
  static test::ProcessResult openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv);
  }

  test::TempDir work;
};

TEST_F(Enrollments, LocalPartner_ReceivedThenIssued_ChainsToTheRootAndSigns) {
  const auto created = enrol(personRequest());
  ASSERT_EQ(created.status, 202) << created.body;
  const auto body = json(created.body);
  const std::string id = body->getValue<std::string>("id");
  EXPECT_TRUE(id.starts_with("en_")) << id;
  EXPECT_EQ(created.header("Location"), "/v1/enrollments/" + id);
  EXPECT_EQ(body->getValue<std::string>("status"), "received");
  EXPECT_EQ(body->getObject("links")->getValue<std::string>("self"), "/v1/enrollments/" + id);
  EXPECT_EQ(body->getValue<std::string>("transaction_id"), id);
  EXPECT_EQ(enrollment(id)->getValue<int>("attempts"), 0);

  EXPECT_GE(service->core().enrollmentWorker().advanceDue(), 1u);
  const auto done = enrollment(id);
  ASSERT_EQ(done->getValue<std::string>("status"), "issued") << stringify(done);
  EXPECT_EQ(done->getValue<int>("attempts"), 1);
  EXPECT_TRUE(done->isNull("last_error"));
  EXPECT_TRUE(done->isNull("next_attempt_at"));
  const std::string serial = done->getValue<std::string>("certificate_serial");
  EXPECT_EQ(done->getObject("links")->getValue<std::string>("certificate"), "/v1/certificates/" + serial);

  const auto certificate = service->call("GET", "/v1/certificates/" + serial, backendKey);
  ASSERT_EQ(certificate.status, 200) << certificate.body;
  const auto c = json(certificate.body);
  EXPECT_EQ(c->getValue<std::string>("serial"), serial);
  EXPECT_EQ(c->getValue<std::string>("status"), "good");
  EXPECT_EQ(c->getValue<std::string>("enrollment_id"), id);
  const auto leaf = pki::Certificate::fromPem(c->getValue<std::string>("pem"));
  EXPECT_EQ(leaf.commonName(), kName);
  EXPECT_EQ(leaf.subjectAttribute("UID").value_or(""), std::string("CCCD:") + kCccd);
  EXPECT_EQ(leaf.subjectAttribute("ST").value_or(""), "Hà Nội");
  EXPECT_EQ(leaf.subjectAttribute("C").value_or(""), "VN");
  const auto chain = pki::Certificate::allFromPem(c->getValue<std::string>("chain_pem"));
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[1], service->core().devPki()->issuingCa());
  EXPECT_EQ(pki::parseIso8601(c->getValue<std::string>("not_before")), start);

  const auto pem = service->call("GET", "/v1/certificates/" + serial + "?format=pem", adminKey);
  ASSERT_EQ(pem.status, 200);
  EXPECT_EQ(pem.header("Content-Type"), "application/pem-certificate-chain");
  EXPECT_EQ(pki::Certificate::allFromPem(pem.body).size(), 2u);

  // openssl verify: the leaf chains to the development root through the issuing CA.
  test::writeFile(work / "root.pem", service->core().devPki()->rootCa().pem());
  test::writeFile(work / "issuing.pem", service->core().devPki()->issuingCa().pem());
  test::writeFile(work / "leaf.pem", leaf.pem());
  const auto verified =
      openssl({"verify", "-CAfile", (work / "root.pem").string(), "-untrusted", (work / "issuing.pem").string(),
               "-purpose", "smimesign", (work / "leaf.pem").string()});
  EXPECT_EQ(verified.exitCode, 0) << verified.output;
  EXPECT_NE(verified.output.find(": OK"), std::string::npos) << verified.output;

  // Usable for signing: a PAdES signature with the applicant's own key, checked by the peers.
  pki::SigningCredential credential{"citizen", pki::SoftwareKey::fromPemFile(personCsr.key.string()), chain};
  signer::PadesOptions options;
  options.fields.signingTime = service->clock().now();
  signer::MemoryPdfOutput signedPdf;
  service->core().pades().sign(signer::PdfInput::fromMemory(test::buildPdf(test::onePageObjects())), signedPdf,
                               credential, options);
  test::writeFile(work / "signed.pdf", signedPdf.bytes());
  const auto peers = test::checkWithPeers(work / "signed.pdf", service->core().devPki()->rootCa(), {chain[1]});
  EXPECT_EQ(peers.validSignatures, 1) << peers.pdfsigOutput;
  EXPECT_EQ(peers.opensslVerified, 1) << peers.problems;

  // The procedure system hears of it through the outbox, once.
  const auto issued = events("enrollment.issued", id);
  ASSERT_EQ(issued.size(), 1u);
  const auto event = json(issued[0].body);
  EXPECT_EQ(event->getObject("enrollment")->getValue<std::string>("certificate_serial"), serial);
  EXPECT_TRUE(event->getValue<std::string>("event_id").starts_with("ev_"));

  // The local connector is idempotent on the transaction id: the same certificate again, none new.
  pki::LocalConnector local(*service->core().issuingCa(), service->core().store().connectorTransactions(),
                            service->clock());
  pki::EnrollmentRequest again;
  again.transactionId = id;
  again.csrDer = fromBase64(emptySubjectCsr.base64Der);
  again.subject = {"Someone Else", {"CCCD:001085000001"}, "Hà Nội", ""};
  const auto status = local.submit(again);
  EXPECT_EQ(status.state, pki::EnrollmentState::Issued);
  EXPECT_EQ(status.chain.front().serialHex(), serial);
}

TEST_F(Enrollments, Organization_Base64DerCsrWithoutSubject_CertificateNamesTheTaxCode) {
  const auto done = enrolAndAdvance(organizationRequest());
  ASSERT_EQ(done->getValue<std::string>("status"), "issued") << stringify(done);
  EXPECT_EQ(done->getObject("applicant")->getValue<std::string>("representative"), "Lê Thị Hoa");
  const auto c = json(
      service->call("GET", "/v1/certificates/" + done->getValue<std::string>("certificate_serial"), adminKey).body);
  const auto leaf = pki::Certificate::fromPem(c->getValue<std::string>("pem"));
  EXPECT_EQ(leaf.commonName(), "Công ty TNHH Phần mềm Tuyên Quang");
  EXPECT_EQ(leaf.subjectAttribute("UID").value_or(""), std::string("MST:") + kMst);
  EXPECT_EQ(leaf.subjectAttribute("ST").value_or(""), "Tuyên Quang");
}

// The UID values of a certificate's subject, in order.
std::vector<std::string> uidsOf(const pki::Certificate& cert) {
  std::vector<std::string> out;
  const X509_NAME* name = X509_get_subject_name(cert.get());
  for (int i = X509_NAME_get_index_by_NID(name, NID_userId, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_userId, i)) {
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<std::size_t>(ASN1_STRING_length(value)));
  }
  return out;
}

// An organisation's employee (DOMAIN.md): a person with the employer's tax code gets both UIDs,
// UID=CCCD:<12 digits> then UID=MST:<tax code>, whether the CSR names both, one or none of them.
TEST_F(Enrollments, Employee_CccdAndEmployerMst_CertificateCarriesBothUids) {
  const Csr both = makeCsr("employee", {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"},
                           std::string("/C=VN/ST=Hà Nội/CN=") + kName + "/UID=CCCD:" + kCccd + "/UID=mst:" + kMst);
  for (const std::string& csr : {both.pem, personCsr.pem, emptySubjectCsr.base64Der}) {
    Object::Ptr request = personRequest(csr);
    request->getObject("applicant")->set("mst", kMst);
    const auto done = enrolAndAdvance(request);
    ASSERT_EQ(done->getValue<std::string>("status"), "issued") << stringify(done);
    EXPECT_EQ(done->getObject("applicant")->getValue<std::string>("mst"), kMst);
    EXPECT_EQ(done->getObject("applicant")->getValue<std::string>("cccd"), kCccd);
    const auto c = json(
        service->call("GET", "/v1/certificates/" + done->getValue<std::string>("certificate_serial"), backendKey).body);
    const auto leaf = pki::Certificate::fromPem(c->getValue<std::string>("pem"));
    EXPECT_EQ(uidsOf(leaf), (std::vector<std::string>{std::string("CCCD:") + kCccd, std::string("MST:") + kMst}));
    EXPECT_EQ(leaf.commonName(), kName);
    EXPECT_EQ(leaf.subjectAttribute("ST").value_or(""), "Hà Nội");
  }

  // Another MST in the CSR than the employer's: refused, naming both identifier fields.
  const Csr other = makeCsr("employee-other", {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"},
                            std::string("/CN=") + kName + "/UID=CCCD:" + kCccd + "/UID=MST:5000123459");
  Object::Ptr request = personRequest(other.pem);
  request->getObject("applicant")->set("mst", kMst);
  const auto refused = enrol(request);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(errorCode(refused), "csr_subject_mismatch") << refused.body;
  EXPECT_NE(refused.body.find("'applicant.cccd' (CCCD:<12 digits>) or 'applicant.mst' (MST:<tax code>)"),
            std::string::npos)
      << refused.body;
  // Without the employer's MST the same CSR's MST UID is not the applicant's.
  EXPECT_EQ(errorCode(enrol(personRequest(both.pem))), "csr_subject_mismatch");
}

TEST_F(Enrollments, BadInput_400NamesTheField) {
  struct Case {
    std::string what;
    std::function<void(Object::Ptr&)> change;
    std::string code;
    std::string field;
  };
  const auto applicant = [](Object::Ptr& o) { return o->getObject("applicant"); };
  // CSR subjects with an attribute that contradicts the applicant or that the certificate would
  // not carry (kyso writes C, ST, CN and UID only).
  const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"};
  const std::string person = std::string("/C=VN/CN=") + kName + "/UID=CCCD:" + kCccd;
  const Csr otherProvince = makeCsr("other-province", ec, "/C=VN/ST=Tuyên Quang/CN=" + std::string(kName));
  const Csr withUnit = makeCsr("with-unit", ec, person + "/OU=Phòng Tư pháp");
  const Csr withLocality = makeCsr("with-locality", ec, "/L=Hoàn Kiếm" + person);
  const Csr withEmail = makeCsr("with-email", ec, person + "/emailAddress=an.nguyen@example.vn");
  const Csr withOrganisation = makeCsr("with-organisation", ec, "/C=VN/O=Công ty TNHH Phần mềm" + person.substr(5));
  const std::vector<Case> cases = {
      {"CCCD whose first three digits are no province",
       [&](Object::Ptr& o) { applicant(o)->set("cccd", "999085012345"); }, "invalid_cccd", "'applicant.cccd'"},
      {"CCCD of 11 digits", [&](Object::Ptr& o) { applicant(o)->set("cccd", "00108501234"); }, "invalid_cccd",
       "'applicant.cccd'"},
      {"CCCD of 13 digits", [&](Object::Ptr& o) { applicant(o)->set("cccd", "0010850123456"); }, "invalid_cccd",
       "'applicant.cccd'"},
      {"MST with a wrong check digit",
       [](Object::Ptr& o) {
         o = organizationRequest();
         o->getObject("applicant")->set("mst", "0101234566");
       },
       "invalid_mst", "'applicant.mst'"},
      {"MST of 9 digits",
       [](Object::Ptr& o) {
         o = organizationRequest();
         o->getObject("applicant")->set("mst", "010123456");
       },
       "invalid_mst", "'applicant.mst'"},
      {"organisation without a representative",
       [](Object::Ptr& o) {
         o = organizationRequest();
         o->getObject("applicant")->remove("representative");
       },
       "invalid_field", "'applicant.representative'"},
      {"a person whose employer's MST has a wrong check digit",
       [&](Object::Ptr& o) { applicant(o)->set("mst", "0101234566"); }, "invalid_mst", "'applicant.mst'"},
      {"a person with a representative", [&](Object::Ptr& o) { applicant(o)->set("representative", "Lê Thị Hoa"); },
       "invalid_field", "'applicant.representative'"},
      {"no full name", [&](Object::Ptr& o) { applicant(o)->remove("full_name"); }, "invalid_field",
       "'applicant.full_name'"},
      {"a full name over 64 characters", [&](Object::Ptr& o) { applicant(o)->set("full_name", std::string(65, 'A')); },
       "invalid_field", "'applicant.full_name'"},
      {"an unknown kind", [&](Object::Ptr& o) { applicant(o)->set("kind", "robot"); }, "invalid_field",
       "'applicant.kind'"},
      {"a short phone number", [&](Object::Ptr& o) { applicant(o)->set("phone", "091234"); }, "invalid_field",
       "'applicant.phone'"},
      {"an e-mail without @", [&](Object::Ptr& o) { applicant(o)->set("email", "an.example.vn"); }, "invalid_field",
       "'applicant.email'"},
      {"no province", [&](Object::Ptr& o) { applicant(o)->remove("province"); }, "invalid_field",
       "'applicant.province'"},
      {"an unknown applicant field", [&](Object::Ptr& o) { applicant(o)->set("birthday", "1985-01-01"); },
       "invalid_field", "'applicant.birthday'"},
      {"an unknown field", [](Object::Ptr& o) { o->set("priority", 1); }, "invalid_field", "'priority'"},
      {"an RSA-1024 CSR", [](Object::Ptr& o) { o->getObject("key")->set("csr", weakCsr.pem); }, "csr_key_unsupported",
       "'key.csr'"},
      {"a CSR whose CN is someone else",
       [](Object::Ptr& o) { o->getObject("key")->set("csr", wrongNameCsr.base64Der); }, "csr_subject_mismatch",
       "'key.csr'"},
      {"a CSR with another CCCD", [](Object::Ptr& o) { o->getObject("key")->set("csr", wrongUidCsr.pem); },
       "csr_subject_mismatch", "'key.csr'"},
      {"a CSR with another province", [&](Object::Ptr& o) { o->getObject("key")->set("csr", otherProvince.pem); },
       "csr_subject_mismatch", "ST is not the applicant's province ('applicant.province')"},
      {"a CSR with an OU", [&](Object::Ptr& o) { o->getObject("key")->set("csr", withUnit.pem); },
       "csr_subject_mismatch", "the request's subject has OU (2.5.4.11)"},
      {"a CSR with an L", [&](Object::Ptr& o) { o->getObject("key")->set("csr", withLocality.pem); },
       "csr_subject_mismatch", "the request's subject has L (2.5.4.7)"},
      {"a CSR with an e-mail address", [&](Object::Ptr& o) { o->getObject("key")->set("csr", withEmail.base64Der); },
       "csr_subject_mismatch", "the request's subject has emailAddress (1.2.840.113549.1.9.1)"},
      {"a person's CSR with an O", [&](Object::Ptr& o) { o->getObject("key")->set("csr", withOrganisation.pem); },
       "csr_subject_mismatch", "the request's subject has O (2.5.4.10)"},
      {"a CSR that is not one", [](Object::Ptr& o) { o->getObject("key")->set("csr", "TUlJQ2lqQ0NB"); }, "invalid_csr",
       "'key.csr'"},
      {"no CSR", [](Object::Ptr& o) { o->getObject("key")->remove("csr"); }, "invalid_field", "'key.csr'"},
      {"an unknown key mode", [](Object::Ptr& o) { o->getObject("key")->set("mode", "file"); }, "invalid_field",
       "'key.mode'"},
      {"an HSM key", [](Object::Ptr& o) { o->getObject("key")->set("mode", "hsm"); }, "key_mode_unavailable",
       "'key.mode'"},
      {"an unknown partner", [](Object::Ptr& o) { o->set("partner", "vnpt-smartca"); }, "unknown_partner", "'partner'"},
      {"no consent", [](Object::Ptr& o) { o->set("consent", false); }, "consent_required", "'consent'"},
      {"consent as text", [](Object::Ptr& o) { o->set("consent", "yes"); }, "invalid_field", "'consent'"},
      {"consent missing", [](Object::Ptr& o) { o->remove("consent"); }, "consent_required", "'consent'"},
  };
  for (const Case& c : cases) {
    Object::Ptr request = personRequest();
    c.change(request);
    const auto answer = enrol(request);
    EXPECT_EQ(answer.status, 400) << c.what << ": " << answer.body;
    EXPECT_EQ(errorCode(answer), c.code) << c.what << ": " << answer.body;
    EXPECT_NE(json(answer.body)->getObject("error")->getValue<std::string>("message").find(c.field), std::string::npos)
        << c.what << ": " << answer.body;
  }

  // The HTTP rules around it.
  const std::string body = stringify(personRequest());
  EXPECT_EQ(errorCode(service->call("POST", "/v1/enrollments", backendKey, body)), "idempotency_key_required");
  EXPECT_EQ(enrol(personRequest(), uniqueKey(), signerKey).status, 403);
  EXPECT_EQ(enrol(personRequest(), uniqueKey(), adminKey).status, 403);
  EXPECT_EQ(service->call("POST", "/v1/enrollments", "", body, {{"Idempotency-Key", uniqueKey()}}).status, 401);
  EXPECT_EQ(errorCode(service->call("GET", "/v1/enrollments/en_none", backendKey)), "enrollment_not_found");
  EXPECT_EQ(errorCode(service->call("GET", "/v1/certificates/zz", backendKey)), "invalid_serial");
  EXPECT_EQ(errorCode(service->call("GET", "/v1/certificates/0A0B0C", backendKey)), "certificate_not_found");
  EXPECT_EQ(errorCode(service->call("GET", "/v1/certificates/0A0B0C?format=der", backendKey)), "invalid_parameter");
}

TEST_F(Enrollments, CmpPartnerNotConfigured_400UnknownPartnerOfferingLocal) {
  // partners.cmp.url is not set in this suite: no "cmp" connector is registered.
  const auto answer = enrol(personRequest(personCsr.pem, "cmp"));
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(errorCode(answer), "unknown_partner") << answer.body;
  const std::string message = json(answer.body)->getObject("error")->getValue<std::string>("message");
  EXPECT_NE(message.find("'cmp'"), std::string::npos) << message;
  EXPECT_NE(message.find("offered: local"), std::string::npos) << message;
}

TEST_F(Enrollments, IdempotencyKey_SameBodySameEnrolment_OtherBody409) {
  const std::string key = uniqueKey();
  const auto first = enrol(personRequest(), key);
  ASSERT_EQ(first.status, 202) << first.body;
  const std::string id = json(first.body)->getValue<std::string>("id");
  service->core().enrollmentWorker().advanceDue();

  // The same request (the CSR as base64 DER instead of PEM is the same request) → the same enrolment.
  const auto again = enrol(personRequest(personCsr.base64Der), key);
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(json(again.body)->getValue<std::string>("id"), id);
  EXPECT_EQ(json(again.body)->getValue<std::string>("status"), "issued");
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");

  Object::Ptr other = personRequest();
  other->getObject("applicant")->set("phone", "0987654321");
  const auto conflict = enrol(other, key);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(errorCode(conflict), "idempotency_key_reused");

  // Another key is another enrolment; the worker issues it a certificate of its own.
  const auto second = enrol(personRequest(), uniqueKey());
  ASSERT_EQ(second.status, 202);
  EXPECT_NE(json(second.body)->getValue<std::string>("id"), id);
  EXPECT_EQ(second.header("Idempotent-Replayed"), "");
}

TEST_F(Enrollments, Revocation_StatusKept_OcspSaysRevoked_TwiceIsFine) {
  const auto done = enrolAndAdvance(personRequest());
  ASSERT_EQ(done->getValue<std::string>("status"), "issued");
  const std::string id = done->getValue<std::string>("id");
  const std::string serial = done->getValue<std::string>("certificate_serial");
  const std::string path = "/v1/certificates/" + serial + "/revocation";

  EXPECT_EQ(errorCode(service->call("POST", path, backendKey, R"({"reason": "certificateHold"})")),
            "invalid_revocation_reason");
  EXPECT_EQ(errorCode(service->call("POST", path, backendKey, R"({"reason": "lost"})")), "invalid_revocation_reason");
  EXPECT_EQ(errorCode(service->call("POST", path, backendKey, R"({})")), "invalid_field");
  EXPECT_EQ(service->call("POST", path, signerKey, R"({"reason": "keyCompromise"})").status, 403);
  EXPECT_EQ(
      errorCode(service->call("POST", "/v1/certificates/0A0B0C/revocation", backendKey, R"({"reason": "superseded"})")),
      "certificate_not_found");

  const auto revoked = service->call("POST", path, backendKey, R"({"reason": "keyCompromise"})");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(json(revoked.body)->getValue<std::string>("status"), "revoked");
  const std::string revokedAt = json(revoked.body)->getValue<std::string>("revoked_at");

  service->clock().set(start + 10s);
  const auto again = service->call("POST", path, adminKey, R"({"reason": "superseded"})");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json(again.body)->getValue<std::string>("revoked_at"), revokedAt);
  EXPECT_EQ(json(again.body)->getValue<std::string>("revocation_reason"), "keyCompromise");
  service->clock().set(start);

  const auto c = json(service->call("GET", "/v1/certificates/" + serial, backendKey).body);
  EXPECT_EQ(c->getValue<std::string>("status"), "revoked");
  EXPECT_EQ(c->getValue<std::string>("revocation_reason"), "keyCompromise");
  EXPECT_EQ(enrollment(id)->getValue<std::string>("status"), "issued");  // the enrolment's end stays

  // The CA's OCSP responder says so to any relying party.
  test::writeFile(work / "root.pem", service->core().devPki()->rootCa().pem());
  test::writeFile(work / "issuing.pem", service->core().devPki()->issuingCa().pem());
  test::writeFile(work / "leaf.pem", c->getValue<std::string>("pem"));
  const auto ocsp = openssl({"ocsp", "-issuer", (work / "issuing.pem").string(), "-cert", (work / "leaf.pem").string(),
                             "-url", service->core().settings().publicUrl + "/pki/ocsp", "-CAfile",
                             (work / "root.pem").string(), "-resp_text"});
  EXPECT_EQ(ocsp.exitCode, 0) << ocsp.output;
  EXPECT_NE(ocsp.output.find("Response verify OK"), std::string::npos) << ocsp.output;
  EXPECT_NE(ocsp.output.find("leaf.pem: revoked"), std::string::npos) << ocsp.output;
  EXPECT_NE(ocsp.output.find("Reason: keyCompromise"), std::string::npos) << ocsp.output;

  const auto queued = events("certificate.revoked", serial);
  ASSERT_EQ(queued.size(), 1u);  // the second revocation changed nothing
  EXPECT_EQ(json(queued[0].body)->getObject("certificate")->getValue<std::string>("reason"), "keyCompromise");
}

TEST_F(Enrollments, PartnerWaitsForTheApplicant_PolledUntilIssued) {
  auto local = std::make_shared<pki::LocalConnector>(
      *service->core().issuingCa(), service->core().store().connectorTransactions(), service->clock(), "waiting");
  // Shared with the connector, which the suite's service keeps after this test.
  struct Seen {
    int confirmations = 0;
    std::optional<pki::EnrollmentRequest> asked;
  };
  auto seen = std::make_shared<Seen>();
  auto partner = std::make_shared<ScriptedPartner>(
      "waiting",
      [seen](const pki::EnrollmentRequest& request) {
        seen->asked = request;
        return pki::EnrollmentStatus{pki::EnrollmentState::AwaitingApplicant, "W-1", {}, {}};
      },
      [seen, local](const std::string&, const std::string&) {
        // The citizen confirms in the partner's app at the second poll.
        if (++seen->confirmations < 2) {
          return pki::EnrollmentStatus{pki::EnrollmentState::AwaitingApplicant, "W-1", {}, {}};
        }
        return local->submit(*seen->asked);
      });
  service->core().enrollments().addConnector(partner);
  const auto created = enrol(personRequest(personCsr.pem, "waiting"));
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string id = json(created.body)->getValue<std::string>("id");

  service->core().enrollmentWorker().advanceDue();
  auto e = enrollment(id);
  EXPECT_EQ(e->getValue<std::string>("status"), "awaiting_applicant");
  EXPECT_EQ(e->getValue<std::string>("partner_reference"), "W-1");
  EXPECT_EQ(pki::parseIso8601(e->getValue<std::string>("next_attempt_at")), start + 60s);
  ASSERT_TRUE(seen->asked.has_value());
  EXPECT_EQ(seen->asked->subject.uids, std::vector<std::string>{std::string("CCCD:") + kCccd});
  EXPECT_EQ(seen->asked->applicant.email, "an.nguyen@example.vn");

  service->core().enrollmentWorker().advanceDue();  // not due yet
  EXPECT_TRUE(partner->polls.empty());
  service->clock().set(start + 60s);
  service->core().enrollmentWorker().advanceDue();
  EXPECT_EQ(enrollment(id)->getValue<std::string>("status"), "awaiting_applicant");
  service->clock().set(start + 120s);
  service->core().enrollmentWorker().advanceDue();
  e = enrollment(id);
  EXPECT_EQ(e->getValue<std::string>("status"), "issued") << stringify(e);
  EXPECT_EQ(e->getValue<int>("attempts"), 3);
  EXPECT_EQ(partner->submits.size(), 1u);
  EXPECT_EQ(partner->polls, (std::vector<std::string>{id + "/W-1", id + "/W-1"}));
  EXPECT_EQ(events("enrollment.issued", id).size(), 1u);
}

TEST_F(Enrollments, PartnerForgetsTheTransaction_SubmittedAgainWithTheSameId) {
  auto local = std::make_shared<pki::LocalConnector>(
      *service->core().issuingCa(), service->core().store().connectorTransactions(), service->clock(), "forgetful");
  auto partner = std::make_shared<ScriptedPartner>(
      "forgetful",
      [local, calls = std::make_shared<int>(0)](const pki::EnrollmentRequest& request) -> pki::EnrollmentStatus {
        if (++*calls == 1) return {pki::EnrollmentState::Submitted, "F-1", {}, {}};
        return local->submit(request);
      },
      [](const std::string&, const std::string&) -> pki::EnrollmentStatus {
        throw NotFoundError("partner_transaction_unknown", "the CA's transaction ended with its process");
      });
  service->core().enrollments().addConnector(partner);
  const auto e = enrolAndAdvance(personRequest(personCsr.pem, "forgetful"));
  ASSERT_EQ(e->getValue<std::string>("status"), "submitted");
  const std::string id = e->getValue<std::string>("id");
  service->clock().set(start + 60s);
  service->core().enrollmentWorker().advanceDue();  // the poll: unknown → received again
  EXPECT_EQ(enrollment(id)->getValue<std::string>("status"), "received");
  service->clock().set(start + 90s);
  service->core().enrollmentWorker().advanceDue();
  EXPECT_EQ(enrollment(id)->getValue<std::string>("status"), "issued");
  EXPECT_EQ(partner->submits, std::vector<std::string>(2, id));
  EXPECT_EQ(partner->polls.size(), 1u);
}

TEST_F(Enrollments, PartnerHasTheTransactionButNoOutcome_FailedForAnOperator) {
  service->core().enrollments().addConnector(
      std::make_shared<ScriptedPartner>("in-use", [](const pki::EnrollmentRequest&) -> pki::EnrollmentStatus {
        throw ConflictError("partner_transaction_in_use", "the CA has a transaction with this id already");
      }));
  const auto e = enrolAndAdvance(personRequest(personCsr.pem, "in-use"));
  EXPECT_EQ(e->getValue<std::string>("status"), "failed");
  EXPECT_EQ(e->getValue<int>("attempts"), 1);
  EXPECT_NE(e->getValue<std::string>("last_error").find("partner_transaction_in_use"), std::string::npos);
  EXPECT_EQ(events("enrollment.failed", e->getValue<std::string>("id")).size(), 1u);
}

TEST_F(Enrollments, PartnerRefuses_Rejected) {
  auto partner =
      std::make_shared<ScriptedPartner>("refusing", [](const pki::EnrollmentRequest&) -> pki::EnrollmentStatus {
        throw InputError("partner_refused_request", "the CCCD does not match the national population database");
      });
  service->core().enrollments().addConnector(partner);
  const auto e = enrolAndAdvance(personRequest(personCsr.pem, "refusing"));
  EXPECT_EQ(e->getValue<std::string>("status"), "rejected");
  EXPECT_NE(e->getValue<std::string>("last_error").find("partner_refused_request"), std::string::npos);
  EXPECT_TRUE(e->isNull("next_attempt_at"));
  const auto rejected = events("enrollment.rejected", e->getValue<std::string>("id"));
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_NE(rejected[0].body.find("national population database"), std::string::npos);
}

TEST_F(Enrollments, PartnerNeverAnswers_BackoffThenFailedAfterTenAttempts) {
  auto partner =
      std::make_shared<ScriptedPartner>("silent", [](const pki::EnrollmentRequest&) -> pki::EnrollmentStatus {
        throw UnavailableError("partner_unavailable", "the partner CA did not answer", "connect to 10.0.0.1: timeout");
      });
  service->core().enrollments().addConnector(partner);
  const auto created = enrol(personRequest(personCsr.pem, "silent"));
  const std::string id = json(created.body)->getValue<std::string>("id");
  service->core().enrollmentWorker().advanceDue();
  auto e = enrollment(id);
  EXPECT_EQ(e->getValue<std::string>("status"), "received");
  EXPECT_EQ(e->getValue<int>("attempts"), 1);
  EXPECT_EQ(e->getValue<std::string>("last_error"), "partner_unavailable: the partner CA did not answer");
  EXPECT_EQ(pki::parseIso8601(e->getValue<std::string>("next_attempt_at")), start + 30s);
  service->clock().set(start + 30s);
  service->core().enrollmentWorker().advanceDue();
  EXPECT_EQ(pki::parseIso8601(enrollment(id)->getValue<std::string>("next_attempt_at")), start + 90s);  // 60 s later

  for (int hour = 1; hour <= 12 && enrollment(id)->getValue<std::string>("status") != "failed"; ++hour) {
    service->clock().set(start + std::chrono::hours(hour));
    service->core().enrollmentWorker().advanceDue();
  }
  e = enrollment(id);
  EXPECT_EQ(e->getValue<std::string>("status"), "failed");
  EXPECT_EQ(e->getValue<int>("attempts"), 10);
  EXPECT_EQ(partner->submits, std::vector<std::string>(10, id));  // one transaction id throughout
  EXPECT_EQ(e->getValue<std::string>("last_error").find("10.0.0.1"), std::string::npos);  // detail stays in the log
  EXPECT_EQ(events("enrollment.failed", id).size(), 1u);
}

TEST_F(Enrollments, PartnerNeverFinishes_FailedAfterSevenDays) {
  auto partner = std::make_shared<ScriptedPartner>(
      "slow",
      [](const pki::EnrollmentRequest&) {
        return pki::EnrollmentStatus{pki::EnrollmentState::Submitted, "S-9", {}, {}};
      },
      [](const std::string&, const std::string&) {
        return pki::EnrollmentStatus{pki::EnrollmentState::AwaitingApplicant, "S-9", {}, {}};
      });
  service->core().enrollments().addConnector(partner);
  const auto e = enrolAndAdvance(personRequest(personCsr.pem, "slow"));
  EXPECT_EQ(e->getValue<std::string>("status"), "submitted");
  const std::string id = e->getValue<std::string>("id");
  service->clock().set(start + std::chrono::hours(24 * 7));
  service->core().enrollmentWorker().advanceDue();
  const auto failed = enrollment(id);
  EXPECT_EQ(failed->getValue<std::string>("status"), "failed");
  EXPECT_NE(failed->getValue<std::string>("last_error").find("enrollment_expired"), std::string::npos);
  EXPECT_TRUE(partner->polls.empty());  // not asked again once too old
  EXPECT_EQ(events("enrollment.failed", id).size(), 1u);
}

// The partner issues, but its answer is lost (a timeout after the fact); then kyso restarts. The
// enrolment resumes from the database with the same transaction id, and the partner, idempotent
// on it, hands back the certificate it issued: one certificate for one enrolment.
TEST_F(Enrollments, RestartInTheMiddle_ResumesWithTheSameTransaction_OneCertificate) {
  test::TempDir restart;
  std::filesystem::create_directories(restart / "var");
  // The suite's development PKI, copied: no keys to generate.
  std::filesystem::copy(service->dir().path() / "var" / "pki", restart / "var" / "pki",
                        std::filesystem::copy_options::recursive);
  const Settings settings =
      Settings::load(std::nullopt, {{"data_dir", (restart / "var").string()}, {"log.level", "none"}}, {});

  struct PartnerLog {
    std::vector<std::string> submits;
    std::set<std::string> issuedSerials;
  };
  auto log = std::make_shared<PartnerLog>();
  // A partner over the local CA of `core`: the first call does not answer; the second issues but
  // its answer is lost; later calls answer.
  const auto flaky = [log](ServiceCore& owner) {
    auto local = std::make_shared<pki::LocalConnector>(*owner.issuingCa(), owner.store().connectorTransactions(),
                                                       service->clock(), "flaky");
    return std::make_shared<ScriptedPartner>(
        "flaky", [log, local](const pki::EnrollmentRequest& request) -> pki::EnrollmentStatus {
          log->submits.push_back(request.transactionId);
          if (log->submits.size() == 1) throw UnavailableError("partner_unavailable", "no answer");
          const auto status = local->submit(request);
          log->issuedSerials.insert(status.chain.front().serialHex());
          if (log->submits.size() == 2) throw UnavailableError("partner_unavailable", "the answer was lost");
          return status;
        });
  };

  std::string id;
  {
    ServiceCore first(settings, service->clock());
    const auto key = first.apiKeys().create(Role::Backend, "procedure system");
    first.store().receipts().setCallback({key.id, "http://127.0.0.1:9/events", "00", start});
    first.enrollments().addConnector(flaky(first));
    id = first.enrollments().create(application("flaky")).record.id;
    first.enrollmentWorker().advanceDue();
    EXPECT_EQ(first.enrollments().get(id).lastError, "partner_unavailable: no answer");
    service->clock().set(start + 30s);
    first.enrollmentWorker().advanceDue();
    const auto before = first.enrollments().get(id);
    EXPECT_EQ(before.phase, pki::EnrollmentPhase::Received);
    EXPECT_EQ(before.attempts, 2);
    EXPECT_EQ(*before.nextAttemptAt, start + 90s);
  }  // "kill": everything in memory is gone

  ServiceCore second(settings, service->clock());
  second.enrollments().addConnector(flaky(second));
  second.enrollmentWorker().advanceDue();  // not due yet: nothing happens
  EXPECT_EQ(log->submits.size(), 2u);
  service->clock().set(start + 90s);
  second.enrollmentWorker().advanceDue();
  const auto after = second.enrollments().get(id);
  ASSERT_EQ(after.phase, pki::EnrollmentPhase::Issued) << after.lastError;
  EXPECT_EQ(after.attempts, 3);
  EXPECT_EQ(log->submits, std::vector<std::string>(3, id));  // the transaction id once per attempt
  ASSERT_EQ(log->issuedSerials.size(), 1u);                  // and one certificate
  EXPECT_EQ(after.certificateSerial, *log->issuedSerials.begin());
  EXPECT_EQ(second.enrollments().certificate(after.certificateSerial).chain.size(), 2u);
  std::size_t issuedEvents = 0;
  for (const auto& e : second.store().receipts().dueEvents(start + std::chrono::hours(1), 100)) {
    if (e.type == "enrollment.issued" && e.body.find(id) != std::string::npos) ++issuedEvents;
  }
  EXPECT_EQ(issuedEvents, 1u);
}

}  // namespace
}  // namespace kyso::api
