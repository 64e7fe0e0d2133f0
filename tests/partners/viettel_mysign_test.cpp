// The "viettel-mysign" remote signer against a simulated Viettel MySign service: a login per user,
// certificates with their chain, signHash, requests/status with every outcome, the webhook, and
// the ways a partner fails (5xx, slow, malformed JSON, refused tokens). The simulated partner signs
// with the development PKI's seal key, standing in for the citizen's key in Viettel's HSM.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <map>
#include <optional>
#include <sstream>

#include "kyso/error.h"
#include "kyso/pki/viettel_mysign.h"
#include "mysign_model.h"
#include "partner_simulator.h"
#include "partner_test.h"
#include "test_support.h"

namespace kyso::test {
namespace {

using namespace std::chrono_literals;
using pki::RemoteSignState;

using namespace mysign;

class ViettelMySignTest : public PartnerTest {
 protected:
  pki::ViettelMySignSettings settings() const {
    pki::ViettelMySignSettings s;
    s.baseUrl = sim.baseUrl(kPrefix) + "/";
    s.clientId = "kyso-hcc";
    s.clientSecret = kClientSecret;
    s.profileId = "adss:ras:profile:001";
    s.webhookSecret = kWebhookSecret;
    s.connectTimeout = 1s;
    s.readTimeout = 1s;
    return s;
  }
  std::unique_ptr<pki::ViettelMySign> adapter() const { return adapter(settings()); }
  std::unique_ptr<pki::ViettelMySign> adapter(const pki::ViettelMySignSettings& s) const {
    return std::make_unique<pki::ViettelMySign>(s, clock);
  }
  pki::RemoteSignRequest request(std::size_t digests = 1,
                                 pki::DigestAlgorithm algorithm = pki::DigestAlgorithm::Sha256) const {
    pki::RemoteSignRequest r;
    r.userId = kUser;
    r.credentialId = kCredential;
    r.reference = "hs-000456";
    r.description = "Ký đơn đăng ký hộ kinh doanh";
    r.digestAlgorithm = algorithm;
    for (std::size_t i = 0; i < digests; ++i) {
      r.digests.push_back(pki::digest(algorithm, asBytes("document " + std::to_string(i))));
    }
    return r;
  }
  // The error of a call; checks that no secret of the configuration or the partner reached it.
  static Error failure(const std::function<void()>& call) {
    return PartnerTest::failure(call, {kClientSecret, kWebhookSecret});
  }
  std::string path(const std::string& p) const { return kPrefix + p; }

  MySignModel partner{sim};
};

TEST_F(ViettelMySignTest, Credentials_UserWithChain_LeafFirstThenIssuingCaAndRoot) {
  auto mysign = adapter();
  const auto credentials = mysign->credentials(kUser);
  ASSERT_EQ(credentials.size(), 1u);
  EXPECT_EQ(credentials[0].id, kCredential);
  ASSERT_EQ(credentials[0].chain.size(), 3u);
  EXPECT_EQ(credentials[0].chain[0], devPki().seal().certificate());
  EXPECT_EQ(credentials[0].chain[1], devPki().issuingCa());
  EXPECT_EQ(credentials[0].chain[2], devPki().rootCa());

  const auto login = parseObject(sim.requests(path("/ras/v1/login")).at(0).body);
  EXPECT_EQ(login->getValue<std::string>("user_id"), kUser);
  EXPECT_EQ(login->getValue<std::string>("profile_id"), "adss:ras:profile:001");
  EXPECT_EQ(sim.requests(path("/certificates/info")).at(0).authorization, "Bearer mysign-token-1");
  // A token per user, each cached.
  mysign->credentials(kUser);
  EXPECT_EQ(partner.logins, 1);
  mysign->credentials(kOtherUser);
  EXPECT_EQ(partner.logins, 2);
  EXPECT_EQ(sim.requests(path("/certificates/info")).at(2).authorization, "Bearer mysign-token-2");
}

TEST_F(ViettelMySignTest, Credentials_UnknownUser_PartnerUserUnknown) {
  const auto e = failure([&] { adapter()->credentials("079200000001"); });
  EXPECT_EQ(e.code(), "partner_user_unknown");
  EXPECT_EQ(e.kind(), ErrorKind::NotFound);
}

TEST_F(ViettelMySignTest, Submit_Digests_WaitingWithTransactionId) {
  const auto req = request(2);
  const auto status = adapter()->submit(req);
  EXPECT_EQ(status.state, RemoteSignState::Waiting);
  EXPECT_EQ(status.transactionId, "mysign-tx-hs-000456-1");
  const auto body = parseObject(sim.requests(path("/signHash")).at(0).body);
  EXPECT_EQ(body->getValue<std::string>("credentialID"), kCredential);
  EXPECT_EQ(body->getValue<int>("numSignatures"), 2);
  EXPECT_EQ(body->getValue<std::string>("hashAlgo"), "2.16.840.1.101.3.4.2.1");
  const auto documents = body->getArray("documents");
  EXPECT_EQ(documents->getObject(1)->getValue<std::string>("document_id"), "hs-000456-2");
  EXPECT_EQ(documents->getObject(1)->getValue<std::string>("document_name"), "Ký đơn đăng ký hộ kinh doanh");
  EXPECT_EQ(partner.hashes, req.digests);
}

TEST_F(ViettelMySignTest, Status_CitizenConfirmed_SignaturesVerifyOverSubmittedDigests) {
  auto mysign = adapter();
  for (auto algorithm : {pki::DigestAlgorithm::Sha256, pki::DigestAlgorithm::Sha384}) {
    const auto req = request(2, algorithm);
    const auto submitted = mysign->submit(req);
    partner.status = 4000;
    EXPECT_EQ(mysign->status(kUser, submitted.transactionId).state, RemoteSignState::Waiting);
    partner.status = 6000;  // the citizen confirmed; the HSM is signing
    EXPECT_EQ(mysign->status(kUser, submitted.transactionId).state, RemoteSignState::Waiting);
    partner.status = 1;
    const auto status = mysign->status(kUser, submitted.transactionId);
    ASSERT_EQ(status.state, RemoteSignState::Signed);
    EXPECT_FALSE(status.cms);
    ASSERT_EQ(status.signatures.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_TRUE(
          pki::verifyDigestSignature(devPki().seal().certificate(), algorithm, req.digests[i], status.signatures[i]));
    }
  }
  EXPECT_EQ(partner.hashAlgo, "2.16.840.1.101.3.4.2.2");
}

TEST_F(ViettelMySignTest, Status_CmsAnswer_CmsFlagged) {
  auto mysign = adapter();
  const auto submitted = mysign->submit(request());
  partner.status = 1;
  partner.cms = true;
  const auto status = mysign->status(kUser, submitted.transactionId);
  ASSERT_EQ(status.state, RemoteSignState::Signed);
  EXPECT_TRUE(status.cms);
}

TEST_F(ViettelMySignTest, Status_FinalOutcomes_MappedToStates) {
  auto mysign = adapter();
  const auto submitted = mysign->submit(request());
  const std::vector<std::pair<int, RemoteSignState>> outcomes = {{4001, RemoteSignState::Expired},
                                                                 {4002, RemoteSignState::Rejected},
                                                                 {4004, RemoteSignState::Failed},
                                                                 {4005, RemoteSignState::QuotaExhausted},
                                                                 {13004, RemoteSignState::CredentialRevoked}};
  for (const auto& [code, state] : outcomes) {
    partner.status = code;
    const auto status = mysign->status(kUser, submitted.transactionId);
    EXPECT_EQ(status.state, state) << code;
    EXPECT_TRUE(status.signatures.empty());
    EXPECT_EQ(status.transactionId, submitted.transactionId);
  }
  partner.status = 4002;
  EXPECT_EQ(mysign->status(kUser, submitted.transactionId).message, "Người dùng đã từ chối ký");
}

TEST_F(ViettelMySignTest, Submit_QuotaOrRevokedAtOnce_StateWithoutTransaction) {
  auto mysign = adapter();
  sim.script(path("/signHash"), {400, error("QUOTA_EXCEEDED", "Hết lượt ký trong gói dịch vụ", 4005)});
  auto status = mysign->submit(request());
  EXPECT_EQ(status.state, RemoteSignState::QuotaExhausted);
  EXPECT_NE(status.message.find("Hết lượt ký"), std::string::npos);
  sim.script(path("/signHash"), {400, error("CERT_REVOKED", "Chứng thư số đã bị thu hồi", 13004)});
  status = mysign->submit(request());
  EXPECT_EQ(status.state, RemoteSignState::CredentialRevoked);
  EXPECT_TRUE(status.transactionId.empty());
}

TEST_F(ViettelMySignTest, Submit_RefusedOrUnknown_TypedErrors) {
  auto mysign = adapter();
  sim.script(path("/signHash"), {400, error("invalid_request", "hash is not base64")});
  auto e = failure([&] { mysign->submit(request()); });
  EXPECT_EQ(e.code(), "partner_refused_request");
  EXPECT_NE(std::string(e.what()).find("hash is not base64"), std::string::npos);
  auto unknown = request();
  unknown.credentialId = "nobody";
  EXPECT_EQ(failure([&] { mysign->submit(unknown); }).code(), "partner_credential_unknown");
  EXPECT_EQ(failure([&] { mysign->status(kUser, "mysign-tx-unknown"); }).code(), "partner_transaction_unknown");
  EXPECT_EQ(failure([&] { mysign->submit(request(51)); }).code(), "invalid_remote_sign_request");
}

TEST_F(ViettelMySignTest, Call_ServerError_PartnerUnavailable) {
  auto mysign = adapter();
  sim.script(path("/certificates/info"), {500, error("server_error", "database down")});
  const auto e = failure([&] { mysign->credentials(kUser); });
  EXPECT_EQ(e.code(), "partner_unavailable");
  EXPECT_NE(e.detail().find("HTTP 500"), std::string::npos);
  sim.script(path("/ras/v1/login"), {502, "Bad Gateway", "text/plain"});
  EXPECT_EQ(failure([&] { mysign->credentials(kOtherUser); }).code(), "partner_unavailable");
  EXPECT_EQ(mysign->credentials(kUser).size(), 1u);
}

TEST_F(ViettelMySignTest, Call_SlowAnswer_PartnerUnavailableWithinTimeout) {
  auto mysign = adapter();
  const auto submitted = mysign->submit(request());
  SimAnswer slow{200, partner.statusAnswer(1)};
  slow.delay = 5s;
  sim.script(path("/requests/status"), slow);
  const auto started = std::chrono::steady_clock::now();
  const auto e = failure([&] { mysign->status(kUser, submitted.transactionId); });
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(e.code(), "partner_unavailable");
  EXPECT_LT(waited, 2500ms);
}

TEST_F(ViettelMySignTest, Call_MalformedAnswers_PartnerUnavailableWithDetail) {
  auto mysign = adapter();
  const auto submitted = mysign->submit(request());
  const std::string id = submitted.transactionId;
  const std::vector<std::pair<std::string, std::string>> answers = {
      {"empty", ""},
      {"not JSON", "status=1"},
      {"trailing garbage", R"({"status":1}})"},
      {"no status", R"({"transactionId":")" + id + R"("})"},
      {"status as text", R"({"status":"1"})"},
      {"status fractional", R"({"status":4000.5})"},
      {"unknown status", R"({"status":5555})"},
      {"another transaction", R"({"transactionId":"tx-2","status":4000})"},
      {"signatures an object", R"({"status":1,"signatures":{"a":"b"}})"},
      {"signature with junk", R"({"status":1,"signatures":["AAAA$$$$"]})"},
      {"CMS and bare mixed", R"({"status":1,"signatures":[")" + toBase64(signCms(devPki().seal(), partner.hashes[0])) +
                                 R"(",")" + toBase64(signBare(devPki().seal(), partner.hashes[0])) + R"("]})"},
  };
  for (const auto& [name, body] : answers) {
    sim.script(path("/requests/status"), {200, body});
    const auto e = failure([&] { mysign->status(kUser, id); });
    EXPECT_EQ(e.code(), "partner_unavailable") << name;
    EXPECT_FALSE(e.detail().empty()) << name;
  }
  sim.script(path("/signHash"), {200, R"({"transactionId":17})"});
  EXPECT_EQ(failure([&] { mysign->submit(request()); }).code(), "partner_unavailable");
  sim.script(path("/certificates/info"), {200, R"([{"credential_id":"x","cert":{"certificates":[]}}])"});
  EXPECT_EQ(failure([&] { mysign->credentials(kUser); }).code(), "partner_unavailable");
  sim.script(path("/certificates/info"), {200, R"({"credential_id":"x"})"});
  EXPECT_EQ(failure([&] { mysign->credentials(kUser); }).code(), "partner_unavailable");
  sim.script(path("/ras/v1/login"), {200, R"({"access_token":"","expires_in":3600})"});
  EXPECT_EQ(failure([&] { mysign->credentials(kOtherUser); }).code(), "partner_unavailable");
}

TEST_F(ViettelMySignTest, Call_TokenRefused_LogsInAgainOnce) {
  auto mysign = adapter();
  const auto submitted = mysign->submit(request());
  partner.forgetTokens();
  EXPECT_EQ(mysign->status(kUser, submitted.transactionId).state, RemoteSignState::Waiting);
  EXPECT_EQ(partner.logins, 2);

  sim.script(path("/requests/status"), {401, error("invalid_token", "expired")});
  sim.script(path("/requests/status"), {401, error("invalid_token", "expired")});
  const auto e = failure([&] { mysign->status(kUser, submitted.transactionId); });
  EXPECT_EQ(e.code(), "partner_unauthorized");
  EXPECT_EQ(partner.logins, 3);
}

TEST_F(ViettelMySignTest, Token_NearExpiry_RenewedPerUser) {
  partner.tokenLifetime = 300;  // renewed 30 s before its end
  auto mysign = adapter();
  mysign->credentials(kUser);
  clock.set(clock.now() + 200s);
  mysign->credentials(kOtherUser);
  clock.set(clock.now() + 75s);  // the first user's token is 275 s old, the second's 75 s
  mysign->credentials(kUser);
  mysign->credentials(kOtherUser);
  EXPECT_EQ(partner.logins, 3);
  const auto logins = sim.requests(path("/ras/v1/login"));
  EXPECT_EQ(parseObject(logins.at(2).body)->getValue<std::string>("user_id"), kUser);
}

TEST_F(ViettelMySignTest, Errors_WrongClientSecretOrEchoingPartner_NoSecretInMessageOrDetail) {
  auto s = settings();
  s.clientSecret = "wrong-secret-77aa";
  auto e = failure([&] { adapter(s)->credentials(kUser); });
  EXPECT_EQ(e.code(), "partner_unauthorized");
  EXPECT_EQ(e.detail().find("wrong-secret-77aa"), std::string::npos);

  auto mysign = adapter();
  mysign->credentials(kUser);
  const std::string echo = "you sent " + kClientSecret + " with Bearer mysign-token-1";
  sim.script(path("/signHash"), {400, error("invalid_request", echo)});
  e = failure([&] { mysign->submit(request()); });
  EXPECT_EQ(std::string(e.what()).find("mysign-token-1"), std::string::npos) << e.what();
  sim.script(path("/requests/status"), {409, error("conflict", echo)});
  e = failure([&] { mysign->status(kUser, "tx"); });
  EXPECT_EQ(e.code(), "partner_unavailable");
  EXPECT_EQ(e.detail().find("mysign-token-1"), std::string::npos) << e.detail();
}

TEST_F(ViettelMySignTest, Webhook_GoodHmacAccepted_BadRefused) {
  auto mysign = adapter();
  const auto req = request();
  mysign->submit(req);
  const std::string body = partner.statusAnswer(1);
  const auto status = mysign->parseWebhook(body, "sha256=" + webhookSignature(kWebhookSecret, body));
  ASSERT_EQ(status.state, RemoteSignState::Signed);
  EXPECT_EQ(status.transactionId, partner.transactionId);
  EXPECT_TRUE(pki::verifyDigestSignature(devPki().seal().certificate(), pki::DigestAlgorithm::Sha256, req.digests[0],
                                         status.signatures.at(0)));

  for (const std::string& header : {std::string(), webhookSignature(kClientSecret, body), std::string(64, 'z')}) {
    const auto e = failure([&] { mysign->parseWebhook(body, header); });
    EXPECT_EQ(e.code(), "partner_webhook_unauthenticated");
  }
  // The notification must name its transaction.
  const std::string anonymous = R"({"status":4002})";
  EXPECT_EQ(failure([&] { mysign->parseWebhook(anonymous, webhookSignature(kWebhookSecret, anonymous)); }).code(),
            "partner_unavailable");
}

TEST_F(ViettelMySignTest, Settings_SecretsFileAndRequiredFields) {
  TempDir dir;
  writeFile(dir / "mysign.secrets", "client_secret=" + kClientSecret + "\nwebhook_secret = " + kWebhookSecret + "\n");
  auto s = settings();
  s.clientSecret.clear();
  s.webhookSecret.clear();
  s.secretsFile = (dir / "mysign.secrets").string();
  EXPECT_EQ(adapter(s)->credentials(kUser).size(), 1u);

  writeFile(dir / "mysign.secrets", "password=" + kClientSecret + "\n");  // not a MySign secret
  EXPECT_EQ(failure([&] { adapter(s); }).code(), "config_invalid");
  s = settings();
  s.profileId.clear();
  EXPECT_EQ(failure([&] { adapter(s); }).code(), "config_invalid");
  s = settings();
  s.baseUrl = "https://user:" + kClientSecret + "@mysign.example/vtss/service";
  EXPECT_EQ(failure([&] { adapter(s); }).code(), "config_invalid");
}

}  // namespace
}  // namespace kyso::test
