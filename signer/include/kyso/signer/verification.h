// The outcome of validating signatures, modelled on ETSI EN 319 102-1 (§5.1.3: main status
// indication and sub-indication) and the validation report of ETSI TS 119 102-2. A verdict is a
// value: a signature that fails to verify is a TOTAL_FAILED report, not an exception. Exceptions
// mean that the input could not be evaluated at all (not a PDF, damaged cross-reference data).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kyso/pki/clock.h"

namespace kyso::signer {

// EN 319 102-1 §5.1.3, table 3.
enum class Indication { TotalPassed, TotalFailed, Indeterminate };

// "TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE".
std::string_view indicationName(Indication indication);

// EN 319 102-1 §5.1.3, tables 4 (with TOTAL_FAILED) and 5 (with INDETERMINATE). The standard
// uses some of them with either indication; the verifier documents which it gives where.
enum class SubIndication {
  None,
  // TOTAL_FAILED
  FormatFailure,     // FORMAT_FAILURE: the signature is not conformant to its format
  HashFailure,       // HASH_FAILURE: the signed data does not match the digest in the signature
  SigCryptoFailure,  // SIG_CRYPTO_FAILURE: the signature value does not verify with the signer's key
  Revoked,           // REVOKED: the signing certificate was revoked before the signature existed
  Expired,           // EXPIRED: the signature was proven to exist only after the certificate expired
  NotYetValid,       // NOT_YET_VALID: the signature existed before the certificate's notBefore
  // INDETERMINATE
  SigConstraintsFailure,           // SIG_CONSTRAINTS_FAILURE
  ChainConstraintsFailure,         // CHAIN_CONSTRAINTS_FAILURE
  CertificateChainGeneralFailure,  // CERTIFICATE_CHAIN_GENERAL_FAILURE
  CryptoConstraintsFailureNoPoe,   // CRYPTO_CONSTRAINTS_FAILURE_NO_POE
  NoSigningCertificateFound,       // NO_SIGNING_CERTIFICATE_FOUND
  NoCertificateChainFound,         // NO_CERTIFICATE_CHAIN_FOUND
  RevokedNoPoe,                    // REVOKED_NO_POE
  RevokedCaNoPoe,                  // REVOKED_CA_NO_POE
  OutOfBoundsNoPoe,                // OUT_OF_BOUNDS_NO_POE
  OutOfBoundsNotRevoked,           // OUT_OF_BOUNDS_NOT_REVOKED
  RevocationOutOfBoundsNoPoe,      // REVOCATION_OUT_OF_BOUNDS_NO_POE
  TryLater,                        // TRY_LATER
  SignedDataNotFound,              // SIGNED_DATA_NOT_FOUND
};

// The ETSI name ("HASH_FAILURE"); "" for None.
std::string_view subIndicationName(SubIndication subIndication);

// ETSI EN 319 142-1 §6 baseline levels. None: not a PAdES baseline signature (for example
// adbe.pkcs7.detached, or no ESS signing-certificate attribute).
enum class SignatureLevel { None, B_B, B_T, B_LT, B_LTA };

// "B-B", "B-T", "B-LT", "B-LTA"; "none" for None.
std::string_view signatureLevelName(SignatureLevel level);

struct CertificateSummary {
  std::string subject;  // RFC 2253, UTF-8
  std::string issuer;
  std::string serialHex;
  pki::TimePoint notBefore;
  pki::TimePoint notAfter;
};

struct SignerIdentity {
  std::string subject;     // RFC 2253, UTF-8
  std::string commonName;  // CN, may be empty
  std::string uid;         // UID (Vietnamese practice: "MST:<tax code>", "CCCD:<number>"); may be empty
  std::string serialHex;
};

enum class RevocationStatus {
  NotChecked,  // by policy (RevocationCheck::Skip)
  Good,
  Revoked,
  // No decision: the responder said "unknown", no source could be reached, the data was not
  // fresh or did not verify, or the certificate names no source (`problem` says which).
  Unknown,
};

// "not_checked", "good", "revoked", "unknown".
std::string_view revocationStatusName(RevocationStatus status);

// The revocation status of one certificate of a signature's path, and the data it rests on
// (EN 319 102-1 §5.2.5: revocation freshness; RFC 6960 §4.2.2.1, RFC 5280 §5.1.2.4-5).
struct RevocationEvidence {
  std::string certificateSubject;  // the certificate it is about (RFC 2253)
  std::string certificateSerialHex;
  RevocationStatus status = RevocationStatus::NotChecked;
  std::string source;                        // "ocsp", "crl" or "dss" (the document's /DSS); empty when none decided
  std::string url;                           // where the data came from
  std::optional<pki::TimePoint> producedAt;  // OCSP: when the responder signed the answer
  std::optional<pki::TimePoint> thisUpdate;
  std::optional<pki::TimePoint> nextUpdate;
  std::optional<pki::TimePoint> revocationTime;
  std::string revocationReason;  // RFC 5280 §5.3.1 name ("keyCompromise"); empty when not given
  std::string problem;           // why there is no decision (status Unknown), in plain English
};

// The signature time-stamp (RFC 3161 token in the unsigned attribute id-aa-signatureTimeStampToken,
// EN 319 122-1 §5.3) as found and checked.
struct TimeStampResult {
  pki::TimePoint time;
  std::string tsaSubject;
  // The token verifies over the signature value, its TSA chains to a trust anchor at the
  // validation time and (unless revocation is skipped) the TSA's path was not revoked at or before
  // the token's time and its status is known. Invalid tokens are reported but give no proof of
  // existence.
  bool valid = false;
  std::string problem;  // why it is not valid
  // The revocation status of the TSA's path below its anchor, the TSA first (EN 319 102-1 §5.4);
  // empty when not checked (RevocationCheck::Skip, or the token failed before).
  std::vector<RevocationEvidence> revocation;
};

// What a later incremental update (ISO 32000-1 §7.5.6) did to the document a signature covers,
// found by comparing the signed revision with the whole file object by object
// (signer/src/revision_analysis.h; the verdict per class is in docs/architecture.md).
enum class ChangeClass {
  Signature,     // a new signature field (field, signature dictionary, widget, appearance), or an
                 // empty one signed; with the /AcroForm /Fields and page /Annots entries it needs
  Dss,           // the document security store (/DSS, its streams, /VRI; ETSI EN 319 142-1 §5.4)
  DocTimeStamp,  // a document time-stamp field (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161)
  FormFill,      // the value (and its appearance) of a field other than a signature field
  Annotation,    // an annotation added, changed or removed
  Metadata,      // the document information dictionary, the catalog's XMP /Metadata, /Extensions
  Other,         // anything else: page content, resources, fonts, XObjects, the page tree, the
                 // catalog's /Pages, /Names, /OpenAction..., re-pointed or removed objects
};

// "signature", "dss", "doc_timestamp", "form_fill", "annotation", "metadata", "other".
std::string_view changeClassName(ChangeClass changeClass);

struct LaterChange {
  std::size_t revision = 0;  // the revision that made the change (counted from 1)
  ChangeClass changeClass = ChangeClass::Other;
  std::vector<std::uint32_t> objects;  // object numbers, ascending
  // Signature, Annotation, FormFill: an appearance is painted on a page (not hidden, not empty).
  bool visible = false;
  std::vector<std::string> descriptions;  // what changed, in plain English
};

// Which part of the file a signature covers (ISO 32000-1 §12.8.1: everything up to the end of its
// revision but its own /Contents).
struct SignatureCoverage {
  std::array<std::uint64_t, 4> byteRange{};
  std::uint64_t signedEnd = 0;   // where the signed revision ends: byteRange[2] + byteRange[3]
  std::uint64_t bytesAfter = 0;  // bytes of the file after signedEnd (later incremental updates)
  bool wholeDocument = false;    // bytesAfter == 0
  // The revision the signature covers, counted from 1 (the original document); 0 when the signed
  // range does not end where a revision ends.
  std::size_t revision = 0;
  // Everything the later revisions changed, by revision and class (empty when wholeDocument).
  std::vector<LaterChange> laterChanges;
};

struct SignatureResult {
  std::string fieldName;  // fully qualified (ISO 32000-1 §12.7.3.2)
  std::string subFilter;  // "ETSI.CAdES.detached", "adbe.pkcs7.detached"
  Indication indication = Indication::Indeterminate;
  SubIndication subIndication = SubIndication::None;
  std::string detail;  // what the sub-indication is about, in plain English
  SignatureLevel level = SignatureLevel::None;
  std::string digestAlgorithm;  // of the signed data: "SHA-256"
  std::optional<SignerIdentity> signer;
  // Claimed by the signer: /M of the signature dictionary (else a CMS signing-time attribute).
  std::optional<pki::TimePoint> claimedSigningTime;
  // Proven by a valid signature time-stamp.
  std::optional<pki::TimePoint> timeStampTime;
  std::optional<TimeStampResult> timeStamp;
  // The path as built: the signing certificate first, up to the trust anchor when one was reached,
  // else as far as it could be built.
  std::vector<CertificateSummary> chain;
  bool chainTrusted = false;
  // One entry per certificate of the path below the trust anchor, the signing certificate first;
  // empty when revocation was not looked at (RevocationCheck::Skip, or the path failed before).
  std::vector<RevocationEvidence> revocation;
  SignatureCoverage coverage;
  // ISO 32000-1 §12.8.2.2: the /P of a certification signature's DocMDP transform (1, 2 or 3);
  // 0 for an approval signature.
  int certificationPermissions = 0;
  std::vector<std::string> warnings;
};

// A document time-stamp (ISO 32000-2 §12.8.5, /SubFilter /ETSI.RFC3161) as found and checked: the
// proof that the document up to its revision, a /DSS included, existed at `time` (PAdES B-LTA).
struct DocumentTimeStampResult {
  std::string fieldName;
  pki::TimePoint time{};
  std::string tsaSubject;
  // The token's imprint is the digest of the byte range, its signature verifies and its TSA
  // chains to a time-stamp trust anchor at the validation time; its TSA's revocation is judged as
  // for TimeStampResult.
  bool valid = false;
  std::string problem;                         // why it is not valid
  std::vector<RevocationEvidence> revocation;  // of the TSA's path, as in TimeStampResult
  SignatureCoverage coverage;
  bool coversDss = false;  // a /DSS was written before the revision it covers ends
};

// Overall verdict, the worst of the signatures': any TOTAL_FAILED makes it TOTAL_FAILED, else any
// INDETERMINATE makes it INDETERMINATE, else TOTAL_PASSED — with the sub-indication of the first
// signature (in field order) that has that indication. A document without signatures is
// INDETERMINATE with no sub-indication: there is nothing that passed.
struct VerificationReport {
  Indication indication = Indication::Indeterminate;
  SubIndication subIndication = SubIndication::None;
  std::vector<SignatureResult> signatures;
  pki::TimePoint validationTime;
  std::uint64_t documentSize = 0;
  std::size_t revisions = 0;  // incremental updates + 1
  std::vector<std::string> warnings;
  // In field order. They prove existence; they do not count towards the verdict.
  std::vector<DocumentTimeStampResult> documentTimeStamps;
  // A PDF's /Title as pdfDocumentTitle() reads it (pdf_document_info.h), from the parse the
  // verification made; nullopt for XML, or when the /Info cannot be read. Never part of the verdict.
  std::optional<std::string> pdfTitle;
};

// Sets report.indication and report.subIndication from report.signatures by the rule above.
void summarize(VerificationReport& report);

}  // namespace kyso::signer
