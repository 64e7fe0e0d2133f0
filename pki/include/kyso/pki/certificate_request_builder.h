// PKCS#10 certification requests (RFC 2986) signed by any SigningKey: a file key, a key in a
// PKCS#11 token, later a partner's remote key. The request is built from its parts and signed over
// its to-be-signed encoding, so the private key never has to be an OpenSSL object.
#pragma once

#include <string>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/signing_key.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace kyso::pki {

// A DER CertificationRequest for `publicKey` with `subject` (UTF-8; C as PrintableString),
// signed by `key` with `digest`: sha*WithRSAEncryption or ecdsa-with-SHA*. The signature is
// checked against `publicKey` before the request is returned, so a key that is not the private
// half of `publicKey` throws InputError("key_public_key_mismatch").
Bytes buildCertificateRequest(const DistinguishedName& subject, EVP_PKEY* publicKey, const SigningKey& key,
                              DigestAlgorithm digest = DigestAlgorithm::Sha256);

// "-----BEGIN CERTIFICATE REQUEST-----" PEM of a DER request.
std::string certificateRequestPem(ByteView der);

}  // namespace kyso::pki
