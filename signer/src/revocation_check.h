// Revocation checking of a validated certificate path (RFC 6960 OCSP, then RFC 5280 CRLs) and the
// verdict EN 319 102-1 draws from it. Shared by the PDF verifier and, later, the XML verifier.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <openssl/ocsp.h>
#include <openssl/pkcs7.h>

#include "kyso/pki/certificate.h"
#include "kyso/signer/pdf_verifier.h"
#include "kyso/signer/verification.h"

namespace kyso::signer::detail {

struct DssContents;

// An answer fetched from a source that decided a status (for building a /DSS from).
struct CollectedRevocation {
  RevocationSource source = RevocationSource::Ocsp;
  Bytes body;
};

// What one verification asks of its revocation sources. Sources that could not be reached are
// remembered by host, so a dead responder costs one timeout per verification rather than one per
// certificate and URL.
class RevocationChecker {
 public:
  RevocationChecker(const VerificationPolicy& policy, pki::TimePoint now) : policy_(policy), now_(now) {}

  // The status of every certificate of `path` (leaf first, the trust anchor last, as path
  // validation built it) below the anchor: path[i] is checked with path[i + 1] as its issuer.
  // `untrusted` are further certificates that may help verify a responder's chain.
  // `poe`: the time a valid signature time-stamp proves, if any (for embedded data).
  // `responderAnchors`: where an OCSP responder's path must lead; the policy's trustAnchors when
  // null (a TSA's path is checked against the time-stamp trust anchors, which may add roots).
  std::vector<RevocationEvidence> check(const std::vector<pki::Certificate>& path,
                                        const std::vector<pki::Certificate>& untrusted,
                                        std::optional<pki::TimePoint> poe = std::nullopt,
                                        const std::vector<pki::Certificate>* responderAnchors = nullptr);

  // Validation data embedded in the document (/DSS, ETSI EN 319 142-1 §5.4): tried before any
  // fetch, reported with source "dss". EN 319 102-1 past signature validation, simplified: with a
  // proof of existence, an answer counts when it was current at or after it (nextUpdate, or
  // thisUpdate without one, not before the POE) whatever its age now, its signer's certificate is
  // checked at the time it was produced, and "good" about a certificate that has expired since
  // counts when the answer was issued before the expiry. Without a POE, embedded answers must be
  // current now, as fetched ones are.
  void useEmbedded(const DssContents* dss) { embedded_ = dss; }
  // Appends every fetched answer that decided a status.
  void collectInto(std::vector<CollectedRevocation>* sink) { collected_ = sink; }

 private:
  RevocationEvidence checkOne(const pki::Certificate& cert, const pki::Certificate& issuer,
                              const std::vector<pki::Certificate>& untrusted);
  bool tryEmbedded(const pki::Certificate& cert, const pki::Certificate& issuer,
                   const std::vector<pki::Certificate>& untrusted, RevocationEvidence& out, std::string& problem);
  // Judge one OCSP response / CRL about `cert` (`embedded`: from the /DSS).
  bool decideOcsp(ByteView body, const pki::Certificate& cert, OCSP_CERTID* id, OCSP_REQUEST* nonceRequest,
                  const std::vector<pki::Certificate>& untrusted, const std::string& where, bool embedded,
                  RevocationEvidence& out, std::string& problem);
  bool decideCrl(ByteView body, const pki::Certificate& cert, const pki::Certificate& issuer, const std::string& where,
                 bool embedded, RevocationEvidence& out, std::string& problem);
  std::optional<std::string> staleness(const RevocationEvidence& evidence, bool embedded) const;
  bool tryOcsp(const std::string& url, const pki::Certificate& cert, const pki::Certificate& issuer,
               const std::vector<pki::Certificate>& untrusted, RevocationEvidence& out, std::string& problem);
  bool tryCrl(const std::string& url, const pki::Certificate& cert, const pki::Certificate& issuer,
              RevocationEvidence& out, std::string& problem);
  // The answer from the cache or the fetcher; nullopt (with `problem` set) when unreachable.
  std::optional<RevocationAnswer> obtain(const RevocationRequest& request, const std::string& cacheKey,
                                         std::string& problem);
  void remember(const std::string& cacheKey, const RevocationAnswer& answer, const RevocationEvidence& evidence);

  const VerificationPolicy& policy_;
  pki::TimePoint now_;
  std::set<std::string> unreachableHosts_;
  const DssContents* embedded_ = nullptr;
  std::vector<CollectedRevocation>* collected_ = nullptr;
  std::optional<pki::TimePoint> poe_;
  const std::vector<pki::Certificate>* responderAnchors_ = nullptr;  // of the check() in progress
  // What tryCrl() decided, by URL, certificate and issuer: a CA met twice in one verification (in
  // the signer's path and the TSA's) is judged once, at the same time, on the same answer.
  struct CrlDecision {
    bool decided = false;
    RevocationEvidence evidence;
    std::string problem;
    Bytes body;  // the answer that decided, for collected_
  };
  std::map<Bytes, CrlDecision> crlDecisions_;
};

struct RevocationVerdict {
  Indication indication = Indication::TotalPassed;
  SubIndication subIndication = SubIndication::None;
  std::string detail;
  std::vector<std::string> warnings;
};

// EN 319 102-1 §5.2.6 and §5.5 (validation with a proof of existence), as kyso applies them to
// `evidence` (the signing certificate first) with `poe` the time a valid signature time-stamp
// proves, if any:
// - the signing certificate revoked at or before the POE, or revoked at all without one →
//   TOTAL_FAILED / REVOKED; a CA certificate of the path so → INDETERMINATE / REVOKED_CA_NO_POE;
// - revoked after the POE → passes, with a warning naming the revocation: the time-stamp proves
//   the signature existed while the certificate was still valid;
// - on hold (certificateHold) → INDETERMINATE / TRY_LATER: a suspension may be lifted;
// - no decision → INDETERMINATE / TRY_LATER, or REVOCATION_OUT_OF_BOUNDS_NO_POE for a certificate
//   that has expired (revocation data issued after expiry cannot tell what happened before).
// Failures outrank INDETERMINATE ones; within a kind, the certificate nearest the signer wins.
RevocationVerdict judgeRevocation(const std::vector<RevocationEvidence>& evidence,
                                  const std::vector<pki::Certificate>& path, std::optional<pki::TimePoint> poe,
                                  pki::TimePoint now);

// EN 319 102-1 §5.4 (validation of a time-stamp), the revocation part: the status of the path of
// the TSA that signed `token` (an RFC 3161 token, decoded once by the caller; null when it cannot be), checked below
// the time-stamp trust anchor with `checker` (the /DSS first, then the sources the policy allows) and `tokenTime` as
// the proof of existence for embedded data. `untrusted` may help build the path. The outcome:
// - a certificate of the path revoked at or before `tokenTime` (or without a revocation time):
//   `problem` says so, the token is not valid and proves nothing;
// - suspended (certificateHold) or no decision: `problem` says so too — the token gives no proof
//   of existence; the caller does not fail the signature for it;
// - revoked after `tokenTime`: the token stands, with a warning.
struct TimeStampAuthorityRevocation {
  std::vector<RevocationEvidence> evidence;  // the TSA first
  std::string problem;                       // empty when the token stands
  bool revoked = false;                      // `problem` is a revocation at or before the token's time
  std::vector<std::string> warnings;
};
TimeStampAuthorityRevocation checkTimeStampAuthority(PKCS7* token, pki::TimePoint tokenTime,
                                                     const VerificationPolicy& policy,
                                                     const std::vector<pki::Certificate>& untrusted,
                                                     RevocationChecker& checker, pki::TimePoint now);

}  // namespace kyso::signer::detail
