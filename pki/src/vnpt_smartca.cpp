#include "kyso/pki/vnpt_smartca.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "kyso/error.h"
#include "partner_rest.h"
#include "vnpt_smartca_impl.h"

namespace kyso::pki {

using namespace smartca;

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
