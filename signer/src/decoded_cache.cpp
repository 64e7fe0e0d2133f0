#include "decoded_cache.h"

#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"

namespace kyso::signer::detail {

namespace {

// Enough for the CAs, responders and TSAs of many issuers, and for the revocation answers about
// the certificates one is verifying (an OCSP answer is reused until its register changes).
constexpr std::size_t kCertificates = 256;
constexpr std::size_t kOcspResponses = 256;

}  // namespace

pki::Certificate decodeCertificate(ByteView der) {
  static DecodedCache<pki::Certificate> cache(kCertificates);
  return cache.get(der, [](ByteView bytes) {
    pki::Certificate certificate = pki::Certificate::fromDer(bytes);
    try {
      certificate.publicKey();  // decoded now, once
    } catch (const CryptoError&) {
      ossl::clearErrors();  // a key OpenSSL cannot read: told by whoever uses it
    }
    return certificate;
  });
}

std::shared_ptr<const DecodedOcspResponse> readOcspResponse(ByteView der) {
  auto out = std::make_shared<DecodedOcspResponse>();
  const unsigned char* p = der.data();
  const ossl::Ptr<OCSP_RESPONSE> response(d2i_OCSP_RESPONSE(nullptr, &p, checkedCast<long>(der.size())));
  out->complete = response && p == der.data() + der.size();
  if (out->complete) {
    out->status = OCSP_response_status(response.get());
    if (out->status == OCSP_RESPONSE_STATUS_SUCCESSFUL) {
      out->basic = ossl::Ptr<OCSP_BASICRESP>(OCSP_response_get1_basic(response.get()));  // now shared
    }
  }
  ossl::clearErrors();
  return out;
}

std::shared_ptr<const DecodedOcspResponse> decodeOcspResponse(ByteView der) {
  static DecodedCache<std::shared_ptr<const DecodedOcspResponse>> cache(kOcspResponses);
  return cache.get(der, readOcspResponse);
}

}  // namespace kyso::signer::detail
