// What the partners' REST adapters (VNPT SmartCA, Viettel MySign) share: one HTTP(S) exchange with
// connect and read timeouts, a strict reader for the partners' JSON, bearer tokens cached until
// shortly before they expire, the secrets file, webhook authentication and the CMS check.
//
// Every failure to get a usable answer is UnavailableError("partner_unavailable") with a fixed
// message and the specifics in the detail (for the log). Neither ever holds a secret: partner text
// quoted in a detail goes through scrub(), which blanks every secret the adapter knows and the
// token of the call, in case a partner echoes a request back.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/remote_signer.h"

namespace kyso::pki::partner {

struct Endpoint {
  std::string adapterName;  // "vnpt-smartca": prefixes configuration errors
  std::string peerName;     // "VNPT SmartCA": in messages
  std::string baseUrl;      // http(s)://host[:port][/prefix], no trailing slash
  std::chrono::milliseconds connectTimeout{5'000};
  std::chrono::milliseconds readTimeout{30'000};
  std::size_t maxAnswerBytes = 1u << 20;
};

struct Answer {
  int status = 0;
  std::string body;
};

class PartnerHttp {
 public:
  // Checks the endpoint (InputError("config_invalid")); `secrets` are blanked from every detail.
  PartnerHttp(Endpoint endpoint, std::vector<std::string> secrets);
  ~PartnerHttp();
  PartnerHttp(const PartnerHttp&) = delete;
  PartnerHttp& operator=(const PartnerHttp&) = delete;

  // POSTs `body` to baseUrl + path, with "Authorization: Bearer <token>" when a token is given.
  // Any HTTP status is returned. Throws partner_unavailable when the partner cannot be reached,
  // does not answer within the timeouts (each read within readTimeout, the whole answer within
  // connectTimeout + 2 * readTimeout) or answers more than maxAnswerBytes.
  Answer post(const std::string& path, const std::string& contentType, const std::string& body,
              const std::string& bearerToken = {}) const;

  [[noreturn]] void unavailable(const std::string& detail, const std::string& token = {}) const;
  // The partner refuses kyso's client credentials: kyso's configuration, so a retry after it is
  // fixed succeeds (Unavailable, as for the cmp connector).
  [[noreturn]] void unauthorized(const std::string& detail, const std::string& token = {}) const;
  // Partner text made fit for a message or a detail: secrets blanked, control characters
  // replaced, at most 300 bytes.
  std::string scrub(std::string text, const std::string& token = {}) const;

  const Endpoint& endpoint() const { return endpoint_; }
  const std::string& peerName() const { return endpoint_.peerName; }

 private:
  Endpoint endpoint_;
  std::vector<std::string> secrets_;
};

// A value in a partner's JSON answer with its path ("content.tranStatus") for details. Accessors
// that meet a missing or mistyped value throw partner_unavailable; nothing here crashes on input.
class Json {
 public:
  static Json parse(const PartnerHttp& http, const std::string& text, const std::string& what,
                    const std::string& token = {});

  bool isObject() const;
  bool isArray() const;
  bool isNull() const { return value_.isEmpty(); }
  // A member of an object: throws when absent or null.
  Json operator[](const std::string& key) const;
  // Absent or null: nullopt.
  std::optional<Json> find(const std::string& key) const;

  std::string string() const;
  std::int64_t integer() const;
  bool boolean() const;
  std::vector<Json> array() const;
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const std::string& problem) const;

 private:
  Json(const PartnerHttp& http, Poco::Dynamic::Var value, std::string path, std::string what);
  const PartnerHttp* http_;
  Poco::Dynamic::Var value_;
  std::string path_;
  std::string what_;
};

// Bearer tokens by key (a user id, or "" for a service token), kept until a margin before their
// expiry (a tenth of the lifetime, at most a minute). Thread-safe; bounded.
class TokenCache {
 public:
  std::optional<std::string> find(const std::string& key, TimePoint now);
  void store(const std::string& key, std::string token, std::chrono::seconds lifetime, TimePoint now);
  // Forgets `token` under `key` if it is still the cached one (a 401 answered it).
  void drop(const std::string& key, const std::string& token);
  ~TokenCache();

 private:
  struct Entry {
    std::string token;
    TimePoint refreshAt;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

// An OAuth2-style token answer ({access_token, token_type, expires_in}, RFC 6749 §5.1).
struct IssuedToken {
  std::string token;
  std::chrono::seconds lifetime{0};
};
IssuedToken readTokenAnswer(const Json& answer);

// The words of an OAuth2 error answer ("invalid_client: ..." from {error, error_description},
// RFC 6749 §5.2), scrubbed; empty when the body is not one. Never throws.
std::string oauthErrorWords(const PartnerHttp& http, const std::string& body);

// application/x-www-form-urlencoded (RFC 6749 §4.4.2, §4.3.2).
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);

// "name = value" lines, '#' comments; only `allowed` names. Throws InputError("config_invalid")
// without quoting a value (or a line that may be one), or file_unreadable / file_too_large.
std::map<std::string, std::string> readSecretsFile(const std::string& adapterName, const std::string& path,
                                                   const std::set<std::string>& allowed);

// Fills each of `slots` (name → setting) that is still empty from the secrets file at `path`
// (nothing when `path` is empty); the values read are wiped. Throws as readSecretsFile.
void fillFromSecretsFile(const std::string& adapterName, const std::string& path,
                         const std::map<std::string, std::string*>& slots);

// Base64 (line breaks allowed) or partner_unavailable.
Bytes decodeBase64(const Json& value);
// A certificate as base64 DER or PEM; partner_unavailable when it is neither.
Certificate decodeCertificate(const Json& value);
// Leaf first (the first one the partner lists), then the CAs that chain it; the others dropped.
CertificateChain decodeChain(const Json& certificates);

// DER ContentInfo whose contentType is id-signedData (RFC 5652 §3, §5.1): a whole CMS rather than a
// bare signature value.
bool isCmsSignedData(ByteView der);
// Signed with the values of the array `values` (base64, non-empty), `cms` when all are CMS; a
// mixture is partner_unavailable.
void setSignatures(RemoteSignStatus& status, const Json& values);

// Checks a webhook's signature header: HMAC-SHA256 (RFC 2104) of the raw body under the shared
// webhook secret, in hex (either case), optionally prefixed "sha256=". Constant-time comparison.
// An empty secret refuses every webhook. Throws AccessError("partner_webhook_unauthenticated").
void requireWebhookSignature(const std::string& secret, const std::string& body, const std::string& header,
                             const std::string& peerName);

// Request checks shared by both adapters, before anything is sent: InputError("invalid_remote_sign_request")
// and InputError("invalid_digest").
void requireSignRequest(const RemoteSignRequest& request, std::size_t maxDigests);

}  // namespace kyso::pki::partner
