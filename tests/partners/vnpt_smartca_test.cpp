// The "vnpt-smartca" remote signer against a simulated VNPT SmartCA gateway: OAuth2 token,
// credentials with their chain, signhash, gettraninfo with every outcome, the webhook, and the
// ways a partner fails (5xx, slow, malformed JSON, refused tokens). The simulated partner signs
// with the development PKI's seal key, standing in for the citizen's key in VNPT's HSM.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <optional>
#include <set>

#include "kyso/error.h"
#include "kyso/pki/vnpt_smartca.h"
#include "partner_simulator.h"
#include "partner_test.h"
#include "smartca_model.h"
#include "test_support.h"

namespace kyso::test {
namespace {

using namespace std::chrono_literals;
using pki::RemoteSignState;

using namespace vnpt;

class VnptSmartCaTest : public PartnerTest {
 protected:
  pki::VnptSmartCaSettings settings() const {
    pki::VnptSmartCaSettings s;
    s.baseUrl = sim.baseUrl();
    s.clientId = "kyso-hcc";
    s.clientSecret = kClientSecret;
    s.notifyUrl = "https://kyso.example.vn/v1/partners/vnpt-smartca/notifications";
    s.webhookSecret = kWebhookSecret;
    s.connectTimeout = 1s;
    s.readTimeout = 1s;
    return s;
  }
  std::unique_ptr<pki::VnptSmartCa> adapter() const { return adapter(settings()); }
  std::unique_ptr<pki::VnptSmartCa> adapter(const pki::VnptSmartCaSettings& s) const {
    return std::make_unique<pki::VnptSmartCa>(s, clock);
  }
  pki::RemoteSignRequest request(std::size_t digests = 1) const {
    pki::RemoteSignRequest r;
    r.userId = kUser;
    r.credentialId = kCredential;
    r.reference = "hs-000123";
    r.description = "Ký tờ khai hồ sơ 000123";
    for (std::size_t i = 0; i < digests; ++i)
      r.digests.push_back(pki::sha256(asBytes("document " + std::to_string(i))));
    return r;
  }
  // The error of a call; checks that no secret of the configuration or the partner reached it.
  static Error failure(const std::function<void()>& call) {
    return PartnerTest::failure(call, {kClientSecret, kWebhookSecret});
  }

  SmartCaModel partner{sim};
};

TEST_F(VnptSmartCaTest, Credentials_UserWithChain_LeafFirstThenIssuingCaAndRoot) {
  auto vnpt = adapter();
  const auto credentials = vnpt->credentials(kUser);
  ASSERT_EQ(credentials.size(), 1u);
  EXPECT_EQ(credentials[0].id, kCredential);
  ASSERT_EQ(credentials[0].chain.size(), 3u);
  EXPECT_EQ(credentials[0].chain[0], devPki().seal().certificate());
  EXPECT_EQ(credentials[0].chain[1], devPki().issuingCa());
  EXPECT_EQ(credentials[0].chain[2], devPki().rootCa());

  const auto login = sim.requests("/auth/token");
  ASSERT_EQ(login.size(), 1u);
  const auto form = parseForm(login[0].body);
  EXPECT_EQ(form.at("grant_type"), "client_credentials");
  EXPECT_EQ(parseObject(sim.requests("/csc/credentials/list")[0].body)->getValue<std::string>("userId"), kUser);
  // The token is cached: a second call logs in no more.
  vnpt->credentials(kUser);
  EXPECT_EQ(partner.logins, 1);
}

TEST_F(VnptSmartCaTest, Credentials_UnknownUser_PartnerUserUnknown) {
  const auto error = failure([&] { adapter()->credentials("079200000001"); });
  EXPECT_EQ(error.code(), "partner_user_unknown");
  EXPECT_EQ(error.kind(), ErrorKind::NotFound);
}

TEST_F(VnptSmartCaTest, Submit_Digests_WaitingWithPartnerTransaction) {
  const auto req = request(2);
  const auto status = adapter()->submit(req);
  EXPECT_EQ(status.state, RemoteSignState::Waiting);
  EXPECT_EQ(status.transactionId, "tran-hs-000123");

  const auto sent = sim.requests("/csc/signature/signhash");
  ASSERT_EQ(sent.size(), 1u);
  const auto body = parseObject(sent[0].body);
  EXPECT_EQ(body->getValue<std::string>("credentialId"), kCredential);
  EXPECT_EQ(body->getValue<std::string>("refTranId"), "hs-000123");
  EXPECT_EQ(body->getValue<std::string>("notifyUrl"), settings().notifyUrl);
  EXPECT_EQ(body->getValue<std::string>("description"), "Ký tờ khai hồ sơ 000123");
  const auto datas = body->getArray("datas");
  ASSERT_EQ(datas->size(), 2u);
  EXPECT_EQ(datas->getObject(0)->getValue<std::string>("name"), "hs-000123-1");
  EXPECT_EQ(datas->getObject(1)->getValue<std::string>("name"), "hs-000123-2");
  EXPECT_EQ(partner.hashes, req.digests);
}

TEST_F(VnptSmartCaTest, Status_CitizenConfirmed_SignaturesVerifyOverSubmittedDigests) {
  auto vnpt = adapter();
  const auto req = request(3);
  const auto submitted = vnpt->submit(req);
  EXPECT_EQ(vnpt->status(kUser, submitted.transactionId).state, RemoteSignState::Waiting);

  partner.tranStatus = 1;
  const auto status = vnpt->status(kUser, submitted.transactionId);
  ASSERT_EQ(status.state, RemoteSignState::Signed);
  EXPECT_FALSE(status.cms);
  EXPECT_EQ(status.transactionId, submitted.transactionId);
  const auto credential = vnpt->credentials(kUser).at(0);
  ASSERT_EQ(status.signatures.size(), req.digests.size());
  for (std::size_t i = 0; i < req.digests.size(); ++i) {
    EXPECT_TRUE(pki::verifyDigestSignature(credential.chain[0], pki::DigestAlgorithm::Sha256, req.digests[i],
                                           status.signatures[i]))
        << i;
  }
  // In submission order: the first signature does not verify over the second digest.
  EXPECT_FALSE(pki::verifyDigestSignature(credential.chain[0], pki::DigestAlgorithm::Sha256, req.digests[1],
                                          status.signatures[0]));
}

TEST_F(VnptSmartCaTest, Status_CmsAnswer_CmsFlagged) {
  auto vnpt = adapter();
  const auto submitted = vnpt->submit(request());
  partner.tranStatus = 1;
  partner.cms = true;
  const auto status = vnpt->status(kUser, submitted.transactionId);
  ASSERT_EQ(status.state, RemoteSignState::Signed);
  EXPECT_TRUE(status.cms);
  ASSERT_EQ(status.signatures.size(), 1u);
  EXPECT_EQ(status.signatures[0].front(), 0x30);
}

TEST_F(VnptSmartCaTest, Status_CitizenRejected_RejectedWithPartnerWords) {
  auto vnpt = adapter();
  const auto submitted = vnpt->submit(request());
  partner.tranStatus = 4002;
  const auto status = vnpt->status(kUser, submitted.transactionId);
  EXPECT_EQ(status.state, RemoteSignState::Rejected);
  EXPECT_EQ(status.message, "Người dùng từ chối");
  EXPECT_TRUE(status.signatures.empty());
}

TEST_F(VnptSmartCaTest, Status_NotConfirmedInTime_Expired) {
  auto vnpt = adapter();
  const auto submitted = vnpt->submit(request());
  partner.tranStatus = 4001;
  EXPECT_EQ(vnpt->status(kUser, submitted.transactionId).state, RemoteSignState::Expired);
}

TEST_F(VnptSmartCaTest, Status_KeyNotAuthorisedOrSigningFailed_Failed) {
  auto vnpt = adapter();
  const auto submitted = vnpt->submit(request());
  for (int code : {4003, 4004}) {
    partner.tranStatus = code;
    EXPECT_EQ(vnpt->status(kUser, submitted.transactionId).state, RemoteSignState::Failed) << code;
  }
}

TEST_F(VnptSmartCaTest, Status_UnknownTransaction_PartnerTransactionUnknown) {
  const auto error = failure([&] { adapter()->status(kUser, "tran-nobody-knows"); });
  EXPECT_EQ(error.code(), "partner_transaction_unknown");
}

TEST_F(VnptSmartCaTest, Submit_ServicePackUsedUp_QuotaExhausted) {
  sim.script("/csc/signature/signhash", {200, envelope(65000, {}, "Gói dịch vụ đã hết lượt ký")});
  const auto status = adapter()->submit(request());
  EXPECT_EQ(status.state, RemoteSignState::QuotaExhausted);
  EXPECT_EQ(status.message, "Gói dịch vụ đã hết lượt ký");
  EXPECT_TRUE(status.transactionId.empty());
}

TEST_F(VnptSmartCaTest, Submit_CertificateRevoked_CredentialRevokedWithoutSignhash) {
  for (const std::string state : {"revoked", "EXPIRED", "suspended"}) {
    partner.certStatus = state;
    const auto status = adapter()->submit(request());
    EXPECT_EQ(status.state, RemoteSignState::CredentialRevoked) << state;
  }
  EXPECT_EQ(sim.count("/csc/signature/signhash"), 0u);
}

TEST_F(VnptSmartCaTest, Submit_BadInput_PartnerRefusedRequest) {
  sim.script("/csc/signature/signhash", {400, envelope(30000, {}, "refTranId đã tồn tại")});
  const auto error = failure([&] { adapter()->submit(request()); });
  EXPECT_EQ(error.code(), "partner_refused_request");
  EXPECT_EQ(error.kind(), ErrorKind::InvalidRequest);
  EXPECT_NE(std::string(error.what()).find("refTranId đã tồn tại"), std::string::npos);
}

TEST_F(VnptSmartCaTest, Submit_TooManyOrWrongDigests_InputErrorWithoutAnyRequest) {
  auto vnpt = adapter();
  EXPECT_EQ(failure([&] { vnpt->submit(request(51)); }).code(), "invalid_remote_sign_request");
  auto shortDigest = request();
  shortDigest.digests[0].pop_back();
  EXPECT_EQ(failure([&] { vnpt->submit(shortDigest); }).code(), "invalid_digest");
  auto sha384 = request();
  sha384.digestAlgorithm = pki::DigestAlgorithm::Sha384;
  sha384.digests = {pki::digest(pki::DigestAlgorithm::Sha384, asBytes("x"))};
  EXPECT_EQ(failure([&] { vnpt->submit(sha384); }).code(), "unsupported_digest");
  auto noReference = request();
  noReference.reference.clear();
  EXPECT_EQ(failure([&] { vnpt->submit(noReference); }).code(), "invalid_remote_sign_request");
  EXPECT_TRUE(sim.requests().empty());
  // 50 is still fine.
  EXPECT_EQ(vnpt->submit(request(50)).state, RemoteSignState::Waiting);
}

TEST_F(VnptSmartCaTest, Call_ServerError_PartnerUnavailable) {
  auto vnpt = adapter();
  sim.script("/csc/credentials/list", {503, "<html>Service Unavailable</html>", "text/html"});
  auto error = failure([&] { vnpt->credentials(kUser); });
  EXPECT_EQ(error.code(), "partner_unavailable");
  EXPECT_EQ(error.kind(), ErrorKind::Unavailable);
  EXPECT_NE(error.detail().find("HTTP 503"), std::string::npos) << error.detail();

  sim.script("/csc/credentials/list", {200, envelope(50000, {}, "INTERNAL_ERROR")});
  error = failure([&] { vnpt->credentials(kUser); });
  EXPECT_EQ(error.code(), "partner_unavailable");
  // The partner answers again.
  EXPECT_EQ(vnpt->credentials(kUser).size(), 1u);
}

TEST_F(VnptSmartCaTest, Call_SlowAnswer_PartnerUnavailableWithinTimeout) {
  auto vnpt = adapter();
  vnpt->credentials(kUser);  // logged in
  SimAnswer slow{200, envelope(0, Poco::JSON::Array::Ptr(new Poco::JSON::Array))};
  slow.delay = 5s;
  sim.script("/csc/credentials/list", slow);
  const auto started = std::chrono::steady_clock::now();
  const auto error = failure([&] { vnpt->credentials(kUser); });
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(error.code(), "partner_unavailable");
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 2500ms);
}

TEST_F(VnptSmartCaTest, Call_PartnerDown_PartnerUnavailable) {
  auto s = settings();
  s.baseUrl = "http://127.0.0.1:1";
  EXPECT_EQ(failure([&] { adapter(s)->credentials(kUser); }).code(), "partner_unavailable");
}

TEST_F(VnptSmartCaTest, Call_MalformedAnswers_PartnerUnavailableWithDetail) {
  auto vnpt = adapter();
  const auto submitted = vnpt->submit(request());
  const std::vector<std::pair<std::string, std::string>> answers = {
      {"not JSON", "<html>Bad Gateway</html>"},
      {"truncated", R"({"code":0,"content":{"tranId":")"},
      {"an array", "[1,2,3]"},
      {"no code", R"({"content":{}})"},
      {"code as text", R"({"code":"0","content":{}})"},
      {"code as bool", R"({"code":true,"content":{}})"},
      {"no content", R"({"code":0})"},
      {"tranStatus as text", envelope(0, parseObject(R"({"tranId":"tran-hs-000123","tranStatus":"1"})"))},
      {"unknown tranStatus", envelope(0, parseObject(R"({"tranId":"tran-hs-000123","tranStatus":7})"))},
      {"another transaction", envelope(0, parseObject(R"({"tranId":"tran-other","tranStatus":4000})"))},
      {"signed, no signatures", envelope(0, parseObject(R"({"tranId":"tran-hs-000123","tranStatus":1})"))},
      {"signatures empty", envelope(0, parseObject(R"({"tranId":"tran-hs-000123","tranStatus":1,"signatures":[]})"))},
      {"signature not base64",
       envelope(0, parseObject(R"({"tranId":"tran-hs-000123","tranStatus":1,"signatures":["@@@"]})"))},
      {"signature a number",
       envelope(0, parseObject(R"({"tranId":"tran-hs-000123","tranStatus":1,"signatures":[42]})"))},
      {"deeply nested", std::string(10000, '[') + std::string(10000, ']')},
  };
  for (const auto& [name, body] : answers) {
    sim.script("/csc/credentials/gettraninfo", {200, body});
    const auto error = failure([&] { vnpt->status(kUser, submitted.transactionId); });
    EXPECT_EQ(error.code(), "partner_unavailable") << name;
    EXPECT_FALSE(error.detail().empty()) << name;
  }
  // A certificate that is not one.
  sim.script("/csc/credentials/info",
             {200, envelope(0, parseObject(R"({"cert":{"status":"valid","certificates":["AAAA"]}})"))});
  const auto error = failure([&] { vnpt->credentials(kUser); });
  EXPECT_EQ(error.code(), "partner_unavailable");
  EXPECT_NE(error.detail().find("content.cert.certificates[0]"), std::string::npos) << error.detail();
}

TEST_F(VnptSmartCaTest, Call_TokenRefused_LogsInAgainOnce) {
  auto vnpt = adapter();
  vnpt->credentials(kUser);
  EXPECT_EQ(partner.logins, 1);
  partner.forgetTokens();  // the gateway revoked the token before its expiry
  EXPECT_EQ(vnpt->credentials(kUser).size(), 1u);
  EXPECT_EQ(partner.logins, 2);
  const auto lists = sim.requests("/csc/credentials/list");
  ASSERT_EQ(lists.size(), 3u);
  EXPECT_EQ(lists[1].authorization, "Bearer vnpt-token-1");
  EXPECT_EQ(lists[2].authorization, "Bearer vnpt-token-2");
}

TEST_F(VnptSmartCaTest, Call_NewTokenRefusedToo_PartnerUnauthorizedAfterOneRetry) {
  auto vnpt = adapter();
  sim.script("/csc/credentials/list", {401, R"({"error":"invalid_token"})"});
  sim.script("/csc/credentials/list", {401, R"({"error":"invalid_token"})"});
  const auto error = failure([&] { vnpt->credentials(kUser); });
  EXPECT_EQ(error.code(), "partner_unauthorized");
  EXPECT_EQ(partner.logins, 2);
  EXPECT_EQ(sim.count("/csc/credentials/list"), 2u);
}

TEST_F(VnptSmartCaTest, Token_WrongClientSecret_PartnerUnauthorized) {
  auto s = settings();
  s.clientSecret = "not-the-secret-0000";
  const auto error = failure([&] { adapter(s)->credentials(kUser); });
  EXPECT_EQ(error.code(), "partner_unauthorized");
  EXPECT_EQ(error.detail().find("not-the-secret-0000"), std::string::npos);
}

TEST_F(VnptSmartCaTest, Token_NearExpiry_RenewedBeforeTheCall) {
  partner.tokenLifetime = 600;  // renewed a minute before: after 540 s
  auto vnpt = adapter();
  vnpt->credentials(kUser);
  clock.set(clock.now() + 530s);
  vnpt->credentials(kUser);
  EXPECT_EQ(partner.logins, 1);
  clock.set(clock.now() + 20s);
  vnpt->credentials(kUser);
  EXPECT_EQ(partner.logins, 2);
  EXPECT_EQ(sim.count("/csc/credentials/list"), 3u);  // no 401 on the way
}

TEST_F(VnptSmartCaTest, Token_PasswordGrant_FormCarriesTheServiceAccount) {
  partner.grant = "password";
  partner.username = "kyso-sp";
  partner.password = "sp-password-3c9e";
  auto s = settings();
  s.grant = pki::VnptSmartCa::parseGrant("password");
  s.username = "kyso-sp";
  s.password = "sp-password-3c9e";
  EXPECT_EQ(adapter(s)->credentials(kUser).size(), 1u);
  const auto form = parseForm(sim.requests("/auth/token").at(0).body);
  EXPECT_EQ(form.at("grant_type"), "password");
  EXPECT_EQ(form.at("username"), "kyso-sp");
}

TEST_F(VnptSmartCaTest, Errors_PartnerEchoesSecrets_NeitherMessageNorDetailHasThem) {
  auto vnpt = adapter();
  vnpt->credentials(kUser);
  const std::string echo = "client_secret=" + kClientSecret + " token vnpt-token-1 webhook " + kWebhookSecret;
  sim.script("/csc/signature/signhash", {400, envelope(30000, {}, echo)});
  auto error = failure([&] { vnpt->submit(request()); });
  EXPECT_EQ(error.code(), "partner_refused_request");
  EXPECT_EQ(std::string(error.what()).find("vnpt-token-1"), std::string::npos) << error.what();
  sim.script("/csc/credentials/list", {200, envelope(50000, {}, echo)});
  error = failure([&] { vnpt->credentials(kUser); });
  EXPECT_EQ(error.detail().find("vnpt-token-1"), std::string::npos) << error.detail();
  EXPECT_NE(error.detail().find("[secret]"), std::string::npos) << error.detail();
  sim.script("/auth/token", {401, R"({"error":"invalid_client","error_description":")" + echo + "\"}"});
  partner.forgetTokens();
  sim.script("/csc/credentials/list", {401, "{}"});
  error = failure([&] { vnpt->credentials(kUser); });
  EXPECT_EQ(error.code(), "partner_unauthorized");
  EXPECT_EQ(error.detail().find("vnpt-token-1"), std::string::npos) << error.detail();
}

TEST_F(VnptSmartCaTest, Webhook_GoodHmac_StatusOfTheNotification) {
  auto vnpt = adapter();
  const auto req = request();
  vnpt->submit(req);
  const std::string body = partner.signedAnswer(1);
  const auto status = vnpt->parseWebhook(body, webhookSignature(kWebhookSecret, body));
  ASSERT_EQ(status.state, RemoteSignState::Signed);
  EXPECT_EQ(status.transactionId, "tran-hs-000123");
  EXPECT_TRUE(pki::verifyDigestSignature(devPki().seal().certificate(), pki::DigestAlgorithm::Sha256, req.digests[0],
                                         status.signatures.at(0)));
  // Also with the "sha256=" prefix and in upper case.
  std::string upper = webhookSignature(kWebhookSecret, body);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(vnpt->parseWebhook(body, "sha256=" + upper).state, RemoteSignState::Signed);
  EXPECT_EQ(vnpt->parseWebhook(partner.signedAnswer(4002), webhookSignature(kWebhookSecret, partner.signedAnswer(4002)))
                .state,
            RemoteSignState::Rejected);
}

TEST_F(VnptSmartCaTest, Webhook_BadHmac_Refused) {
  auto vnpt = adapter();
  const std::string body = partner.signedAnswer(4001);
  const std::string good = webhookSignature(kWebhookSecret, body);
  for (const std::string& header : {std::string(), std::string("garbage"), webhookSignature("another secret", body),
                                    good.substr(0, 62), webhookSignature(kWebhookSecret, body + " ")}) {
    const auto error = failure([&] { vnpt->parseWebhook(body, header); });
    EXPECT_EQ(error.code(), "partner_webhook_unauthenticated") << header;
    EXPECT_EQ(error.kind(), ErrorKind::Unauthenticated);
  }
  // Authenticated but unusable: the partner's defect.
  EXPECT_EQ(failure([&] { vnpt->parseWebhook("{}", webhookSignature(kWebhookSecret, "{}")); }).code(),
            "partner_unavailable");
  // No secret configured: nothing is accepted.
  auto s = settings();
  s.webhookSecret.clear();
  EXPECT_EQ(failure([&] { adapter(s)->parseWebhook(body, webhookSignature("", body)); }).code(),
            "partner_webhook_unauthenticated");
}

TEST_F(VnptSmartCaTest, Settings_SecretsFile_FillsTheSecrets) {
  TempDir dir;
  writeFile(dir / "vnpt.secrets",
            "# VNPT SmartCA\nclient_secret = " + kClientSecret + "\r\nwebhook_secret=" + kWebhookSecret + "\n\n");
  auto s = settings();
  s.clientSecret.clear();
  s.webhookSecret.clear();
  s.secretsFile = (dir / "vnpt.secrets").string();
  auto vnpt = adapter(s);
  EXPECT_EQ(vnpt->submit(request()).state, RemoteSignState::Waiting);
  const std::string body = partner.signedAnswer(4000);
  EXPECT_EQ(vnpt->parseWebhook(body, webhookSignature(kWebhookSecret, body)).state, RemoteSignState::Waiting);
}

TEST_F(VnptSmartCaTest, Settings_BadSecretsFileOrIncomplete_ConfigInvalidWithoutTheValue) {
  TempDir dir;
  auto s = settings();
  s.clientSecret.clear();
  s.secretsFile = (dir / "vnpt.secrets").string();
  for (const std::string& text : {kClientSecret + "\n", "client_secret = " + kClientSecret + "\nclient_secret = x\n",
                                  "client_sekret = " + kClientSecret + "\n", std::string("client_secret =\n")}) {
    writeFile(dir / "vnpt.secrets", text);
    const auto error = failure([&] { adapter(s); });
    EXPECT_EQ(error.code(), "config_invalid") << error.what();
  }
  s.secretsFile = (dir / "missing.secrets").string();
  EXPECT_EQ(failure([&] { adapter(s); }).code(), "file_unreadable");
  s = settings();
  s.clientSecret.clear();
  EXPECT_EQ(failure([&] { adapter(s); }).code(), "config_invalid");
  s = settings();
  s.baseUrl = "ftp://gateway.example";
  EXPECT_EQ(failure([&] { adapter(s); }).code(), "config_invalid");
  s = settings();
  s.grant = pki::VnptSmartCaSettings::Grant::Password;
  EXPECT_EQ(failure([&] { adapter(s); }).code(), "config_invalid");
  EXPECT_EQ(failure([&] { pki::VnptSmartCa::parseGrant("authorization_code"); }).code(), "config_invalid");
}

}  // namespace
}  // namespace kyso::test
