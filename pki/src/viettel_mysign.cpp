#include "kyso/pki/viettel_mysign.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <optional>
#include <sstream>

#include "kyso/error.h"
#include "partner_rest.h"

namespace kyso::pki {

namespace {

const std::string kAdapter = "viettel-mysign";
const std::string kPeer = "Viettel MySign";

std::string stringify(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

// The service's status numbers that end a transaction without signatures.
std::optional<RemoteSignState> finalState(std::int64_t status) {
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

bool success(int httpStatus) {
  return httpStatus >= 200 && httpStatus <= 299;
}

}  // namespace

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

  // `refused`: the token a 401 just answered, kept out of error details like the others.
  std::string token(const std::string& userId, const std::string& refused = {}) {
    if (auto cached = tokens.find(userId, clock.now())) return std::move(*cached);
    Poco::JSON::Object request(Poco::JSON_PRESERVE_KEY_ORDER);
    request.set("client_id", settings.clientId);
    request.set("client_secret", settings.clientSecret);
    request.set("profile_id", settings.profileId);
    request.set("user_id", userId);
    std::string body = stringify(request);
    const std::string path = "/ras/v1/login";
    const partner::Answer answer = http->post(path, "application/json", body);
    wipe(body);
    const std::string status = std::to_string(answer.status);
    if (answer.status == 404) throw NotFoundError("partner_user_unknown", kPeer + " knows no such user");
    if (answer.status == 400 || answer.status == 401 || answer.status == 403) {
      const std::string words = partner::oauthErrorWords(*http, answer.body);
      if (words.starts_with("user_not_found") || words.starts_with("invalid_user")) {
        throw NotFoundError("partner_user_unknown", kPeer + " knows no such user");
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
    const std::string body = stringify(request);
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
      throw InputError("partner_refused_request", kPeer + " refused the request: " + words(reply));
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
    const auto state = finalState(value);
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

ViettelMySign::ViettelMySign(ViettelMySignSettings settings, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), clock)) {
  auto& s = impl_->settings;
  partner::fillFromSecretsFile(kAdapter, s.secretsFile,
                               {{"client_secret", &s.clientSecret}, {"webhook_secret", &s.webhookSecret}});
  const auto require = [](bool ok, const std::string& what) {
    if (!ok) throw InputError("config_invalid", kAdapter + ": " + what);
  };
  require(!s.clientId.empty(), "client_id is required");
  require(!s.clientSecret.empty(), "client_secret is required (in the settings or the secrets file)");
  require(!s.profileId.empty(), "profile_id is required");
  impl_->http = std::make_unique<partner::PartnerHttp>(
      partner::Endpoint{kAdapter, kPeer, s.baseUrl, s.connectTimeout, s.readTimeout},
      std::vector<std::string>{s.clientSecret, s.webhookSecret});
}

ViettelMySign::~ViettelMySign() = default;

std::vector<RemoteCredential> ViettelMySign::credentials(const std::string& userId) {
  if (userId.empty()) throw InputError("invalid_remote_sign_request", "the user id is required");
  Poco::JSON::Object request(Poco::JSON_PRESERVE_KEY_ORDER);
  request.set("client_id", impl_->settings.clientId);
  request.set("profile_id", impl_->settings.profileId);
  request.set("user_id", userId);
  request.set("certificates", "chain");
  request.set("certInfo", true);
  request.set("authInfo", true);
  const std::string path = "/certificates/info";
  const Impl::Reply reply = impl_->call(userId, path, request);
  if (!success(reply.httpStatus)) impl_->refuse(reply, path, "partner_user_unknown", kPeer + " knows no such user");
  std::vector<RemoteCredential> out;
  for (const auto& item : reply.json.array()) {
    RemoteCredential credential;
    const auto id = item["credential_id"];
    credential.id = id.string();
    if (credential.id.empty()) id.fail("is empty");
    credential.chain = partner::decodeChain(item["cert"]["certificates"]);
    out.push_back(std::move(credential));
  }
  return out;
}

RemoteSignStatus ViettelMySign::submit(const RemoteSignRequest& request) {
  partner::requireSignRequest(request, kMaxDigests);
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("client_id", impl_->settings.clientId);
  body.set("credentialID", request.credentialId);
  body.set("numSignatures", request.digests.size());
  Poco::JSON::Array documents;
  Poco::JSON::Array hashes;
  for (std::size_t i = 0; i < request.digests.size(); ++i) {
    Poco::JSON::Object document(Poco::JSON_PRESERVE_KEY_ORDER);
    document.set("document_id",
                 request.digests.size() == 1 ? request.reference : request.reference + "-" + std::to_string(i + 1));
    document.set("document_name", request.description.empty() ? request.reference : request.description);
    documents.add(document);
    hashes.add(toBase64(request.digests[i]));
  }
  body.set("documents", documents);
  body.set("hash", hashes);
  body.set("hashAlgo", std::string(digestOid(request.digestAlgorithm)));
  body.set("signAlgo", std::string(kSignAlgorithm));
  body.set("async", true);
  const std::string path = "/signHash";
  const Impl::Reply reply = impl_->call(request.userId, path, body);
  RemoteSignStatus status;
  if (!success(reply.httpStatus)) {
    // The service states an exhausted quota or a revoked certificate by its status number.
    if (reply.json.isObject()) {
      if (const auto code = reply.json.find("status")) {
        if (const auto state = finalState(code->integer())) {
          status.state = *state;
          status.message = impl_->words(reply);
          return status;
        }
      }
    }
    impl_->refuse(reply, path, "partner_credential_unknown",
                  kPeer + " knows no credential '" + request.credentialId + "'");
  }
  const auto id = reply.json["transactionId"];
  status.transactionId = id.string();
  if (status.transactionId.empty()) id.fail("is empty");
  status.state = RemoteSignState::Waiting;
  return status;
}

RemoteSignStatus ViettelMySign::status(const std::string& userId, const std::string& transactionId) {
  if (userId.empty() || transactionId.empty()) {
    throw InputError("invalid_remote_sign_request", "the user id and the transaction id are required");
  }
  Poco::JSON::Object body;
  body.set("transactionId", transactionId);
  const std::string path = "/requests/status";
  const Impl::Reply reply = impl_->call(userId, path, body);
  if (!success(reply.httpStatus)) {
    impl_->refuse(reply, path, "partner_transaction_unknown", kPeer + " knows no transaction '" + transactionId + "'");
  }
  return impl_->statusFrom(reply.json, transactionId, reply.token);
}

RemoteSignStatus ViettelMySign::parseWebhook(const std::string& body, const std::string& signatureHeader) {
  partner::requireWebhookSignature(impl_->settings.webhookSecret, body, signatureHeader, kPeer);
  return impl_->statusFrom(partner::Json::parse(*impl_->http, body, "the notification"), {}, {});
}

}  // namespace kyso::pki
