// PAdES signing (ETSI EN 319 142-1 baseline B-B and B-T): in one step with a key the service
// holds, or in two (prepare → the signature value is made elsewhere → complete) for keys it does
// not hold. Both paths run the same stages, so the same inputs give the same file.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kyso/pki/signing_key.h"
#include "kyso/pki/time_stamp.h"
#include "kyso/signer/cades.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/signer/pdf_signature.h"

namespace kyso::signer {

// B-LT and B-LTA are B-T signatures extended afterwards (kyso/signer/pdf_ltv.h): PadesSigner
// makes the B-T signature, the caller extends it.
enum class PadesLevel { B_B, B_T, B_LT, B_LTA };

std::string_view padesLevelName(PadesLevel level);
// "B-B", "B-T", "B-LT", "B-LTA" (also "PAdES-B-T", case-insensitive); throws InputError("invalid_level").
PadesLevel parsePadesLevel(std::string_view text);

struct PadesOptions {
  PadesLevel level = PadesLevel::B_B;
  PdfSignatureFields fields;
  pki::DigestAlgorithm digest = pki::DigestAlgorithm::Sha256;
  // Bytes of /Contents reserved beyond what kyso's own CMS needs: for a CMS built elsewhere as a
  // whole (CadesSignature::fromSigned), whose attributes and certificates kyso cannot measure.
  std::size_t contentsReserve = 0;
};

struct PadesResult {
  PreparedPdfSignature prepared;
  std::size_t cmsSize = 0;
  std::optional<pki::TimePoint> timeStampTime;
  std::string documentSha256;  // hex, of the signed document
};

class PadesSigner {
 public:
  // `timeStamps` may be null; B-T then fails with UnavailableError("tsa_not_configured").
  explicit PadesSigner(std::shared_ptr<pki::TimeStampSource> timeStamps);

  // Bytes to reserve in /Contents for a signature by `chain` with signatures of up to
  // `maxSignatureSize` bytes at `level`.
  std::size_t contentsCapacity(const pki::CertificateChain& chain, std::size_t maxSignatureSize, PadesLevel level,
                               pki::DigestAlgorithm digest = pki::DigestAlgorithm::Sha256) const;

  // Signs `input` into `output` (prepare → sign the CMS → time-stamp → embed).
  PadesResult sign(const PdfInput& input, PdfOutput& output, const pki::SigningCredential& credential,
                   const PadesOptions& options) const;

  // Stage 1 of two-step signing: checks that `chain`'s leaf may sign at the signing time, writes
  // the document with its placeholder to `output` and returns the CMS whose toBeSignedDigest()
  // the key must sign. `maxSignatureSize` bounds the signature value (pki::SigningKey).
  struct Prepared {
    PreparedPdfSignature pdf;
    CadesSignature cms;
  };
  Prepared prepare(const PdfInput& input, PdfOutput& output, const pki::CertificateChain& chain,
                   std::size_t maxSignatureSize, const PadesOptions& options) const;

  // Stage 2, once cms.setSignature() has accepted the signature value (or the CMS came whole from
  // CadesSignature::fromSigned over prepared.documentDigest): time-stamps for B-T and embeds the
  // CMS into `output`, which holds the prepared document.
  PadesResult complete(PdfOutput& output, const PreparedPdfSignature& prepared, CadesSignature& cms,
                       PadesLevel level) const;

  // Size in bytes of the largest signature value `certificate`'s key can make.
  static std::size_t maxSignatureSizeFor(const pki::Certificate& certificate);

  // False when B-T cannot be produced (no time-stamping authority).
  bool canTimeStamp() const { return timeStamps_ != nullptr; }

  // Completes a CMS whose signature value is set: adds the signature time-stamp for B-T.
  std::optional<pki::TimePoint> applyLevel(CadesSignature& cms, PadesLevel level) const;

 private:
  std::shared_ptr<pki::TimeStampSource> timeStamps_;
  // Measuring a CMS means building one; the size depends only on the chain and the key, so it is
  // measured once per signer (keyed by chain fingerprints, maximum signature size and digest).
  mutable std::mutex sizesMutex_;
  mutable std::map<std::string, std::size_t> cmsSizes_;
};

}  // namespace kyso::signer
