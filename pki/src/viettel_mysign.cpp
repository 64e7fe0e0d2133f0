#include "kyso/pki/viettel_mysign.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <optional>
#include <sstream>

#include "kyso/error.h"
#include "partner_rest.h"
#include "viettel_mysign_impl.h"

namespace kyso::pki {

using namespace mysign;

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
