// The PDF side of a signature, in the stages that two-step signing splits across requests:
//   1. prepare: append an incremental update with a signature field and an empty /Contents of a
//      fixed capacity, and compute the digest of the byte range (ISO 32000-1 §12.8.1);
//   2. (elsewhere) build the CMS over that digest and have it signed;
//   3. embed: write the DER CMS into the placeholder.
// The original bytes are never changed.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "kyso/pki/bytes.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/digest.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/signer/visible_signature.h"

namespace kyso::signer {

// The signature dictionary's descriptive entries (ISO 32000-1 §12.8.1, table 252). Text is UTF-8.
struct PdfSignatureFields {
  pki::TimePoint signingTime;  // /M, written in Vietnam time (+07'00')
  std::string reason;
  std::string location;
  std::string contactInfo;
  std::string signerName;  // /Name
  // Name of the new signature field; empty picks "Signature<n>", the first one not in use.
  std::string fieldName;
  // Invisible (an empty /Rect on page 1) unless set.
  std::optional<VisibleSignature> visible;
  // Faces for the text of the signer and copy layouts; null: AppearanceFonts::system().
  std::shared_ptr<const AppearanceFonts> fonts;
  // A document time-stamp (ISO 32000-2 §12.8.5, PAdES B-LTA) instead of a signature: /Type
  // /DocTimeStamp, /SubFilter /ETSI.RFC3161 and no descriptive entries (the text above must be
  // empty); the default field name is "DocTimeStamp<n>". /Contents then takes an RFC 3161 token.
  bool documentTimeStamp = false;
};

struct PreparedPdfSignature {
  std::string fieldName;
  std::array<std::uint64_t, 4> byteRange{};
  std::uint64_t contentsOffset = 0;  // offset of the '<' that opens /Contents
  std::size_t contentsCapacity = 0;  // bytes of DER the placeholder holds
  std::uint64_t outputSize = 0;
  pki::DigestAlgorithm digestAlgorithm = pki::DigestAlgorithm::Sha256;
  Bytes documentDigest;  // over the byte range

  // SHA-256 over everything up to /Contents and the bytes after it, kept from the single pass over
  // the document so that the digest of the finished file costs no second pass (in-process only).
  std::shared_ptr<pki::DigestCalculator> outputPrefixSha256;
  std::string outputTail;
};

// Limits applied to the text entries (characters of UTF-8).
inline constexpr std::size_t kMaxSignatureTextLength = 500;
// Valid UTF-8, no control characters, at most kMaxSignatureTextLength characters.
bool isValidSignatureText(const std::string& text);

// Writes `input` followed by the update to `output`. Throws DocumentError for documents that
// cannot be signed (not_a_pdf, pdf_encrypted, pdf_damaged, pdf_malformed, pdf_certified_no_changes)
// and InputError for bad fields.
PreparedPdfSignature preparePdfSignature(const PdfInput& input, PdfOutput& output, const PdfSignatureFields& fields,
                                         std::size_t contentsCapacity,
                                         pki::DigestAlgorithm digest = pki::DigestAlgorithm::Sha256);

// Writes `cms` (DER) into the placeholder. Throws InternalError("signature_too_large") when it
// does not fit. Returns the hex SHA-256 of the finished document when the preparation kept the
// state for it (else empty).
std::string embedPdfSignature(PdfOutput& output, const PreparedPdfSignature& prepared, ByteView cms);

// "D:20261127161500+07'00'" (ISO 32000-1 §7.9.4).
std::string pdfDate(pki::TimePoint time);

}  // namespace kyso::signer
