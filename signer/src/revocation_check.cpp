#include "revocation_check.h"

#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include <algorithm>
#include <ctime>

#include "decoded_cache.h"
#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/asn1_time.h"
#include "kyso/pki/certificate_register.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/trust_store.h"
#include "pdf_dss.h"
#include "signature_checks.h"

namespace kyso::signer::detail {

namespace {

// A certificate names a few sources; more are not tried (a bound on the work one path causes).
constexpr std::size_t kMaxUrlsPerKind = 3;
constexpr std::size_t kMaxOcspResponseBytes = 1u << 20;
constexpr std::size_t kMaxCrlBytes = 32u << 20;

std::string utcText(pki::TimePoint t) {
  return pki::formatIso8601Utc(t);
}

bool isHttpUrl(const std::string& url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

// "http://host:port" of a URL, what "unreachable" is remembered by.
std::string originOf(const std::string& url) {
  const auto scheme = url.find("://");
  const auto path = url.find_first_of("/?#", scheme == std::string::npos ? 0 : scheme + 3);
  return url.substr(0, path);
}

// RFC 5280 §4.2.2.1: the id-ad-ocsp access locations, http(s) ones only.
std::vector<std::string> ocspUrls(const pki::Certificate& cert) {
  std::vector<std::string> out;
  const ossl::Ptr<STACK_OF(OPENSSL_STRING)> urls(X509_get1_ocsp(cert.get()));
  for (int i = 0; urls && i < sk_OPENSSL_STRING_num(urls.get()) && out.size() < kMaxUrlsPerKind; ++i) {
    const std::string url = sk_OPENSSL_STRING_value(urls.get(), i);
    if (isHttpUrl(url)) out.push_back(url);
  }
  ossl::clearErrors();
  return out;
}

// RFC 5280 §4.2.1.13: the full-name URIs of distribution points for all reasons whose CRL the
// certificate's issuer signs (no cRLIssuer: indirect CRLs are not supported).
std::vector<std::string> crlUrls(const pki::Certificate& cert) {
  std::vector<std::string> out;
  const ossl::Ptr<STACK_OF(DIST_POINT)> points(
      static_cast<STACK_OF(DIST_POINT)*>(X509_get_ext_d2i(cert.get(), NID_crl_distribution_points, nullptr, nullptr)));
  for (int i = 0; points && i < sk_DIST_POINT_num(points.get()); ++i) {
    const DIST_POINT* point = sk_DIST_POINT_value(points.get(), i);
    if (point->distpoint == nullptr || point->distpoint->type != 0 || point->CRLissuer != nullptr ||
        point->reasons != nullptr) {
      continue;
    }
    const GENERAL_NAMES* names = point->distpoint->name.fullname;
    for (int n = 0; n < sk_GENERAL_NAME_num(names) && out.size() < kMaxUrlsPerKind; ++n) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, n);
      if (name->type != GEN_URI) continue;
      const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
      std::string url(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      checkedCast<std::size_t>(ASN1_STRING_length(uri)));
      if (isHttpUrl(url)) out.push_back(std::move(url));
    }
  }
  ossl::clearErrors();
  return out;
}

std::string reasonName(long reason) {
  if (reason < 0 || reason > 10) return {};
  return std::string(pki::revocationReasonName(static_cast<pki::RevocationReason>(reason)));
}

// EN 319 102-1 §5.2.5 with RFC 6960 §4.2.2.1 / RFC 5280 §5.1.2.4-5: the data must already be
// issued and not yet superseded, within the tolerance for clock differences.
std::optional<std::string> freshnessProblem(pki::TimePoint thisUpdate, std::optional<pki::TimePoint> nextUpdate,
                                            pki::TimePoint now, std::chrono::seconds tolerance) {
  if (thisUpdate > now + tolerance) return "its thisUpdate (" + utcText(thisUpdate) + ") lies in the future";
  if (nextUpdate && *nextUpdate < now - tolerance) {
    return "it is out of date (nextUpdate " + utcText(*nextUpdate) + ")";
  }
  if (!nextUpdate && thisUpdate < now - tolerance) {
    return "it has no nextUpdate and is older than " + std::to_string(tolerance.count()) + " s";
  }
  return std::nullopt;
}

// A store trusting exactly the policy's anchors, any of them ending a path, checking at `at`.
ossl::Ptr<X509_STORE> anchorStore(const std::vector<pki::Certificate>& anchors, pki::TimePoint at) {
  auto store = pki::newX509Store(anchors);
  ossl::check(X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN), "X509_STORE_set_flags");
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), std::chrono::system_clock::to_time_t(at));
  return store;
}

// The GeneralizedTime value of an extension (archiveCutoff, RFC 6960 §4.4.4; ExpiredCertsOnCRL,
// X.509 §7.3 / 2.5.29.60), if present and readable.
std::optional<pki::TimePoint> generalizedTimeExtension(X509_EXTENSION* extension) {
  if (extension == nullptr) return std::nullopt;
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(extension);
  const unsigned char* p = ASN1_STRING_get0_data(data);
  const ossl::Ptr<ASN1_STRING> time(d2i_ASN1_GENERALIZEDTIME(nullptr, &p, ASN1_STRING_length(data)));
  ossl::clearErrors();
  if (!time) return std::nullopt;
  return pki::fromAsn1Time(time.get());
}

}  // namespace

std::vector<RevocationEvidence> RevocationChecker::check(const std::vector<pki::Certificate>& path,
                                                         const std::vector<pki::Certificate>& untrusted,
                                                         std::optional<pki::TimePoint> poe,
                                                         const std::vector<pki::Certificate>* responderAnchors) {
  poe_ = poe;
  responderAnchors_ = responderAnchors != nullptr ? responderAnchors : &policy_.trustAnchors;
  std::vector<RevocationEvidence> out;
  std::vector<pki::Certificate> helpers = path;
  helpers.insert(helpers.end(), untrusted.begin(), untrusted.end());
  for (std::size_t i = 0; i + 1 < path.size(); ++i) out.push_back(checkOne(path[i], path[i + 1], helpers));
  return out;
}

RevocationEvidence RevocationChecker::checkOne(const pki::Certificate& cert, const pki::Certificate& issuer,
                                               const std::vector<pki::Certificate>& untrusted) {
  RevocationEvidence evidence;
  evidence.certificateSubject = cert.subject();
  evidence.certificateSerialHex = cert.serialHex();
  evidence.status = RevocationStatus::Unknown;
  std::string embeddedProblem;
  if (embedded_ != nullptr) {
    RevocationEvidence attempt = evidence;
    if (tryEmbedded(cert, issuer, untrusted, attempt, embeddedProblem)) return attempt;
  }
  if (policy_.revocationFetcher == nullptr) {
    evidence.problem = embeddedProblem.empty() ? "no source of revocation data is configured"
                                               : embeddedProblem + "; no other source of revocation data is configured";
    return evidence;
  }
  const std::vector<std::string> ocsp = ocspUrls(cert);
  const std::vector<std::string> crl = crlUrls(cert);
  if (ocsp.empty() && crl.empty()) {
    evidence.problem = "the certificate names no OCSP responder and no CRL distribution point";
    return evidence;
  }
  // OCSP first (current and small), then CRLs; the first source that decides wins.
  std::string problems = embeddedProblem;
  const auto note = [&](const std::string& problem) { problems += (problems.empty() ? "" : "; ") + problem; };
  for (const std::string& url : ocsp) {
    std::string problem;
    RevocationEvidence attempt = evidence;
    if (tryOcsp(url, cert, issuer, untrusted, attempt, problem)) return attempt;
    note(problem);
  }
  for (const std::string& url : crl) {
    std::string problem;
    RevocationEvidence attempt = evidence;
    if (tryCrl(url, cert, issuer, attempt, problem)) return attempt;
    note(problem);
  }
  evidence.problem = problems;
  return evidence;
}

std::optional<RevocationAnswer> RevocationChecker::obtain(const RevocationRequest& request, const std::string& cacheKey,
                                                          std::string& problem) {
  if (policy_.revocationCache != nullptr && !cacheKey.empty()) {
    // Not cacheable again: it is in the cache already, with its expiry.
    if (auto cached = policy_.revocationCache->find(cacheKey, now_)) return RevocationAnswer{std::move(*cached), false};
  }
  const std::string origin = originOf(request.url);
  const std::string what = request.source == RevocationSource::Ocsp ? "the OCSP responder " : "the CRL at ";
  if (unreachableHosts_.contains(origin)) {
    problem = what + request.url + " cannot be reached";
    return std::nullopt;
  }
  try {
    return policy_.revocationFetcher->fetch(request);
  } catch (const UnavailableError&) {
    // The error's detail (host, socket error) is for logs; the URL comes from a CA's certificate.
    unreachableHosts_.insert(origin);
    problem = what + request.url + " cannot be reached";
    return std::nullopt;
  }
}

void RevocationChecker::remember(const std::string& cacheKey, const RevocationAnswer& answer,
                                 const RevocationEvidence& evidence) {
  if (policy_.revocationCache == nullptr || cacheKey.empty() || !answer.cacheable || !evidence.nextUpdate) return;
  policy_.revocationCache->store(cacheKey, answer.body, *evidence.nextUpdate, now_);
}

// The freshness of an answer (EN 319 102-1 §5.2.5) — for embedded data with a proof of existence,
// as useEmbedded() describes; else as for a fetched answer.
std::optional<std::string> RevocationChecker::staleness(const RevocationEvidence& e, bool embedded) const {
  if (!embedded || !poe_) return freshnessProblem(*e.thisUpdate, e.nextUpdate, now_, policy_.revocationTolerance);
  if (*e.thisUpdate > now_ + policy_.revocationTolerance) {
    return "its thisUpdate (" + utcText(*e.thisUpdate) + ") lies in the future";
  }
  const pki::TimePoint currentUntil = e.nextUpdate.value_or(*e.thisUpdate);
  if (currentUntil + policy_.revocationTolerance < *poe_) {
    return "it was superseded (" + utcText(currentUntil) + ") before the signature time-stamp of " + utcText(*poe_);
  }
  return std::nullopt;
}

bool RevocationChecker::tryEmbedded(const pki::Certificate& cert, const pki::Certificate& issuer,
                                    const std::vector<pki::Certificate>& untrusted, RevocationEvidence& out,
                                    std::string& problem) {
  std::vector<pki::Certificate> helpers = untrusted;
  const auto& fromDss = embedded_->parsedCertificates();
  helpers.insert(helpers.end(), fromDss.begin(), fromDss.end());
  const auto id = ossl::own(OCSP_cert_to_id(EVP_sha1(), cert.get(), issuer.get()), "OCSP_cert_to_id");
  std::string last;
  for (std::size_t i = 0; i < embedded_->ocspResponses.size(); ++i) {
    RevocationEvidence attempt = out;
    std::string why;
    const std::string where = "the OCSP response " + std::to_string(i + 1) + " of the /DSS";
    if (decideOcsp(embedded_->ocspResponses[i].data, cert, id.get(), nullptr, helpers, where, true, attempt, why)) {
      out = attempt;
      out.url = "/DSS/OCSPs";
      return true;
    }
    // Answers about other certificates are the rule in a DSS: only a relevant problem is told.
    if (why.find("not about this certificate") == std::string::npos) last = why;
  }
  for (std::size_t i = 0; i < embedded_->crls.size(); ++i) {
    RevocationEvidence attempt = out;
    std::string why;
    const std::string where = "the CRL " + std::to_string(i + 1) + " of the /DSS";
    if (decideCrl(embedded_->crls[i].data, cert, issuer, where, true, attempt, why)) {
      out = attempt;
      out.url = "/DSS/CRLs";
      return true;
    }
    if (why.find("issued by another CA") == std::string::npos) last = why;
  }
  if (!last.empty()) problem = last;
  return false;
}

// RFC 6960: one CertID (SHA-1 hashes of the issuer's name and key, as RFC 5019 §2.1.1 asks of
// clients), optionally a nonce; the answer must be a successful basic response signed by the CA
// or a responder it authorised (§4.2.2.2, checked by OCSP_basic_verify), with a fresh
// SingleResponse for this certificate.
bool RevocationChecker::tryOcsp(const std::string& url, const pki::Certificate& cert, const pki::Certificate& issuer,
                                const std::vector<pki::Certificate>& untrusted, RevocationEvidence& out,
                                std::string& problem) {
  const auto id = ossl::own(OCSP_cert_to_id(EVP_sha1(), cert.get(), issuer.get()), "OCSP_cert_to_id");
  auto request = ossl::own(OCSP_REQUEST_new(), "OCSP_REQUEST_new");
  ossl::check(OCSP_request_add0_id(request.get(), ossl::own(OCSP_CERTID_dup(id.get()), "OCSP_CERTID_dup").release()),
              "OCSP_request_add0_id");  // the request owns the copy
  if (policy_.ocspNonce) ossl::check(OCSP_request_add1_nonce(request.get(), nullptr, -1), "OCSP_request_add1_nonce");
  unsigned char* der = nullptr;
  const int size = i2d_OCSP_REQUEST(request.get(), &der);
  ossl::check(size, "i2d_OCSP_REQUEST");
  const ossl::Buffer owned(der);
  RevocationRequest fetch;
  fetch.source = RevocationSource::Ocsp;
  fetch.url = url;
  fetch.body.assign(der, der + size);
  fetch.timeout = policy_.revocationTimeout;
  fetch.maxResponseBytes = kMaxOcspResponseBytes;
  // An answer to a nonce is for this request only.
  const std::string cacheKey = policy_.ocspNonce ? std::string() : "ocsp " + url + " " + toHex(fetch.body);

  const auto answer = obtain(fetch, cacheKey, problem);
  if (!answer) return false;
  if (!decideOcsp(answer->body, cert, id.get(), policy_.ocspNonce ? request.get() : nullptr, untrusted,
                  "the OCSP responder " + url, false, out, problem)) {
    return false;
  }
  out.source = "ocsp";
  out.url = url;
  remember(cacheKey, *answer, out);
  if (collected_ != nullptr) collected_->push_back({RevocationSource::Ocsp, answer->body});
  return true;
}

bool RevocationChecker::decideOcsp(ByteView body, const pki::Certificate& cert, OCSP_CERTID* id,
                                   OCSP_REQUEST* nonceRequest, const std::vector<pki::Certificate>& untrusted,
                                   const std::string& where, bool embedded, RevocationEvidence& out,
                                   std::string& problem) {
  // Decoded once per process (decoded_cache.h), unless it answers a nonce.
  const auto decoded = nonceRequest != nullptr ? readOcspResponse(body) : decodeOcspResponse(body);
  if (!decoded->complete) {
    problem = where + (embedded ? " is not an OCSP response" : " did not answer with an OCSP response");
    return false;
  }
  const int status = decoded->status;
  if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    problem = where + " answered '" + OCSP_response_status_str(status) + "'";
    return false;
  }
  const std::shared_ptr<OCSP_BASICRESP> basic = decoded->basic;  // read only: shared with other verifications
  if (!basic) {
    problem = where + (embedded ? " has" : " answered with") + " an unsupported response type";
    return false;
  }
  if (nonceRequest != nullptr && OCSP_check_nonce(nonceRequest, basic.get()) == 0) {
    problem = where + " answered with another nonce than the request's";
    return false;
  }
  // A /DSS holds answers about many certificates: only one about this one is worth verifying.
  if (embedded && OCSP_resp_find(basic.get(), id, -1) < 0) {
    problem = where + " answered, but not about this certificate";
    return false;
  }
  const pki::TimePoint producedAt = pki::fromAsn1Time(OCSP_resp_get0_produced_at(basic.get()));
  // Embedded data is judged when it was made: its responder's certificate may have expired since.
  const auto store = anchorStore(*responderAnchors_, embedded ? producedAt : now_);
  const auto helpers = pki::newX509Stack(untrusted);
  if (OCSP_basic_verify(basic.get(), helpers.get(), store.get(), 0) != 1) {
    ossl::clearErrors();
    problem = where + (embedded ? " is" : " answered with") +
              " a response whose signature or signer is not trusted for this CA";
    return false;
  }
  int certStatus = V_OCSP_CERTSTATUS_UNKNOWN;
  int reason = -1;
  ASN1_GENERALIZEDTIME* revokedAt = nullptr;
  ASN1_GENERALIZEDTIME* thisUpdate = nullptr;
  ASN1_GENERALIZEDTIME* nextUpdate = nullptr;
  if (OCSP_resp_find_status(basic.get(), id, &certStatus, &reason, &revokedAt, &thisUpdate, &nextUpdate) != 1 ||
      thisUpdate == nullptr) {
    ossl::clearErrors();
    problem = where + " answered, but not about this certificate";
    return false;
  }
  out.source = embedded ? "dss" : "ocsp";
  out.producedAt = producedAt;
  out.thisUpdate = pki::fromAsn1Time(thisUpdate);
  if (nextUpdate != nullptr) out.nextUpdate = pki::fromAsn1Time(nextUpdate);
  if (const auto stale = staleness(out, embedded)) {
    problem = where + " answered, but " + *stale;
    return false;
  }
  if (certStatus == V_OCSP_CERTSTATUS_UNKNOWN) {
    problem = where + " does not know the certificate (status 'unknown')";
    return false;
  }
  if (certStatus == V_OCSP_CERTSTATUS_REVOKED) {
    out.status = RevocationStatus::Revoked;
    out.revocationTime = revokedAt != nullptr ? pki::fromAsn1Time(revokedAt) : *out.thisUpdate;
    out.revocationReason = reasonName(reason);
  } else {
    out.status = RevocationStatus::Good;
    // RFC 6960 §4.4.4: "good" about an expired certificate is worth something only when the
    // responder keeps revocations past expiry (archiveCutoff not after the certificate's end) —
    // or, for embedded data, when it was produced while the certificate was still valid.
    const bool beforeExpiry = embedded && producedAt <= cert.notAfter();
    if (cert.notAfter() < now_ && !beforeExpiry) {
      const int index = OCSP_resp_find(basic.get(), id, -1);
      OCSP_SINGLERESP* single = index >= 0 ? OCSP_resp_get0(basic.get(), index) : nullptr;
      const int at =
          single != nullptr ? OCSP_SINGLERESP_get_ext_by_NID(single, NID_id_pkix_OCSP_archiveCutoff, -1) : -1;
      const auto cutoff = at >= 0 ? generalizedTimeExtension(OCSP_SINGLERESP_get_ext(single, at)) : std::nullopt;
      if (!cutoff || *cutoff > cert.notAfter()) {
        out.status = RevocationStatus::Unknown;
        out.problem = where + " says 'good', but the certificate expired on " + utcText(cert.notAfter()) +
                      " and the responder gives no archive cutoff before that";
      }
    }
  }
  ossl::clearErrors();
  return true;
}

// RFC 5280 §6.3: a complete, direct CRL for all reasons, signed by the certificate's issuer with
// a key allowed to sign CRLs, current at the validation time.
bool RevocationChecker::tryCrl(const std::string& url, const pki::Certificate& cert, const pki::Certificate& issuer,
                               RevocationEvidence& out, std::string& problem) {
  Bytes memoKey(url.begin(), url.end());
  memoKey.push_back(0);
  for (const pki::Certificate* c : {&cert, &issuer}) {
    const Bytes der = c->der();
    memoKey.insert(memoKey.end(), der.begin(), der.end());
  }
  if (const auto found = crlDecisions_.find(memoKey); found != crlDecisions_.end()) {
    if (!found->second.decided) {
      problem = found->second.problem;
      return false;
    }
    out = found->second.evidence;
    if (collected_ != nullptr) collected_->push_back({RevocationSource::Crl, found->second.body});
    return true;
  }
  CrlDecision& decision = crlDecisions_[std::move(memoKey)];
  RevocationRequest fetch;
  fetch.source = RevocationSource::Crl;
  fetch.url = url;
  fetch.timeout = policy_.revocationTimeout;
  fetch.maxResponseBytes = kMaxCrlBytes;
  const std::string cacheKey = "crl " + url;
  const auto answer = obtain(fetch, cacheKey, problem);
  if (!answer || !decideCrl(answer->body, cert, issuer, "the CRL at " + url, false, out, problem)) {
    decision.problem = problem;
    return false;
  }
  out.source = "crl";
  out.url = url;
  remember(cacheKey, *answer, out);
  if (collected_ != nullptr) collected_->push_back({RevocationSource::Crl, answer->body});
  decision.decided = true;
  decision.evidence = out;
  decision.body = answer->body;
  return true;
}

bool RevocationChecker::decideCrl(ByteView body, const pki::Certificate& cert, const pki::Certificate& issuer,
                                  const std::string& where, bool embedded, RevocationEvidence& out,
                                  std::string& problem) {
  ossl::Ptr<X509_CRL> crl;
  const std::string_view text = asChars(body);
  if (text.starts_with("-----BEGIN")) {
    auto bio = ossl::own(BIO_new_mem_buf(text.data(), checkedCast<int>(text.size())), "BIO_new_mem_buf");
    crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  } else {
    const unsigned char* p = body.data();
    crl.reset(d2i_X509_CRL(nullptr, &p, checkedCast<long>(body.size())));
    if (crl && p != body.data() + body.size()) crl.reset();
  }
  ossl::clearErrors();
  if (!crl) {
    problem = where + " is not a CRL";
    return false;
  }
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_issuer_name(cert.get())) != 0) {
    problem = where + " is issued by another CA than the certificate";
    return false;
  }
  if ((X509_get_extension_flags(issuer.get()) & EXFLAG_KUSAGE) != 0 &&
      (X509_get_key_usage(issuer.get()) & KU_CRL_SIGN) == 0) {
    problem = where + ": the issuer's key may not sign CRLs (no cRLSign key usage)";
    return false;
  }
  if (X509_CRL_verify(crl.get(), issuer.publicKey()) != 1) {
    ossl::clearErrors();
    problem = where + " is not signed by the certificate's issuer";
    return false;
  }
  // Critical extensions we do not understand make the CRL unusable (RFC 5280 §5.2); a delta CRL or
  // a partitioned one does not tell the whole story alone.
  for (int i = 0; i < X509_CRL_get_ext_count(crl.get()); ++i) {
    X509_EXTENSION* extension = X509_CRL_get_ext(crl.get(), i);
    const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(extension));
    if (nid == NID_delta_crl) {
      problem = where + " is a delta CRL";
      return false;
    }
    if (X509_EXTENSION_get_critical(extension) == 1 && nid != NID_issuing_distribution_point) {
      problem = where + " has a critical extension kyso does not support";
      return false;
    }
  }
  int critical = 0;
  const ossl::Ptr<ISSUING_DIST_POINT> idp(static_cast<ISSUING_DIST_POINT*>(
      X509_CRL_get_ext_d2i(crl.get(), NID_issuing_distribution_point, &critical, nullptr)));
  ossl::clearErrors();
  if (idp) {
    const bool isCa = cert.isCa();
    if (idp->indirectCRL != 0 || idp->onlysomereasons != nullptr || idp->onlyattr != 0 ||
        (idp->onlyuser != 0 && isCa) || (idp->onlyCA != 0 && !isCa)) {
      problem = where + " does not cover this certificate for all reasons (issuing distribution point)";
      return false;
    }
  }
  out.source = embedded ? "dss" : "crl";
  out.thisUpdate = pki::fromAsn1Time(X509_CRL_get0_lastUpdate(crl.get()));
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
  if (next == nullptr) {
    problem = where + " has no nextUpdate";
    return false;
  }
  out.nextUpdate = pki::fromAsn1Time(next);
  if (const auto stale = staleness(out, embedded)) {
    problem = where + " cannot be used: " + *stale;
    return false;
  }
  X509_REVOKED* entry = nullptr;
  const int found = X509_CRL_get0_by_cert(crl.get(), &entry, cert.get());
  if (found == 1 && entry != nullptr) {
    out.status = RevocationStatus::Revoked;
    out.revocationTime = pki::fromAsn1Time(X509_REVOKED_get0_revocationDate(entry));
    const ossl::Ptr<ASN1_STRING> reason(
        static_cast<ASN1_STRING*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nullptr, nullptr)));
    if (reason) out.revocationReason = reasonName(ASN1_ENUMERATED_get(reason.get()));
  } else {
    out.status = RevocationStatus::Good;
    // A CA drops expired certificates from its CRLs unless it says otherwise (ExpiredCertsOnCRL).
    // Embedded data issued while the certificate was valid speaks for that time.
    const bool beforeExpiry = embedded && *out.thisUpdate <= cert.notAfter();
    if (cert.notAfter() < now_ && !beforeExpiry) {
      const ossl::Ptr<ASN1_OBJECT> expiredCertsOnCrl(OBJ_txt2obj("2.5.29.60", 1));
      const int at = expiredCertsOnCrl ? X509_CRL_get_ext_by_OBJ(crl.get(), expiredCertsOnCrl.get(), -1) : -1;
      const auto since = at >= 0 ? generalizedTimeExtension(X509_CRL_get_ext(crl.get(), at)) : std::nullopt;
      if (!since || *since > cert.notAfter()) {
        out.status = RevocationStatus::Unknown;
        out.problem = where + " does not list the certificate, but it expired on " + utcText(cert.notAfter()) +
                      " and the CRL does not keep expired certificates";
      }
    }
  }
  ossl::clearErrors();
  return true;
}

RevocationVerdict judgeRevocation(const std::vector<RevocationEvidence>& evidence,
                                  const std::vector<pki::Certificate>& path, std::optional<pki::TimePoint> poe,
                                  pki::TimePoint now) {
  RevocationVerdict verdict;
  // Ranked: 3 the signer revoked, 2 a CA revoked, 1 undecided.
  int worst = 0;
  const auto consider = [&](int rank, Indication indication, SubIndication sub, std::string detail) {
    if (rank <= worst) return;
    worst = rank;
    verdict.indication = indication;
    verdict.subIndication = sub;
    verdict.detail = std::move(detail);
  };
  for (std::size_t i = 0; i < evidence.size(); ++i) {
    const RevocationEvidence& e = evidence[i];
    const bool signer = i == 0;
    const std::string who = signer ? "the signing certificate" : "the CA certificate " + e.certificateSubject;
    if (e.status == RevocationStatus::Good || e.status == RevocationStatus::NotChecked) continue;
    if (e.status == RevocationStatus::Unknown) {
      const bool expired = i < path.size() && path[i].notAfter() < now;
      consider(1, Indication::Indeterminate,
               expired ? SubIndication::RevocationOutOfBoundsNoPoe : SubIndication::TryLater,
               "the revocation status of " + who + " could not be established: " + e.problem);
      continue;
    }
    const pki::TimePoint revokedAt = e.revocationTime.value_or(now);
    const std::string when = utcText(revokedAt) + (e.revocationReason.empty() ? "" : " (" + e.revocationReason + ")");
    if (e.revocationReason == "certificateHold") {
      consider(1, Indication::Indeterminate, SubIndication::TryLater,
               who + " is suspended (certificateHold) since " + utcText(revokedAt));
      continue;
    }
    if (poe && revokedAt > *poe) {
      verdict.warnings.push_back(who + " was revoked on " + when + ", after the signature time-stamp of " +
                                 utcText(*poe) +
                                 " proves the signature existed; the signature stands (EN 319 102-1 §5.5)");
      continue;
    }
    const std::string detail = who + " was revoked on " + when +
                               (poe ? ", before the signature time-stamp of " + utcText(*poe)
                                    : ", and no signature time-stamp proves the signature was made before");
    if (signer) {
      consider(3, Indication::TotalFailed, SubIndication::Revoked, detail);
    } else {
      consider(2, Indication::Indeterminate, SubIndication::RevokedCaNoPoe, detail);
    }
  }
  return verdict;
}

TimeStampAuthorityRevocation checkTimeStampAuthority(PKCS7* token, pki::TimePoint tokenTime,
                                                     const VerificationPolicy& policy,
                                                     const std::vector<pki::Certificate>& untrusted,
                                                     RevocationChecker& checker, pki::TimePoint now) {
  TimeStampAuthorityRevocation out;
  // The TSA's certificate: the one the token's SignerInfo names (by issuer and serial number, the
  // only form a PKCS7 SignerInfo has), among the token's certificates and the others known
  // (RFC 3161 §2.4.1 lets a token leave its certificates out).
  std::vector<pki::Certificate> pool;
  std::optional<pki::Certificate> tsa;
  if (token != nullptr && PKCS7_type_is_signed(token) && token->d.sign != nullptr) {
    STACK_OF(X509)* certs = token->d.sign->cert;
    for (int i = 0; i < sk_X509_num(certs); ++i) pool.push_back(shareCertificate(sk_X509_value(certs, i)));
    pool.insert(pool.end(), untrusted.begin(), untrusted.end());
    STACK_OF(PKCS7_SIGNER_INFO)* infos = PKCS7_get_signer_info(token);
    if (infos != nullptr && sk_PKCS7_SIGNER_INFO_num(infos) == 1) {
      const PKCS7_ISSUER_AND_SERIAL* named = sk_PKCS7_SIGNER_INFO_value(infos, 0)->issuer_and_serial;
      for (const pki::Certificate& cert : pool) {
        if (named != nullptr && X509_NAME_cmp(named->issuer, X509_get_issuer_name(cert.get())) == 0 &&
            ASN1_INTEGER_cmp(named->serial, X509_get0_serialNumber(cert.get())) == 0) {
          tsa = cert;
          break;
        }
      }
    }
  }
  ossl::clearErrors();
  if (!tsa) {
    out.problem = "the time-stamping authority's certificate cannot be found to check its revocation";
    return out;
  }
  const std::vector<pki::Certificate>& anchors =
      policy.timeStampTrustAnchors.empty() ? policy.trustAnchors : policy.timeStampTrustAnchors;
  const PathValidation path = validatePath(*tsa, pool, anchors, now);
  if (!path.ok) {
    out.problem = "the time-stamping authority's certificate path cannot be built to check its revocation: " +
                  pathErrorText(path);
    return out;
  }
  out.evidence = checker.check(path.chain, pool, tokenTime, &anchors);

  // Ranked like judgeRevocation(): 2 revoked at or before the token's time, 1 undecided; within a
  // rank the certificate nearest the TSA wins.
  int worst = 0;
  const auto consider = [&](int rank, std::string problem) {
    if (rank <= worst) return;
    worst = rank;
    out.problem = std::move(problem);
    out.revoked = rank == 2;
  };
  for (std::size_t i = 0; i < out.evidence.size(); ++i) {
    const RevocationEvidence& e = out.evidence[i];
    const std::string who = i == 0 ? "the time-stamping authority's certificate " + e.certificateSubject
                                   : "the CA certificate " + e.certificateSubject + " of the time-stamping authority";
    if (e.status == RevocationStatus::Good || e.status == RevocationStatus::NotChecked) continue;
    if (e.status == RevocationStatus::Unknown) {
      consider(1, "the revocation status of " + who +
                      " could not be established, so the time-stamp proves nothing: " + e.problem);
      continue;
    }
    const std::string reason = e.revocationReason.empty() ? "" : " (" + e.revocationReason + ")";
    if (e.revocationReason == "certificateHold") {
      consider(1, who + " is suspended (certificateHold), so the time-stamp proves nothing for now");
      continue;
    }
    if (e.revocationTime && *e.revocationTime > tokenTime) {
      out.warnings.push_back(who + " was revoked on " + utcText(*e.revocationTime) + reason +
                             ", after the time-stamp of " + utcText(tokenTime) + "; the time-stamp stands");
      continue;
    }
    // EN 319 102-1 §5.4: a token whose TSA was revoked before its time is no proof of existence.
    consider(2, who + " was revoked" + (e.revocationTime ? " on " + utcText(*e.revocationTime) : "") + reason +
                    ", not after the time-stamp's time " + utcText(tokenTime) + ": the time-stamp is not valid");
  }
  return out;
}

}  // namespace kyso::signer::detail
