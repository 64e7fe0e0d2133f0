#include "kyso/pki/software_key.h"

#include <openssl/pem.h>

#include <fstream>
#include <sstream>

#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"

namespace kyso::pki {

SoftwareKey::SoftwareKey(ossl::Ptr<EVP_PKEY> key) : key_(std::move(key)) {
  if (!key_) throw InternalError("null key");
  const int id = EVP_PKEY_get_base_id(key_.get());
  if (id != EVP_PKEY_RSA && id != EVP_PKEY_EC) throw InputError("unsupported_key", "only RSA and ECDSA keys can sign");
}

std::shared_ptr<SoftwareKey> SoftwareKey::fromPem(std::string_view pem, const std::string& passphrase) {
  auto bio = ossl::own(BIO_new_mem_buf(pem.data(), checkedCast<int>(pem.size())), "BIO_new_mem_buf");
  // An empty passphrase is passed as such so that an encrypted key fails instead of prompting.
  ossl::Ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>(passphrase.c_str())));
  if (!key) throw InputError("invalid_key", ossl::drainErrors("cannot read the PEM private key"));
  return std::make_shared<SoftwareKey>(std::move(key));
}

std::shared_ptr<SoftwareKey> SoftwareKey::fromPemFile(const std::string& path, const std::string& passphrase) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("file_unreadable", "cannot read key file " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string pem = text.str();
  auto key = fromPem(pem, passphrase);
  wipe(pem);
  return key;
}

std::shared_ptr<SoftwareKey> SoftwareKey::generate(KeyAlgorithm algorithm, int rsaBits) {
  EVP_PKEY* key = algorithm == KeyAlgorithm::Rsa
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsaBits))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  return std::make_shared<SoftwareKey>(ossl::own(key, "EVP_PKEY_Q_keygen"));
}

KeyAlgorithm SoftwareKey::algorithm() const {
  return EVP_PKEY_get_base_id(key_.get()) == EVP_PKEY_RSA ? KeyAlgorithm::Rsa : KeyAlgorithm::Ecdsa;
}

std::size_t SoftwareKey::maxSignatureSize() const {
  return checkedCast<std::size_t>(EVP_PKEY_get_size(key_.get()));
}

Bytes SoftwareKey::signDigest(DigestAlgorithm algorithm, ByteView digest) const {
  if (digest.size() != digestSize(algorithm)) {
    throw InputError("invalid_digest", "digest length does not match " + std::string(digestName(algorithm)));
  }
  auto ctx = ossl::own(EVP_PKEY_CTX_new(key_.get(), nullptr), "EVP_PKEY_CTX_new");
  ossl::check(EVP_PKEY_sign_init(ctx.get()), "EVP_PKEY_sign_init");
  if (this->algorithm() == KeyAlgorithm::Rsa) {
    ossl::check(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING), "set_rsa_padding");
  }
  // With the signature digest set, RSA wraps the digest in its DigestInfo (RFC 8017 §9.2).
  ossl::check(EVP_PKEY_CTX_set_signature_md(ctx.get(), evpMd(algorithm)), "set_signature_md");
  std::size_t size = 0;
  ossl::check(EVP_PKEY_sign(ctx.get(), nullptr, &size, digest.data(), digest.size()), "EVP_PKEY_sign");
  Bytes signature(size);
  ossl::check(EVP_PKEY_sign(ctx.get(), signature.data(), &size, digest.data(), digest.size()), "EVP_PKEY_sign");
  signature.resize(size);
  return signature;
}

std::string SoftwareKey::privateKeyPem() const {
  auto bio = ossl::own(BIO_new(BIO_s_mem()), "BIO_new");
  ossl::check(PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr),
              "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, checkedCast<std::size_t>(size));
}

LazyPemKey::LazyPemKey(std::string path, const Certificate& certificate)
    : path_(std::move(path)),
      algorithm_(EVP_PKEY_get_base_id(certificate.publicKey()) == EVP_PKEY_RSA ? KeyAlgorithm::Rsa
                                                                               : KeyAlgorithm::Ecdsa),
      maxSignatureSize_(checkedCast<std::size_t>(EVP_PKEY_get_size(certificate.publicKey()))) {}

std::shared_ptr<SoftwareKey> LazyPemKey::get() const {
  // A key file that fails now is the operator's problem, not the caller's: the client sees a
  // server error without the path, the log gets the reason. A later call tries again.
  std::call_once(once_, [this] {
    try {
      key_ = SoftwareKey::fromPemFile(path_);
    } catch (const Error& e) {
      throw Error(ErrorKind::Internal, "key_unavailable", "a service key cannot be loaded",
                  path_ + ": " + e.what() + (e.detail().empty() ? "" : " (" + e.detail() + ")"));
    }
  });
  return key_;
}

Pkcs12Contents loadPkcs12File(const std::string& path, std::string password) {
  auto bio = ossl::Ptr<BIO>(BIO_new_file(path.c_str(), "rb"));
  if (!bio) {
    ossl::clearErrors();
    wipe(password);
    throw InputError("file_unreadable", "cannot read PKCS#12 file " + path);
  }
  ossl::Ptr<PKCS12> p12(d2i_PKCS12_bio(bio.get(), nullptr));
  if (!p12) {
    wipe(password);
    throw InputError("invalid_pkcs12", ossl::drainErrors("not a PKCS#12 file: " + path));
  }
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* extra = nullptr;
  const int ok = PKCS12_parse(p12.get(), password.c_str(), &key, &cert, &extra);
  wipe(password);
  if (ok != 1) {
    throw InputError("invalid_pkcs12", ossl::drainErrors("cannot open PKCS#12 file (wrong password?) " + path));
  }
  // PKCS12_parse hands over all three.
  ossl::Ptr<EVP_PKEY> ownedKey(key);
  ossl::Ptr<X509> ownedCert(cert);
  ossl::Ptr<STACK_OF(X509)> others(extra);
  if (!ownedKey || !ownedCert) {
    throw InputError("invalid_pkcs12", "PKCS#12 file has no key and certificate: " + path);
  }
  Pkcs12Contents contents{std::make_shared<SoftwareKey>(std::move(ownedKey)),
                          {Certificate(ownedCert.release())}};  // the Certificate owns it now
  while (others && sk_X509_num(others.get()) > 0) {
    // sk_X509_shift hands over ownership of the element.
    contents.chain.emplace_back(sk_X509_shift(others.get()));
  }
  return contents;
}

}  // namespace kyso::pki
