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
  }

  int tokenLifetime = 3600;
  // What requests/status reports, and whether the signatures come as CMS.
  int status = 4000;
  bool cms = false;
  // A CMS without signed attributes whose signature value is over the digest itself.
  bool cmsOverDigest = false;
  const pki::SigningCredential& signer = devPki().seal();

  // What the partner saw.
  int logins = 0;
  std::vector<Bytes> hashes;  // of the last signHash
  std::string hashAlgo;
  std::string transactionId;

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
        signatures->add(base64WithLineBreaks(cmsOverDigest ? signCmsOverDigest(signer, hash)
                                             : cms         ? signCms(signer, hash)
                                                           : signBare(signer, hash, algorithm)));
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
    if (body.optValue<std::string>("credentialID", "") != kCredential) {
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

  std::map<std::string, std::string> tokens_;  // token → user
};

}  // namespace kyso::test::mysign
