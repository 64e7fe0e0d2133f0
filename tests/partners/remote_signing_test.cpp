// Remote signing with a citizen's key at a partner, through kyso's HTTP API, against the simulated
// VNPT SmartCA and Viettel MySign services: POST /v1/remote-signing prepares the PDF or XML and
// submits its digest, the session waits, and the partner's answer — by kyso's poll (the worker's
// pass, driven here on a FixedClock) or by the partner's webhook — finishes it. Signed PDFs are
// checked by pdfsig and openssl cms, signed XML by xmlsec1. The ways it ends otherwise: the citizen
// refuses or lets it expire, the package is used up, the certificate is revoked, the partner
// answers 5xx or malformed JSON (retried), or a CMS kyso cannot use; and the webhook's guards (bad
// signature 401, a replay changes nothing). A second service on the same database finishes what
// the first started (restart).
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "http_client.h"
#include "kyso/error.h"
#include "kyso/pki/digest.h"
#include "kyso/signer/pdf_verifier.h"
#include "mysign_model.h"
#include "partner_simulator.h"
#include "pdf_builder.h"
#include "smartca_model.h"
#include "test_images.h"
#include "test_service.h"
#include "test_support.h"
#include "xml_peers.h"

namespace kyso::test {
namespace {

using Poco::JSON::Object;
using namespace std::chrono_literals;

const std::string kVnptNotifications = "/v1/partners/vnpt-smartca/notifications";
const std::string kMySignNotifications = "/v1/partners/viettel-mysign/notifications";
const std::string kXml =
    "<HoSo><DuLieu Id=\"data\"><Ten>Nguyễn Văn An</Ten><CCCD>001099012345</CCCD></DuLieu><ChuKy Id=\"sigs\"/></HoSo>";

std::string stringify(const Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

class RemoteSigning : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { startService({}); }
  // Both partners with the settings of the suite and `more`.
  static void startService(const std::map<std::string, std::string>& more) {
    simulator = std::make_unique<PartnerSimulator>();
    TestServiceOptions options;
    options.clock = &clock;
    options.settings = {
        {"partners.vnpt_smartca.base_url", simulator->baseUrl()},
        {"partners.vnpt_smartca.client_id", "kyso-hcc"},
        {"partners.vnpt_smartca.client_secret", vnpt::kClientSecret},
        {"partners.vnpt_smartca.webhook_secret", vnpt::kWebhookSecret},
        {"partners.vnpt_smartca.notify_url", "https://kyso.example.vn" + kVnptNotifications},
        {"partners.vnpt_smartca.connect_timeout_seconds", "1"},
        {"partners.vnpt_smartca.timeout_seconds", "1"},
        {"partners.viettel_mysign.base_url", simulator->baseUrl(mysign::kPrefix)},
        {"partners.viettel_mysign.client_id", "kyso-hcc"},
        {"partners.viettel_mysign.client_secret", mysign::kClientSecret},
        {"partners.viettel_mysign.profile_id", "adss:ras:profile:001"},
        {"partners.viettel_mysign.webhook_secret", mysign::kWebhookSecret},
        {"partners.viettel_mysign.timeout_seconds", "1"},
        {"remote_signing.partner_poll_seconds", "5"},
        {"remote_signing.lifetime_seconds", "600"},
    };
    for (const auto& [name, value] : more) options.settings[name] = value;
    service = std::make_unique<TestService>(options);
    signerKey = service->key(api::Role::Signer, "desk");
  }
  static void TearDownTestSuite() {
    service.reset();
    simulator.reset();
  }
  void TearDown() override { simulator->reset(); }

  static Object::Ptr pdfRequest(const std::string& partner, const std::string& user) {
    Object::Ptr o = new Object;
    o->set("partner", partner);
    o->set("user_id", user);
    o->set("format", "pdf");
    o->set("document", toBase64(asBytes(buildPdf(onePageObjects()))));
    o->set("reason", "Ký tờ khai đăng ký hộ kinh doanh");
    o->set("description", "Hồ sơ 000123");
    return o;
  }
  static Object::Ptr xmlRequest(const std::string& partner, const std::string& user) {
    Object::Ptr o = new Object;
    o->set("partner", partner);
    o->set("user_id", user);
    o->set("format", "xml");
    o->set("document", toBase64(asBytes(kXml)));
    Object::Ptr xml = new Object;
    xml->set("signed_data_id", "data");
    xml->set("signature_parent_id", "sigs");
    o->set("xml", xml);
    return o;
  }
  static HttpAnswer start(const Object::Ptr& request) {
    return service->call("POST", "/v1/remote-signing", signerKey, stringify(*request));
  }
  static Object::Ptr session(const std::string& id) {
    const auto answer = service->call("GET", "/v1/remote-signing/" + id, signerKey);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return json(answer.body);
  }
  // Moves the clock past the next poll and runs the worker's pass.
  static void pollLater(std::chrono::seconds by = 6s) {
    clock.set(clock.now() + by);
    service->core().remoteSigning().pollDue();
  }
  static HttpAnswer notify(const std::string& path, const std::string& secret, const std::string& body) {
    const std::string header = path == kVnptNotifications ? "X-SmartCA-Signature" : "X-MySign-Signature";
    return service->call("POST", path, "", body, {{header, webhookSignature(secret, body)}});
  }

  // pdfsig and openssl cms over the signed PDF: one valid signature chaining to the partner's root.
  void expectPdfPasses(const std::string& pdf) {
    writeFile(work / "signed.pdf", pdf);
    const auto peers = checkWithPeers(work / "signed.pdf", devPki().rootCa(), {devPki().issuingCa()});
    EXPECT_EQ(peers.signatures, 1) << peers.pdfsigOutput;
    EXPECT_EQ(peers.validSignatures, 1) << peers.pdfsigOutput;
    EXPECT_EQ(peers.opensslVerified, 1) << peers.problems;
  }
  void expectXmlPasses(const std::string& xml) {
    writeFile(work / "signed.xml", xml);
    writeFile(work / "root.pem", devPki().rootCa().pem());
    writeFile(work / "issuing.pem", devPki().issuingCa().pem());
    const auto result =
        runXmlsec1Verify(work / "signed.xml", work / "root.pem", {work / "issuing.pem"}, {"DuLieu", "Object"});
    EXPECT_TRUE(xmlsec1SaysOk(result)) << result.output;
    EXPECT_NE(result.output.find("SignedInfo References (ok/all): 2/2"), std::string::npos) << result.output;
  }

  static inline std::unique_ptr<PartnerSimulator> simulator;
  static inline std::unique_ptr<TestService> service;
  static inline pki::FixedClock clock{std::chrono::floor<std::chrono::seconds>(pki::SystemClock::instance().now())};
  static inline std::string signerKey;
  TempDir work;
};

TEST_F(RemoteSigning, Vnpt_PdfByPoll_WaitsThenSignedPdfPassesPdfsigAndOpensslCms) {
  vnpt::SmartCaModel partner(*simulator);
  const auto created = start(pdfRequest("vnpt-smartca", vnpt::kUser));
  ASSERT_EQ(created.status, 202) << created.body;
  const auto body = json(created.body);
  const std::string id = body->getValue<std::string>("id");
  EXPECT_TRUE(id.starts_with("rs_")) << id;
  EXPECT_EQ(created.header("Location"), "/v1/remote-signing/" + id);
  EXPECT_EQ(body->getValue<std::string>("status"), "waiting");
  EXPECT_EQ(body->getValue<std::string>("credential_id"), vnpt::kCredential);
  EXPECT_EQ(body->getValue<std::string>("transaction_id"), "tran-" + id);
  // Only the digest of kyso's signed attributes went to the partner, with kyso's id.
  ASSERT_EQ(partner.hashes.size(), 1u);
  EXPECT_EQ(toBase64(partner.hashes[0]), body->getValue<std::string>("digest_sha256"));
  const auto sent = parseObject(simulator->requests("/csc/signature/signhash").at(0).body);
  EXPECT_EQ(sent->getValue<std::string>("refTranId"), id);
  EXPECT_EQ(sent->getValue<std::string>("description"), "Hồ sơ 000123");

  const auto early = service->call("GET", "/v1/remote-signing/" + id + "/document", signerKey);
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(errorCode(early), "remote_signature_pending");
  pollLater();  // the citizen has not confirmed yet
  EXPECT_EQ(session(id)->getValue<std::string>("status"), "waiting");

  partner.tranStatus = 1;
  pollLater();
  const auto done = session(id);
  ASSERT_EQ(done->getValue<std::string>("status"), "signed") << stringify(*done);
  EXPECT_EQ(done->getObject("links")->getValue<std::string>("document"), "/v1/remote-signing/" + id + "/document");
  const auto document = service->call("GET", "/v1/remote-signing/" + id + "/document", signerKey);
  ASSERT_EQ(document.status, 200) << document.body;
  EXPECT_EQ(document.header("Content-Type"), "application/pdf");
  EXPECT_EQ(toHex(pki::sha256(asBytes(document.body))), done->getValue<std::string>("document_sha256"));
  expectPdfPasses(document.body);
  // Another caller does not see it.
  const auto other = service->call("GET", "/v1/remote-signing/" + id, service->key(api::Role::Signer, "other"));
  EXPECT_EQ(other.status, 404);
}

TEST_F(RemoteSigning, Vnpt_XmlByWebhook_XmlsecVerifies_ReplayChangesNothing_BadSignature401) {
  vnpt::SmartCaModel partner(*simulator);
  const auto created = start(xmlRequest("vnpt-smartca", vnpt::kUser));
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string id = json(created.body)->getValue<std::string>("id");

  const std::string answer = partner.signedAnswer(1);
  const auto forged = notify(kVnptNotifications, "not-the-secret", answer);
  EXPECT_EQ(forged.status, 401) << forged.body;
  EXPECT_EQ(errorCode(forged), "partner_webhook_unauthenticated");
  EXPECT_EQ(session(id)->getValue<std::string>("status"), "waiting");

  const auto delivered = notify(kVnptNotifications, vnpt::kWebhookSecret, answer);
  ASSERT_EQ(delivered.status, 200) << delivered.body;
  EXPECT_EQ(json(delivered.body)->getValue<std::string>("status"), "signed");
  const auto done = session(id);
  const auto document = service->call("GET", "/v1/remote-signing/" + id + "/document", signerKey);
  ASSERT_EQ(document.status, 200) << document.body;
  EXPECT_EQ(document.header("Content-Type"), "application/xml");
  expectXmlPasses(document.body);

  // The same notification again, and a contradicting one: the signed session stands as it was.
  const auto replayed = notify(kVnptNotifications, vnpt::kWebhookSecret, answer);
  EXPECT_EQ(replayed.status, 200) << replayed.body;
  EXPECT_EQ(notify(kVnptNotifications, vnpt::kWebhookSecret, partner.signedAnswer(4002)).status, 200);
  const auto after = session(id);
  EXPECT_EQ(after->getValue<std::string>("status"), "signed");
  EXPECT_EQ(after->getValue<std::string>("updated_at"), done->getValue<std::string>("updated_at"));
  EXPECT_EQ(service->call("GET", "/v1/remote-signing/" + id + "/document", signerKey).body, document.body);
  // A notification for a transaction kyso never started: nothing to apply it to.
  partner.tranId = "tran-of-nobody";
  const auto stray = notify(kVnptNotifications, vnpt::kWebhookSecret, partner.signedAnswer(1));
  EXPECT_EQ(stray.status, 404) << stray.body;
  EXPECT_EQ(errorCode(stray), "remote_signing_not_found");
  // The poll has nothing left to do for it.
  EXPECT_EQ(simulator->count("/csc/credentials/gettraninfo"), 0u);
  pollLater();
  EXPECT_EQ(simulator->count("/csc/credentials/gettraninfo"), 0u);
}

TEST_F(RemoteSigning, MySign_PdfByWebhookWithCmsAnswer_XmlByPoll_BothPassThePeers) {
  mysign::MySignModel partner(*simulator);
  partner.cmsOverDigest = true;  // a SignedData packaging the value over kyso's digest
  const auto pdf = start(pdfRequest("viettel-mysign", mysign::kUser));
  ASSERT_EQ(pdf.status, 202) << pdf.body;
  const std::string pdfId = json(pdf.body)->getValue<std::string>("id");
  // VNPT's secret is not MySign's, and no signature header at all is no better.
  EXPECT_EQ(notify(kMySignNotifications, vnpt::kWebhookSecret, partner.statusAnswer(1)).status, 401);
  EXPECT_EQ(service->call("POST", kMySignNotifications, "", partner.statusAnswer(1)).status, 401);
  EXPECT_EQ(session(pdfId)->getValue<std::string>("status"), "waiting");
  const auto delivered = notify(kMySignNotifications, mysign::kWebhookSecret, partner.statusAnswer(1));
  ASSERT_EQ(delivered.status, 200) << delivered.body;
  ASSERT_EQ(session(pdfId)->getValue<std::string>("status"), "signed") << stringify(*session(pdfId));
  expectPdfPasses(service->call("GET", "/v1/remote-signing/" + pdfId + "/document", signerKey).body);

  partner.cmsOverDigest = false;
  partner.status = 4000;
  const auto xml = start(xmlRequest("viettel-mysign", mysign::kUser));
  ASSERT_EQ(xml.status, 202) << xml.body;
  const std::string xmlId = json(xml.body)->getValue<std::string>("id");
  pollLater();
  EXPECT_EQ(session(xmlId)->getValue<std::string>("status"), "waiting");
  partner.status = 1;
  pollLater();
  ASSERT_EQ(session(xmlId)->getValue<std::string>("status"), "signed") << stringify(*session(xmlId));
  expectXmlPasses(service->call("GET", "/v1/remote-signing/" + xmlId + "/document", signerKey).body);
}

TEST_F(RemoteSigning, VisibleSignature_DrawnWithTheCitizensNameAndImage) {
  mysign::MySignModel partner(*simulator);
  auto request = pdfRequest("viettel-mysign", mysign::kUser);
  Object::Ptr appearance = new Object;
  appearance->set("layout", "signer");
  appearance->set("page", 1);
  Poco::JSON::Array::Ptr rect = new Poco::JSON::Array;
  for (const int v : {330, 60, 530, 170}) rect->add(v);
  appearance->set("rect", rect);
  appearance->set("title", "NGƯỜI NỘP HỒ SƠ");
  appearance->set("image", toBase64(asBytes(rgbaPng(200, 60, 150, [](std::uint32_t, std::uint32_t y) {
                    return std::array<unsigned, 4>{20, 40, 200, y > 20 && y < 40 ? 255u : 0u};
                  }))));
  request->set("appearance", appearance);
  const auto created = start(request);
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string id = json(created.body)->getValue<std::string>("id");
  partner.status = 1;
  pollLater();
  ASSERT_EQ(session(id)->getValue<std::string>("status"), "signed");
  const std::string pdf = service->call("GET", "/v1/remote-signing/" + id + "/document", signerKey).body;
  expectPdfPasses(pdf);
  // The name defaults to the credential certificate's CN.
  const auto words = run({"/usr/bin/pdftotext", (work / "signed.pdf").string(), "-"}).output;
  EXPECT_NE(words.find("NGƯỜI NỘP HỒ SƠ"), std::string::npos) << words;
  EXPECT_NE(words.find(devPki().seal().certificate().commonName()), std::string::npos) << words;
}

TEST_F(RemoteSigning, CitizenRefuses_Rejected_NoDocument) {
  vnpt::SmartCaModel partner(*simulator);
  const std::string id = json(start(pdfRequest("vnpt-smartca", vnpt::kUser)).body)->getValue<std::string>("id");
  partner.tranStatus = 4002;
  pollLater();
  const auto done = session(id);
  EXPECT_EQ(done->getValue<std::string>("status"), "rejected");
  EXPECT_EQ(done->getObject("error")->getValue<std::string>("code"), "remote_signature_rejected");
  const auto document = service->call("GET", "/v1/remote-signing/" + id + "/document", signerKey);
  EXPECT_EQ(document.status, 409);
  EXPECT_EQ(errorCode(document), "remote_signature_not_signed");
}

TEST_F(RemoteSigning, NoConfirmation_ExpiredByKyso_OrReportedByThePartner) {
  vnpt::SmartCaModel vnptPartner(*simulator);
  const std::string id = json(start(pdfRequest("vnpt-smartca", vnpt::kUser)).body)->getValue<std::string>("id");
  pollLater(601s);  // past the lifetime: one last poll, still waiting
  const auto done = session(id);
  EXPECT_EQ(done->getValue<std::string>("status"), "expired");
  EXPECT_EQ(done->getObject("error")->getValue<std::string>("code"), "remote_signature_expired");

  mysign::MySignModel mysignPartner(*simulator);
  const std::string other = json(start(xmlRequest("viettel-mysign", mysign::kUser)).body)->getValue<std::string>("id");
  mysignPartner.status = 4001;
  pollLater();
  EXPECT_EQ(session(other)->getValue<std::string>("status"), "expired");
}

TEST_F(RemoteSigning, QuotaUsedUpOrCertificateRevoked_FailedWithTheirCodes) {
  vnpt::SmartCaModel partner(*simulator);
  simulator->script("/csc/signature/signhash", {200, vnpt::envelope(65000, {}, "Gói dịch vụ đã hết lượt ký")});
  const auto quota = start(pdfRequest("vnpt-smartca", vnpt::kUser));
  ASSERT_EQ(quota.status, 202) << quota.body;
  EXPECT_EQ(json(quota.body)->getValue<std::string>("status"), "failed");
  EXPECT_EQ(json(quota.body)->getObject("error")->getValue<std::string>("code"), "partner_quota_exhausted");

  mysign::MySignModel mysignPartner(*simulator);
  const std::string id = json(start(pdfRequest("viettel-mysign", mysign::kUser)).body)->getValue<std::string>("id");
  mysignPartner.status = 13004;
  pollLater();
  EXPECT_EQ(session(id)->getValue<std::string>("status"), "failed");
  EXPECT_EQ(session(id)->getObject("error")->getValue<std::string>("code"), "partner_certificate_revoked");
}

TEST_F(RemoteSigning, Partner5xxOrMalformedJson_RetriedUntilSigned) {
  vnpt::SmartCaModel partner(*simulator);
  const std::string id = json(start(pdfRequest("vnpt-smartca", vnpt::kUser)).body)->getValue<std::string>("id");
  partner.tranStatus = 1;
  simulator->script("/csc/credentials/gettraninfo", {503, "Service Unavailable", "text/plain"});
  pollLater();
  EXPECT_EQ(session(id)->getValue<std::string>("status"), "waiting");
  simulator->script("/csc/credentials/gettraninfo", {200, R"({"code":0,"content":{"tranId":)"});
  pollLater(11s);  // the backoff doubled the wait
  EXPECT_EQ(session(id)->getValue<std::string>("status"), "waiting");
  pollLater(21s);
  ASSERT_EQ(session(id)->getValue<std::string>("status"), "signed");
  EXPECT_EQ(simulator->count("/csc/credentials/gettraninfo"), 3u);
  expectPdfPasses(service->call("GET", "/v1/remote-signing/" + id + "/document", signerKey).body);

  // A notification that is no JSON, correctly authenticated: refused, nothing changes.
  const auto malformed = notify(kVnptNotifications, vnpt::kWebhookSecret, "{\"tranId\": ");
  EXPECT_EQ(malformed.status, 503) << malformed.body;
  EXPECT_EQ(errorCode(malformed), "partner_unavailable");
}

TEST_F(RemoteSigning, PartnerDownAtSubmission_503NothingStored) {
  vnpt::SmartCaModel partner(*simulator);
  simulator->script("/csc/signature/signhash", {502, "Bad Gateway", "text/plain"});
  const auto refused = start(pdfRequest("vnpt-smartca", vnpt::kUser));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(errorCode(refused), "partner_unavailable");
  EXPECT_EQ(refused.body.find(vnpt::kClientSecret), std::string::npos);
  EXPECT_TRUE(service->core().store().remoteSigning().due(clock.now() + 24h, 100).empty());
}

TEST_F(RemoteSigning, SignaturePartner_CmsOverThePartnersOwnAttributes_FailedSignatureInvalid) {
  // A `signature` partner (the default) was sent the digest of kyso's signed attributes: a CMS
  // over attributes of the partner's own cannot finish kyso's signature, whether its
  // message-digest is the digest of the hash (CMS_sign over the hash as content) or the hash itself.
  vnpt::SmartCaModel partner(*simulator);
  partner.cms = true;
  const std::string id = json(start(pdfRequest("vnpt-smartca", vnpt::kUser)).body)->getValue<std::string>("id");
  partner.tranStatus = 1;
  pollLater();
  EXPECT_EQ(session(id)->getValue<std::string>("status"), "failed");
  EXPECT_EQ(session(id)->getObject("error")->getValue<std::string>("code"), "partner_signature_invalid");

  partner.cms = false;
  partner.wholeCms = WholeCmsOptions{};
  partner.tranStatus = 4000;
  const std::string whole = json(start(pdfRequest("vnpt-smartca", vnpt::kUser)).body)->getValue<std::string>("id");
  partner.tranStatus = 1;
  pollLater();
  EXPECT_EQ(session(whole)->getValue<std::string>("status"), "failed");
  EXPECT_EQ(session(whole)->getObject("error")->getValue<std::string>("code"), "partner_signature_invalid");
}

TEST_F(RemoteSigning, BadRequests_400NamingTheField) {
  vnpt::SmartCaModel partner(*simulator);
  auto unknown = pdfRequest("fpt-ca", vnpt::kUser);
  EXPECT_EQ(errorCode(start(unknown)), "unknown_partner");
  auto xml = xmlRequest("vnpt-smartca", vnpt::kUser);
  xml->getObject("xml")->remove("signed_data_id");
  const auto missing = start(xml);
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("xml.signed_data_id"), std::string::npos) << missing.body;
  const auto stranger = start(pdfRequest("vnpt-smartca", "079200000001"));
  EXPECT_EQ(stranger.status, 404) << stranger.body;
  EXPECT_EQ(errorCode(stranger), "partner_user_unknown");
  EXPECT_EQ(simulator->count("/csc/signature/signhash"), 0u);
}

TEST_F(RemoteSigning, Restart_AnotherServiceOnTheSameDatabaseFinishesTheSession) {
  vnpt::SmartCaModel partner(*simulator);
  const std::string id = json(start(pdfRequest("vnpt-smartca", vnpt::kUser)).body)->getValue<std::string>("id");
  partner.tranStatus = 1;
  {
    // What a restarted server does: nothing in memory, the waiting session read from the database.
    api::ServiceCore restarted(service->core().settings(), clock);
    clock.set(clock.now() + 6s);
    EXPECT_EQ(restarted.remoteSigning().pollDue(), 1u);
  }
  ASSERT_EQ(session(id)->getValue<std::string>("status"), "signed");
  expectPdfPasses(service->call("GET", "/v1/remote-signing/" + id + "/document", signerKey).body);
}

// Partners that answer a whole CMS over attributes of their own (partners.<name>.answer = cms):
// kyso sends the document digest and embeds the partner's CMS.
class RemoteSigningCms : public RemoteSigning {
 protected:
  static void SetUpTestSuite() {
    startService({{"partners.vnpt_smartca.answer", "cms"}, {"partners.viettel_mysign.answer", "cms"}});
  }

  // Starts a PDF session at VNPT, lets the partner answer and returns the session as it ended.
  static Object::Ptr signAtVnpt(vnpt::SmartCaModel& partner, const Object::Ptr& request) {
    partner.tranStatus = 4000;
    const auto created = start(request);
    EXPECT_EQ(created.status, 202) << created.body;
    const std::string id = json(created.body)->getValue<std::string>("id");
    partner.tranStatus = 1;
    pollLater();
    return session(id);
  }

  // kyso's own verifier over the signed PDF, offline: the partner's root as trust anchor (also for
  // the service's time-stamping authority), revocation not checked.
  static signer::SignatureResult kysoVerdict(const std::string& pdf) {
    signer::VerificationPolicy policy;
    policy.trustAnchors = {devPki().rootCa()};
    policy.timeStampTrustAnchors = {service->core().devPki()->rootCa()};
    policy.clock = &clock;
    policy.revocation = signer::RevocationCheck::Skip;
    const auto report = signer::verifyPdf(signer::PdfInput::fromMemory(pdf), policy);
    EXPECT_EQ(report.signatures.size(), 1u);
    return report.signatures.at(0);
  }
};

TEST_F(RemoteSigningCms, Vnpt_BaselineCms_DocumentDigestSent_EmbeddedAsItIs_PassesPdfsigAndOpensslCms) {
  vnpt::SmartCaModel partner(*simulator);
  partner.wholeCms = WholeCmsOptions{.signingCertificateV2 = true, .signingTime = false};
  const auto done = signAtVnpt(partner, pdfRequest("vnpt-smartca", vnpt::kUser));
  ASSERT_EQ(done->getValue<std::string>("status"), "signed") << stringify(*done);
  EXPECT_FALSE(done->has("warnings")) << stringify(*done);
  const std::string pdf =
      service->call("GET", "/v1/remote-signing/" + done->getValue<std::string>("id") + "/document", signerKey).body;
  expectPdfPasses(pdf);
  // The partner got the digest of the signed byte ranges, and /Contents holds its own CMS: the
  // signature value is the one it made over its attributes, with the issuing CA added.
  const auto signatures = embeddedSignatures(pdf);
  ASSERT_EQ(signatures.size(), 1u);
  ASSERT_EQ(partner.hashes.size(), 1u);
  EXPECT_EQ(pki::sha256(asBytes(signatures[0].signedBytes)), partner.hashes[0]);
  EXPECT_EQ(toBase64(partner.hashes[0]), done->getValue<std::string>("digest_sha256"));
  EXPECT_EQ(signatureValue(signatures[0].cms),
            signatureValue(signCmsWhole(partner.signer, partner.hashes[0], *partner.wholeCms)));
  writeFile(work / "contents.der", std::string(asChars(signatures[0].cms)));
  const auto certificates = run({"/usr/bin/openssl", "pkcs7", "-print_certs", "-noout", "-inform", "DER", "-in",
                                 (work / "contents.der").string()});
  EXPECT_NE(certificates.output.find(devPki().issuingCa().commonName()), std::string::npos) << certificates.output;
  EXPECT_FALSE(signatureTimeStampToken(signatures[0].cms).has_value());
  // A PAdES baseline B-B signature to kyso's own verifier too.
  const auto verdict = kysoVerdict(pdf);
  EXPECT_EQ(verdict.indication, signer::Indication::TotalPassed) << verdict.detail;
  EXPECT_EQ(verdict.level, signer::SignatureLevel::B_B);
}

TEST_F(RemoteSigningCms, MySign_BT_WithoutSigningCertificateV2_SignedWithWarnings_TimeStampOverItsSignature) {
  mysign::MySignModel partner(*simulator);
  // Without signing-certificate-v2, with a signing-time and 4 KiB of unsigned revocation values,
  // which the room reserved in /Contents takes besides kyso's time-stamp.
  partner.wholeCms = WholeCmsOptions{.signingCertificateV2 = false, .signingTime = true, .unsignedBytes = 4096};
  auto request = pdfRequest("viettel-mysign", mysign::kUser);
  request->set("level", "B-T");
  const auto created = start(request);
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string id = json(created.body)->getValue<std::string>("id");
  const auto delivered = notify(kMySignNotifications, mysign::kWebhookSecret, partner.statusAnswer(1));
  ASSERT_EQ(delivered.status, 200) << delivered.body;
  const auto done = session(id);
  ASSERT_EQ(done->getValue<std::string>("status"), "signed") << stringify(*done);
  // Signed, but not PAdES baseline, and the session says why.
  const auto warnings = done->getArray("warnings");
  ASSERT_TRUE(warnings) << stringify(*done);
  ASSERT_EQ(warnings->size(), 2u) << stringify(*done);
  EXPECT_NE(warnings->getElement<std::string>(0).find("signing-certificate-v2"), std::string::npos);
  EXPECT_NE(warnings->getElement<std::string>(1).find("signing-time"), std::string::npos);
  const std::string pdf = service->call("GET", "/v1/remote-signing/" + id + "/document", signerKey).body;
  expectPdfPasses(pdf);
  // kyso's signature time-stamp over the partner's signature value, as an unsigned attribute.
  const auto signatures = embeddedSignatures(pdf);
  ASSERT_EQ(signatures.size(), 1u);
  const auto token = signatureTimeStampToken(signatures[0].cms);
  ASSERT_TRUE(token.has_value());
  const auto verify =
      opensslVerifyToken(*token, pki::sha256(signatureValue(signatures[0].cms)), *service->core().devPki());
  EXPECT_EQ(verify.exitCode, 0) << verify.output;
  // The partner's own unsigned attribute (its revocation values) is left out: kyso's time-stamp is
  // the only attribute outside the signature.
  EXPECT_EQ(unsignedAttributeOids(signatures[0].cms), std::vector<std::string>{"1.2.840.113549.1.9.16.2.14"});
  // What the warning announces: a PAdES validator (kyso's) fails ETSI.CAdES.detached without it.
  const auto verdict = kysoVerdict(pdf);
  EXPECT_EQ(verdict.indication, signer::Indication::TotalFailed) << verdict.detail;
  EXPECT_EQ(verdict.subIndication, signer::SubIndication::FormatFailure) << verdict.detail;
  EXPECT_NE(verdict.detail.find("signing-certificate-v2"), std::string::npos) << verdict.detail;
}

TEST_F(RemoteSigningCms, MisAnswers_FailedWithTheirCodes) {
  vnpt::SmartCaModel partner(*simulator);
  const struct {
    std::optional<WholeCmsOptions> answer;
    std::string code;
  } cases[] = {
      {WholeCmsOptions{.otherDigest = true}, "partner_cms_digest_mismatch"},
      {WholeCmsOptions{.signer = &devPki().tsa()}, "partner_certificate_mismatch"},
      // The right signer, but its signing-certificate-v2 names the issuing CA.
      {WholeCmsOptions{.signingCertificateV2 = false, .essNamesIssuer = true}, "partner_certificate_mismatch"},
      {WholeCmsOptions{.brokenSignature = true}, "partner_signature_invalid"},
      {WholeCmsOptions{.attached = true}, "partner_cms_content_attached"},
      {WholeCmsOptions{.unsignedBytes = 64 * 1024}, "partner_cms_too_large"},
      // sha1WithRSAEncryption: OpenSSL would check an RSA value under any RSA identifier.
      {WholeCmsOptions{.signatureAlgorithm = "1.2.840.113549.1.1.5"}, "partner_cms_invalid"},
      // ecdsa-with-SHA256 for an RSA key.
      {WholeCmsOptions{.signatureAlgorithm = "1.2.840.10045.4.3.2"}, "partner_cms_invalid"},
      // A content time-stamp (id-aa-ets-contentTimestamp) kyso would embed unexamined.
      {WholeCmsOptions{.extraSignedAttribute = "1.2.840.113549.1.9.16.2.20"}, "partner_cms_invalid"},
      {std::nullopt, "partner_cms_invalid"},  // a bare value where a whole CMS was expected
  };
  for (const auto& c : cases) {
    partner.wholeCms = c.answer;
    const auto done = signAtVnpt(partner, pdfRequest("vnpt-smartca", vnpt::kUser));
    EXPECT_EQ(done->getValue<std::string>("status"), "failed") << c.code;
    ASSERT_TRUE(done->has("error")) << c.code << ": " << stringify(*done);
    EXPECT_EQ(done->getObject("error")->getValue<std::string>("code"), c.code) << stringify(*done);
  }
}

TEST_F(RemoteSigningCms, Xml_RefusedUpFront_NothingSentToThePartner) {
  vnpt::SmartCaModel vnptPartner(*simulator);
  mysign::MySignModel mysignPartner(*simulator);
  for (const std::string partner : {"vnpt-smartca", "viettel-mysign"}) {
    const auto refused = start(xmlRequest(partner, vnpt::kUser));
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(errorCode(refused), "partner_xml_unsupported");
  }
  EXPECT_TRUE(simulator->requests().empty());
  EXPECT_TRUE(service->core().store().remoteSigning().due(clock.now() + 24h, 100).empty());
}

TEST(RemoteSigningSettings, UnknownKeysAndMissingBaseUrl_ConfigInvalid) {
  EXPECT_THROW(api::Settings::load(std::nullopt, {{"partners.vnpt_smartca.clientid", "x"}}, {}), InputError);
  EXPECT_THROW(api::Settings::load(std::nullopt, {{"partners.viettel_mysign.client_id", "x"}}, {}), InputError);
  EXPECT_THROW(api::Settings::load(std::nullopt, {{"partners.fpt.base_url", "http://127.0.0.1:1"}}, {}), InputError);
  EXPECT_THROW(
      api::Settings::load(
          std::nullopt,
          {{"partners.vnpt_smartca.base_url", "http://127.0.0.1:1"}, {"partners.vnpt_smartca.grant", "implicit"}}, {}),
      InputError);
  const auto s = api::Settings::load(std::nullopt,
                                     {{"partners.viettel_mysign.base_url", "http://127.0.0.1:1/vtss/service"},
                                      {"partners.viettel_mysign.client_id", "kyso"},
                                      {"partners.viettel_mysign.timeout_seconds", "7"}},
                                     {});
  ASSERT_TRUE(s.remoteSigning.viettel.has_value());
  EXPECT_EQ(s.remoteSigning.viettel->readTimeout, 7s);
  EXPECT_FALSE(s.remoteSigning.vnpt.has_value());
  EXPECT_EQ(s.remoteSigning.viettelAnswer, pki::RemoteAnswerForm::Signature);
  // partners.<name>.answer: signature (the default) or cms.
  const auto cms = api::Settings::load(std::nullopt,
                                       {{"partners.vnpt_smartca.base_url", "http://127.0.0.1:1"},
                                        {"partners.vnpt_smartca.client_id", "kyso"},
                                        {"partners.vnpt_smartca.answer", "cms"}},
                                       {});
  EXPECT_EQ(cms.remoteSigning.vnptAnswer, pki::RemoteAnswerForm::Cms);
  const auto wrong = expectThrow<InputError>([] {
    api::Settings::load(
        std::nullopt,
        {{"partners.vnpt_smartca.base_url", "http://127.0.0.1:1"}, {"partners.vnpt_smartca.answer", "pkcs7"}}, {});
  });
  EXPECT_EQ(wrong.code(), "config_invalid");
  EXPECT_NE(std::string(wrong.what()).find("partners.vnpt_smartca.answer"), std::string::npos);
}

}  // namespace
}  // namespace kyso::test
