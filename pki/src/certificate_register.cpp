#include "kyso/pki/certificate_register.h"

#include <array>
#include <cctype>
#include <utility>

#include "kyso/error.h"
#include "kyso/pki/ossl.h"

namespace kyso::pki {

namespace {

constexpr std::array<std::pair<RevocationReason, std::string_view>, 10> kReasonNames{{
    {RevocationReason::Unspecified, "unspecified"},
    {RevocationReason::KeyCompromise, "keyCompromise"},
    {RevocationReason::CaCompromise, "cACompromise"},
    {RevocationReason::AffiliationChanged, "affiliationChanged"},
    {RevocationReason::Superseded, "superseded"},
    {RevocationReason::CessationOfOperation, "cessationOfOperation"},
    {RevocationReason::CertificateHold, "certificateHold"},
    {RevocationReason::RemoveFromCrl, "removeFromCRL"},
    {RevocationReason::PrivilegeWithdrawn, "privilegeWithdrawn"},
    {RevocationReason::AaCompromise, "aACompromise"},
}};

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

std::string_view revocationReasonName(RevocationReason reason) {
  for (const auto& [value, name] : kReasonNames) {
    if (value == reason) return name;
  }
  return "unspecified";
}

RevocationReason parseRevocationReason(std::string_view name) {
  for (const auto& [value, known] : kReasonNames) {
    if (equalsIgnoringCase(known, name)) return value;
  }
  throw InputError("invalid_revocation_reason",
                   "unknown revocation reason '" + std::string(name) + "' (RFC 5280 names: keyCompromise, ...)");
}

std::string issuerKeyId(const Certificate& ca) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  ossl::check(X509_pubkey_digest(ca.get(), EVP_sha1(), digest, &size), "X509_pubkey_digest");
  return toHex(ByteView(digest, size));
}

}  // namespace kyso::pki
