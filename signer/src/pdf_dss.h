// The document security store (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4): reading the /DSS
// dictionary of a PDF, and the long-term checks the verifier makes with it — document time-stamps
// (ISO 32000-2 §12.8.5, /SubFilter /ETSI.RFC3161) and the B-LT / B-LTA levels.
#pragma once

#include <podofo/podofo.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"
#include "kyso/signer/pdf_verifier.h"
#include "kyso/signer/verification.h"

namespace kyso::signer::detail {

class ParsedPdf;
class RevocationChecker;

struct DssEntry {
  Bytes data;  // decoded stream: a DER certificate, OCSPResponse or CRL
  PoDoFo::PdfReference ref;
};

struct DssContents {
  bool present = false;
  // Where the /DSS dictionary in force is written: its object (or, when it is direct, the
  // catalog's); an object in an object stream counts at that stream's offset.
  std::uint64_t offset = 0;
  std::vector<DssEntry> certificates;
  std::vector<DssEntry> ocspResponses;
  std::vector<DssEntry> crls;
  PoDoFo::PdfDictionary dictionary;      // as found, references kept, for merging into a new one
  std::vector<pki::Certificate> parsed;  // the certificates that parse

  const std::vector<pki::Certificate>& parsedCertificates() const { return parsed; }
};

// The catalog's /DSS; an empty DssContents without one. Entries that are not streams are skipped,
// and so is everything beyond 1000 entries per array or 64 MiB of decoded data (a /DSS is read for
// anonymous uploads: it must not cost more than a large signature does).
// Throws DocumentError("pdf_malformed") for a /DSS that is not a dictionary.
DssContents readDss(const ParsedPdf& pdf);

// A signature dictionary's /Contents as it is in the file.
struct RawSignatureContents {
  std::uint64_t open = 0;   // offset of '<'
  std::uint64_t close = 0;  // offset of '>'
  Bytes bytes;              // the decoded string, padding included
};
// Null (with `problem`) when the dictionary is compressed, unreadable, or has no single hex /Contents.
std::optional<RawSignatureContents> signatureContents(const ParsedPdf& pdf, const PoDoFo::PdfReference& ref,
                                                      std::string& problem);

// ETSI EN 319 142-1 §5.4.2.2: the /VRI key of a signature, the upper-case hex SHA-1 of the bytes
// of its /Contents.
std::string vriKey(ByteView contents);

// ISO 32000-2 §12.8.5: checks the document time-stamp of field `fieldName` (dictionary `ref`): the
// byte range leaves out exactly its /Contents, the token's imprint is the digest of that range,
// the token's signature verifies and its TSA chains to a time-stamp trust anchor at the
// validation time, and (unless policy.revocation is Skip) its TSA's path was not revoked at or
// before the token's time and has a known status (checkTimeStampAuthority, revocation_check.h,
// with `revocation`); a revocation after it adds a warning to `warnings`. Never throws for a bad
// time-stamp.
DocumentTimeStampResult verifyDocumentTimeStamp(const ParsedPdf& pdf, const PoDoFo::PdfReference& ref,
                                                const std::string& fieldName, const VerificationPolicy& policy,
                                                const DssContents& dss, pki::TimePoint now,
                                                RevocationChecker& revocation, std::vector<std::string>& warnings);

// EN 319 142-1 §6.3 levels, as the verifier gives them: B-LT for a B-T signature whose revocation
// data came entirely from the DSS; B-LTA for a B-LT one when a valid document time-stamp was
// applied after the DSS in force was written.
void applyLongTermLevel(SignatureResult& result);
void applyArchiveLevel(VerificationReport& report, const DssContents& dss);

}  // namespace kyso::signer::detail
