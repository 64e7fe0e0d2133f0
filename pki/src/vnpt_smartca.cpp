#include "kyso/pki/vnpt_smartca.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "kyso/error.h"
#include "partner_rest.h"

namespace kyso::pki {

namespace {

const std::string kAdapter = "vnpt-smartca";
const std::string kPeer = "VNPT SmartCA";

// Envelope codes.
constexpr std::int64_t kOk = 0;
constexpr std::int64_t kBadInput = 30000;
constexpr std::int64_t kInternal = 50000;
constexpr std::int64_t kCredentialUnknown = 60000;
constexpr std::int64_t kQuotaExhausted = 65000;

std::string stringify(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

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
    const std::string body = stringify(request);
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
    if (reply.code == kOk) {
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
      case kBadInput:
        throw InputError("partner_refused_request", kPeer + " refused the request: " + reply.words);
      case kCredentialUnknown:
        throw NotFoundError(notFoundCode, notFoundMessage);
      case kInternal:
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
    if (reply.code != kOk) {
      refuse(reply, path, "partner_credential_unknown", kPeer + " knows no credential '" + credentialId + "'");
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

VnptSmartCaSettings::Grant VnptSmartCa::parseGrant(std::string_view name) {
  if (name == "client_credentials") return VnptSmartCaSettings::Grant::ClientCredentials;
  if (name == "password") return VnptSmartCaSettings::Grant::Password;
  throw InputError("config_invalid", kAdapter + ": grant must be client_credentials or password");
}

VnptSmartCa::VnptSmartCa(VnptSmartCaSettings settings, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), clock)) {
  auto& s = impl_->settings;
  partner::fillFromSecretsFile(
      kAdapter, s.secretsFile,
      {{"client_secret", &s.clientSecret}, {"password", &s.password}, {"webhook_secret", &s.webhookSecret}});
  const auto require = [](bool ok, const std::string& what) {
    if (!ok) throw InputError("config_invalid", kAdapter + ": " + what);
  };
  require(!s.clientId.empty(), "client_id is required");
  require(!s.clientSecret.empty(), "client_secret is required (in the settings or the secrets file)");
  if (s.grant == VnptSmartCaSettings::Grant::Password) {
    require(!s.username.empty() && !s.password.empty(), "the password grant needs username and password");
  }
  require(s.notifyUrl.empty() || s.notifyUrl.starts_with("https://") || s.notifyUrl.starts_with("http://"),
          "notify_url must be an http:// or https:// URL");
  impl_->http = std::make_unique<partner::PartnerHttp>(
      partner::Endpoint{kAdapter, kPeer, s.baseUrl, s.connectTimeout, s.readTimeout},
      std::vector<std::string>{s.clientSecret, s.password, s.webhookSecret});
}

VnptSmartCa::~VnptSmartCa() = default;

std::vector<RemoteCredential> VnptSmartCa::credentials(const std::string& userId) {
  if (userId.empty()) throw InputError("invalid_remote_sign_request", "the user id is required");
  Poco::JSON::Object request(Poco::JSON_PRESERVE_KEY_ORDER);
  request.set("userId", userId);
  const std::string path = "/csc/credentials/list";
  Impl::Reply reply = impl_->call(path, request);
  if (reply.code != kOk) impl_->refuse(reply, path, "partner_user_unknown", kPeer + " knows no such user");
  std::vector<RemoteCredential> out;
  for (const auto& id : reply.content->array()) {
    RemoteCredential credential;
    credential.id = id.string();
    if (credential.id.empty()) id.fail("is empty");
    credential.chain = partner::decodeChain(impl_->credentialInfo(credential.id)["cert"]["certificates"]);
    out.push_back(std::move(credential));
  }
  return out;
}

RemoteSignStatus VnptSmartCa::submit(const RemoteSignRequest& request) {
  partner::requireSignRequest(request, kMaxDigests);
  if (request.digestAlgorithm != DigestAlgorithm::Sha256) {
    throw InputError("unsupported_digest", kPeer + " signs SHA-256 digests only");
  }
  RemoteSignStatus status;
  const auto cert = impl_->credentialInfo(request.credentialId)["cert"];
  if (const auto certStatus = cert.find("status")) {
    // CSC's certificate states (§11.5); "valid" and states we do not know go ahead.
    const std::string state = lower(certStatus->string());
    if (state == "revoked" || state == "expired" || state == "suspended") {
      status.state = RemoteSignState::CredentialRevoked;
      status.message = kPeer + " lists the certificate as " + state;
      return status;
    }
  }

  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("credentialId", request.credentialId);
  body.set("refTranId", request.reference);
  if (!impl_->settings.notifyUrl.empty()) body.set("notifyUrl", impl_->settings.notifyUrl);
  body.set("description", request.description.empty() ? request.reference : request.description);
  Poco::JSON::Array datas;
  for (std::size_t i = 0; i < request.digests.size(); ++i) {
    Poco::JSON::Object data(Poco::JSON_PRESERVE_KEY_ORDER);
    data.set("name", request.digests.size() == 1 ? request.reference : request.reference + "-" + std::to_string(i + 1));
    data.set("hash", toBase64(request.digests[i]));
    datas.add(data);
  }
  body.set("datas", datas);
  const std::string path = "/csc/signature/signhash";
  Impl::Reply reply = impl_->call(path, body);
  if (reply.code == kQuotaExhausted) {
    status.state = RemoteSignState::QuotaExhausted;
    status.message = reply.words;
    return status;
  }
  if (reply.code != kOk) {
    impl_->refuse(reply, path, "partner_credential_unknown",
                  kPeer + " knows no credential '" + request.credentialId + "'");
  }
  const auto tranId = (*reply.content)["tranId"];
  status.transactionId = tranId.string();
  if (status.transactionId.empty()) tranId.fail("is empty");
  status.state = RemoteSignState::Waiting;
  return status;
}

RemoteSignStatus VnptSmartCa::status(const std::string& /*userId: the service token sees all*/,
                                     const std::string& transactionId) {
  if (transactionId.empty()) throw InputError("invalid_remote_sign_request", "the transaction id is required");
  Poco::JSON::Object body;
  body.set("tranId", transactionId);
  const std::string path = "/csc/credentials/gettraninfo";
  Impl::Reply reply = impl_->call(path, body);
  if (reply.code != kOk) {
    impl_->refuse(reply, path, "partner_transaction_unknown", kPeer + " knows no transaction '" + transactionId + "'");
  }
  return impl_->statusFrom(*reply.content, transactionId, reply.token);
}

RemoteSignStatus VnptSmartCa::parseWebhook(const std::string& body, const std::string& signatureHeader) {
  partner::requireWebhookSignature(impl_->settings.webhookSecret, body, signatureHeader, kPeer);
  return impl_->statusFrom(partner::Json::parse(*impl_->http, body, "the notification"), {}, {});
}

}  // namespace kyso::pki
