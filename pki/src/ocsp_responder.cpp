#include "kyso/pki/ocsp_responder.h"

#include <algorithm>
#include <optional>

#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/trust_store.h"

namespace kyso::pki {

namespace {

Bytes encode(const OCSP_RESPONSE* response) {
  return ossl::toDer(i2d_OCSP_RESPONSE, response, "i2d_OCSP_RESPONSE");
}

Bytes statusOnly(int status) {
  auto response = ossl::own(OCSP_response_create(status, nullptr), "OCSP_response_create");
  return encode(response.get());
}

ossl::Ptr<ASN1_TIME> asn1Time(TimePoint t) {
  return ossl::own(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t)), "ASN1_TIME_set");
}

// RFC 8954 §2.1: a nonce of 1 to 32 octets, at most once. Most clients (openssl ocsp among them)
// wrap the nonce in an OCTET STRING inside extnValue; older ones put the bare bytes there.
bool nonceAcceptable(OCSP_REQUEST* request) {
  const int index = OCSP_REQUEST_get_ext_by_NID(request, NID_id_pkix_OCSP_Nonce, -1);
  if (index < 0) return true;
  if (OCSP_REQUEST_get_ext_by_NID(request, NID_id_pkix_OCSP_Nonce, index) >= 0) return false;
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(OCSP_REQUEST_get_ext(request, index));
  const unsigned char* begin = ASN1_STRING_get0_data(value);
  const int size = ASN1_STRING_length(value);
  const unsigned char* p = begin;
  ossl::Ptr<ASN1_STRING> inner(d2i_ASN1_OCTET_STRING(nullptr, &p, size));
  const int length = inner && p == begin + size ? ASN1_STRING_length(inner.get()) : size;
  ossl::clearErrors();
  return length >= 1 && length <= 32;
}

// The serial number as the register files it; nullopt for one no certificate can have (negative,
// longer than RFC 5280 §4.1.2.2 allows with room to spare).
std::optional<std::string> serialHex(const ASN1_INTEGER* serial) {
  ossl::Ptr<BIGNUM> bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn || BN_is_negative(bn.get()) != 0 || BN_num_bytes(bn.get()) > 32) {
    ossl::clearErrors();
    return std::nullopt;
  }
  ossl::CString hex(ossl::check(BN_bn2hex(bn.get()), "BN_bn2hex"));
  return std::string(hex.get());
}

bool sameStatus(const std::optional<CertificateStatus>& a, const std::optional<CertificateStatus>& b) {
  if (!a || !b) return !a && !b;
  return a->serialHex == b->serialHex && a->revoked == b->revoked && a->revokedAt == b->revokedAt &&
         a->reason == b->reason;
}

bool sameStatuses(const std::vector<std::optional<CertificateStatus>>& a,
                  const std::vector<std::optional<CertificateStatus>>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), sameStatus);
}

}  // namespace

OcspResponder::OcspResponder(const LocalCertificateAuthority& authority, CertificateChain chain, CaKeySource key,
                             const Clock& clock, OcspResponderOptions options)
    : authority_(authority), chain_(std::move(chain)), key_(std::move(key)), clock_(clock), options_(options) {
  if (chain_.empty()) throw InternalError("an OCSP responder needs a certificate");
  X509* responder = chain_.front().get();
  // RFC 6960 §4.2.2.2: a delegated responder is issued directly by the CA and carries id-kp-OCSPSigning.
  const bool ocspSigning = (X509_get_extension_flags(responder) & EXFLAG_XKUSAGE) != 0 &&
                           (X509_get_extended_key_usage(responder) & XKU_OCSP_SIGN) != 0;
  const bool issuedByCa = X509_check_issued(authority_.certificate().get(), responder) == X509_V_OK;
  ossl::clearErrors();
  if (!ocspSigning || !issuedByCa) {
    throw InternalError("the OCSP responder certificate " + chain_.front().subject() +
                        " is not an OCSP signing certificate of " + authority_.certificate().subject());
  }
}

Bytes OcspResponder::malformedRequest() {
  return statusOnly(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
}

Bytes OcspResponder::respond(ByteView requestDer) const {
  const unsigned char* p = requestDer.data();
  ossl::Ptr<OCSP_REQUEST> request(
      requestDer.empty() ? nullptr : d2i_OCSP_REQUEST(nullptr, &p, checkedCast<long>(requestDer.size())));
  if (!request || p != requestDer.data() + requestDer.size()) {
    ossl::clearErrors();
    return malformedRequest();
  }
  const int count = OCSP_request_onereq_count(request.get());
  if (count <= 0 || checkedCast<std::size_t>(count) > options_.maxCertificatesPerRequest ||
      !nonceAcceptable(request.get())) {
    return malformedRequest();
  }

  // What the register says of each CertID now (nullopt: unknown), read for every request.
  std::vector<std::optional<CertificateStatus>> statuses;
  bool served = false;
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(request.get(), i));
    ASN1_OBJECT* hashAlgorithm = nullptr;
    ASN1_INTEGER* serial = nullptr;
    ossl::check(OCSP_id_get0_info(nullptr, &hashAlgorithm, nullptr, &serial, id), "OCSP_id_get0_info");

    // RFC 6960 §4.1.1: the CertID names the issuer by hashes of its name and key, made with the
    // algorithm the client chose; the same hashes of our CA must match.
    bool ours = false;
    if (const EVP_MD* md = EVP_get_digestbyobj(hashAlgorithm)) {
      ossl::Ptr<OCSP_CERTID> caId(OCSP_cert_to_id(md, nullptr, authority_.certificate().get()));
      ours = caId && OCSP_id_issuer_cmp(caId.get(), id) == 0;
    }
    ossl::clearErrors();
    std::optional<CertificateStatus> status;
    if (ours) {
      served = true;
      if (const auto hex = serialHex(serial)) status = authority_.status(*hex);
    }
    statuses.push_back(std::move(status));
  }
  if (!served) return statusOnly(OCSP_RESPONSE_STATUS_UNAUTHORIZED);

  const TimePoint now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  // An answer to a nonce is for that request only (RFC 8954); any other is reused while it holds.
  const bool reusable =
      options_.reusableResponses > 0 && OCSP_REQUEST_get_ext_by_NID(request.get(), NID_id_pkix_OCSP_Nonce, -1) < 0;
  Bytes requestKey;
  if (reusable) {
    requestKey.assign(requestDer.begin(), requestDer.end());
    const std::lock_guard lock(answersMutex_);
    const auto found = answers_.find(requestKey);
    if (found != answers_.end() && sameStatuses(found->second.statuses, statuses) && found->second.thisUpdate <= now &&
        now < found->second.nextUpdate) {
      return found->second.response;
    }
  }

  const auto thisUpdate = asn1Time(now);
  const auto nextUpdate = asn1Time(now + options_.validity);
  auto basic = ossl::own(OCSP_BASICRESP_new(), "OCSP_BASICRESP_new");
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(request.get(), i));
    const std::optional<CertificateStatus>& status = statuses[static_cast<std::size_t>(i)];
    if (!status) {
      ossl::check(OCSP_basic_add1_status(basic.get(), id, V_OCSP_CERTSTATUS_UNKNOWN, 0, nullptr, thisUpdate.get(),
                                         nextUpdate.get()),
                  "OCSP_basic_add1_status");
    } else if (!status->revoked) {
      ossl::check(OCSP_basic_add1_status(basic.get(), id, V_OCSP_CERTSTATUS_GOOD, 0, nullptr, thisUpdate.get(),
                                         nextUpdate.get()),
                  "OCSP_basic_add1_status");
    } else {
      const auto revokedAt = asn1Time(status->revokedAt);
      // As in the CRL, "unspecified" is expressed by leaving the reason out (RFC 5280 §5.3.1).
      const int reason = status->reason == RevocationReason::Unspecified ? OCSP_REVOKED_STATUS_NOSTATUS
                                                                         : static_cast<int>(status->reason);
      ossl::check(OCSP_basic_add1_status(basic.get(), id, V_OCSP_CERTSTATUS_REVOKED, reason, revokedAt.get(),
                                         thisUpdate.get(), nextUpdate.get()),
                  "OCSP_basic_add1_status");
    }
  }

  ossl::check(OCSP_copy_nonce(basic.get(), request.get()), "OCSP_copy_nonce");
  const auto key = key_();
  if (!key) throw InternalError("the OCSP responder key is not available", "key_unavailable");
  auto others = newX509Stack({chain_.begin() + 1, chain_.end()});
  ossl::check(
      OCSP_basic_sign(basic.get(), chain_.front().get(), key->get(), EVP_sha256(), others.get(), OCSP_RESPID_KEY),
      "OCSP_basic_sign");
  // OCSP_response_create encodes the basic response into its own bytes: `basic` stays ours.
  auto response = ossl::own(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()), "OCSP_response_create");
  Bytes der = encode(response.get());
  if (reusable) {
    const std::lock_guard lock(answersMutex_);
    if (answers_.size() >= options_.reusableResponses) {
      std::erase_if(answers_, [&](const auto& entry) { return entry.second.nextUpdate <= now; });
      if (answers_.size() >= options_.reusableResponses) answers_.clear();
    }
    answers_.insert_or_assign(std::move(requestKey),
                              SignedAnswer{std::move(statuses), now, now + options_.validity, der});
  }
  return der;
}

}  // namespace kyso::pki
