#include "partner_simulator.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include <openssl/pkcs7.h>

#include "kyso/numeric.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/software_key.h"

namespace kyso::test {

struct PartnerSimulator::State {
  std::recursive_mutex mutex;  // held while a route runs
  std::map<std::string, Route> routes;
  std::map<std::string, std::deque<SimAnswer>> scripts;
  std::vector<SimRequest> requests;

  std::mutex delayMutex;
  std::condition_variable delayCut;
  std::uint64_t generation = 0;  // a reset or the stop cuts the delays of earlier generations
};

class PartnerSimulator::Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(std::shared_ptr<State> state) : state_(std::move(state)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    SimRequest r;
    r.path = Poco::URI(request.getURI()).getPath();
    r.contentType = request.getContentType();
    r.authorization = request.get("Authorization", "");
    Poco::StreamCopier::copyToString(request.stream(), r.body);
    SimAnswer answer{404, R"({"error":"not_found"})"};
    std::uint64_t generation = 0;
    {
      std::lock_guard delayLock(state_->delayMutex);
      generation = state_->generation;
    }
    {
      std::lock_guard lock(state_->mutex);
      state_->requests.push_back(r);
      auto& script = state_->scripts[r.path];
      if (!script.empty()) {
        answer = script.front();
        script.pop_front();
      } else if (const auto route = state_->routes.find(r.path);
                 route != state_->routes.end() && request.getMethod() == "POST") {
        answer = route->second(r);
      }
    }
    if (answer.delay.count() > 0) {
      std::unique_lock lock(state_->delayMutex);
      state_->delayCut.wait_for(lock, answer.delay, [&] { return state_->generation != generation; });
    }
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    response.setContentType(answer.contentType);
    response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
    response.send() << answer.body;
  }

 private:
  std::shared_ptr<State> state_;
};

class PartnerSimulator::Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(std::shared_ptr<State> state) : state_(std::move(state)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(state_);
  }

 private:
  std::shared_ptr<State> state_;
};

PartnerSimulator::PartnerSimulator()
    : state_(std::make_shared<State>()), pool_(2, 4), socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(4);
  params->setKeepAlive(false);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state_), pool_, socket_, params);
  server_->start();
}

PartnerSimulator::~PartnerSimulator() {
  reset();
  server_->stopAll(true);
  pool_.joinAll();
}

std::string PartnerSimulator::baseUrl(const std::string& prefix) const {
  return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + prefix;
}

void PartnerSimulator::reset() {
  {
    std::lock_guard lock(state_->mutex);
    state_->routes.clear();
    state_->scripts.clear();
    state_->requests.clear();
  }
  {
    std::lock_guard lock(state_->delayMutex);
    ++state_->generation;
  }
  state_->delayCut.notify_all();
}

void PartnerSimulator::route(const std::string& path, Route route) {
  std::lock_guard lock(state_->mutex);
  state_->routes[path] = std::move(route);
}

void PartnerSimulator::script(const std::string& path, SimAnswer answer) {
  std::lock_guard lock(state_->mutex);
  state_->scripts[path].push_back(std::move(answer));
}

std::vector<SimRequest> PartnerSimulator::requests(const std::string& path) const {
  std::lock_guard lock(state_->mutex);
  std::vector<SimRequest> out;
  for (const auto& r : state_->requests) {
    if (path.empty() || r.path == path) out.push_back(r);
  }
  return out;
}

Poco::JSON::Object::Ptr parseObject(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string stringify(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

std::string base64WithLineBreaks(ByteView data) {
  const std::string flat = toBase64(data);
  std::string out;
  for (std::size_t at = 0; at < flat.size(); at += 64) {
    if (at != 0) out += "\r\n";
    out += flat.substr(at, 64);
  }
  return out;
}

std::map<std::string, std::string> parseForm(const std::string& body) {
  std::map<std::string, std::string> out;
  std::istringstream in(body);
  std::string pair;
  while (std::getline(in, pair, '&')) {
    const auto equals = pair.find('=');
    std::string name, value;
    Poco::URI::decode(pair.substr(0, equals), name);
    if (equals != std::string::npos) Poco::URI::decode(pair.substr(equals + 1), value, true);
    out[name] = value;
  }
  return out;
}

Bytes signBare(const pki::SigningCredential& credential, ByteView digest, pki::DigestAlgorithm algorithm) {
  return credential.key->signDigest(algorithm, digest);
}

Bytes signCms(const pki::SigningCredential& credential, ByteView digest) {
  EVP_PKEY* key = nullptr;
  if (const auto* lazy = dynamic_cast<const pki::LazyPemKey*>(credential.key.get())) key = lazy->get()->get();
  if (const auto* soft = dynamic_cast<const pki::SoftwareKey*>(credential.key.get())) key = soft->get();
  if (key == nullptr) throw std::logic_error("signCms needs a software key");
  auto content = ossl::own(BIO_new_mem_buf(digest.data(), checkedCast<int>(digest.size())), "BIO_new_mem_buf");
  auto cms = ossl::own(CMS_sign(credential.certificate().get(), key, nullptr, content.get(), CMS_BINARY | CMS_DETACHED),
                       "CMS_sign");
  return ossl::toDer(i2d_CMS_ContentInfo, cms.get(), "i2d_CMS_ContentInfo");
}

Bytes signCmsOverDigest(const pki::SigningCredential& credential, ByteView digest) {
  EVP_PKEY* key = nullptr;
  if (const auto* lazy = dynamic_cast<const pki::LazyPemKey*>(credential.key.get())) key = lazy->get()->get();
  if (const auto* soft = dynamic_cast<const pki::SoftwareKey*>(credential.key.get())) key = soft->get();
  if (key == nullptr) throw std::logic_error("signCmsOverDigest needs a software key");
  auto cms =
      ossl::own(CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY), "CMS_sign");
  CMS_SignerInfo* signer =
      CMS_add1_signer(cms.get(), credential.certificate().get(), key, EVP_sha256(), CMS_NOATTR | CMS_PARTIAL);
  ossl::check(signer, "CMS_add1_signer");  // owned by the CMS
  // No signed attributes: the value is over the content's digest, which the partner got as such.
  const Bytes value = credential.key->signDigest(pki::DigestAlgorithm::Sha256, digest);
  ossl::check(ASN1_STRING_set(CMS_SignerInfo_get0_signature(signer), value.data(), checkedCast<int>(value.size())),
              "ASN1_STRING_set");
  return ossl::toDer(i2d_CMS_ContentInfo, cms.get(), "i2d_CMS_ContentInfo");
}

Bytes signCmsWhole(const pki::SigningCredential& credential, ByteView digest, const WholeCmsOptions& options) {
  const pki::SigningCredential& with = options.signer != nullptr ? *options.signer : credential;
  const X509* certificate = with.certificate().get();
  auto cms =
      ossl::own(CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY), "CMS_sign");
  // CMS_PARTIAL: the SignerInfo is set up and signed below, over the given hash as message-digest
  // (CMS_sign would hash content itself, and CMS_SignerInfo_sign always adds a signing-time). The
  // certificate's public key stands in for the private key, which the partner's HSM holds.
  CMS_SignerInfo* signer =
      CMS_add1_signer(cms.get(), const_cast<X509*>(certificate), with.certificate().publicKey(), EVP_sha256(),
                      CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP | (options.signingCertificateV2 ? CMS_CADES : 0));
  ossl::check(signer, "CMS_add1_signer");  // owned by the CMS
  X509_ALGOR* signatureAlgorithm = nullptr;
  CMS_SignerInfo_get0_algs(signer, nullptr, nullptr, nullptr, &signatureAlgorithm);
  ossl::check(
      X509_ALGOR_set0(signatureAlgorithm, ossl::check(OBJ_txt2obj(options.signatureAlgorithm.c_str(), 1), "OID"),
                      V_ASN1_NULL, nullptr),
      "X509_ALGOR_set0");
  ossl::check(
      CMS_signed_add1_attr_by_NID(signer, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1),
      "content-type");
  Bytes messageDigest(digest.begin(), digest.end());
  if (options.otherDigest) messageDigest = pki::sha256(messageDigest);
  ossl::check(CMS_signed_add1_attr_by_NID(signer, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, messageDigest.data(),
                                          checkedCast<int>(messageDigest.size())),
              "message-digest");
  if (options.signingTime) {
    auto now = ossl::own(X509_gmtime_adj(nullptr, 0), "X509_gmtime_adj");
    ossl::check(CMS_signed_add1_attr_by_NID(signer, NID_pkcs9_signingTime, now->type, now.get(), -1), "signing-time");
  }
  if (options.essNamesIssuer && with.chain.size() > 1) {
    // RFC 5035: the first ESSCertIDv2 must be the signer's; this one names its issuer instead.
    auto ess = ossl::own(OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), with.chain[1].get(), nullptr, 0),
                         "OSSL_ESS_signing_cert_v2_new_init");
    const Bytes essDer = ossl::toDer(i2d_ESS_SIGNING_CERT_V2, ess.get(), "i2d_ESS_SIGNING_CERT_V2");
    auto sequence = ossl::own(ASN1_STRING_type_new(V_ASN1_SEQUENCE), "ASN1_STRING_type_new");
    ossl::check(ASN1_STRING_set(sequence.get(), essDer.data(), checkedCast<int>(essDer.size())), "ASN1_STRING_set");
    ossl::check(
        CMS_signed_add1_attr_by_NID(signer, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE, sequence.get(), -1),
        "signing-certificate-v2");
  }
  if (!options.extraSignedAttribute.empty()) {
    const Bytes value(16, 0x42);
    ossl::check(CMS_signed_add1_attr_by_txt(signer, options.extraSignedAttribute.c_str(), V_ASN1_OCTET_STRING,
                                            value.data(), checkedCast<int>(value.size())),
                "extra signed attribute");
  }
  if (options.attached) {
    ossl::check(CMS_set_detached(cms.get(), 0), "CMS_set_detached");
    ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
    ossl::check(ASN1_OCTET_STRING_set(*content, digest.data(), checkedCast<int>(digest.size())), "content");
  }
  // RFC 5652 §5.4: the value signs the DER SET OF the attributes, as OpenSSL writes them out.
  std::unique_ptr<STACK_OF(X509_ATTRIBUTE), void (*)(STACK_OF(X509_ATTRIBUTE)*)> list(
      ossl::check(sk_X509_ATTRIBUTE_new_null(), "sk_X509_ATTRIBUTE_new_null"),
      [](STACK_OF(X509_ATTRIBUTE) * l) { sk_X509_ATTRIBUTE_free(l); });  // borrowed elements
  for (int i = 0; i < CMS_signed_get_attr_count(signer); ++i) {
    ossl::check(sk_X509_ATTRIBUTE_push(list.get(), CMS_signed_get_attr(signer, i)), "sk_push");
  }
  unsigned char* attributes = nullptr;
  const int attributesSize =
      ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(list.get()), &attributes, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
  ossl::check(attributesSize, "encoding the signed attributes");
  const ossl::Buffer ownedAttributes(attributes);
  Bytes value = with.key->signDigest(pki::DigestAlgorithm::Sha256,
                                     pki::sha256(ByteView(attributes, static_cast<std::size_t>(attributesSize))));
  if (options.brokenSignature) value[value.size() / 2] ^= 0x01;
  ossl::check(ASN1_STRING_set(CMS_SignerInfo_get0_signature(signer), value.data(), checkedCast<int>(value.size())),
              "ASN1_STRING_set");
  if (options.unsignedBytes > 0) {
    // id-aa-ets-revocationValues (RFC 5126 §6.3.4), standing for the CRLs some partners put in.
    const Bytes filler(options.unsignedBytes, 0x5a);
    ossl::check(CMS_unsigned_add1_attr_by_txt(signer, "1.2.840.113549.1.9.16.2.24", V_ASN1_OCTET_STRING, filler.data(),
                                              checkedCast<int>(filler.size())),
                "unsigned attribute");
  }
  return ossl::toDer(i2d_CMS_ContentInfo, cms.get(), "i2d_CMS_ContentInfo");
}

std::string webhookSignature(const std::string& secret, const std::string& body) {
  return toHex(pki::hmacSha256(asBytes(secret), asBytes(body)));
}

}  // namespace kyso::test
