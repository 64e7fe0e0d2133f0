// The Viettel MySign session shared by the remote signer (viettel_mysign.cpp) and the enrolment
// connector (partner_enrollment.cpp): logins (a token per user, or the service's own with no
// user), the error answers and their mapping to kyso's errors. Internal to pki.
#pragma once

#include <Poco/JSON/Object.h>

#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "kyso/error.h"
#include "kyso/pki/viettel_mysign.h"
#include "partner_rest.h"

namespace kyso::pki {

namespace mysign {

inline const std::string kAdapter = "viettel-mysign";
inline const std::string kPeer = "Viettel MySign";

inline std::string stringify(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

// The service's status numbers that end a transaction without signatures.
inline std::optional<RemoteSignState> finalState(std::int64_t status) {
  switch (status) {
    case 4001:
      return RemoteSignState::Expired;
    case 4002:
      return RemoteSignState::Rejected;
    case 4004:
      return RemoteSignState::Failed;
    case 4005:
      return RemoteSignState::QuotaExhausted;
    case 13004:
      return RemoteSignState::CredentialRevoked;
    default:
      return std::nullopt;
  }
}

inline bool success(int httpStatus) {
  return httpStatus >= 200 && httpStatus <= 299;
}

}  // namespace mysign

struct ViettelMySign::Impl {
  // An answer that got past the token and the transport: its HTTP status and its JSON.
  struct Reply {
    int httpStatus = 0;
    partner::Json json;
    std::string token;
  };

  ViettelMySignSettings settings;
  const Clock& clock;
  std::unique_ptr<partner::PartnerHttp> http;
  partner::TokenCache tokens;  // by user id

  Impl(ViettelMySignSettings s, const Clock& c) : settings(std::move(s)), clock(c) {}

  ~Impl() {
    wipe(settings.clientSecret);
    wipe(settings.webhookSecret);
  }

  // `userId` empty: the service token. `refused`: the token a 401 just answered, kept out of error details like the
  // others.
  std::string token(const std::string& userId, const std::string& refused = {}) {
    if (auto cached = tokens.find(userId, clock.now())) return std::move(*cached);
    Poco::JSON::Object request(Poco::JSON_PRESERVE_KEY_ORDER);
    request.set("client_id", settings.clientId);
    request.set("client_secret", settings.clientSecret);
    request.set("profile_id", settings.profileId);
    // No user: the service's own token, for the registration authority's calls
    // (partner_enrollment.cpp); the signing calls always name the citizen.
    if (!userId.empty()) request.set("user_id", userId);
    std::string body = mysign::stringify(request);
    const std::string path = "/ras/v1/login";
    const partner::Answer answer = http->post(path, "application/json", body);
    wipe(body);
    const std::string status = std::to_string(answer.status);
    if (answer.status == 404) throw NotFoundError("partner_user_unknown", mysign::kPeer + " knows no such user");
    if (answer.status == 400 || answer.status == 401 || answer.status == 403) {
      const std::string words = partner::oauthErrorWords(*http, answer.body);
      if (words.starts_with("user_not_found") || words.starts_with("invalid_user")) {
        throw NotFoundError("partner_user_unknown", mysign::kPeer + " knows no such user");
      }
      http->unauthorized(path + ": HTTP " + status + " " + words, refused);
    }
    if (answer.status != 200) http->unavailable(path + ": HTTP " + status, refused);
    const auto issued =
        partner::readTokenAnswer(partner::Json::parse(*http, answer.body, "the answer to " + path, refused));
    tokens.store(userId, issued.token, issued.lifetime, clock.now());
    return issued.token;
  }

  Reply call(const std::string& userId, const std::string& path, const Poco::JSON::Object& request) {
    const std::string body = mysign::stringify(request);
    std::string bearer = token(userId);
    partner::Answer answer = http->post(path, "application/json", body, bearer);
    if (answer.status == 401) {
      tokens.drop(userId, bearer);
      bearer = token(userId, bearer);
      answer = http->post(path, "application/json", body, bearer);
      if (answer.status == 401) http->unauthorized(path + ": HTTP 401 with a new token", bearer);
    }
    if (answer.status == 403) http->unauthorized(path + ": HTTP 403", bearer);
    if (answer.status >= 500) http->unavailable(path + ": HTTP " + std::to_string(answer.status), bearer);
    return Reply{answer.status, partner::Json::parse(*http, answer.body, "the answer to " + path, bearer), bearer};
  }

  // The words of an error answer, scrubbed.
  std::string words(const Reply& reply) const {
    std::string out;
    for (const char* key : {"error", "error_description"}) {
      if (!reply.json.isObject()) break;
      if (const auto value = reply.json.find(key)) {
        if (!out.empty()) out += ": ";
        out += value->string();
      }
    }
    return http->scrub(out, reply.token);
  }

  // An error answer that the call site does not turn into a state.
  [[noreturn]] void refuse(const Reply& reply, const std::string& path, const std::string& notFoundCode,
                           const std::string& notFoundMessage) const {
    if (reply.httpStatus == 404) throw NotFoundError(notFoundCode, notFoundMessage);
    if (reply.httpStatus == 400) {
      throw InputError("partner_refused_request", mysign::kPeer + " refused the request: " + words(reply));
    }
    http->unavailable(path + ": HTTP " + std::to_string(reply.httpStatus) + " " + words(reply), reply.token);
  }

  RemoteSignStatus statusFrom(const partner::Json& answer, const std::string& expectedTransaction,
                              const std::string& token) const {
    RemoteSignStatus status;
    // A notification must say which transaction it is about; a poll's answer may leave it out.
    const auto id = expectedTransaction.empty() ? std::optional(answer["transactionId"]) : answer.find("transactionId");
    status.transactionId = expectedTransaction;
    if (id) {
      status.transactionId = id->string();
      if (status.transactionId.empty()) id->fail("is empty");
      if (!expectedTransaction.empty() && status.transactionId != expectedTransaction) {
        id->fail("names another transaction");
      }
    }
    const auto code = answer["status"];
    const std::int64_t value = code.integer();
    if (value == 1) {
      partner::setSignatures(status, answer["signatures"]);
      return status;
    }
    if (value == 4000 || value == 6000) {  // waiting for the citizen; signing
      status.state = RemoteSignState::Waiting;
      return status;
    }
    const auto state = mysign::finalState(value);
    if (!state) code.fail("has an unknown value " + std::to_string(value));
    status.state = *state;
    for (const char* key : {"error_description", "message"}) {
      if (const auto text = answer.find(key)) {
        status.message = http->scrub(text->string(), token);
        break;
      }
    }
    return status;
  }
};

}  // namespace kyso::pki
