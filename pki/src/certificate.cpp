#include "kyso/pki/certificate.h"

#include <openssl/pem.h>

#include <fstream>
#include <sstream>

#include "kyso/numeric.h"
#include "kyso/pki/asn1_time.h"
#include "kyso/pki/ossl.h"

namespace kyso::pki {

Certificate::Certificate(X509* cert) : cert_(cert, ossl::Deleter<X509>{}) {
  if (cert == nullptr) throw InternalError("null certificate");
}

Certificate Certificate::fromDer(ByteView der) {
  const unsigned char* p = der.data();
  ossl::Ptr<X509> cert(d2i_X509(nullptr, &p, checkedCast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) {
    ossl::clearErrors();
    throw InputError("invalid_certificate", "not a DER X.509 certificate");
  }
  return Certificate(cert.release());  // the Certificate owns it now
}

Certificate Certificate::fromPem(std::string_view pem) {
  auto all = allFromPem(pem);
  return all.front();
}

std::vector<Certificate> Certificate::allFromPem(std::string_view pem) {
  auto bio = ossl::own(BIO_new_mem_buf(pem.data(), checkedCast<int>(pem.size())), "BIO_new_mem_buf");
  std::vector<Certificate> out;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(cert);
  }
  ossl::clearErrors();  // the loop ends on "no start line"
  if (out.empty()) throw InputError("invalid_certificate", "no PEM certificate found");
  return out;
}

std::vector<Certificate> Certificate::allFromPemFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("file_unreadable", "cannot read certificate file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return allFromPem(text.str());
}

EVP_PKEY* Certificate::publicKey() const {
  return ossl::check(X509_get0_pubkey(cert_.get()), "X509_get0_pubkey");
}

Bytes Certificate::der() const {
  unsigned char* out = nullptr;
  const int size = i2d_X509(cert_.get(), &out);
  ossl::check(size, "i2d_X509");
  ossl::Buffer owned(out);
  return Bytes(out, out + size);
}

std::string Certificate::pem() const {
  auto bio = ossl::own(BIO_new(BIO_s_mem()), "BIO_new");
  ossl::check(PEM_write_bio_X509(bio.get(), cert_.get()), "PEM_write_bio_X509");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, checkedCast<std::size_t>(size));
}

namespace {
std::string nameToString(const X509_NAME* name) {
  auto bio = ossl::own(BIO_new(BIO_s_mem()), "BIO_new");
  // RFC 2253 order with UTF-8 output (no \\xx escapes of non-ASCII characters).
  const unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  ossl::check(X509_NAME_print_ex(bio.get(), name, 0, flags) >= 0 ? 1 : 0, "X509_NAME_print_ex");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, checkedCast<std::size_t>(size));
}
}  // namespace

std::string Certificate::subject() const {
  return nameToString(X509_get_subject_name(cert_.get()));
}
std::string Certificate::issuer() const {
  return nameToString(X509_get_issuer_name(cert_.get()));
}

std::optional<std::string> Certificate::subjectAttribute(std::string_view shortName) const {
  const int nid = OBJ_txt2nid(std::string(shortName).c_str());
  if (nid == NID_undef) {
    ossl::clearErrors();
    return std::nullopt;
  }
  const X509_NAME* name = X509_get_subject_name(cert_.get());
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return std::nullopt;
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, value);
  ossl::check(size >= 0 ? 1 : 0, "ASN1_STRING_to_UTF8");
  ossl::Buffer owned(utf8);
  return std::string(reinterpret_cast<char*>(utf8), checkedCast<std::size_t>(size));
}

std::string Certificate::commonName() const {
  return subjectAttribute("CN").value_or("");
}

std::string Certificate::serialHex() const {
  auto bn = ossl::own(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr), "ASN1_INTEGER_to_BN");
  ossl::CString hex(ossl::check(BN_bn2hex(bn.get()), "BN_bn2hex"));
  return hex.get();
}

TimePoint Certificate::notBefore() const {
  return fromAsn1Time(X509_get0_notBefore(cert_.get()));
}
TimePoint Certificate::notAfter() const {
  return fromAsn1Time(X509_get0_notAfter(cert_.get()));
}

bool Certificate::isSelfSigned() const {
  return (X509_get_extension_flags(cert_.get()) & EXFLAG_SS) != 0;
}

bool Certificate::isCa() const {
  return X509_check_ca(cert_.get()) > 0;
}

Bytes Certificate::fingerprint(DigestAlgorithm algorithm) const {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  ossl::check(X509_digest(cert_.get(), evpMd(algorithm), out.data(), &size), "X509_digest");
  out.resize(size);
  return out;
}

bool Certificate::operator==(const Certificate& other) const {
  return X509_cmp(cert_.get(), other.cert_.get()) == 0;
}

std::string toPem(const CertificateChain& chain) {
  std::string out;
  for (const auto& cert : chain) out += cert.pem();
  return out;
}

CertificateChain orderChain(const Certificate& leaf, const std::vector<Certificate>& pool) {
  CertificateChain chain{leaf};
  while (!chain.back().isSelfSigned() && chain.size() <= pool.size()) {
    const Certificate& child = chain.back();
    bool found = false;
    for (const auto& candidate : pool) {
      if (candidate == child) continue;
      if (X509_check_issued(candidate.get(), child.get()) == X509_V_OK) {
        chain.push_back(candidate);
        found = true;
        break;
      }
    }
    if (!found) break;
  }
  return chain;
}

}  // namespace kyso::pki
