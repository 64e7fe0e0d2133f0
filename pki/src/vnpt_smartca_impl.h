// The VNPT SmartCA gateway session shared by the remote signer (vnpt_smartca.cpp) and the
// enrolment connector (partner_enrollment.cpp): one service token, the envelope reader and the
// mapping of envelope codes to kyso's errors. Internal to pki.
#pragma once

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "kyso/error.h"
#include "kyso/pki/vnpt_smartca.h"
#include "partner_rest.h"

namespace kyso::pki {

namespace smartca {

inline const std::string kAdapter = "vnpt-smartca";
inline const std::string kPeer = "VNPT SmartCA";

// Envelope codes.
constexpr std::int64_t kOk = 0;
constexpr std::int64_t kBadInput = 30000;
constexpr std::int64_t kInternal = 50000;
constexpr std::int64_t kCredentialUnknown = 60000;
constexpr std::int64_t kQuotaExhausted = 65000;

inline std::string stringify(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

inline std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace smartca

struct VnptSmartCa::Impl {
  // An envelope: the code, the partner's words (scrubbed) and, on success, the content.
  struct Reply {
    std::int64_t code = 0;
    std::string words;
    std::optional<partner::Json> content;
    std::string token;  // the call's, to scrub from the content's words
  };

  VnptSmartCaSettings settings;
  const Clock& clock;
  std::unique_ptr<partner::PartnerHttp> http;
  partner::TokenCache tokens;

  Impl(VnptSmartCaSettings s, const Clock& c) : settings(std::move(s)), clock(c) {}

  ~Impl() {
    wipe(settings.clientSecret);
    wipe(settings.password);
    wipe(settings.webhookSecret);
  }

  // `refused`: the token a 401 just answered, kept out of error details like the others.
  std::string token(const std::string& refused = {}) {
    if (auto cached = tokens.find("", clock.now())) return std::move(*cached);
    std::vector<std::pair<std::string, std::string>> fields;
    if (settings.grant == VnptSmartCaSettings::Grant::Password) {
      fields = {{"grant_type", "password"}, {"username", settings.username}, {"password", settings.password}};
    } else {
      fields = {{"grant_type", "client_credentials"}};
    }
    fields.emplace_back("client_id", settings.clientId);
    fields.emplace_back("client_secret", settings.clientSecret);
    std::string body = partner::formEncode(fields);
    for (auto& field : fields) wipe(field.second);
    const partner::Answer answer = http->post("/auth/token", "application/x-www-form-urlencoded", body);
    wipe(body);
    if (answer.status == 400 || answer.status == 401 || answer.status == 403) {
      http->unauthorized(
          "/auth/token: HTTP " + std::to_string(answer.status) + " " + partner::oauthErrorWords(*http, answer.body),
          refused);
    }
    if (answer.status != 200) http->unavailable("/auth/token: HTTP " + std::to_string(answer.status), refused);
    const auto issued =
        partner::readTokenAnswer(partner::Json::parse(*http, answer.body, "the answer to /auth/token", refused));
    tokens.store("", issued.token, issued.lifetime, clock.now());
    return issued.token;
  }

  Reply call(const std::string& path, const Poco::JSON::Object& request) {
    const std::string body = smartca::stringify(request);
    std::string bearer = token();
    partner::Answer answer = http->post(path, "application/json", body, bearer);
    if (answer.status == 401) {
      // The token expired early or was revoked: one new token, one more try.
      tokens.drop("", bearer);
      bearer = token(bearer);
      answer = http->post(path, "application/json", body, bearer);
      if (answer.status == 401) http->unauthorized(path + ": HTTP 401 with a new token", bearer);
    }
    if (answer.status == 403) http->unauthorized(path + ": HTTP 403", bearer);
    if (answer.status >= 500) http->unavailable(path + ": HTTP " + std::to_string(answer.status), bearer);
    const auto envelope = partner::Json::parse(*http, answer.body, "the answer to " + path, bearer);
    Reply reply;
    reply.token = bearer;
    reply.code = envelope["code"].integer();
    // The message is for people; codeDesc a constant name, used when there is no message.
    const auto codeDesc = envelope.find("codeDesc");
    const auto message = envelope.find("message");
    if (message) reply.words = message->string();
    if (codeDesc && reply.words.empty()) reply.words = codeDesc->string();
    reply.words = http->scrub(reply.words, bearer);
    if (reply.code == smartca::kOk) {
      if (answer.status < 200 || answer.status > 299) {
        http->unavailable(path + ": HTTP " + std::to_string(answer.status) + " with code 0", bearer);
      }
      reply.content = envelope["content"];
    }
    return reply;
  }

  // A non-zero envelope code that the call site does not turn into a state.
  [[noreturn]] void refuse(const Reply& reply, const std::string& path, const std::string& notFoundCode,
                           const std::string& notFoundMessage) const {
    switch (reply.code) {
      case smartca::kBadInput:
        throw InputError("partner_refused_request", smartca::kPeer + " refused the request: " + reply.words);
      case smartca::kCredentialUnknown:
        throw NotFoundError(notFoundCode, notFoundMessage);
      case smartca::kInternal:
        http->unavailable(path + ": code 50000 " + reply.words);
      default:
        http->unavailable(path + ": unknown code " + std::to_string(reply.code) + " " + reply.words);
    }
  }

  partner::Json credentialInfo(const std::string& credentialId) {
    Poco::JSON::Object request(Poco::JSON_PRESERVE_KEY_ORDER);
    request.set("credentialId", credentialId);
    request.set("certificates", "chain");
    request.set("certInfo", true);
    request.set("authInfo", true);
    const std::string path = "/csc/credentials/info";
    Reply reply = call(path, request);
    if (reply.code != smartca::kOk) {
      refuse(reply, path, "partner_credential_unknown", smartca::kPeer + " knows no credential '" + credentialId + "'");
    }
    return std::move(*reply.content);
  }

  RemoteSignStatus statusFrom(const partner::Json& content, const std::string& expectedTransaction,
                              const std::string& token) const {
    RemoteSignStatus status;
    const auto tranId = content["tranId"];
    status.transactionId = tranId.string();
    if (status.transactionId.empty()) tranId.fail("is empty");
    if (!expectedTransaction.empty() && status.transactionId != expectedTransaction) {
      tranId.fail("names another transaction");
    }
    const auto tranStatus = content["tranStatus"];
    std::string words;
    if (const auto desc = content.find("tranStatusDesc")) words = http->scrub(desc->string(), token);
    switch (tranStatus.integer()) {
      case 1:
        partner::setSignatures(status, content["signatures"]);
        return status;
      case 4000:
        status.state = RemoteSignState::Waiting;
        return status;
      case 4001:
        status.state = RemoteSignState::Expired;
        break;
      case 4002:
        status.state = RemoteSignState::Rejected;
        break;
      case 4003:  // the key could not be authorised
      case 4004:  // signing failed
        status.state = RemoteSignState::Failed;
        break;
      default:
        tranStatus.fail("has an unknown value " + std::to_string(tranStatus.integer()));
    }
    status.message = words;
    return status;
  }
};

}  // namespace kyso::pki
