// The VNPT SmartCA gateway as VNPT describes it, on the partner simulator, with knobs for each test:
// OAuth2 tokens, credentials with their chain, signhash and gettraninfo. It signs with the
// development PKI's seal key, standing in for the citizen's key in VNPT's HSM. Shared by the
// adapter's suite and the remote-signing service's.
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

namespace kyso::test::vnpt {

const std::string kClientSecret = "vnpt-client-secret-9f2c7e1a";
const std::string kWebhookSecret = "vnpt-webhook-secret-51d0b8";
const std::string kUser = "001099012345";
const std::string kCredential = "7b1c2d3e-credential";

inline std::string envelope(int code, const Poco::Dynamic::Var& content = {}, const std::string& words = "") {
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("code", code);
  out->set("codeDesc", code == 0 ? "SUCCESS" : "ERROR_" + std::to_string(code));
  out->set("message", words);
  out->set("content", content);
  return stringify(out);
}

// The gateway as VNPT describes it, with knobs for each test.
class SmartCaModel {
 public:
  explicit SmartCaModel(PartnerSimulator& sim) {
    sim.route("/auth/token", [this](const SimRequest& r) { return token(r); });
    sim.route("/csc/credentials/list", [this](const SimRequest& r) { return authorized(r, &SmartCaModel::list); });
    sim.route("/csc/credentials/info", [this](const SimRequest& r) { return authorized(r, &SmartCaModel::info); });
    sim.route("/csc/signature/signhash",
              [this](const SimRequest& r) { return authorized(r, &SmartCaModel::signHash); });
    sim.route("/csc/credentials/gettraninfo",
              [this](const SimRequest& r) { return authorized(r, &SmartCaModel::tranInfo); });
    // Enrolment (partner_enrollment.h): registration, its status, revocation.
    sim.route("/csc/credentials/register",
              [this](const SimRequest& r) { return authorized(r, &SmartCaModel::registerCredential); });
    sim.route("/csc/credentials/registration-status",
              [this](const SimRequest& r) { return authorized(r, &SmartCaModel::registrationStatus); });
    sim.route("/csc/credentials/revoke", [this](const SimRequest& r) { return authorized(r, &SmartCaModel::revoke); });
  }

  // The partner's side of the configuration.
  std::string grant = "client_credentials";
  std::string username;
  std::string password;
  int tokenLifetime = 3600;
  std::string certStatus = "valid";
  // What gettraninfo reports, and whether the signatures come as CMS.
  int tranStatus = 4000;
  bool cms = false;
  // A CMS without signed attributes whose signature value is over the digest itself.
  bool cmsOverDigest = false;
  // A whole CMS over the partner's own attributes with the hash as message-digest (a `cms` partner).
  std::optional<WholeCmsOptions> wholeCms;
  const pki::SigningCredential& signer = devPki().seal();
  // The CA behind the gateway (enrolment); its own keys sign for the credentials it issued.
  PartnerCaModel ca;

  // What the partner saw.
  int logins = 0;
  std::vector<Bytes> hashes;  // of the last signhash
  std::string tranId;
  const pki::SigningCredential* signing = nullptr;  // of the last signhash: a credential the CA issued

  void forgetTokens() { tokens_.clear(); }
  std::string signedAnswer(int status) const {
    Poco::JSON::Object::Ptr content = new Poco::JSON::Object;
    content->set("tranId", tranId);
    content->set("refTranId", "ref");
    content->set("tranStatus", status);
    content->set("tranStatusDesc", status == 4002 ? "Người dùng từ chối" : "");
    if (status == 1) {
      Poco::JSON::Array::Ptr signatures = new Poco::JSON::Array;
      for (const auto& hash : hashes) {
        const pki::SigningCredential& with = signing != nullptr ? *signing : signer;
        signatures->add(base64WithLineBreaks(wholeCms        ? signCmsWhole(with, hash, *wholeCms)
                                             : cmsOverDigest ? signCmsOverDigest(with, hash)
                                             : cms           ? signCms(with, hash)
                                                             : signBare(with, hash)));
      }
      content->set("signatures", signatures);
    }
    return stringify(content);
  }

 private:
  SimAnswer token(const SimRequest& r) {
    EXPECT_EQ(r.contentType, "application/x-www-form-urlencoded");
    auto form = parseForm(r.body);
    if (form["client_id"] != "kyso-hcc" || form["client_secret"] != kClientSecret || form["grant_type"] != grant ||
        (grant == "password" && (form["username"] != username || form["password"] != password))) {
      return {401, R"({"error":"invalid_client","error_description":"bad client"})"};
    }
    const std::string issued = "vnpt-token-" + std::to_string(++logins);
    tokens_.insert(issued);
    return {200, R"({"access_token":")" + issued + R"(","token_type":"bearer","expires_in":)" +
                     std::to_string(tokenLifetime) + "}"};
  }

  SimAnswer authorized(const SimRequest& r, SimAnswer (SmartCaModel::*route)(const Poco::JSON::Object&)) {
    EXPECT_EQ(r.contentType, "application/json");
    const std::string prefix = "Bearer ";
    if (!r.authorization.starts_with(prefix) || !tokens_.contains(r.authorization.substr(prefix.size()))) {
      return {401, R"({"error":"invalid_token"})"};
    }
    return (this->*route)(*parseObject(r.body));
  }

  SimAnswer list(const Poco::JSON::Object& body) {
    if (body.optValue<std::string>("userId", "") != kUser) return {200, envelope(60000, {}, "CREDENTIAL_NOT_FOUND")};
    Poco::JSON::Array::Ptr ids = new Poco::JSON::Array;
    ids->add(kCredential);
    return {200, envelope(0, ids)};
  }

  SimAnswer info(const Poco::JSON::Object& body) {
    if (const auto* issued = ca.byCredentialId(body.optValue<std::string>("credentialId", ""))) {
      Poco::JSON::Array::Ptr chain = new Poco::JSON::Array;
      for (const auto& c : issued->chain) chain->add(toBase64(c.der()));
      Poco::JSON::Object::Ptr cert = new Poco::JSON::Object;
      cert->set("status", "valid");
      cert->set("certificates", chain);
      Poco::JSON::Object::Ptr content = new Poco::JSON::Object;
      content->set("cert", cert);
      return {200, envelope(0, content)};
    }
    if (body.optValue<std::string>("credentialId", "") != kCredential) {
      return {200, envelope(60000, {}, "CREDENTIAL_NOT_FOUND")};
    }
    EXPECT_EQ(body.optValue<std::string>("certificates", ""), "chain");
    EXPECT_TRUE(body.optValue<bool>("certInfo", false));
    EXPECT_TRUE(body.optValue<bool>("authInfo", false));
    Poco::JSON::Array::Ptr chain = new Poco::JSON::Array;
    // Leaf first, then the CAs out of order: the adapter orders them.
    chain->add(toBase64(signer.certificate().der()));
    chain->add(devPki().rootCa().pem());
    chain->add(toBase64(devPki().issuingCa().der()));
    Poco::JSON::Object::Ptr cert = new Poco::JSON::Object;
    cert->set("status", certStatus);
    cert->set("serialNumber", signer.certificate().serialHex());
    cert->set("subjectDN", signer.certificate().subject());
    cert->set("certificates", chain);
    Poco::JSON::Object::Ptr content = new Poco::JSON::Object;
    content->set("cert", cert);
    content->set("authMode", "EXPLICIT");
    return {200, envelope(0, content)};
  }

  SimAnswer signHash(const Poco::JSON::Object& body) {
    signing = ca.byCredentialId(body.optValue<std::string>("credentialId", ""));
    if (signing == nullptr) {
      EXPECT_EQ(body.optValue<std::string>("credentialId", ""), kCredential);
    }
    const auto datas = body.getArray("datas");
    if (!datas || datas->size() == 0 || datas->size() > 50) return {200, envelope(30000, {}, "INVALID_PARAM")};
    hashes.clear();
    for (std::size_t i = 0; i < datas->size(); ++i) {
      const auto data = datas->getObject(static_cast<unsigned>(i));
      EXPECT_FALSE(data->optValue<std::string>("name", "").empty());
      hashes.push_back(fromBase64(data->optValue<std::string>("hash", "")));
      EXPECT_EQ(hashes.back().size(), 32u);
    }
    tranId = "tran-" + body.optValue<std::string>("refTranId", "");
    Poco::JSON::Object::Ptr content = new Poco::JSON::Object;
    content->set("tranId", tranId);
    return {200, envelope(0, content)};
  }

  SimAnswer tranInfo(const Poco::JSON::Object& body) {
    if (body.optValue<std::string>("tranId", "") != tranId) return {200, envelope(60000, {}, "TRAN_NOT_FOUND")};
    return {200, envelope(0, parseObject(signedAnswer(tranStatus)))};
  }

  SimAnswer registerCredential(const Poco::JSON::Object& body) {
    std::string problem;
    const auto subject = body.getObject("subject");
    if (!subject) return {200, envelope(30000, {}, "INVALID_PARAM: subject")};
    auto* r = ca.registration(body.optValue<std::string>("refId", ""), *subject, body.optValue<std::string>("csr", ""),
                              problem);
    if (r == nullptr) return {200, envelope(30000, {}, "INVALID_PARAM: " + problem)};
    EXPECT_FALSE(body.optValue<std::string>("email", "").empty());
    EXPECT_FALSE(body.optValue<std::string>("phone", "").empty());
    Poco::JSON::Object::Ptr content = new Poco::JSON::Object;
    content->set("requestId", r->requestId);
    if (ca.loseNextAnswers > 0) {
      --ca.loseNextAnswers;
      return {503, "Service Unavailable", "text/plain"};
    }
    return {200, envelope(0, content)};
  }

  SimAnswer registrationStatus(const Poco::JSON::Object& body) {
    const auto found = ca.byRequest.find(body.optValue<std::string>("requestId", ""));
    if (found == ca.byRequest.end()) return {200, envelope(60000, {}, "REQUEST_NOT_FOUND")};
    const auto& r = found->second;
    Poco::JSON::Object::Ptr content = new Poco::JSON::Object;
    content->set("requestId", r.requestId);
    content->set("refId", r.reference);
    switch (r.status) {
      case PartnerCaModel::Status::InProcess:
        content->set("status", 0);
        break;
      case PartnerCaModel::Status::WaitingForApplicant:
        content->set("status", 4000);
        break;
      case PartnerCaModel::Status::Expired:
        content->set("status", 4001);
        break;
      case PartnerCaModel::Status::Rejected:
        content->set("status", 4002);
        content->set("statusDesc", "Người dùng từ chối");
        break;
      case PartnerCaModel::Status::Issued: {
        content->set("status", 1);
        content->set("credentialId", r.credentialId);
        Poco::JSON::Object::Ptr cert = new Poco::JSON::Object;
        cert->set("status", r.revocationReason.empty() ? "valid" : "revoked");
        cert->set("serialNumber", r.credential->certificate().serialHex());
        cert->set("certificates", PartnerCaModel::chain(r));
        content->set("cert", cert);
        break;
      }
    }
    return {200, envelope(0, content)};
  }

  SimAnswer revoke(const Poco::JSON::Object& body) {
    auto* r = ca.bySerial(body.optValue<std::string>("serialNumber", ""));
    if (r == nullptr) return {200, envelope(60000, {}, "CERTIFICATE_NOT_FOUND")};
    if (r->revocationReason.empty()) r->revocationReason = body.optValue<std::string>("reason", "");
    Poco::JSON::Object::Ptr content = new Poco::JSON::Object;
    content->set("serialNumber", body.optValue<std::string>("serialNumber", ""));
    content->set("status", "revoked");
    return {200, envelope(0, content)};
  }

  std::set<std::string> tokens_;
};

}  // namespace kyso::test::vnpt
