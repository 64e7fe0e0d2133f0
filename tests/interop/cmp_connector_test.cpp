// The "cmp" CA connector against the CMP mock server of the openssl command (OpenSSL 3.0,
// `openssl cmp -port 0 ...`), started here as a child process on a free port it reports. The mock
// answers every certificate request with its fixed -rsp_cert, so that certificate is issued
// beforehand by the development PKI's issuing CA for the test's own key. Servers that are down,
// silent or not CMP at all run in this process.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/cmp.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kyso/error.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/certificate_request_builder.h"
#include "kyso/pki/cmp_connector.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/software_key.h"
#include "mock_cmp_server.h"
#include "test_support.h"

namespace kyso::pki {
namespace {

using namespace std::chrono_literals;
using test::MockCmpServer;

const std::string kReference = "kyso-test-ra";
const std::string kSecret = "shared secret of the test";

// --- The peers -------------------------------------------------------------------------------

// A web server that is no CMP server: every request gets `status` and a small HTML page. It keeps
// the bodies it received.
class PlainHttpServer {
 public:
  explicit PlainHttpServer(int status) : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(2);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(status, received_), socket_, params);
    server_->start();
  }
  ~PlainHttpServer() { server_->stopAll(true); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + "/pkix/"; }
  std::vector<std::string> received() const {
    std::lock_guard lock(received_->mutex);
    return received_->bodies;
  }

 private:
  struct Received {
    std::mutex mutex;
    std::vector<std::string> bodies;
  };
  class Handler final : public Poco::Net::HTTPRequestHandler {
   public:
    Handler(int status, std::shared_ptr<Received> received) : status_(status), received_(std::move(received)) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      std::string body;
      Poco::StreamCopier::copyToString(request.stream(), body);
      {
        std::lock_guard lock(received_->mutex);
        received_->bodies.push_back(body);
      }
      const std::string page = "<html><body><h1>It works!</h1></body></html>";
      response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status_));
      response.setContentType("text/html");
      response.setContentLength(static_cast<std::streamsize>(page.size()));
      response.send() << page;
    }

   private:
    int status_;
    std::shared_ptr<Received> received_;
  };
  class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    Factory(int status, std::shared_ptr<Received> received) : status_(status), received_(std::move(received)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(status_, received_);
    }

   private:
    int status_;
    std::shared_ptr<Received> received_;
  };

  std::shared_ptr<Received> received_ = std::make_shared<Received>();
  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// A port where nothing listens: bound to learn a free one, then closed.
std::string closedPortUrl() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  const auto port = socket.address().port();
  socket.close();
  return "http://127.0.0.1:" + std::to_string(port) + "/pkix/";
}

// The transactionID in the header of a DER PKIMessage.
Bytes transactionIdOf(const std::string& der) {
  BIO* bio = BIO_new_mem_buf(der.data(), static_cast<int>(der.size()));
  OSSL_CMP_MSG* message = d2i_OSSL_CMP_MSG_bio(bio, nullptr);
  BIO_free(bio);
  if (message == nullptr) return {};
  const ASN1_OCTET_STRING* id = OSSL_CMP_HDR_get0_transactionID(OSSL_CMP_MSG_get0_header(message));
  Bytes bytes(ASN1_STRING_get0_data(id), ASN1_STRING_get0_data(id) + ASN1_STRING_length(id));
  OSSL_CMP_MSG_free(message);
  return bytes;
}

// --- The test PKI ----------------------------------------------------------------------------

DistinguishedName raName() {
  return {{"C", "VN"}, {"O", "Mock partner CA"}, {"CN", "Mock CMP RA"}};
}

Certificate issueFor(EVP_PKEY* key, const DistinguishedName& subject, const std::string& keyUsage) {
  const DevPki& pki = test::devPki(KeyAlgorithm::Ecdsa);
  CertificateProfile profile;
  profile.subject = subject;
  profile.notBefore = std::chrono::system_clock::now() - 1h;
  profile.lifetime = std::chrono::hours(24 * 30);
  profile.keyUsage = keyUsage;
  return issueCertificate(profile, key, &pki.issuingCa(), *pki.issuingCaKey());
}

// Made once per process: the citizen's key, CSR and certificate (what the mock answers), a
// certificate for another key, the mock's RA credentials and kyso's own CMP credentials.
struct Material {
  test::TempDir dir;
  CertificateSubject subject{"Nguyễn Văn An", {"CCCD:001085012345"}, "Hà Nội", ""};
  std::shared_ptr<SoftwareKey> citizenKey = SoftwareKey::generate(KeyAlgorithm::Ecdsa);
  Bytes csrDer = buildCertificateRequest(vietnameseSubjectName(subject), citizenKey->get(), *citizenKey);
  std::optional<Certificate> leaf, foreignLeaf;
  std::string leafFile = (dir / "leaf.pem").string();
  std::string foreignLeafFile = (dir / "foreign-leaf.pem").string();
  std::string chainFile = (dir / "chain.pem").string();  // issuing CA, root
  std::string rootFile = (dir / "root.pem").string();
  std::string raCertFile = (dir / "ra.pem").string();  // the mock's signing certificate, issuing CA
  std::string raKeyFile = (dir / "ra.key").string();
  std::string kysoCertFile = (dir / "kyso-cmp.pem").string();  // kyso's CMP certificate, issuing CA
  std::string kysoKeyFile = (dir / "kyso-cmp.key").string();

  Material() {
    const DevPki& pki = test::devPki(KeyAlgorithm::Ecdsa);
    const std::string chain = pki.issuingCa().pem() + pki.rootCa().pem();
    leaf = issueFor(citizenKey->get(), vietnameseSubjectName(subject), "critical,digitalSignature,nonRepudiation");
    const auto otherKey = SoftwareKey::generate(KeyAlgorithm::Ecdsa);
    foreignLeaf = issueFor(otherKey->get(), vietnameseSubjectName(subject), "critical,digitalSignature,nonRepudiation");
    test::writeFile(leafFile, leaf->pem());
    test::writeFile(foreignLeafFile, foreignLeaf->pem());
    test::writeFile(chainFile, chain);
    test::writeFile(rootFile, pki.rootCa().pem());

    const auto raKey = SoftwareKey::generate(KeyAlgorithm::Ecdsa);
    test::writeFile(raCertFile,
                    issueFor(raKey->get(), raName(), "critical,digitalSignature").pem() + pki.issuingCa().pem());
    test::writeFile(raKeyFile, raKey->privateKeyPem());
    const auto kysoKey = SoftwareKey::generate(KeyAlgorithm::Ecdsa);
    const DistinguishedName kysoName{{"C", "VN"}, {"O", "kyso"}, {"CN", "kyso CMP client"}};
    test::writeFile(kysoCertFile,
                    issueFor(kysoKey->get(), kysoName, "critical,digitalSignature").pem() + pki.issuingCa().pem());
    test::writeFile(kysoKeyFile, kysoKey->privateKeyPem());
  }
};

const Material& material() {
  static const Material m;
  return m;
}

// The mock with PBM (the shared secret), answering with the citizen's certificate and its chain.
std::vector<std::string> pbmServer(const std::vector<std::string>& extra = {}) {
  const Material& m = material();
  std::vector<std::string> options{"-srv_ref", kReference,        "-srv_secret", "pass:" + kSecret, "-rsp_cert",
                                   m.leafFile, "-rsp_extracerts", m.chainFile,   "-rsp_capubs",     m.rootFile};
  options.insert(options.end(), extra.begin(), extra.end());
  return options;
}

CmpSettings pbmSettings(const std::string& url) {
  CmpSettings settings;
  settings.url = url;
  settings.reference = kReference;
  settings.secret = kSecret;
  settings.timeout = 2s;
  return settings;
}

EnrollmentRequest enrollment(const std::string& transactionId) {
  EnrollmentRequest request;
  request.transactionId = transactionId;
  request.applicant.fullName = material().subject.commonName;
  request.applicant.cccd = "001085012345";
  request.applicant.province = material().subject.province;
  request.subject = material().subject;
  request.csrDer = material().csrDer;
  return request;
}

// The kyso::Error a call throws; fails the test when it throws nothing.
template <typename F>
std::optional<Error> thrownBy(F&& call) {
  try {
    call();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no kyso::Error was thrown";
  return std::nullopt;
}

// --- Enrolment -------------------------------------------------------------------------------

TEST(CmpConnector, PbmP10cr_IssuedWithChain) {
  // Two messages (p10cr, certConf), then the mock exits: a second request would find nobody.
  MockCmpServer server(pbmServer({"-max_msgs", "2"}));
  CmpConnector connector(pbmSettings(server.url()));
  EXPECT_EQ(connector.name(), "cmp");

  const auto status = connector.submit(enrollment("en_cmp_pbm"));
  ASSERT_EQ(status.state, EnrollmentState::Issued) << server.log();
  const DevPki& pki = test::devPki(KeyAlgorithm::Ecdsa);
  ASSERT_EQ(status.chain.size(), 3u);
  EXPECT_EQ(status.chain[0], *material().leaf);
  EXPECT_EQ(status.chain[1], pki.issuingCa());
  EXPECT_EQ(status.chain[2], pki.rootCa());
  EXPECT_EQ(status.partnerReference, toHex(CmpConnector::transactionIdFor("en_cmp_pbm"), true));

  // The same transaction again, submitted or polled: answered from what the connector knows.
  const auto again = connector.submit(enrollment("en_cmp_pbm"));
  EXPECT_EQ(again.state, EnrollmentState::Issued);
  EXPECT_EQ(again.chain.front(), *material().leaf);
  EXPECT_EQ(connector.poll("en_cmp_pbm", status.partnerReference).state, EnrollmentState::Issued);
}

TEST(CmpConnector, WrongSecret_PartnerUnauthorized) {
  MockCmpServer server(pbmServer());
  auto settings = pbmSettings(server.url());
  settings.secret = "not the shared secret";
  CmpConnector connector(settings);
  const auto error = thrownBy([&] { connector.submit(enrollment("en_cmp_wrong_secret")); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind(), ErrorKind::Unavailable);
  EXPECT_EQ(error->code(), "partner_unauthorized") << error->detail();
  EXPECT_NE(error->detail().find("protection"), std::string::npos) << error->detail();
  EXPECT_EQ(std::string(error->what()).find(kSecret), std::string::npos);
}

TEST(CmpConnector, ServerDown_PartnerUnavailableWithinTheTimeout) {
  // OpenSSL retries a refused connection until the message timeout: a small one answers quickly.
  auto settings = pbmSettings(closedPortUrl());
  settings.timeout = 1s;
  CmpConnector connector(settings);
  const auto started = std::chrono::steady_clock::now();
  const auto error = thrownBy([&] { connector.submit(enrollment("en_cmp_down")); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "partner_unavailable") << error->detail();
  EXPECT_EQ(error->kind(), ErrorKind::Unavailable);
  // OpenSSL counts in whole seconds: up to 2 s here, far below the default 30 s.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(CmpConnector, SilentServer_PartnerUnavailableAfterTimeout) {
  // Connections are queued by the kernel, never accepted: the request gets no answer.
  Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
  auto settings = pbmSettings("http://127.0.0.1:" + std::to_string(silent.address().port()) + "/pkix/");
  settings.timeout = 1s;
  CmpConnector connector(settings);
  const auto error = thrownBy([&] { connector.submit(enrollment("en_cmp_silent")); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "partner_unavailable") << error->detail();
}

TEST(CmpConnector, NotACmpServer_PartnerUnavailable) {
  for (const int status : {200, 404, 503}) {
    PlainHttpServer web(status);
    CmpConnector connector(pbmSettings(web.url()));
    const auto error = thrownBy([&] { connector.submit(enrollment("en_cmp_html")); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), "partner_unavailable") << status << ": " << error->detail();
  }
}

TEST(CmpConnector, ResubmissionAfterAFailure_SameTransactionId) {
  PlainHttpServer web(503);
  CmpConnector connector(pbmSettings(web.url()));
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto error = thrownBy([&] { connector.submit(enrollment("en_cmp_resubmitted")); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), "partner_unavailable");
  }
  const auto bodies = web.received();
  ASSERT_EQ(bodies.size(), 2u);
  const Bytes expected = CmpConnector::transactionIdFor("en_cmp_resubmitted");
  EXPECT_EQ(transactionIdOf(bodies[0]), expected);
  EXPECT_EQ(transactionIdOf(bodies[1]), expected);
}

TEST(CmpConnector, WaitingAnswer_SubmittedThenIssuedByPoll) {
  // The mock answers "waiting", then a pollRep, and the certificate on the second pollReq.
  MockCmpServer server(pbmServer({"-poll_count", "2", "-check_after", "1"}));
  CmpConnector connector(pbmSettings(server.url()));
  const auto submitted = connector.submit(enrollment("en_cmp_poll"));
  ASSERT_EQ(submitted.state, EnrollmentState::Submitted) << server.log();
  EXPECT_EQ(submitted.partnerReference, toHex(CmpConnector::transactionIdFor("en_cmp_poll"), true));

  // No sleeping: the mock does not hold the client to checkAfter.
  const auto issued = connector.poll("en_cmp_poll", submitted.partnerReference);
  ASSERT_EQ(issued.state, EnrollmentState::Issued) << server.log();
  EXPECT_EQ(issued.chain.front(), *material().leaf);
}

TEST(CmpConnector, PollOfUnknownTransaction_NotFound) {
  CmpConnector connector(pbmSettings(closedPortUrl()));
  const auto error = thrownBy([&] { connector.poll("en_cmp_never_submitted", "00"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "partner_transaction_unknown");
  EXPECT_EQ(error->kind(), ErrorKind::NotFound);
}

TEST(CmpConnector, RejectionBlamingRequest_PartnerRefusedRequest) {
  // PKIStatus rejection with failInfo badPOP (bit 9).
  MockCmpServer server(pbmServer({"-pkistatus", "2", "-failure", "9", "-statusstring", "POP does not verify"}));
  CmpConnector connector(pbmSettings(server.url()));
  const auto error = thrownBy([&] { connector.submit(enrollment("en_cmp_badpop")); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "partner_refused_request");
  EXPECT_EQ(error->kind(), ErrorKind::InvalidRequest);
  EXPECT_NE(std::string(error->what()).find("badPOP"), std::string::npos) << error->what();
  // Final: asked again, the same answer, from memory.
  const auto again = thrownBy([&] { connector.submit(enrollment("en_cmp_badpop")); });
  ASSERT_TRUE(again);
  EXPECT_EQ(again->code(), "partner_refused_request");
}

TEST(CmpConnector, RejectionWithoutBlame_RejectedWithTheCasWords) {
  MockCmpServer server(pbmServer({"-pkistatus", "2", "-statusstring", "applicant not in our registry"}));
  CmpConnector connector(pbmSettings(server.url()));
  const auto status = connector.submit(enrollment("en_cmp_rejected"));
  ASSERT_EQ(status.state, EnrollmentState::Rejected) << server.log();
  EXPECT_NE(status.reason.find("applicant not in our registry"), std::string::npos) << status.reason;
}

TEST(CmpConnector, TransactionIdInUse_Conflict) {
  // What a CA that remembers transactions answers a resubmission it has finished (failInfo bit 21).
  MockCmpServer server(pbmServer({"-pkistatus", "2", "-failure", "21"}));
  CmpConnector connector(pbmSettings(server.url()));
  const auto error = thrownBy([&] { connector.submit(enrollment("en_cmp_in_use")); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "partner_transaction_in_use");
  EXPECT_EQ(error->kind(), ErrorKind::Conflict);
}

TEST(CmpConnector, CertificateForAnotherKey_RejectedAfterNegativeConfirmation) {
  const Material& m = material();
  MockCmpServer server({"-srv_ref", kReference, "-srv_secret", "pass:" + kSecret, "-rsp_cert", m.foreignLeafFile,
                        "-rsp_extracerts", m.chainFile});
  CmpConnector connector(pbmSettings(server.url()));
  const auto status = connector.submit(enrollment("en_cmp_foreign_key"));
  EXPECT_EQ(status.state, EnrollmentState::Rejected) << server.log();
  EXPECT_NE(status.reason.find("another public key"), std::string::npos) << status.reason;
  EXPECT_TRUE(status.chain.empty());
}

TEST(CmpConnector, SignatureProtection_IssuedWithPinnedServerCertificate) {
  const Material& m = material();
  MockCmpServer server({"-srv_cert", m.raCertFile, "-srv_key", m.raKeyFile, "-srv_trusted", m.rootFile,
                        "-srv_untrusted", m.chainFile, "-rsp_cert", m.leafFile, "-rsp_extracerts", m.chainFile});
  CmpSettings settings;
  settings.url = server.url();
  settings.protectionCertificateFile = m.kysoCertFile;
  settings.protectionKeyFile = m.kysoKeyFile;
  settings.serverCertificateFile = m.raCertFile;
  settings.timeout = 2s;
  CmpConnector pinned(settings);
  EXPECT_EQ(pinned.submit(enrollment("en_cmp_signed_pinned")).state, EnrollmentState::Issued) << server.log();

  // Trust anchors instead of a pin: the sender's name must be the expected one.
  settings.serverCertificateFile.clear();
  settings.trustedCaFile = m.rootFile;
  settings.expectedSender = raName();
  CmpConnector anchored(settings);
  EXPECT_EQ(anchored.submit(enrollment("en_cmp_signed_anchored")).state, EnrollmentState::Issued) << server.log();

  settings.expectedSender = {{"C", "VN"}, {"CN", "Somebody else"}};
  CmpConnector wrongSender(settings);
  const auto error = thrownBy([&] { wrongSender.submit(enrollment("en_cmp_signed_wrong_sender")); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "partner_unauthorized") << error->detail();
}

TEST(CmpConnector, CsrSubjectNotTheRegisteredOne_RefusedBeforeContactingTheCa) {
  CmpConnector connector(pbmSettings(closedPortUrl()));  // a contact would be partner_unavailable
  auto request = enrollment("en_cmp_subject");
  request.subject.commonName = "Trần Thị Bình";
  const auto error = thrownBy([&] { connector.submit(request); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "csr_subject_mismatch");

  request = enrollment("en_cmp_no_csr");
  request.csrDer.clear();
  const auto noCsr = thrownBy([&] { connector.submit(request); });
  ASSERT_TRUE(noCsr);
  EXPECT_EQ(noCsr->code(), "csr_required");
}

// --- Revocation ------------------------------------------------------------------------------

TEST(CmpConnector, Revoke_Succeeds) {
  MockCmpServer server(pbmServer());
  CmpConnector connector(pbmSettings(server.url()));
  EXPECT_NO_THROW(connector.revoke(*material().leaf, RevocationReason::KeyCompromise)) << server.log();
}

TEST(CmpConnector, RevokeAlreadyRevoked_Succeeds) {
  // rp with rejection and failInfo certRevoked (bit 10).
  MockCmpServer server(pbmServer({"-pkistatus", "2", "-failure", "10"}));
  CmpConnector connector(pbmSettings(server.url()));
  EXPECT_NO_THROW(connector.revoke(*material().leaf, RevocationReason::Superseded)) << server.log();
}

TEST(CmpConnector, RevokeCertificateTheCaRefuses_PartnerRefusedRequest) {
  // The mock revokes only its -rsp_cert and answers an error (badRequest) for anything else.
  MockCmpServer server(pbmServer());
  CmpConnector connector(pbmSettings(server.url()));
  const auto error = thrownBy([&] { connector.revoke(*material().foreignLeaf, RevocationReason::Unspecified); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "partner_refused_request") << error->what();
}

TEST(CmpConnector, RevokeWithTheCaUnavailable_PartnerUnavailable) {
  PlainHttpServer web(503);
  CmpConnector connector(pbmSettings(web.url()));
  const auto error = thrownBy([&] { connector.revoke(*material().leaf, RevocationReason::Unspecified); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "partner_unavailable");
}

// --- Settings and transaction ids ------------------------------------------------------------

TEST(CmpConnector, BadSettings_ConfigInvalid) {
  const Material& m = material();
  std::vector<CmpSettings> bad;
  bad.push_back(pbmSettings("https://ca.example.vn/pkix/"));  // no TLS
  bad.push_back(pbmSettings("ftp://ca.example.vn/"));
  bad.push_back(pbmSettings("http://ca.example.vn/pkix/"));
  bad.back().reference.clear();  // a secret without its reference
  bad.push_back(pbmSettings("http://ca.example.vn/pkix/"));
  bad.back().timeout = 0s;
  bad.push_back(pbmSettings("http://ca.example.vn/pkix/"));
  bad.back().secret.clear();  // no protection at all
  bad.push_back(pbmSettings("http://ca.example.vn/pkix/"));
  bad.back().protectionCertificateFile = m.kysoCertFile;  // both kinds of protection
  bad.back().protectionKeyFile = m.kysoKeyFile;
  CmpSettings signature;
  signature.url = "http://ca.example.vn/pkix/";
  signature.protectionCertificateFile = m.kysoCertFile;
  signature.protectionKeyFile = m.kysoKeyFile;
  bad.push_back(signature);  // signed answers that nothing could check
  bad.push_back(signature);
  bad.back().trustedCaFile = m.rootFile;  // anchors without the expected sender
  bad.push_back(signature);
  bad.back().protectionKeyFile = m.raKeyFile;  // a key that is not the certificate's
  bad.back().serverCertificateFile = m.raCertFile;
  bad.push_back(signature);
  bad.back().protectionCertificateFile = (test::TempDir() / "missing.pem").string();
  bad.back().serverCertificateFile = m.raCertFile;

  for (std::size_t i = 0; i < bad.size(); ++i) {
    const auto error = thrownBy([&] { CmpConnector connector(bad[i]); });
    ASSERT_TRUE(error) << "settings " << i;
    EXPECT_EQ(error->code(), "config_invalid") << "settings " << i << ": " << error->what();
  }
}

TEST(CmpConnector, TransactionId_First128BitsOfSha256) {
  const Bytes id = CmpConnector::transactionIdFor("en_0123456789abcdef0123456789abcdef");
  const Bytes hash = sha256(asBytes("en_0123456789abcdef0123456789abcdef"));
  EXPECT_EQ(id, Bytes(hash.begin(), hash.begin() + 16));
  EXPECT_NE(id, CmpConnector::transactionIdFor("en_0123456789abcdef0123456789abcdee"));
}

}  // namespace
}  // namespace kyso::pki
