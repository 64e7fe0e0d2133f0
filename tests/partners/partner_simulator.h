// A partner's remote-signing service, simulated inside the test process: a Poco HTTPServer on an
// ephemeral port whose routes the tests script (answers, HTTP statuses, delays) and which records
// every request for the tests to check (headers, bodies, hash values). The partner models built on
// it sign with the development PKI's keys, as the partner's HSM would with the citizen's key.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/signing_key.h"

namespace kyso::test {

struct SimRequest {
  std::string path;
  std::string contentType;
  std::string authorization;
  std::string body;
};

struct SimAnswer {
  int status = 200;
  std::string body;
  std::string contentType = "application/json";
  // Waited before answering; cut short when the simulator is reset or stops.
  std::chrono::milliseconds delay{0};
};

class PartnerSimulator {
 public:
  using Route = std::function<SimAnswer(const SimRequest&)>;

  PartnerSimulator();
  ~PartnerSimulator();
  PartnerSimulator(const PartnerSimulator&) = delete;
  PartnerSimulator& operator=(const PartnerSimulator&) = delete;

  // http://127.0.0.1:<port> followed by `prefix`.
  std::string baseUrl(const std::string& prefix = {}) const;
  // Routes answer POSTs by path (the prefix included); anything else is 404. Routes run one at a
  // time, so they may keep state without locks.
  void route(const std::string& path, Route route);
  // The next request to `path` gets `answer` instead of its route (queued, once each).
  void script(const std::string& path, SimAnswer answer);
  // Forgets routes, scripts and requests, and cuts short the delays under way: one simulator
  // serves a whole suite (stopping a Poco server takes a quarter of a second).
  void reset();
  // The requests to `path` so far (every path when empty).
  std::vector<SimRequest> requests(const std::string& path = {}) const;
  std::size_t count(const std::string& path) const { return requests(path).size(); }

 private:
  struct State;
  class Handler;
  class Factory;
  std::shared_ptr<State> state_;
  Poco::ThreadPool pool_;
  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// Helpers for the partner models.
Poco::JSON::Object::Ptr parseObject(const std::string& json);
std::string stringify(const Poco::JSON::Object::Ptr& object);
// Base64 broken into lines of 64 characters with CRLF, as some partners send it.
std::string base64WithLineBreaks(ByteView data);
// The values of a form body (application/x-www-form-urlencoded).
std::map<std::string, std::string> parseForm(const std::string& body);
// What the partners' HSMs produce for a digest: a bare PKCS#1 v1.5 value, or a whole CMS
// SignedData (detached, over the digest as content) signed with the same key.
Bytes signBare(const pki::SigningCredential& credential, ByteView digest,
               pki::DigestAlgorithm algorithm = pki::DigestAlgorithm::Sha256);
Bytes signCms(const pki::SigningCredential& credential, ByteView digest);
// The other CMS form partners answer with: a SignedData without signed attributes that packages
// the bare PKCS#1 v1.5 value over `digest` (SHA-256) with the signer's certificate.
Bytes signCmsOverDigest(const pki::SigningCredential& credential, ByteView digest);
// A partner that answers a whole CMS over attributes of its own (partners.<name>.answer = cms):
// what it puts in, and the ways it can answer wrong.
struct WholeCmsOptions {
  bool signingCertificateV2 = true;                         // ESS signing-certificate-v2 naming the signer
  bool signingTime = true;                                  // a signing-time attribute (PAdES baseline forbids it)
  const pki::SigningCredential* signer = nullptr;           // another key and certificate than the credential's
  bool otherDigest = false;                                 // message-digest over something else than the hash given
  bool attached = false;                                    // the hash given encapsulated as content
  bool brokenSignature = false;                             // one bit of the signature value flipped
  std::size_t unsignedBytes = 0;                            // an unsigned attribute of this size (revocation values)
  std::string signatureAlgorithm = "1.2.840.113549.1.1.1";  // the SignerInfo's, as an OID (rsaEncryption)
  std::string extraSignedAttribute = {};                    // a signed attribute of this OID, when not empty
  bool essNamesIssuer = false;  // signing-certificate-v2 naming the issuing CA's certificate, not the signer's
};
// A detached SignedData whose one SignerInfo signs content-type id-data, message-digest = `digest`
// (SHA-256) and the attributes `options` asks for, with the credential's certificate inside.
Bytes signCmsWhole(const pki::SigningCredential& credential, ByteView digest, const WholeCmsOptions& options = {});
// Lower-case hex HMAC-SHA256 of `body`: the webhook signature header.
std::string webhookSignature(const std::string& secret, const std::string& body);

}  // namespace kyso::test
