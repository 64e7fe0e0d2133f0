// The HTTP API against the real server (Poco's HTTPServer, our handlers) on an ephemeral port.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <set>
#include <thread>

#include "handlers.h"
#include "http_client.h"
#include "kyso/api/http_server.h"
#include "kyso/api/service_core.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/software_key.h"
#include "router.h"
#include "test_support.h"

namespace kyso::api {
namespace {

using test::errorCode;
using test::http;
using test::HttpAnswer;
using test::json;

std::string encode(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "&=+?#/", out);
  return out;
}

class HttpApi : public ::testing::Test {
 protected:
  struct Server {
    test::TempDir dir;
    std::unique_ptr<ServiceCore> core;
    std::unique_ptr<HttpServer> server;
    int port = 0;
    std::string signerKey, backendKey, adminKey, revokedKey, signerId;
  };
  static inline std::unique_ptr<Server> s;

  static void SetUpTestSuite() {
    s = std::make_unique<Server>();
    Settings settings = Settings::load(std::nullopt,
                                       {{"data_dir", s->dir.path().string()},
                                        {"server.port", "0"},
                                        {"server.threads", "4"},
                                        {"limits.max_document_bytes", std::to_string(3u << 20)},
                                        {"log.level", "warning"}},
                                       {});
    auto listener = HttpListener::bind(settings.host, 0);
    settings.bindPort(listener.port());
    s->core = std::make_unique<ServiceCore>(settings);
    s->server = std::make_unique<HttpServer>(*s->core, std::move(listener));
    s->server->start();
    s->port = s->server->port();
    auto& keys = s->core->apiKeys();
    const auto signer = keys.create(Role::Signer, "one-stop shop");
    s->signerKey = signer.key;
    s->signerId = signer.id;
    s->backendKey = keys.create(Role::Backend, "payments").key;
    s->adminKey = keys.create(Role::Admin, "ops").key;
    const auto revoked = keys.create(Role::Signer, "old");
    keys.revoke(revoked.id);
    s->revokedKey = revoked.key;
  }
  static void TearDownTestSuite() {
    s->server->stop();
    s.reset();
  }

  static std::map<std::string, std::string> bearer(const std::string& key) {
    return {{"Authorization", "Bearer " + key}};
  }
  static HttpAnswer signPdf(const std::string& pdf, const std::string& query = {},
                            const std::string& key = s->signerKey) {
    return http(s->port, "POST", "/v1/sign/pdf" + query, pdf, "application/pdf", bearer(key));
  }
  static std::string samplePdf() { return test::readFile(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf")); }
};

TEST_F(HttpApi, HealthSaysWhatRuns) {
  const HttpAnswer answer = http(s->port, "GET", "/healthz");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.reason, "OK");
  const auto body = json(answer.body);
  EXPECT_EQ(body->getValue<std::string>("status"), "ok");
  EXPECT_EQ(body->getValue<std::string>("database"), "ok");
  EXPECT_EQ(body->getValue<std::string>("default_key"), "seal");
  EXPECT_EQ(body->getValue<std::string>("timestamping"), "embedded");
  EXPECT_TRUE(body->getValue<bool>("development_pki"));
  EXPECT_EQ(answer.header("X-Request-Id").size(), 16u);
}

TEST_F(HttpApi, OpenApiDescribesExactlyTheRoutes) {
  const HttpAnswer answer = http(s->port, "GET", "/openapi.json");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, test::readFile(std::filesystem::path(KYSO_SOURCE_DIR) / "docs" / "openapi.json"));
  const auto spec = json(answer.body);
  EXPECT_EQ(spec->getValue<std::string>("openapi").substr(0, 2), "3.");
  std::set<std::string> documented;
  const auto paths = spec->getObject("paths");
  for (const auto& [path, item] : *paths) {
    for (const auto& [method, operation] : *item.extract<Poco::JSON::Object::Ptr>()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + path);
    }
  }
  detail::Router router;
  detail::registerRoutes(router, *s->core);
  std::set<std::string> served;
  for (const auto& route : router.routes()) served.insert(route.method + " " + route.pattern);
  EXPECT_EQ(documented, served);
}

TEST_F(HttpApi, SigningNeedsASignerKey) {
  const std::string pdf = samplePdf();
  const HttpAnswer none = http(s->port, "POST", "/v1/sign/pdf", pdf, "application/pdf");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.reason, "Unauthorized");
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(errorCode(none), "unauthenticated");
  EXPECT_EQ(errorCode(signPdf(pdf, "", "kyso_nonsense")), "unauthenticated");
  EXPECT_EQ(signPdf(pdf, "", s->revokedKey).status, 401);
  const HttpAnswer backend = signPdf(pdf, "", s->backendKey);
  EXPECT_EQ(backend.status, 403);
  EXPECT_EQ(errorCode(backend), "forbidden");
  EXPECT_EQ(signPdf(pdf, "", s->adminKey).status, 403);
  EXPECT_EQ(http(s->port, "POST", "/v1/sign/pdf", pdf, "application/pdf", {{"Authorization", s->signerKey}}).status,
            401);  // not "Bearer ..."
}

TEST_F(HttpApi, SignsBaselineBAndRecordsIt) {
  const HttpAnswer answer = signPdf(samplePdf(), "?reason=" + encode("Phê duyệt") + "&location=" + encode("Hà Nội"));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("Content-Type"), "application/pdf");
  EXPECT_EQ(answer.header("X-Kyso-Level"), "B-B");
  EXPECT_EQ(answer.header("X-Kyso-Key"), "seal");
  EXPECT_EQ(answer.header("X-Kyso-Signature-Field"), "Signature1");
  EXPECT_EQ(answer.header("X-Kyso-Document-Sha256"), toHex(pki::sha256(asBytes(answer.body))));

  test::TempDir dir;
  test::writeFile(dir / "signed.pdf", answer.body);
  const auto& pki = *s->core->devPki();
  const test::PeerVerdict v = test::checkWithPeers(dir / "signed.pdf", pki.rootCa());
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;
  EXPECT_EQ(test::qpdfCheck(dir / "signed.pdf").exitCode, 0);

  const auto sequence = std::stoll(answer.header("X-Kyso-Audit-Sequence"));
  const auto entries = s->core->store().audit().list(sequence - 1, 1);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].record.actor, "apikey:" + s->signerId);
  EXPECT_EQ(entries[0].record.documentSha256, answer.header("X-Kyso-Document-Sha256"));
  EXPECT_EQ(entries[0].record.level, "B-B");
  EXPECT_EQ(entries[0].record.keyId, "seal");
}

TEST_F(HttpApi, VisibleCopyNoteFromQueryParameters) {
  const HttpAnswer answer = signPdf(samplePdf(), "?visible=copy&copy_form=" + encode("Sao lục") +
                                                     "&copy_organisation=" + encode("Sở Tư pháp tỉnh Mẫu"));
  ASSERT_EQ(answer.status, 200) << answer.body;
  test::TempDir dir;
  test::writeFile(dir / "copy.pdf", answer.body);
  const auto text = test::run({"/usr/bin/pdftotext", "-f", "1", "-l", "1", (dir / "copy.pdf").string(), "-"});
  EXPECT_NE(text.output.find("Sao lục\nSở Tư pháp tỉnh Mẫu\n"), std::string::npos) << text.output;
  EXPECT_EQ(test::checkWithPeers(dir / "copy.pdf", s->core->devPki()->rootCa()).validSignatures, 1);

  // Refused before the body is read.
  EXPECT_EQ(errorCode(signPdf("x", "?visible=stamp")), "invalid_appearance");
  EXPECT_EQ(errorCode(signPdf("x", "?page=2")), "invalid_appearance");  // page without visible
  EXPECT_EQ(errorCode(signPdf("x", "?visible=copy&rect=1,2,3")), "invalid_appearance");
  EXPECT_EQ(errorCode(signPdf("x", "?visible=signer&over=Signature1")), "invalid_appearance");
  // The dev seal key has no configured image: the seal layout cannot be drawn.
  EXPECT_EQ(errorCode(signPdf(samplePdf(), "?visible=seal")), "invalid_appearance");
}

TEST_F(HttpApi, SignsBaselineTWithATokenFromTheEmbeddedTsa) {
  const HttpAnswer answer = signPdf(samplePdf(), "?level=B-T");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("X-Kyso-Level"), "B-T");
  const auto signatures = test::embeddedSignatures(answer.body);
  ASSERT_EQ(signatures.size(), 1u);
  EXPECT_TRUE(test::signatureTimeStampToken(signatures[0].cms));
}

TEST_F(HttpApi, BadInputGetsAClearErrorAndNothingIsRecorded) {
  const auto before = s->core->store().audit().verify().entries;
  const std::string pdf = samplePdf();
  EXPECT_EQ(errorCode(signPdf("%!PS-Adobe-3.0 not a pdf")), "not_a_pdf");
  const HttpAnswer truncated = signPdf(pdf.substr(0, pdf.size() / 3));
  EXPECT_EQ(truncated.status, 422);
  EXPECT_EQ(truncated.reason, "Unprocessable Entity");
  EXPECT_EQ(errorCode(truncated), "pdf_damaged");
  EXPECT_EQ(errorCode(signPdf(test::readFile(test::corpusPdf("qpdf_qtest_qpdf_encrypted-with-images.pdf")))),
            "pdf_encrypted");
  // Refused from the Content-Length alone, before the body is read (the server then closes).
  const std::string big =
      test::rawHttp(s->port, "POST /v1/sign/pdf HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + s->signerKey +
                                 "\r\nContent-Type: application/pdf\r\n"
                                 "Content-Length: " +
                                 std::to_string(4u << 20) + "\r\n\r\n%PDF-");
  EXPECT_NE(big.find("HTTP/1.1 413 Request Entity Too Large"), std::string::npos) << big;
  EXPECT_NE(big.find("\"body_too_large\""), std::string::npos) << big;
  EXPECT_NE(big.find("Connection: Close"), std::string::npos) << big;
  const HttpAnswer wrongType = http(s->port, "POST", "/v1/sign/pdf", pdf, "application/json", bearer(s->signerKey));
  EXPECT_EQ(wrongType.status, 415);
  EXPECT_EQ(errorCode(wrongType), "unsupported_media_type");
  EXPECT_EQ(errorCode(signPdf(pdf, "?levle=B-T")), "invalid_parameter");
  EXPECT_EQ(errorCode(signPdf(pdf, "?level=B-B&level=B-T")), "invalid_parameter");
  EXPECT_EQ(errorCode(signPdf(pdf, "?level=B-LTX")), "invalid_level");
  const HttpAnswer unknownKey = signPdf(pdf, "?key=nope");
  EXPECT_EQ(unknownKey.status, 404);
  EXPECT_EQ(errorCode(unknownKey), "key_not_found");
  EXPECT_EQ(errorCode(signPdf(pdf, "?reason=" + encode(std::string(600, 'x')))), "invalid_text");
  EXPECT_EQ(s->core->store().audit().verify().entries, before);
}

TEST_F(HttpApi, RequestsWithoutALengthAreRefused) {
  const std::string answer =
      test::rawHttp(s->port, "POST /tsa HTTP/1.1\r\nHost: x\r\nContent-Type: application/timestamp-query\r\n\r\nabc");
  EXPECT_NE(answer.find("HTTP/1.1 411 Length Required"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"length_required\""), std::string::npos) << answer;
}

TEST_F(HttpApi, UnknownPathsMethodsAndParametersAreJsonErrors) {
  const HttpAnswer missing = http(s->port, "GET", "/v2/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(errorCode(missing), "not_found");
  const HttpAnswer method = http(s->port, "GET", "/v1/sign/pdf");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.header("Allow"), "POST");
  EXPECT_EQ(errorCode(method), "method_not_allowed");
  EXPECT_EQ(errorCode(http(s->port, "GET", "/healthz?verbose=1")), "invalid_parameter");
}

TEST_F(HttpApi, RequestIdsAreKeptWhenPlainAndReplacedOtherwise) {
  EXPECT_EQ(http(s->port, "GET", "/healthz", {}, {}, {{"X-Request-Id", "dossier-2026-000123"}}).header("X-Request-Id"),
            "dossier-2026-000123");
  const std::string replaced =
      http(s->port, "GET", "/healthz", {}, {}, {{"X-Request-Id", "bad id\" injected"}}).header("X-Request-Id");
  EXPECT_EQ(replaced.size(), 16u);
}

TEST_F(HttpApi, ParallelSigningRequestsAllSucceedAndVerify) {
  const std::string pdf = samplePdf();
  const auto before = s->core->store().audit().verify().entries;
  std::vector<HttpAnswer> answers(8);
  std::vector<std::thread> clients;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    clients.emplace_back([&, i] { answers[i] = signPdf(pdf, i % 2 == 0 ? "?level=B-T" : ""); });
  }
  for (auto& c : clients) c.join();
  test::TempDir dir;
  const auto& pki = *s->core->devPki();
  for (std::size_t i = 0; i < answers.size(); ++i) {
    ASSERT_EQ(answers[i].status, 200) << answers[i].body;
    const auto file = dir / ("p" + std::to_string(i) + ".pdf");
    test::writeFile(file, answers[i].body);
    const test::PeerVerdict v = test::checkWithPeers(file, pki.rootCa());
    EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.opensslVerified, 1) << v.problems;
  }
  // Same document, key and second: the B-B results are byte-identical (deterministic RSA
  // PKCS#1 v1.5, no random parts); each request is still its own audit entry.
  const auto check = s->core->store().audit().verify();
  EXPECT_TRUE(check.intact);
  EXPECT_EQ(check.entries, before + static_cast<std::int64_t>(answers.size()));
}

TEST_F(HttpApi, EmbeddedTsaAnswersOpensslTsQueries) {
  test::TempDir dir;
  test::writeFile(dir / "data.bin", "biên lai");
  ASSERT_EQ(test::run({"/usr/bin/openssl", "ts", "-query", "-data", (dir / "data.bin").string(), "-sha256", "-cert",
                       "-out", (dir / "q.tsq").string()})
                .exitCode,
            0);
  const HttpAnswer reply = http(s->port, "POST", "/tsa", test::readFile(dir / "q.tsq"), "application/timestamp-query");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("Content-Type"), "application/timestamp-reply");
  const auto verify = test::opensslVerifyReply(reply.body, test::readFile(dir / "q.tsq"), *s->core->devPki());
  EXPECT_EQ(verify.exitCode, 0) << verify.output;
  EXPECT_EQ(http(s->port, "POST", "/tsa", "abc", "text/plain").status, 415);
}

TEST_F(HttpApi, CaCertificatesAndCrlsAreServed) {
  const auto& pki = *s->core->devPki();
  const HttpAnswer root = http(s->port, "GET", "/pki/ca/root.crt");
  ASSERT_EQ(root.status, 200);
  EXPECT_EQ(root.header("Content-Type"), "application/pkix-cert");
  EXPECT_EQ(pki::Certificate::fromDer(asBytes(root.body)), pki.rootCa());
  const HttpAnswer crl = http(s->port, "GET", "/pki/crl");
  ASSERT_EQ(crl.status, 200);
  EXPECT_EQ(crl.header("Content-Type"), "application/pkix-crl");
  test::TempDir dir;
  test::writeFile(dir / "crl.der", crl.body);
  test::writeFile(dir / "ca.pem", pki.issuingCa().pem());
  const auto verify = test::run({"/usr/bin/openssl", "crl", "-inform", "der", "-in", (dir / "crl.der").string(),
                                 "-CAfile", (dir / "ca.pem").string(), "-noout"});
  EXPECT_NE(verify.output.find("verify OK"), std::string::npos) << verify.output;
  // The certificates point at this server (the public URL follows the bound port).
  EXPECT_NE(pki.seal().certificate().pem().size(), 0u);
  const std::string expected = "http://127.0.0.1:" + std::to_string(s->port) + "/pki/crl";
  const auto text = test::run({"/usr/bin/openssl", "x509", "-noout", "-ext", "crlDistributionPoints", "-in",
                               (s->dir.path() / "pki" / "seal.crt.pem").string()});
  EXPECT_NE(text.output.find(expected), std::string::npos) << text.output;
}

TEST_F(HttpApi, MetricsCountRequestsAndSignatures) {
  signPdf(samplePdf());
  const HttpAnswer metrics = http(s->port, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("kyso_http_requests_total{method=\"POST\",route=\"/v1/sign/pdf\",status=\"200\"}"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("kyso_signatures_total{format=\"pdf\",level=\"B-B\",key=\"seal\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("kyso_http_request_duration_seconds_bucket{route=\"/v1/sign/pdf\",le=\"+Inf\"}"),
            std::string::npos);
}

// A server whose only key has expired: the caller learns the key cannot sign, with a 503.
TEST(HttpApiExpiredKey, ServerHeldKeyThatCannotSignIsA503) {
  const auto& pki = test::devPki();
  test::TempDir dir;
  auto key = pki::SoftwareKey::generate(pki::KeyAlgorithm::Rsa);
  pki::CertificateProfile profile;
  profile.subject = {{"C", "VN"}, {"CN", "Con dấu cũ"}};
  profile.notBefore = pki::SystemClock::instance().now() - std::chrono::hours(24 * 400);
  profile.lifetime = std::chrono::hours(24 * 365);
  profile.keyUsage = "critical,digitalSignature,nonRepudiation";
  const auto cert = pki::issueCertificate(profile, key->get(), &pki.issuingCa(), *pki.issuingCaKey());
  test::writeFile(dir / "key.pem", key->privateKeyPem());
  test::writeFile(dir / "chain.pem", cert.pem() + pki.issuingCa().pem());
  Settings settings = Settings::load(std::nullopt,
                                     {{"data_dir", (dir / "var").string()},
                                      {"keys.old.pem_key", (dir / "key.pem").string()},
                                      {"keys.old.pem_chain", (dir / "chain.pem").string()},
                                      {"log.level", "none"}},
                                     {});
  auto listener = HttpListener::bind("127.0.0.1", 0);
  settings.bindPort(listener.port());
  ServiceCore core(settings);
  HttpServer server(core, std::move(listener));
  server.start();
  const auto created = core.apiKeys().create(Role::Signer, "test");
  const HttpAnswer answer =
      http(server.port(), "POST", "/v1/sign/pdf", test::readFile(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf")),
           "application/pdf", {{"Authorization", "Bearer " + created.key}});
  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(errorCode(answer), "signing_key_unusable");
  EXPECT_NE(json(answer.body)->getObject("error")->getValue<std::string>("message").find("expired"), std::string::npos);
  // No TSA is configured with file keys and no tsa.url.
  EXPECT_EQ(http(server.port(), "POST", "/tsa", "x", "application/timestamp-query").status, 404);
  server.stop();
}

TEST(HttpApiOneSlot, ABusySigningSlotGivesA503AfterTheWaitAndNothingElseStalls) {
  // One signing slot and one connection thread: the smallest configuration must start and serve.
  test::TempDir dir;
  Settings settings = Settings::load(std::nullopt,
                                     {{"data_dir", (dir / "var").string()},
                                      {"server.threads", "1"},
                                      {"server.connections", "1"},
                                      {"server.busy_wait_seconds", "1"},
                                      {"log.level", "none"}},
                                     {});
  auto listener = HttpListener::bind("127.0.0.1", 0);
  settings.bindPort(listener.port());
  ServiceCore core(settings);
  HttpServer server(core, std::move(listener));
  server.start();
  test::writeFile(dir / "data.bin", "phí");
  ASSERT_EQ(test::run({"/usr/bin/openssl", "ts", "-query", "-data", (dir / "data.bin").string(), "-sha256", "-cert",
                       "-out", (dir / "q.tsq").string()})
                .exitCode,
            0);
  const std::string query = test::readFile(dir / "q.tsq");
  {
    const auto held = core.workSlots().acquire(std::chrono::milliseconds(0));
    const HttpAnswer busy = http(server.port(), "POST", "/tsa", query, "application/timestamp-query");
    EXPECT_EQ(busy.status, 503);
    EXPECT_EQ(errorCode(busy), "server_busy");
    EXPECT_EQ(busy.header("Retry-After"), "1");
    // Work that needs no slot goes on.
    EXPECT_EQ(http(server.port(), "GET", "/healthz").status, 200);
  }
  const HttpAnswer reply = http(server.port(), "POST", "/tsa", query, "application/timestamp-query");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(test::opensslVerifyReply(reply.body, query, *core.devPki()).exitCode, 0);
  server.stop();
}

}  // namespace
}  // namespace kyso::api
