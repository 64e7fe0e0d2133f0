// The Viettel MySign service as Viettel describes it, on the partner simulator, with knobs for each
// test: a login per user, certificates with their chain, signHash and requests/status. It signs
// with the development PKI's seal key, standing in for the citizen's key in Viettel's HSM. Shared
// by the adapter's suite and the remote-signing service's.
#pragma once

#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "partner_ca_model.h"
#include "partner_simulator.h"
#include "test_support.h"

namespace kyso::test::mysign {

const std::string kPrefix = "/vtss/service";
const std::string kClientSecret = "mysign-client-secret-44e1a9";
const std::string kWebhookSecret = "mysign-webhook-secret-0c7d2f";
const std::string kUser = "001099012345";
const std::string kOtherUser = "0101234565";
const std::string kCredential = "a91f-mysign-credential";

inline std::string error(const std::string& code, const std::string& description, std::optional<int> status = {}) {
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("error", code);
  out->set("error_description", description);
  if (status) out->set("status", *status);
  return stringify(out);
}

// The service as Viettel describes it, with knobs for each test.
class MySignModel {
 public:
  explicit MySignModel(PartnerSimulator& sim) {
    sim.route(kPrefix + "/ras/v1/login", [this](const SimRequest& r) { return login(r); });
    sim.route(kPrefix + "/certificates/info",
              [this](const SimRequest& r) { return authorized(r, &MySignModel::info); });
    sim.route(kPrefix + "/signHash", [this](const SimRequest& r) { return authorized(r, &MySignModel::signHash); });
    sim.route(kPrefix + "/requests/status",
              [this](const SimRequest& r) { return authorized(r, &MySignModel::requestStatus); });
    // Enrolment (partner_enrollment.h), with the service's own token (a login without user_id).
    sim.route(kPrefix + "/ras/v1/certificates/request",
              [this](const SimRequest& r) { return authorized(r, &MySignModel::certificateRequest); });
    sim.route(kPrefix + "/ras/v1/certificates/requests/status",
              [this](const SimRequest& r) { return authorized(r, &MySignModel::certificateRequestStatus); });
    sim.route(kPrefix + "/ras/v1/certificates/revoke",
              [this](const SimRequest& r) { return authorized(r, &MySignModel::revoke); });
  }

  int tokenLifetime = 3600;
  // What requests/status reports, and whether the signatures come as CMS.
  int status = 4000;
  bool cms = false;
  // A CMS without signed attributes whose signature value is over the digest itself.
  bool cmsOverDigest = false;
  // A whole CMS over the partner's own attributes with the hash as message-digest (a `cms` partner).
  std::optional<WholeCmsOptions> wholeCms;
  const pki::SigningCredential& signer = devPki().seal();
  // The CA behind the service (enrolment); its own keys sign for the credentials it issued.
  PartnerCaModel ca;

  // What the partner saw.
  int logins = 0;
  std::vector<Bytes> hashes;  // of the last signHash
  std::string hashAlgo;
  std::string transactionId;
  const pki::SigningCredential* signing = nullptr;  // of the last signHash: a credential the CA issued

  void forgetTokens() { tokens_.clear(); }
  std::string statusAnswer(int code) const {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("transactionId", transactionId);
    out->set("status", code);
    if (code == 4002) out->set("error_description", "Người dùng đã từ chối ký");
    if (code == 1) {
      const auto algorithm =
          hashAlgo == "2.16.840.1.101.3.4.2.2" ? pki::DigestAlgorithm::Sha384 : pki::DigestAlgorithm::Sha256;
      Poco::JSON::Array::Ptr signatures = new Poco::JSON::Array;
      for (const auto& hash : hashes) {
        const pki::SigningCredential& with = signing != nullptr ? *signing : signer;
        signatures->add(base64WithLineBreaks(wholeCms        ? signCmsWhole(with, hash, *wholeCms)
                                             : cmsOverDigest ? signCmsOverDigest(with, hash)
                                             : cms           ? signCms(with, hash)
                                                             : signBare(with, hash, algorithm)));
      }
      out->set("signatures", signatures);
    }
    return stringify(out);
  }

 private:
  SimAnswer login(const SimRequest& r) {
    EXPECT_EQ(r.contentType, "application/json");
    EXPECT_TRUE(r.authorization.empty());
    const auto body = parseObject(r.body);
    if (body->optValue<std::string>("client_id", "") != "kyso-hcc" ||
        body->optValue<std::string>("client_secret", "") != kClientSecret ||
        body->optValue<std::string>("profile_id", "") != "adss:ras:profile:001") {
      return {401, error("invalid_client", "client authentication failed")};
    }
    const std::string user = body->optValue<std::string>("user_id", "");
    // No user_id: the service's own token, for the registration authority's calls.
    if (!body->has("user_id")) {
      const std::string issued = "mysign-ra-token-" + std::to_string(++logins);
      tokens_[issued] = "";
      return {200, R"({"access_token":")" + issued + R"(","token_type":"Bearer","expires_in":)" +
                       std::to_string(tokenLifetime) + "}"};
    }
    if (user != kUser && user != kOtherUser) return {400, error("user_not_found", "no such user")};
    const std::string issued = "mysign-token-" + std::to_string(++logins);
    tokens_[issued] = user;
    return {200, R"({"access_token":")" + issued + R"(","token_type":"Bearer","expires_in":)" +
                     std::to_string(tokenLifetime) + "}"};
  }

  SimAnswer authorized(const SimRequest& r,
                       SimAnswer (MySignModel::*route)(const std::string&, const Poco::JSON::Object&)) {
    EXPECT_EQ(r.contentType, "application/json");
    const std::string prefix = "Bearer ";
    const auto token =
        r.authorization.starts_with(prefix) ? tokens_.find(r.authorization.substr(prefix.size())) : tokens_.end();
    if (token == tokens_.end()) return {401, error("invalid_token", "token expired")};
    return (this->*route)(token->second, *parseObject(r.body));
  }

  SimAnswer info(const std::string& user, const Poco::JSON::Object& body) {
    EXPECT_EQ(body.optValue<std::string>("user_id", ""), user);
    EXPECT_EQ(body.optValue<std::string>("client_id", ""), "kyso-hcc");
    EXPECT_EQ(body.optValue<std::string>("profile_id", ""), "adss:ras:profile:001");
    EXPECT_EQ(body.optValue<std::string>("certificates", ""), "chain");
    Poco::JSON::Array::Ptr chain = new Poco::JSON::Array;
    chain->add(signer.certificate().pem());  // PEM, line breaks and all
    chain->add(base64WithLineBreaks(devPki().rootCa().der()));
    chain->add(toBase64(devPki().issuingCa().der()));
    Poco::JSON::Object::Ptr cert = new Poco::JSON::Object;
    cert->set("status", "VALID");
    cert->set("serialNumber", signer.certificate().serialHex());
    cert->set("certificates", chain);
    Poco::JSON::Object::Ptr credential = new Poco::JSON::Object;
    credential->set("credential_id", kCredential);
    credential->set("cert", cert);
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    out->add(credential);
    std::ostringstream text;
    out->stringify(text);
    return {200, text.str()};
  }

  SimAnswer signHash(const std::string& /*user*/, const Poco::JSON::Object& body) {
    signing = ca.byCredentialId(body.optValue<std::string>("credentialID", ""));
    if (signing == nullptr && body.optValue<std::string>("credentialID", "") != kCredential) {
      return {404, error("credential_not_found", "no such credential")};
    }
    EXPECT_EQ(body.optValue<std::string>("client_id", ""), "kyso-hcc");
    EXPECT_EQ(body.optValue<std::string>("signAlgo", ""), "1.2.840.113549.1.1.1");
    EXPECT_TRUE(body.optValue<bool>("async", false));
    hashAlgo = body.optValue<std::string>("hashAlgo", "");
    const auto hash = body.getArray("hash");
    const auto documents = body.getArray("documents");
    EXPECT_EQ(body.optValue<int>("numSignatures", -1), static_cast<int>(hash->size()));
    EXPECT_EQ(documents->size(), hash->size());
    hashes.clear();
    for (std::size_t i = 0; i < hash->size(); ++i)
      hashes.push_back(fromBase64(hash->getElement<std::string>(static_cast<unsigned>(i))));
    transactionId = "mysign-tx-" + documents->getObject(0)->getValue<std::string>("document_id");
    return {200, R"({"transactionId":")" + transactionId + R"("})"};
  }

  SimAnswer requestStatus(const std::string& /*user*/, const Poco::JSON::Object& body) {
    if (body.optValue<std::string>("transactionId", "") != transactionId) {
      return {404, error("transaction_not_found", "no such transaction")};
    }
    return {200, statusAnswer(status)};
  }

  // The registration authority's calls take the service's token only.
  static bool serviceToken(const std::string& user) { return user.empty(); }

  SimAnswer certificateRequest(const std::string& user, const Poco::JSON::Object& body) {
    if (!serviceToken(user)) return {403, error("access_denied", "not the service's token")};
    EXPECT_EQ(body.optValue<std::string>("client_id", ""), "kyso-hcc");
    EXPECT_EQ(body.optValue<std::string>("profile_id", ""), "adss:ras:profile:001");
    const auto subject = body.getObject("subject");
    if (!subject) return {400, error("invalid_request", "subject is required")};
    std::string problem;
    auto* r = ca.registration(body.optValue<std::string>("request_id", ""), *subject,
                              body.optValue<std::string>("csr", ""), problem);
    if (r == nullptr) return {400, error("invalid_request", problem)};
    if (ca.loseNextAnswers > 0) {
      --ca.loseNextAnswers;
      return {502, "<html>Bad Gateway</html>", "text/html"};
    }
    return {200, R"({"requestId":")" + r->requestId + R"("})"};
  }

  SimAnswer certificateRequestStatus(const std::string& user, const Poco::JSON::Object& body) {
    if (!serviceToken(user)) return {403, error("access_denied", "not the service's token")};
    const auto found = ca.byRequest.find(body.optValue<std::string>("requestId", ""));
    if (found == ca.byRequest.end()) return {404, error("request_not_found", "no such request")};
    const auto& r = found->second;
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("requestId", r.requestId);
    switch (r.status) {
      case PartnerCaModel::Status::InProcess:
        out->set("status", 6000);
        break;
      case PartnerCaModel::Status::WaitingForApplicant:
        out->set("status", 4000);
        break;
      case PartnerCaModel::Status::Expired:
        out->set("status", 4001);
        break;
      case PartnerCaModel::Status::Rejected:
        out->set("status", 4002);
        out->set("error_description", "Người dùng đã từ chối");
        break;
      case PartnerCaModel::Status::Issued: {
        out->set("status", 1);
        out->set("credential_id", r.credentialId);
        Poco::JSON::Object::Ptr cert = new Poco::JSON::Object;
        cert->set("status", r.revocationReason.empty() ? "VALID" : "REVOKED");
        cert->set("certificates", PartnerCaModel::chain(r));
        out->set("cert", cert);
        break;
      }
    }
    return {200, stringify(out)};
  }

  SimAnswer revoke(const std::string& user, const Poco::JSON::Object& body) {
    if (!serviceToken(user)) return {403, error("access_denied", "not the service's token")};
    auto* r = ca.bySerial(body.optValue<std::string>("serialNumber", ""));
    if (r == nullptr) return {404, error("certificate_not_found", "no such certificate")};
    if (r->revocationReason.empty()) r->revocationReason = body.optValue<std::string>("reason", "");
    return {200, R"({"status":1})"};
  }

  std::map<std::string, std::string> tokens_;  // token → user
};

}  // namespace kyso::test::mysign
