#include "kyso/signer/pades_signer.h"

#include <algorithm>
#include <cctype>

#include <openssl/evp.h>

#include "kyso/error.h"
#include "kyso/signer/cades.h"

namespace kyso::signer {

std::string_view padesLevelName(PadesLevel level) {
  switch (level) {
    case PadesLevel::B_B:
      return "B-B";
    case PadesLevel::B_T:
      return "B-T";
    case PadesLevel::B_LT:
      return "B-LT";
    case PadesLevel::B_LTA:
      return "B-LTA";
  }
  return "B-B";
}

PadesLevel parsePadesLevel(std::string_view text) {
  std::string t;
  for (char c : text) t.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (t.starts_with("PADES-")) t = t.substr(6);
  if (t == "B-B" || t == "BB") return PadesLevel::B_B;
  if (t == "B-T" || t == "BT") return PadesLevel::B_T;
  if (t == "B-LT" || t == "BLT") return PadesLevel::B_LT;
  if (t == "B-LTA" || t == "BLTA") return PadesLevel::B_LTA;
  throw InputError("invalid_level",
                   "unsupported signature level '" + std::string(text) + "' (expected B-B, B-T, B-LT or B-LTA)");
}

PadesSigner::PadesSigner(std::shared_ptr<pki::TimeStampSource> timeStamps) : timeStamps_(std::move(timeStamps)) {}

std::size_t PadesSigner::contentsCapacity(const pki::CertificateChain& chain, std::size_t maxSignatureSize,
                                          PadesLevel level, pki::DigestAlgorithm digest) const {
  std::string key = std::to_string(maxSignatureSize) + "/" + std::string(pki::digestName(digest));
  for (const auto& cert : chain) key += "/" + toHex(cert.fingerprint());
  std::size_t size = 0;
  {
    std::lock_guard lock(sizesMutex_);
    if (const auto it = cmsSizes_.find(key); it != cmsSizes_.end()) size = it->second;
  }
  if (size == 0) {
    size = CadesSignature::sizeWith(chain, digest, maxSignatureSize);
    std::lock_guard lock(sizesMutex_);
    cmsSizes_[key] = size;
  }
  if (level != PadesLevel::B_B) {
    // The token plus the attribute around it (SEQUENCE, OID, SET: well under 64 bytes).
    size += (timeStamps_ ? timeStamps_->maxTokenSize() : 16 * 1024) + 64;
  }
  // Longer DER length fields as the structures grow.
  return size + 32;
}

std::optional<pki::TimePoint> PadesSigner::applyLevel(CadesSignature& cms, PadesLevel level) const {
  if (level == PadesLevel::B_B) return std::nullopt;
  if (!timeStamps_) throw UnavailableError("tsa_not_configured", "no time-stamping authority is configured");
  // RFC 3161 appendix A: the token's imprint is the hash of the SignerInfo's signature value.
  const Bytes imprint = pki::digest(pki::DigestAlgorithm::Sha256, cms.signature());
  const Bytes token = timeStamps_->timeStamp(pki::DigestAlgorithm::Sha256, imprint);
  cms.addSignatureTimeStamp(token);
  return pki::parseTimeStampToken(token).time;
}

PadesSigner::Prepared PadesSigner::prepare(const PdfInput& input, PdfOutput& output, const pki::CertificateChain& chain,
                                           std::size_t maxSignatureSize, const PadesOptions& options) const {
  if (chain.empty()) throw InputError("invalid_certificate", "no signer certificate given");
  pki::requireUsableForSigning(chain.front(), options.fields.signingTime);
  const std::size_t capacity =
      contentsCapacity(chain, maxSignatureSize, options.level, options.digest) + options.contentsReserve;
  PreparedPdfSignature pdf = preparePdfSignature(input, output, options.fields, capacity, options.digest);
  CadesSignature cms(chain, options.digest, pdf.documentDigest);
  return Prepared{std::move(pdf), std::move(cms)};
}

PadesResult PadesSigner::complete(PdfOutput& output, const PreparedPdfSignature& prepared, CadesSignature& cms,
                                  PadesLevel level) const {
  PadesResult result;
  result.prepared = prepared;
  result.timeStampTime = applyLevel(cms, level);
  const Bytes der = cms.der();
  result.cmsSize = der.size();
  result.documentSha256 = embedPdfSignature(output, prepared, der);
  return result;
}

std::size_t PadesSigner::maxSignatureSizeFor(const pki::Certificate& certificate) {
  // RSA: the modulus length; ECDSA: EVP_PKEY_get_size is the largest DER Ecdsa-Sig-Value.
  const int size = EVP_PKEY_get_size(certificate.publicKey());
  if (size <= 0) throw InputError("unsupported_key", "cannot tell the signature size of the certificate's key");
  return static_cast<std::size_t>(size);
}

PadesResult PadesSigner::sign(const PdfInput& input, PdfOutput& output, const pki::SigningCredential& credential,
                              const PadesOptions& options) const {
  if (!credential.key || credential.chain.empty()) throw InternalError("signing credential without key or chain");
  Prepared prepared = prepare(input, output, credential.chain, credential.key->maxSignatureSize(), options);
  try {
    prepared.cms.setSignature(credential.key->signDigest(options.digest, prepared.cms.toBeSignedDigest()));
  } catch (const InputError& e) {
    // Our own key refused the digest or made a signature its certificate does not verify: a
    // broken key source.
    throw InternalError("signing key '" + credential.id + "' produced an invalid signature: " + e.what(),
                        "signing_key_failure");
  }
  return complete(output, prepared.pdf, prepared.cms, options.level);
}

}  // namespace kyso::signer
