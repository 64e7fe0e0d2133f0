#include "kyso/pki/local_ca.h"

#include <openssl/pem.h>

#include <algorithm>
#include <cctype>

#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"
#include "utf8_text.h"

namespace kyso::pki {

namespace {

using std::chrono::floor;
using std::chrono::seconds;

bool allDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// RFC 5280 Appendix A upper bounds, in characters.
void requireText(const std::string& value, const char* what, std::size_t maxLength) {
  const auto length = textLength(value);
  if (!length || *length == 0 || *length > maxLength) {
    throw InputError("invalid_subject", std::string("the subject's ") + what + " must be 1 to " +
                                            std::to_string(maxLength) +
                                            " characters of UTF-8 without control characters");
  }
}

void requireUid(const std::string& uid) {
  constexpr std::string_view cccd = "CCCD:", mst = "MST:";
  const std::string_view v(uid);
  if (v.starts_with(cccd)) {
    const auto digits = v.substr(cccd.size());
    if (digits.size() == 12 && allDigits(digits)) return;
  } else if (v.starts_with(mst)) {
    const auto code = v.substr(mst.size());
    // A tax code is 10 digits; a branch's adds "-" and 3 digits.
    if ((code.size() == 10 && allDigits(code)) ||
        (code.size() == 14 && allDigits(code.substr(0, 10)) && code[10] == '-' && allDigits(code.substr(11)))) {
      return;
    }
  }
  throw InputError("invalid_subject", "a subject UID must be CCCD:<12 digits> or MST:<10 digits>[-<3 digits>]");
}

bool sameEntries(const std::vector<RevokedCertificate>& a, const std::vector<RevokedCertificate>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.serialHex == y.serialHex && x.revokedAt == y.revokedAt && x.reason == y.reason;
  });
}

}  // namespace

DistinguishedName vietnameseSubjectName(const CertificateSubject& subject) {
  requireText(subject.commonName, "common name", 64);
  requireText(subject.province, "province (ST)", 128);
  if (!subject.organization.empty()) requireText(subject.organization, "organization", 64);
  if (subject.uids.empty()) {
    throw InputError("invalid_subject", "the subject needs a UID: CCCD:<12 digits> or MST:<tax code>");
  }
  DistinguishedName dn{{"C", "VN"}, {"ST", subject.province}};
  if (!subject.organization.empty()) dn.push_back({"O", subject.organization});
  dn.push_back({"CN", subject.commonName});
  for (const std::string& uid : subject.uids) {
    requireUid(uid);
    dn.push_back({"UID", uid});
  }
  return dn;
}

CertificateRequest CertificateRequest::parse(ByteView input) {
  ossl::Ptr<X509_REQ> request;
  if (asChars(input).find("-----BEGIN") != std::string_view::npos) {
    auto bio = ossl::own(BIO_new_mem_buf(input.data(), checkedCast<int>(input.size())), "BIO_new_mem_buf");
    request.reset(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  } else {
    const unsigned char* p = input.data();
    request.reset(d2i_X509_REQ(nullptr, &p, checkedCast<long>(input.size())));
    if (request && p != input.data() + input.size()) request.reset();  // trailing bytes
  }
  ossl::Ptr<EVP_PKEY> key(request ? X509_REQ_get_pubkey(request.get()) : nullptr);  // get1: ours
  if (!key) {
    ossl::clearErrors();
    throw InputError("invalid_csr", "the certificate request is not a PKCS#10 request (DER or PEM)");
  }
  // The key is checked before the signature, so no time goes into verifying with an odd key.
  const int type = EVP_PKEY_get_base_id(key.get());
  bool supported = type == EVP_PKEY_RSA && EVP_PKEY_get_bits(key.get()) >= 2048;
  if (type == EVP_PKEY_EC) {
    char group[64] = {};
    std::size_t length = 0;
    supported = EVP_PKEY_get_group_name(key.get(), group, sizeof group, &length) == 1 &&
                std::string_view(group, length) == "prime256v1";
  }
  if (!supported) {
    ossl::clearErrors();
    throw InputError("csr_key_unsupported", "the certificate request's key must be RSA of 2048 bits or more, or P-256");
  }
  // RFC 2986 §3: the request is signed with the private half of the key it carries.
  if (X509_REQ_verify(request.get(), key.get()) != 1) {
    ossl::clearErrors();
    throw InputError("csr_signature_invalid", "the certificate request's signature does not verify with its own key");
  }
  return CertificateRequest(std::move(key));
}

std::string normalizeSerialHex(const std::string& serialHex) {
  const bool hex = !serialHex.empty() && serialHex.size() <= 64 &&
                   std::all_of(serialHex.begin(), serialHex.end(),
                               [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
  if (!hex) throw InputError("invalid_serial", "a serial number is 1 to 64 hexadecimal digits");
  BIGNUM* raw = nullptr;
  ossl::check(BN_hex2bn(&raw, serialHex.c_str()), "BN_hex2bn");
  ossl::Ptr<BIGNUM> bn(raw);
  ossl::CString text(ossl::check(BN_bn2hex(bn.get()), "BN_bn2hex"));
  return text.get();
}

LocalCertificateAuthority::LocalCertificateAuthority(Certificate certificate, CaKeySource key,
                                                     CertificateRegister& index, const Clock& clock,
                                                     LocalCaOptions options)
    : certificate_(std::move(certificate)),
      keySource_(std::move(key)),
      register_(index),
      clock_(clock),
      options_(std::move(options)),
      keyId_(issuerKeyId(certificate_)) {
  if (!certificate_.isCa()) throw InternalError("a local CA needs a CA certificate: " + certificate_.subject());
  if (options_.crlRefresh <= seconds(0) || options_.crlRefresh >= options_.crlValidity) {
    throw InternalError("the CRL refresh interval must be positive and shorter than the CRL validity");
  }
}

std::shared_ptr<const SoftwareKey> LocalCertificateAuthority::key() const {
  auto key = keySource_();
  if (!key) throw InternalError("the CA key of " + certificate_.subject() + " is not available", "key_unavailable");
  return key;
}

Certificate LocalCertificateAuthority::issue(const CertificateRequest& request, const CertificateSubject& subject) {
  CertificateProfile profile;
  profile.subject = vietnameseSubjectName(subject);
  const TimePoint now = floor<seconds>(clock_.now());
  const TimePoint caEnd = certificate_.notAfter();
  if (now >= caEnd || now < certificate_.notBefore()) {
    throw UnavailableError("ca_unusable", "the certificate authority cannot issue certificates now",
                           "CA certificate " + certificate_.subject() + " is outside its validity period");
  }
  profile.notBefore = now;
  profile.lifetime = std::min(options_.certificateLifetime, floor<seconds>(caEnd - now));
  profile.keyUsage = "critical,digitalSignature,nonRepudiation";
  profile.extendedKeyUsage = "clientAuth,emailProtection";
  profile.crlUrl = options_.crlUrl;
  profile.ocspUrl = options_.ocspUrl;
  profile.caIssuersUrl = options_.caIssuersUrl;
  Certificate issued = issueCertificate(profile, request.publicKey(), &certificate_, *key());
  // Recorded before it leaves: a certificate the register does not know would be "unknown" to OCSP.
  register_.record(keyId_, issued);
  return issued;
}

bool LocalCertificateAuthority::record(const Certificate& certificate) {
  const bool ours = X509_check_issued(certificate_.get(), certificate.get()) == X509_V_OK &&
                    X509_verify(certificate.get(), certificate_.publicKey()) == 1;
  ossl::clearErrors();
  if (!ours) {
    throw InputError("not_issued_here", "the certificate was not issued by " + certificate_.subject());
  }
  return register_.record(keyId_, certificate);
}

bool LocalCertificateAuthority::revoke(const std::string& serialHex, RevocationReason reason) {
  // RFC 5280 §5.3.1: certificateHold is temporary and removeFromCRL undoes it; kyso's revocations
  // are final, so neither is offered.
  if (reason == RevocationReason::CertificateHold || reason == RevocationReason::RemoveFromCrl) {
    throw InputError("invalid_revocation_reason",
                     "revocation is final: certificateHold and removeFromCRL are not used");
  }
  return register_.revoke(keyId_, normalizeSerialHex(serialHex), floor<seconds>(clock_.now()), reason);
}

std::optional<CertificateStatus> LocalCertificateAuthority::status(const std::string& serialHex) const {
  return register_.status(keyId_, normalizeSerialHex(serialHex));
}

SignedCrl LocalCertificateAuthority::currentCrl() {
  std::lock_guard lock(crlMutex_);
  std::vector<RevokedCertificate> revoked = register_.revoked(keyId_);
  const TimePoint now = floor<seconds>(clock_.now());
  if (crl_ && sameEntries(revoked, crlRevoked_) && now >= crl_->thisUpdate &&
      now < crl_->thisUpdate + options_.crlRefresh) {
    return *crl_;
  }
  SignedCrl crl;
  crl.number = register_.nextCrlNumber(keyId_);
  crl.thisUpdate = now;
  crl.nextUpdate = now + options_.crlValidity;
  crl.revokedCount = revoked.size();
  crl.der = buildCrl(certificate_, *key(), revoked, crl.thisUpdate, crl.nextUpdate, crl.number);
  crl_ = crl;
  crlRevoked_ = std::move(revoked);
  return crl;
}

}  // namespace kyso::pki
