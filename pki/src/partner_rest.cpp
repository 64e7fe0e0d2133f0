#include "partner_rest.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <string_view>

#include "http_session.h"
#include "kyso/error.h"
#include "kyso/files.h"
#include "kyso/pki/digest.h"

namespace kyso::pki::partner {

namespace {

constexpr std::size_t kScrubCap = 300;
constexpr std::size_t kSecretsFileCap = 64u << 10;
constexpr std::size_t kTokensKept = 10'000;
// A token answer without expires_in is trusted for five minutes; none for more than a day.
constexpr std::chrono::seconds kDefaultTokenLifetime{300};
constexpr std::chrono::seconds kMaxTokenLifetime{24 * 3600};
constexpr std::size_t kMaxReference = 128;
constexpr std::size_t kMaxDescription = 500;
// The partners' answers nest three or four levels.
constexpr std::size_t kJsonDepth = 32;

Poco::Timespan timespan(std::chrono::milliseconds duration) {
  return Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(duration).count());
}

std::string trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return std::string(text);
}

bool isPlainName(std::string_view name) {
  return !name.empty() && name.size() <= 40 &&
         std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

void replaceAll(std::string& text, const std::string& what, std::string_view with) {
  if (what.empty()) return;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

}  // namespace

// --- PartnerHttp -------------------------------------------------------------------------------

PartnerHttp::PartnerHttp(Endpoint endpoint, std::vector<std::string> secrets) : endpoint_(std::move(endpoint)) {
  const std::string prefix = endpoint_.adapterName + ": ";
  while (endpoint_.baseUrl.ends_with('/')) endpoint_.baseUrl.pop_back();
  Poco::URI uri;
  try {
    uri = Poco::URI(endpoint_.baseUrl);
  } catch (const Poco::Exception&) {
    throw InputError("config_invalid", prefix + "base_url is not a URL");
  }
  if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty()) {
    throw InputError("config_invalid", prefix + "base_url must be an http:// or https:// URL with a host");
  }
  if (!uri.getUserInfo().empty() || !uri.getRawQuery().empty() || !uri.getFragment().empty()) {
    // Credentials in a URL end up in logs; the secrets have their own settings.
    throw InputError("config_invalid", prefix + "base_url must have no credentials, query or fragment");
  }
  if (endpoint_.connectTimeout.count() <= 0 || endpoint_.readTimeout.count() <= 0) {
    throw InputError("config_invalid", prefix + "timeouts must be positive");
  }
  for (auto& secret : secrets) {
    if (!secret.empty()) secrets_.push_back(std::move(secret));
  }
}

PartnerHttp::~PartnerHttp() {
  for (auto& secret : secrets_) wipe(secret);
}

std::string PartnerHttp::scrub(std::string text, const std::string& token) const {
  for (const auto& secret : secrets_) replaceAll(text, secret, "[secret]");
  replaceAll(text, token, "[token]");
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (text.size() > kScrubCap) {
    std::size_t cut = kScrubCap;
    // Never split a UTF-8 sequence: back off continuation bytes (10xxxxxx).
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    text += "...";
  }
  return text;
}

void PartnerHttp::unavailable(const std::string& detail, const std::string& token) const {
  throw UnavailableError("partner_unavailable",
                         endpoint_.peerName + " cannot be reached or gave no usable answer; try again later",
                         scrub(endpoint_.peerName + ": " + detail, token));
}

void PartnerHttp::unauthorized(const std::string& detail, const std::string& token) const {
  throw UnavailableError("partner_unauthorized",
                         endpoint_.peerName + " does not accept kyso's client credentials; check the configuration",
                         scrub(endpoint_.peerName + ": " + detail, token));
}

Answer PartnerHttp::post(const std::string& path, const std::string& contentType, const std::string& body,
                         const std::string& bearerToken) const {
  const Poco::URI uri(endpoint_.baseUrl + path);
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + endpoint_.connectTimeout + 2 * endpoint_.readTimeout;
  try {
    const auto session = openHttpSession(uri);
    // Each call on its own connection: calls are minutes apart (the citizen confirms on a phone).
    session->setKeepAlive(false);
    session->setTimeout(timespan(endpoint_.connectTimeout), timespan(endpoint_.readTimeout),
                        timespan(endpoint_.readTimeout));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType(contentType);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set("Accept", "application/json");
    if (!bearerToken.empty()) request.set("Authorization", "Bearer " + bearerToken);
    std::ostream& out = session->sendRequest(request);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));

    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    Answer answer;
    answer.status = static_cast<int>(response.getStatus());
    std::array<char, 16384> buffer{};
    while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
      answer.body.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
      if (answer.body.size() > endpoint_.maxAnswerBytes) {
        unavailable(path + ": answer larger than " + std::to_string(endpoint_.maxAnswerBytes) + " bytes", bearerToken);
      }
      // A partner that drips its answer byte by byte never trips the per-read timeout.
      if (std::chrono::steady_clock::now() > deadline) unavailable(path + ": answer too slow", bearerToken);
    }
    return answer;
  } catch (const Poco::TimeoutException&) {
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    unavailable(path + ": no answer from " + uri.getHost() + " within " + std::to_string(waited.count()) + " ms",
                bearerToken);
  } catch (const Poco::Exception& e) {
    unavailable(path + ": cannot reach " + uri.getHost() + ": " + e.displayText(), bearerToken);
  } catch (const std::ios_base::failure& e) {
    unavailable(path + ": cannot reach " + uri.getHost() + ": " + e.what(), bearerToken);
  }
}

// --- Json --------------------------------------------------------------------------------------

Json::Json(const PartnerHttp& http, Poco::Dynamic::Var value, std::string path, std::string what)
    : http_(&http), value_(std::move(value)), path_(std::move(path)), what_(std::move(what)) {}

Json Json::parse(const PartnerHttp& http, const std::string& text, const std::string& what, const std::string& token) {
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(kJsonDepth);
    return Json(http, parser.parse(text), "", what);
  } catch (const Poco::Exception& e) {
    http.unavailable(what + " is not JSON (" + e.displayText() + ")", token);
  } catch (const std::exception& e) {
    http.unavailable(what + " is not JSON (" + e.what() + ")", token);
  }
}

void Json::fail(const std::string& problem) const {
  http_->unavailable(what_ + ": " + (path_.empty() ? std::string("the body") : "'" + path_ + "'") + " " + problem);
}

bool Json::isObject() const {
  return value_.type() == typeid(Poco::JSON::Object::Ptr);
}

bool Json::isArray() const {
  return value_.type() == typeid(Poco::JSON::Array::Ptr);
}

std::optional<Json> Json::find(const std::string& key) const {
  if (!isObject()) fail("is not an object");
  const auto object = value_.extract<Poco::JSON::Object::Ptr>();
  if (object.isNull() || !object->has(key)) return std::nullopt;
  Poco::Dynamic::Var member = object->get(key);
  if (member.isEmpty()) return std::nullopt;
  return Json(*http_, std::move(member), path_.empty() ? key : path_ + "." + key, what_);
}

Json Json::operator[](const std::string& key) const {
  auto member = find(key);
  if (!member) Json(*http_, {}, path_.empty() ? key : path_ + "." + key, what_).fail("is missing");
  return std::move(*member);
}

std::string Json::string() const {
  if (!value_.isString()) fail("is not a string");
  return value_.extract<std::string>();
}

std::int64_t Json::integer() const {
  // Poco counts a bool as an integer; JSON does not.
  if (value_.isBoolean() || !value_.isInteger()) fail("is not an integer");
  try {
    return value_.convert<std::int64_t>();
  } catch (const Poco::Exception&) {
    fail("is out of range");
  }
}

bool Json::boolean() const {
  if (!value_.isBoolean()) fail("is not true or false");
  return value_.extract<bool>();
}

std::vector<Json> Json::array() const {
  if (!isArray()) fail("is not an array");
  const auto items = value_.extract<Poco::JSON::Array::Ptr>();
  std::vector<Json> out;
  if (items.isNull()) return out;
  out.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    out.push_back(Json(*http_, items->get(static_cast<unsigned>(i)), path_ + "[" + std::to_string(i) + "]", what_));
  }
  return out;
}

// --- Tokens ------------------------------------------------------------------------------------

std::optional<std::string> TokenCache::find(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end() || now >= it->second.refreshAt) return std::nullopt;
  return it->second.token;
}

void TokenCache::store(const std::string& key, std::string token, std::chrono::seconds lifetime, TimePoint now) {
  const std::chrono::seconds margin = std::min<std::chrono::seconds>(lifetime / 10, std::chrono::seconds(60));
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kTokensKept) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (now < it->second.refreshAt) {
        ++it;
      } else {
        wipe(it->second.token);
        it = entries_.erase(it);
      }
    }
    if (entries_.size() >= kTokensKept) {
      wipe(entries_.begin()->second.token);
      entries_.erase(entries_.begin());
    }
  }
  auto& entry = entries_[key];
  wipe(entry.token);
  entry.token = std::move(token);
  entry.refreshAt = now + lifetime - margin;
}

void TokenCache::drop(const std::string& key, const std::string& token) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it != entries_.end() && it->second.token == token) {
    wipe(it->second.token);
    entries_.erase(it);
  }
}

TokenCache::~TokenCache() {
  for (auto& [key, entry] : entries_) wipe(entry.token);
}

IssuedToken readTokenAnswer(const Json& answer) {
  IssuedToken issued;
  issued.token = answer["access_token"].string();
  if (issued.token.empty()) answer["access_token"].fail("is empty");
  if (const auto type = answer.find("token_type")) {
    std::string name = type->string();
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name != "bearer") type->fail("is not Bearer");  // RFC 6750; the value is not a secret
  }
  issued.lifetime = kDefaultTokenLifetime;
  if (const auto expiresIn = answer.find("expires_in")) {
    const std::int64_t seconds = expiresIn->integer();
    if (seconds <= 0) expiresIn->fail("is not positive");
    issued.lifetime = std::min(std::chrono::seconds(seconds), kMaxTokenLifetime);
  }
  return issued;
}

std::string oauthErrorWords(const PartnerHttp& http, const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(kJsonDepth);
    const Poco::Dynamic::Var value = parser.parse(body);
    if (value.type() != typeid(Poco::JSON::Object::Ptr)) return {};
    const auto object = value.extract<Poco::JSON::Object::Ptr>();
    std::string words;
    for (const char* key : {"error", "error_description"}) {
      if (object->has(key) && object->get(key).isString()) {
        if (!words.empty()) words += ": ";
        words += object->get(key).extract<std::string>();
      }
    }
    return http.scrub(words);
  } catch (const std::exception&) {
    return {};
  }
}

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    Poco::URI::encode(name, "!#$&'()*+,/:;=?@[]", out);
    out += '=';
    Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]", out);
  }
  return out;
}

std::map<std::string, std::string> readSecretsFile(const std::string& adapterName, const std::string& path,
                                                   const std::set<std::string>& allowed) {
  std::string text = readFile(path, kSecretsFileCap);
  const std::string where = adapterName + ": secrets file " + path;
  std::map<std::string, std::string> secrets;
  std::size_t lineNumber = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++lineNumber;
    const std::string trimmed = trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    const std::size_t equals = trimmed.find('=');
    const std::string at = ", line " + std::to_string(lineNumber);
    // Never quote a value, nor a line that might be one (a secret pasted without a name).
    if (equals == std::string::npos) {
      wipe(text);
      throw InputError("config_invalid", where + at + " is not 'name = value'");
    }
    const std::string name = trim(std::string_view(trimmed).substr(0, equals));
    std::string value = trim(std::string_view(trimmed).substr(equals + 1));
    if (!allowed.contains(name)) {
      wipe(text);
      wipe(value);
      throw InputError(
          "config_invalid",
          where + at + (isPlainName(name) ? " names an unknown secret '" + name + "'" : " names an unknown secret"));
    }
    if (value.empty() || secrets.contains(name)) {
      wipe(text);
      wipe(value);
      throw InputError("config_invalid", where + at + (value.empty() ? " has an empty " : " repeats ") + name);
    }
    secrets[name] = std::move(value);
  }
  wipe(text);
  return secrets;
}

void fillFromSecretsFile(const std::string& adapterName, const std::string& path,
                         const std::map<std::string, std::string*>& slots) {
  if (path.empty()) return;
  std::set<std::string> allowed;
  for (const auto& [name, slot] : slots) allowed.insert(name);
  auto secrets = readSecretsFile(adapterName, path, allowed);
  for (auto& [name, value] : secrets) {
    std::string& slot = *slots.at(name);
    if (slot.empty()) slot = value;
    wipe(value);
  }
}

// --- Values ------------------------------------------------------------------------------------

Bytes decodeBase64(const Json& value) {
  const std::string text = value.string();
  Bytes out;
  try {
    out = fromBase64(text);
  } catch (const Error&) {
    value.fail("is not base64");
  }
  if (out.empty()) value.fail("is empty");
  return out;
}

Certificate decodeCertificate(const Json& value) {
  const std::string text = value.string();
  try {
    if (text.find("-----BEGIN") != std::string::npos) return Certificate::fromPem(text);
    return Certificate::fromDer(fromBase64(text));
  } catch (const Error&) {
    value.fail("is not a certificate (base64 DER or PEM)");
  }
}

CertificateChain decodeChain(const Json& certificates) {
  std::vector<Certificate> pool;
  for (const auto& item : certificates.array()) pool.push_back(decodeCertificate(item));
  if (pool.empty()) certificates.fail("is empty");
  // CSC (§11.5) lists the end-entity certificate first; the CAs may come in any order.
  return orderChain(pool.front(), pool);
}

bool isCmsSignedData(ByteView der) {
  // 1.2.840.113549.1.7.2 (id-signedData) as a DER OBJECT IDENTIFIER.
  static constexpr std::array<std::uint8_t, 11> kSignedDataOid = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                                                                  0xF7, 0x0D, 0x01, 0x07, 0x02};
  if (der.size() < 2 + kSignedDataOid.size() || der[0] != 0x30) return false;
  std::size_t at = 2;
  const std::uint8_t first = der[1];
  if (first & 0x80) {
    const std::size_t octets = first & 0x7Fu;
    if (octets > 4) return false;
    std::size_t length = 0;
    for (std::size_t i = 0; i < octets; ++i) {
      if (at >= der.size()) return false;
      length = (length << 8) | der[at++];
    }
    // octets == 0 is BER's indefinite length, which some CMS producers use.
    if (octets != 0 && length != der.size() - at) return false;
  } else if (first != der.size() - 2) {
    return false;
  }
  if (der.size() - at < kSignedDataOid.size()) return false;
  return std::equal(kSignedDataOid.begin(), kSignedDataOid.end(), der.begin() + static_cast<std::ptrdiff_t>(at));
}

void setSignatures(RemoteSignStatus& status, const Json& values) {
  status.state = RemoteSignState::Signed;
  status.signatures.clear();
  std::size_t cms = 0;
  for (const auto& value : values.array()) {
    status.signatures.push_back(decodeBase64(value));
    if (isCmsSignedData(status.signatures.back())) ++cms;
  }
  if (status.signatures.empty()) values.fail("is empty although the transaction is signed");
  if (cms != 0 && cms != status.signatures.size()) values.fail("mixes CMS and bare signature values");
  status.cms = cms != 0;
}

void requireWebhookSignature(const std::string& secret, const std::string& body, const std::string& header,
                             const std::string& peerName) {
  const auto refuse = [&](const std::string& why) {
    throw AccessError(ErrorKind::Unauthenticated, "partner_webhook_unauthenticated",
                      "the " + peerName + " notification is not authenticated: " + why);
  };
  if (secret.empty()) refuse("no webhook secret is configured");
  std::string_view value = header;
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.size() > 7 && (value.substr(0, 7) == "sha256=" || value.substr(0, 7) == "SHA256=")) value.remove_prefix(7);
  if (value.size() != 64) refuse("no HMAC-SHA256 signature");
  Bytes given;
  try {
    given = fromHex(value);
  } catch (const Error&) {
    refuse("no HMAC-SHA256 signature");
  }
  if (!constantTimeEquals(given, hmacSha256(asBytes(secret), asBytes(body)))) refuse("the signature does not verify");
}

void requireSignRequest(const RemoteSignRequest& request, std::size_t maxDigests) {
  const auto invalid = [](const std::string& why) { throw InputError("invalid_remote_sign_request", why); };
  if (request.userId.empty()) invalid("the user id is required");
  if (request.credentialId.empty()) invalid("the credential id is required");
  if (request.reference.empty() || request.reference.size() > kMaxReference) {
    invalid("the reference must have 1 to " + std::to_string(kMaxReference) + " bytes");
  }
  if (request.description.size() > kMaxDescription) {
    invalid("the description must have at most " + std::to_string(kMaxDescription) + " bytes");
  }
  if (request.digests.empty() || request.digests.size() > maxDigests) {
    invalid("a request signs 1 to " + std::to_string(maxDigests) + " digests");
  }
  for (const auto& d : request.digests) {
    if (d.size() != digestSize(request.digestAlgorithm)) {
      throw InputError("invalid_digest", "a " + std::string(digestName(request.digestAlgorithm)) + " digest has " +
                                             std::to_string(digestSize(request.digestAlgorithm)) + " bytes");
    }
  }
}

}  // namespace kyso::pki::partner
