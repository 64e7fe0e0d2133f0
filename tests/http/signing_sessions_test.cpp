// Two-step signing over HTTP: the document is prepared for a citizen's or officer's certificate,
// the digest leaves, `openssl pkeyutl` plays the USB token, and the signature comes back.
#include <gtest/gtest.h>
#include <openssl/ecdsa.h>

#include <Poco/JSON/Array.h>

#include "http_client.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/software_key.h"
#include "test_images.h"
#include "test_service.h"
#include "test_support.h"

namespace kyso::api {
namespace {

using test::errorCode;
using test::http;
using test::HttpAnswer;
using test::json;

// A key held outside kyso, with its certificate from the development issuing CA.
struct ExternalSigner {
  std::filesystem::path keyFile;
  std::string chainPem;
  pki::Certificate certificate;
};

ExternalSigner issue(const std::filesystem::path& dir, const std::string& name, pki::KeyAlgorithm algorithm,
                     pki::TimePoint notBefore, std::chrono::hours lifetime) {
  const auto& pki = test::devPki();
  auto key = pki::SoftwareKey::generate(algorithm);
  pki::CertificateProfile profile;
  profile.subject = {{"C", "VN"}, {"ST", "Tỉnh Mẫu"}, {"CN", name}, {"UID", "CCCD:001085012345"}};
  profile.notBefore = notBefore;
  profile.lifetime = lifetime;
  profile.keyUsage = "critical,digitalSignature,nonRepudiation";
  // What real citizen certificates carry (and poppler's pdfsig needs to judge the chain).
  profile.extendedKeyUsage = "emailProtection,clientAuth";
  profile.crlUrl = "http://ca.example.vn/crl";
  profile.ocspUrl = "http://ca.example.vn/ocsp";
  profile.caIssuersUrl = "http://ca.example.vn/issuing.crt";
  const auto cert = pki::issueCertificate(profile, key->get(), &pki.issuingCa(), *pki.issuingCaKey());
  static int issued = 0;
  const auto keyFile = dir / ("external-" + std::to_string(++issued) + ".key.pem");
  test::writeFile(keyFile, key->privateKeyPem());
  return {keyFile, cert.pem() + pki.issuingCa().pem(), cert};
}

class SigningSessions : public ::testing::Test {
 protected:
  static inline std::unique_ptr<test::TestService> service;
  static inline std::string signerKey, otherSignerKey, backendKey;
  static inline std::optional<ExternalSigner> rsa, ec;

  static void SetUpTestSuite() {
    service = std::make_unique<test::TestService>();
    signerKey = service->key(Role::Signer, "desktop helper");
    otherSignerKey = service->key(Role::Signer, "another office");
    backendKey = service->key(Role::Backend, "payments");
    const auto now = service->clock().now();
    rsa = issue(service->dir().path(), "Nguyễn Văn An", pki::KeyAlgorithm::Rsa, now - std::chrono::hours(1),
                std::chrono::hours(24 * 365));
    ec = issue(service->dir().path(), "Trần Thị Bích", pki::KeyAlgorithm::Ecdsa, now - std::chrono::hours(1),
               std::chrono::hours(24 * 365));
  }
  static void TearDownTestSuite() { service.reset(); }
  void TearDown() override {
    service->clock().set(std::chrono::floor<std::chrono::seconds>(pki::SystemClock::instance().now()));
  }

  static std::string document() { return test::readFile(test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf")); }

  static std::string createBody(const std::string& pdf, const std::string& chainPem, const std::string& level) {
    Poco::JSON::Object body;
    body.set("document", toBase64(asBytes(pdf)));
    Poco::JSON::Array::Ptr chain = new Poco::JSON::Array;
    chain->add(chainPem);
    body.set("certificate_chain", chain);
    body.set("level", level);
    body.set("reason", "Phê duyệt hồ sơ");
    body.set("location", "Tỉnh Mẫu");
    std::ostringstream out;
    body.stringify(out);
    return out.str();
  }

  static HttpAnswer create(const std::string& body, const std::string& key = signerKey) {
    return http(service->port(), "POST", "/v1/signing-sessions", body, "application/json",
                {{"Authorization", "Bearer " + key}});
  }
  static HttpAnswer submit(const std::string& id, const std::string& body, const std::string& type,
                           const std::string& key = signerKey) {
    return http(service->port(), "POST", "/v1/signing-sessions/" + id + "/signature", body, type,
                {{"Authorization", "Bearer " + key}});
  }
  static HttpAnswer get(const std::string& path, const std::string& key = signerKey) {
    return http(service->port(), "GET", path, {}, {}, {{"Authorization", "Bearer " + key}});
  }

  Bytes tokenSign(const ExternalSigner& signer, const Bytes& digest) {
    test::writeFile(work.path() / "digest.bin", asChars(digest));
    const auto r = test::run({"/usr/bin/openssl", "pkeyutl", "-sign", "-inkey", signer.keyFile.string(), "-pkeyopt",
                              "digest:sha256", "-in", (work.path() / "digest.bin").string(), "-out",
                              (work.path() / "sig.bin").string()});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return toBytes(test::readFile(work.path() / "sig.bin"));
  }

  void expectValid(const std::string& pdf) {
    test::writeFile(work.path() / "signed.pdf", pdf);
    const test::PeerVerdict v = test::checkWithPeers(work.path() / "signed.pdf", test::devPki().rootCa());
    EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.opensslVerified, 1) << v.problems;
    EXPECT_TRUE(v.noSigningTime);
  }

  test::TempDir work;
};

TEST_F(SigningSessions, RsaTokenSignsTheDigestAndTheDocumentComesBack) {
  const HttpAnswer created = create(createBody(document(), rsa->chainPem, "B-B"));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto session = json(created.body);
  const std::string id = session->getValue<std::string>("id");
  EXPECT_EQ(created.header("Location"), "/v1/signing-sessions/" + id);
  EXPECT_EQ(session->getValue<std::string>("status"), "open");
  EXPECT_EQ(session->getValue<std::string>("signature_algorithm"), "rsa-pkcs1-v1_5");
  EXPECT_EQ(session->getValue<std::string>("digest_algorithm"), "SHA-256");
  EXPECT_EQ(session->getValue<std::string>("field_name"), "Signature1");
  EXPECT_EQ(session->getValue<std::string>("expires_at"),
            pki::formatIso8601(service->clock().now() + std::chrono::minutes(15)));
  EXPECT_NE(session->getValue<std::string>("signer").find("Nguyễn Văn An"), std::string::npos);
  const Bytes toBeSigned = fromBase64(session->getValue<std::string>("to_be_signed"));
  const Bytes digest = fromBase64(session->getValue<std::string>("digest"));
  EXPECT_EQ(digest, pki::sha256(toBeSigned));
  EXPECT_EQ(fromBase64(session->getValue<std::string>("digest_info")),
            pki::digestInfo(pki::DigestAlgorithm::Sha256, digest));

  // Before the signature there is no document to fetch.
  EXPECT_EQ(errorCode(get("/v1/signing-sessions/" + id + "/document")), "session_open");

  const Bytes signature = tokenSign(*rsa, digest);
  const HttpAnswer signedPdf = submit(id, std::string(asChars(signature)), "application/octet-stream");
  ASSERT_EQ(signedPdf.status, 200) << signedPdf.body;
  EXPECT_EQ(signedPdf.header("Content-Type"), "application/pdf");
  EXPECT_EQ(signedPdf.header("X-Kyso-Document-Sha256"), toHex(pki::sha256(asBytes(signedPdf.body))));
  expectValid(signedPdf.body);
  EXPECT_EQ(signedPdf.body.substr(0, document().size()), document());

  const auto after = json(get("/v1/signing-sessions/" + id).body);
  EXPECT_EQ(after->getValue<std::string>("status"), "completed");
  EXPECT_EQ(after->getValue<std::string>("document_sha256"), signedPdf.header("X-Kyso-Document-Sha256"));
  const auto sequence = after->getValue<Poco::Int64>("audit_sequence");
  EXPECT_EQ(std::to_string(sequence), signedPdf.header("X-Kyso-Audit-Sequence"));
  // The same document again, for a caller whose connection broke.
  EXPECT_EQ(get("/v1/signing-sessions/" + id + "/document").body, signedPdf.body);
  // A replay changes nothing.
  const HttpAnswer replay = submit(id, std::string(asChars(signature)), "application/octet-stream");
  EXPECT_EQ(replay.status, 409);
  EXPECT_EQ(errorCode(replay), "session_completed");

  const auto entries = service->core().store().audit().list(sequence - 1, 1);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].record.action, "sign.pdf.two_step");
  EXPECT_EQ(entries[0].record.documentSha256, signedPdf.header("X-Kyso-Document-Sha256"));
  EXPECT_TRUE(service->core().store().audit().verify().intact);
}

TEST_F(SigningSessions, EcdsaRawSignatureInJsonAtLevelBt) {
  const HttpAnswer created = create(createBody(document(), ec->chainPem, "B-T"));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto session = json(created.body);
  EXPECT_EQ(session->getValue<std::string>("signature_algorithm"), "ecdsa");
  EXPECT_FALSE(session->has("digest_info"));
  const Bytes der = tokenSign(*ec, fromBase64(session->getValue<std::string>("digest")));
  // PKCS#11 CKM_ECDSA gives r||s; send that.
  const unsigned char* p = der.data();
  ossl::Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  ASSERT_TRUE(sig);
  Bytes raw(64);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + 32, 32);
  const HttpAnswer signedPdf =
      submit(session->getValue<std::string>("id"), R"({"signature": ")" + toBase64(raw) + R"("})", "application/json");
  ASSERT_EQ(signedPdf.status, 200) << signedPdf.body;
  EXPECT_EQ(signedPdf.header("X-Kyso-Level"), "B-T");
  expectValid(signedPdf.body);
  const auto signatures = test::embeddedSignatures(signedPdf.body);
  ASSERT_EQ(signatures.size(), 1u);
  const auto token = test::signatureTimeStampToken(signatures[0].cms);
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(
      test::opensslVerifyToken(*token, pki::sha256(test::signatureValue(signatures[0].cms)), *service->core().devPki())
          .exitCode,
      0);
}

TEST_F(SigningSessions, AnOfficersVisibleSignatureComesWithItsImage) {
  auto body = json(createBody(document(), rsa->chainPem, "B-B"));
  Poco::JSON::Object::Ptr appearance = new Poco::JSON::Object;
  appearance->set("layout", "signer");
  appearance->set("page", 1);
  Poco::JSON::Array::Ptr rect = new Poco::JSON::Array;
  for (const int v : {330, 60, 530, 170}) rect->add(v);
  appearance->set("rect", rect);
  appearance->set("title", "CHỦ TỊCH");
  appearance->set("image", toBase64(asBytes(test::rgbaPng(200, 60, 150, [](std::uint32_t, std::uint32_t y) {
                    return std::array<unsigned, 4>{20, 40, 200, y > 20 && y < 40 ? 255u : 0u};
                  }))));
  body->set("appearance", appearance);
  std::ostringstream text;
  body->stringify(text);
  const HttpAnswer created = create(text.str());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto session = json(created.body);
  const HttpAnswer done =
      submit(session->getValue<std::string>("id"),
             std::string(asChars(tokenSign(*rsa, fromBase64(session->getValue<std::string>("digest"))))),
             "application/octet-stream");
  ASSERT_EQ(done.status, 200) << done.body;
  expectValid(done.body);
  // The name defaults to the certificate's CN.
  const auto words = test::run({"/usr/bin/pdftotext", (work.path() / "signed.pdf").string(), "-"}).output;
  EXPECT_NE(words.find("CHỦ TỊCH"), std::string::npos) << words;
  EXPECT_NE(words.find("Nguyễn Văn An"), std::string::npos) << words;
  const test::Ppm page = test::renderPage(work.path() / "signed.pdf", 1, 72);
  int blue = 0;
  for (int y = 0; y < page.height; ++y) {
    for (int x = 0; x < page.width; ++x) {
      const auto c = page.at(x, y);
      if (c.b > 140 && c.r < 90 && c.g < 90) {
        ++blue;
        EXPECT_TRUE(x >= 330 && x <= 530 && y >= page.height - 170 && y <= page.height - 60) << x << "," << y;
      }
    }
  }
  EXPECT_GT(blue, 100);

  // An appearance the service cannot draw is refused at creation.
  appearance->remove("image");
  std::ostringstream noImage;
  body->stringify(noImage);
  EXPECT_EQ(errorCode(create(noImage.str())), "invalid_appearance");
  appearance->set("colour", "red");
  std::ostringstream unknown;
  body->stringify(unknown);
  EXPECT_EQ(errorCode(create(unknown.str())), "invalid_field");
}

TEST_F(SigningSessions, WrongSignaturesAreRefusedAndTheSessionStaysOpen) {
  const auto session = json(create(createBody(document(), rsa->chainPem, "B-B")).body);
  const std::string id = session->getValue<std::string>("id");
  const Bytes toBeSigned = fromBase64(session->getValue<std::string>("to_be_signed"));

  // Tampered digest: the token signed something else.
  Bytes tampered = toBeSigned;
  tampered[tampered.size() / 2] ^= 0x40;
  HttpAnswer answer =
      submit(id, std::string(asChars(tokenSign(*rsa, pki::sha256(tampered)))), "application/octet-stream");
  EXPECT_EQ(answer.status, 422);
  EXPECT_EQ(errorCode(answer), "signature_invalid");
  // The right digest, the wrong key (another citizen's).
  const ExternalSigner other = issue(work.path(), "Lê Văn Cường", pki::KeyAlgorithm::Rsa,
                                     service->clock().now() - std::chrono::hours(1), std::chrono::hours(24));
  answer = submit(id, std::string(asChars(tokenSign(other, pki::sha256(toBeSigned)))), "application/octet-stream");
  EXPECT_EQ(errorCode(answer), "signature_invalid");
  // Not a signature at all.
  answer = submit(id, "short", "application/octet-stream");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(errorCode(answer), "invalid_signature_encoding");
  EXPECT_EQ(errorCode(submit(id, R"({"signature": "@@"})", "application/json")), "invalid_base64");
  EXPECT_EQ(errorCode(submit(id, R"({"sig": "AA=="})", "application/json")), "invalid_field");

  EXPECT_EQ(json(get("/v1/signing-sessions/" + id).body)->getValue<std::string>("status"), "open");
  const HttpAnswer done =
      submit(id, std::string(asChars(tokenSign(*rsa, pki::sha256(toBeSigned)))), "application/octet-stream");
  ASSERT_EQ(done.status, 200) << done.body;
  expectValid(done.body);
}

TEST_F(SigningSessions, AnExpiredSessionIsGone) {
  const auto session = json(create(createBody(document(), rsa->chainPem, "B-B")).body);
  const std::string id = session->getValue<std::string>("id");
  const Bytes signature = tokenSign(*rsa, fromBase64(session->getValue<std::string>("digest")));
  service->clock().set(service->clock().now() + std::chrono::minutes(15));
  const HttpAnswer late = submit(id, std::string(asChars(signature)), "application/octet-stream");
  EXPECT_EQ(late.status, 410);
  EXPECT_EQ(errorCode(late), "session_expired");
  EXPECT_EQ(json(get("/v1/signing-sessions/" + id).body)->getValue<std::string>("status"), "expired");
  EXPECT_EQ(get("/v1/signing-sessions/" + id + "/document").status, 410);
  // A day after expiry the session is deleted when the next one is created.
  service->clock().set(service->clock().now() + std::chrono::hours(24) + std::chrono::seconds(1));
  ASSERT_EQ(create(createBody(document(), rsa->chainPem, "B-B")).status, 201);
  EXPECT_EQ(errorCode(get("/v1/signing-sessions/" + id)), "session_not_found");
}

// The audit log records when things happened: the entry's time is the completion, its details
// keep the session's signing time (the document's /M, fixed at preparation).
TEST_F(SigningSessions, TheAuditEntryIsTimedAtCompletionAndKeepsTheSigningTime) {
  const pki::TimePoint prepared = service->clock().now();
  const auto session = json(create(createBody(document(), rsa->chainPem, "B-B")).body);
  const std::string id = session->getValue<std::string>("id");
  EXPECT_EQ(session->getValue<std::string>("signing_time"), pki::formatIso8601(prepared));
  const Bytes signature = tokenSign(*rsa, fromBase64(session->getValue<std::string>("digest")));
  const pki::TimePoint completed = prepared + std::chrono::minutes(7);
  service->clock().set(completed);
  const HttpAnswer done = submit(id, std::string(asChars(signature)), "application/octet-stream");
  ASSERT_EQ(done.status, 200) << done.body;
  expectValid(done.body);
  const auto after = json(get("/v1/signing-sessions/" + id).body);
  EXPECT_EQ(after->getValue<std::string>("completed_at"), pki::formatIso8601(completed));
  EXPECT_EQ(after->getValue<std::string>("signing_time"), pki::formatIso8601(prepared));

  const auto entries = service->core().store().audit().list(std::stoll(done.header("X-Kyso-Audit-Sequence")) - 1, 1);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].record.time, completed);
  const auto details = json(entries[0].record.details);
  EXPECT_EQ(details->getValue<std::string>("signing_time"), pki::formatIso8601Utc(prepared));
  EXPECT_EQ(details->getValue<std::string>("session"), id);
}

// The signature is made when it comes back: a certificate that expired since the preparation can
// no longer make it, even though the session has not expired.
TEST_F(SigningSessions, ACertificateThatExpiresBeforeCompletionIsRefused) {
  const auto now = service->clock().now();
  // An hour long, from 55 minutes ago: it ends five minutes from now.
  const ExternalSigner shortLived = issue(work.path(), "Phạm Thị Dung", pki::KeyAlgorithm::Rsa,
                                          now - std::chrono::minutes(55), std::chrono::hours(1));
  const auto session = json(create(createBody(document(), shortLived.chainPem, "B-B")).body);
  const std::string id = session->getValue<std::string>("id");
  const Bytes signature = tokenSign(shortLived, fromBase64(session->getValue<std::string>("digest")));
  // Still inside the session's 15 minutes, past the certificate's notAfter.
  service->clock().set(now + std::chrono::minutes(10));
  const HttpAnswer late = submit(id, std::string(asChars(signature)), "application/octet-stream");
  EXPECT_EQ(late.status, 422);
  EXPECT_EQ(errorCode(late), "certificate_expired");
  EXPECT_EQ(json(get("/v1/signing-sessions/" + id).body)->getValue<std::string>("status"), "open");
  // The same signature a minute before the certificate ends is accepted.
  service->clock().set(now + std::chrono::minutes(4));
  const HttpAnswer inTime = submit(id, std::string(asChars(signature)), "application/octet-stream");
  ASSERT_EQ(inTime.status, 200) << inTime.body;
}

TEST_F(SigningSessions, SessionsBelongToTheKeyThatCreatedThem) {
  const auto session = json(create(createBody(document(), rsa->chainPem, "B-B")).body);
  const std::string id = session->getValue<std::string>("id");
  const Bytes signature = tokenSign(*rsa, fromBase64(session->getValue<std::string>("digest")));
  EXPECT_EQ(get("/v1/signing-sessions/" + id, otherSignerKey).status, 404);
  EXPECT_EQ(submit(id, std::string(asChars(signature)), "application/octet-stream", otherSignerKey).status, 404);
  EXPECT_EQ(get("/v1/signing-sessions/" + id, backendKey).status, 403);
  EXPECT_EQ(http(service->port(), "GET", "/v1/signing-sessions/" + id).status, 401);
  EXPECT_EQ(get("/v1/signing-sessions/ss_00000000000000000000000000000000").status, 404);
  // Still open for its owner.
  EXPECT_EQ(submit(id, std::string(asChars(signature)), "application/octet-stream").status, 200);
}

TEST_F(SigningSessions, BadRequestsGetClearErrors) {
  const std::string pdf = document();
  auto codeFor = [](const std::string& body) { return errorCode(create(body)); };
  EXPECT_EQ(codeFor("{not json"), "invalid_json");
  EXPECT_EQ(codeFor("[1, 2]"), "invalid_json");
  EXPECT_EQ(codeFor(R"({"certificate_chain": ["x"], "documnet": "AA=="})"), "invalid_field");
  EXPECT_EQ(codeFor(R"({"document": "JVBERi0=", "certificate_chain": []})"), "invalid_field");
  EXPECT_EQ(codeFor(R"({"document": 5, "certificate_chain": ["x"]})"), "invalid_field");
  EXPECT_EQ(codeFor(createBody(pdf, "not a certificate", "B-B")), "invalid_certificate");
  EXPECT_EQ(codeFor(createBody(pdf, rsa->chainPem, "B-Z")), "invalid_level");
  EXPECT_EQ(codeFor(createBody(pdf, rsa->chainPem, "B-LTA")), "invalid_level");  // extend afterwards instead
  std::string badBase64 = createBody(pdf, rsa->chainPem, "B-B");
  badBase64.replace(badBase64.find("JVBER"), 5, "%%%%%");
  EXPECT_EQ(codeFor(badBase64), "invalid_base64");
  const HttpAnswer notPdf = create(createBody("hello, world", rsa->chainPem, "B-B"));
  EXPECT_EQ(notPdf.status, 422);
  EXPECT_EQ(errorCode(notPdf), "not_a_pdf");
  const ExternalSigner expired = issue(work.path(), "Hết Hạn", pki::KeyAlgorithm::Rsa,
                                       service->clock().now() - std::chrono::hours(48), std::chrono::hours(24));
  const HttpAnswer old = create(createBody(pdf, expired.chainPem, "B-B"));
  EXPECT_EQ(old.status, 422);
  EXPECT_EQ(errorCode(old), "certificate_expired");
  // Refused before the body is read (small bodies: the server closes the connection after answering).
  EXPECT_EQ(http(service->port(), "POST", "/v1/signing-sessions", "{}", "application/pdf",
                 {{"Authorization", "Bearer " + signerKey}})
                .status,
            415);
  EXPECT_EQ(create("{}", backendKey).status, 403);
}

}  // namespace
}  // namespace kyso::api
