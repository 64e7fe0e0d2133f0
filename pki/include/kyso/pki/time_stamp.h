// RFC 3161 time-stamping: the embedded time-stamping authority (served at POST /tsa), and the
// client that obtains and checks tokens from any TSA — the embedded one in-process, or a
// configured TSA URL over HTTP(S).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/software_key.h"

typedef struct pkcs7_st PKCS7;

namespace kyso::pki {

// Something that returns a time-stamp token over a digest.
class TimeStampSource {
 public:
  virtual ~TimeStampSource() = default;
  // A DER TimeStampToken (RFC 3161 §2.4.2: a CMS ContentInfo of SignedData over TSTInfo), already
  // checked against the request and the configured trust anchors.
  virtual Bytes timeStamp(DigestAlgorithm algorithm, ByteView digest) = 0;
  // Upper bound for the size of a token, for reserving room in a signature container.
  virtual std::size_t maxTokenSize() const = 0;
};

// The embedded TSA. Thread-safe: each request builds its own OpenSSL response context.
class TimeStampAuthority {
 public:
  // `chain` is the TSA certificate first (EKU timeStamping, critical), then its CAs.
  TimeStampAuthority(std::shared_ptr<const SoftwareKey> key, CertificateChain chain, std::string policyOid,
                     const Clock& clock);

  // Answers a DER TimeStampReq with a DER TimeStampResp. A malformed or unsupported request gets a
  // rejection response (PKIStatus rejection with a PKIFailureInfo), as RFC 3161 §2.4.2 asks.
  Bytes respond(ByteView requestDer) const;

  const CertificateChain& chain() const { return chain_; }
  const std::string& policyOid() const { return policyOid_; }

 private:
  std::shared_ptr<const SoftwareKey> key_;
  CertificateChain chain_;
  std::string policyOid_;
  const Clock& clock_;
};

// Carries a DER TimeStampReq to a TSA and returns its DER TimeStampResp.
using TimeStampTransport = std::function<Bytes(const Bytes& requestDer)>;

TimeStampTransport inProcessTransport(std::shared_ptr<const TimeStampAuthority> authority);
// POST application/timestamp-query over HTTP or HTTPS (system CAs) with the given timeout.
// Transport failures throw UnavailableError("tsa_unavailable").
TimeStampTransport httpTransport(std::string url, std::chrono::milliseconds timeout);

class TimeStampClient final : public TimeStampSource {
 public:
  // Tokens must chain to one of `trustAnchors`; their time must be within `maxClockSkew` of ours.
  TimeStampClient(TimeStampTransport transport, std::vector<Certificate> trustAnchors,
                  const Clock& clock = SystemClock::instance(),
                  std::chrono::seconds maxClockSkew = std::chrono::minutes(5), std::size_t maxTokenSize = 16 * 1024);

  Bytes timeStamp(DigestAlgorithm algorithm, ByteView digest) override;
  std::size_t maxTokenSize() const override { return maxTokenSize_; }

 private:
  TimeStampTransport transport_;
  std::vector<Certificate> trustAnchors_;
  const Clock& clock_;
  std::chrono::seconds maxClockSkew_;
  std::size_t maxTokenSize_;
};

// What a token says, for reports and tests.
struct TimeStampInfo {
  TimePoint time;
  DigestAlgorithm digestAlgorithm;
  Bytes messageImprint;
  std::string policyOid;
  std::string serialHex;
  std::string tsaSubject;
};

TimeStampInfo parseTimeStampToken(ByteView tokenDer);
// The same of a token already decoded (a verifier decodes it once: decoding is the dear part).
TimeStampInfo parseTimeStampToken(PKCS7* token);

}  // namespace kyso::pki
