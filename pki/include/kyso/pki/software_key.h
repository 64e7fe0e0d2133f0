// Keys held in process memory, loaded from PEM or PKCS#12 files (the dev PKI, the embedded TSA,
// and agencies that keep their seal key in a file).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "kyso/pki/ossl_ptr.h"
#include "kyso/pki/signing_key.h"

namespace kyso::pki {

class SoftwareKey final : public SigningKey {
 public:
  // Throws InputError("unsupported_key") unless `key` is an RSA or EC key.
  explicit SoftwareKey(ossl::Ptr<EVP_PKEY> key);
  SoftwareKey(const SoftwareKey&) = delete;
  SoftwareKey& operator=(const SoftwareKey&) = delete;

  // PEM private key (PKCS#8 or traditional), optionally encrypted with `passphrase`.
  static std::shared_ptr<SoftwareKey> fromPemFile(const std::string& path, const std::string& passphrase = {});
  static std::shared_ptr<SoftwareKey> fromPem(std::string_view pem, const std::string& passphrase = {});
  // Newly generated key: RSA of `bits` or ECDSA on P-256.
  static std::shared_ptr<SoftwareKey> generate(KeyAlgorithm algorithm, int rsaBits = 2048);

  KeyAlgorithm algorithm() const override;
  std::size_t maxSignatureSize() const override;
  Bytes signDigest(DigestAlgorithm algorithm, ByteView digest) const override;

  // Borrowed; for OpenSSL APIs that need the key object itself (TSA, certificate issuing).
  EVP_PKEY* get() const { return key_.get(); }
  // Unencrypted PKCS#8 PEM (dev PKI files are written 0600).
  std::string privateKeyPem() const;

 private:
  ossl::Ptr<EVP_PKEY> key_;
};

// A PEM key file read on first use: the algorithm and maximum signature size come from the
// certificate, so a process that never signs with this key never decodes it.
class LazyPemKey final : public SigningKey {
 public:
  LazyPemKey(std::string path, const Certificate& certificate);

  KeyAlgorithm algorithm() const override { return algorithm_; }
  std::size_t maxSignatureSize() const override { return maxSignatureSize_; }
  Bytes signDigest(DigestAlgorithm algorithm, ByteView digest) const override {
    return get()->signDigest(algorithm, digest);
  }
  // Loads the key (once; thread-safe).
  std::shared_ptr<SoftwareKey> get() const;

 private:
  std::string path_;
  KeyAlgorithm algorithm_;
  std::size_t maxSignatureSize_;
  mutable std::once_flag once_;
  mutable std::shared_ptr<SoftwareKey> key_;
};

// A PKCS#12 file: the key, its certificate first, then the other certificates of the file.
struct Pkcs12Contents {
  std::shared_ptr<SoftwareKey> key;
  CertificateChain chain;
};
Pkcs12Contents loadPkcs12File(const std::string& path, std::string password);

}  // namespace kyso::pki
