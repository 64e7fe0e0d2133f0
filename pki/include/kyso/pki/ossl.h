// One RAII vocabulary for OpenSSL handles (after boringssl's bssl::UniquePtr): a deleter is declared
// once per type here, so call sites write ossl::Ptr<X509> and never name a free function.
//
// Ownership conventions at call sites: OpenSSL's get0 borrows, get1/new return owned objects that go
// straight into a Ptr, and set0/add0/push take ownership — the caller writes `.release()` with a
// short comment at each such hand-over.
//
// Every OpenSSL call that can fail goes through check()/own(), the one choke point that turns a
// failure into kyso::CryptoError carrying the drained error queue.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pkcs12.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

#include "kyso/error.h"
#include "kyso/pki/bytes.h"
#include "kyso/pki/ossl_ptr.h"

namespace kyso {

// An OpenSSL operation failed. Internal by default (a defect or broken key material); call sites
// that fail on untrusted input catch it and rethrow an InputError with their own words.
class CryptoError : public InternalError {
 public:
  explicit CryptoError(const std::string& message) : InternalError(message, "crypto_failure") {}
};

namespace ossl {

template <auto FreeFn>
struct FreeWith {
  template <typename T>
  void operator()(T* p) const noexcept {
    FreeFn(p);
  }
};

// Deleter<T> and Ptr<T> are declared in ossl_ptr.h, with the deleters of EVP_PKEY, EVP_MD_CTX,
// X509 and CMS_ContentInfo (types public headers hold).
// clang-format off
// ASN1_INTEGER, ASN1_OCTET_STRING, ASN1_TIME... are all ASN1_STRING: one deleter serves them.
template <> struct Deleter<ASN1_STRING> : FreeWith<&ASN1_STRING_free> {};
template <> struct Deleter<ASN1_OBJECT> : FreeWith<&ASN1_OBJECT_free> {};
template <> struct Deleter<ASN1_TYPE> : FreeWith<&ASN1_TYPE_free> {};
template <> struct Deleter<BIGNUM> : FreeWith<&BN_free> {};
template <> struct Deleter<BIO> : FreeWith<&BIO_free_all> {};
template <> struct Deleter<EC_GROUP> : FreeWith<&EC_GROUP_free> {};
template <> struct Deleter<ECDSA_SIG> : FreeWith<&ECDSA_SIG_free> {};
template <> struct Deleter<ESS_SIGNING_CERT> : FreeWith<&ESS_SIGNING_CERT_free> {};
template <> struct Deleter<ESS_SIGNING_CERT_V2> : FreeWith<&ESS_SIGNING_CERT_V2_free> {};
template <> struct Deleter<EVP_PKEY_CTX> : FreeWith<&EVP_PKEY_CTX_free> {};
template <> struct Deleter<ISSUING_DIST_POINT> : FreeWith<&ISSUING_DIST_POINT_free> {};
template <> struct Deleter<OCSP_BASICRESP> : FreeWith<&OCSP_BASICRESP_free> {};
template <> struct Deleter<OCSP_CERTID> : FreeWith<&OCSP_CERTID_free> {};
template <> struct Deleter<OCSP_REQUEST> : FreeWith<&OCSP_REQUEST_free> {};
template <> struct Deleter<OCSP_RESPONSE> : FreeWith<&OCSP_RESPONSE_free> {};
template <> struct Deleter<OSSL_PARAM> : FreeWith<&OSSL_PARAM_free> {};
template <> struct Deleter<OSSL_PARAM_BLD> : FreeWith<&OSSL_PARAM_BLD_free> {};
template <> struct Deleter<PKCS12> : FreeWith<&PKCS12_free> {};
template <> struct Deleter<PKCS7> : FreeWith<&PKCS7_free> {};
template <> struct Deleter<TS_MSG_IMPRINT> : FreeWith<&TS_MSG_IMPRINT_free> {};
template <> struct Deleter<TS_REQ> : FreeWith<&TS_REQ_free> {};
template <> struct Deleter<TS_RESP> : FreeWith<&TS_RESP_free> {};
template <> struct Deleter<TS_RESP_CTX> : FreeWith<&TS_RESP_CTX_free> {};
template <> struct Deleter<TS_TST_INFO> : FreeWith<&TS_TST_INFO_free> {};
template <> struct Deleter<TS_VERIFY_CTX> : FreeWith<&TS_VERIFY_CTX_free> {};
template <> struct Deleter<X509_ALGOR> : FreeWith<&X509_ALGOR_free> {};
template <> struct Deleter<X509_ATTRIBUTE> : FreeWith<&X509_ATTRIBUTE_free> {};
template <> struct Deleter<X509_CRL> : FreeWith<&X509_CRL_free> {};
template <> struct Deleter<X509_EXTENSION> : FreeWith<&X509_EXTENSION_free> {};
template <> struct Deleter<X509_NAME> : FreeWith<&X509_NAME_free> {};
template <> struct Deleter<X509_REQ> : FreeWith<&X509_REQ_free> {};
template <> struct Deleter<X509_REVOKED> : FreeWith<&X509_REVOKED_free> {};
template <> struct Deleter<X509_SIG> : FreeWith<&X509_SIG_free> {};
template <> struct Deleter<X509_STORE> : FreeWith<&X509_STORE_free> {};
template <> struct Deleter<X509_STORE_CTX> : FreeWith<&X509_STORE_CTX_free> {};
template <> struct Deleter<X509_VERIFY_PARAM> : FreeWith<&X509_VERIFY_PARAM_free> {};
// clang-format on

// Stacks own their elements.
template <>
struct Deleter<STACK_OF(X509)> {
  void operator()(STACK_OF(X509) * p) const noexcept { sk_X509_pop_free(p, X509_free); }
};
template <>
struct Deleter<STACK_OF(X509_CRL)> {
  void operator()(STACK_OF(X509_CRL) * p) const noexcept { sk_X509_CRL_pop_free(p, X509_CRL_free); }
};
// clang-format off
template <> struct Deleter<STACK_OF(DIST_POINT)> : FreeWith<&CRL_DIST_POINTS_free> {};
template <> struct Deleter<STACK_OF(OPENSSL_STRING)> : FreeWith<&X509_email_free> {};
// clang-format on

// OPENSSL_malloc'ed buffers (i2d output, BN_bn2hex, X509_NAME_print...).
struct OpenSslFree {
  void operator()(void* p) const noexcept { OPENSSL_free(p); }
};
using Buffer = std::unique_ptr<unsigned char, OpenSslFree>;
using CString = std::unique_ptr<char, OpenSslFree>;

// Drains OpenSSL's thread-local error queue into one line ("what: lib:reason; ...").
std::string drainErrors(std::string_view what);

[[noreturn]] void fail(std::string_view what);

// OpenSSL's int-returning calls: 1 (or > 0) is success.
inline void check(int rc, std::string_view what) {
  if (rc <= 0) fail(what);
}

template <typename T>
T* check(T* p, std::string_view what) {
  if (p == nullptr) fail(what);
  return p;
}

// Takes ownership of a freshly created object (new/get1/d2i), failing if it is null.
template <typename T>
Ptr<T> own(T* p, std::string_view what) {
  return Ptr<T>(check(p, what));
}

// The DER encoding of `object` by its i2d function (i2d_OCSP_RESPONSE, i2d_ECDSA_SIG...).
template <typename T, typename I2d>
Bytes toDer(I2d i2d, const T* object, std::string_view what) {
  unsigned char* der = nullptr;
  const int length = i2d(object, &der);
  check(length, what);
  const Buffer owned(der);
  return Bytes(der, der + length);
}

// Discards anything a previous, already handled failure left in this thread's error queue.
inline void clearErrors() {
  ERR_clear_error();
}

}  // namespace ossl
}  // namespace kyso
