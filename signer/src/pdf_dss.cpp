#include "pdf_dss.h"

#include <openssl/cms.h>
#include <openssl/ts.h>

#include <algorithm>
#include <cctype>

#include "decoded_cache.h"
#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/time_stamp.h"
#include "kyso/pki/trust_store.h"
#include "parsed_pdf.h"
#include "pdf_lexer.h"
#include "podofo_guard.h"
#include "revocation_check.h"

namespace kyso::signer::detail {

namespace {

using PoDoFo::PdfObject;
using PoDoFo::PdfReference;

// Bounds on what a /DSS may make us read: entries per array and bytes per stream.
constexpr std::size_t kMaxDssEntries = 1000;
constexpr std::size_t kMaxDssBytes = 64u << 20;
// A signature dictionary with its /Contents (B-LT signatures reach a few hundred KiB).
constexpr std::size_t kMaxSignatureDictionaryBytes = 16u << 20;

// Where the object `number` is written: its own offset, or its object stream's.
std::uint64_t objectOffset(const ParsedPdf& pdf, std::uint32_t number) {
  const XrefEntry* entry = pdf.xref().merged.find(number);
  if (entry == nullptr || entry->type == XrefEntry::Type::Free) return 0;
  if (entry->type == XrefEntry::Type::InUse) return entry->offset;
  const XrefEntry* stream = pdf.xref().merged.find(static_cast<std::uint32_t>(entry->offset));
  return stream != nullptr && stream->type == XrefEntry::Type::InUse ? stream->offset : 0;
}

std::vector<DssEntry> readStreams(const ParsedPdf& pdf, PdfObject* value, std::size_t& budget) {
  std::vector<DssEntry> out;
  PdfObject* array = pdf.resolve(value);
  if (array == nullptr || !array->IsArray()) return out;
  const PoDoFo::PdfArray entries = array->GetArray();  // a copy: loading objects must not pull it away
  for (const PdfObject& entry : entries) {
    if (out.size() >= kMaxDssEntries || budget == 0) break;
    if (!entry.IsReference()) continue;
    PdfObject* stream = pdf.object(entry.GetReference());
    if (stream == nullptr || !stream->HasStream()) continue;
    char* data = nullptr;
    PoDoFo::pdf_long length = 0;
    stream->GetStream()->GetFilteredCopy(&data, &length);
    std::unique_ptr<char, decltype(&PoDoFo::podofo_free)> owned(data, &PoDoFo::podofo_free);
    if (length <= 0 || static_cast<std::size_t>(length) > budget) continue;
    budget -= static_cast<std::size_t>(length);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
    out.push_back({Bytes(bytes, bytes + length), entry.GetReference()});
  }
  return out;
}

// RFC 3161 token verification without the imprint (compared by the caller): the token's signature
// and its TSA's path to a time-stamp trust anchor at `at`.
bool tokenVerifies(PKCS7* pkcs7, const VerificationPolicy& policy, const std::vector<pki::Certificate>& extra,
                   pki::TimePoint at) {
  if (pkcs7 == nullptr) return false;
  auto ctx = ossl::own(TS_VERIFY_CTX_new(), "TS_VERIFY_CTX_new");
  auto store =
      pki::newX509Store(policy.timeStampTrustAnchors.empty() ? policy.trustAnchors : policy.timeStampTrustAnchors);
  ossl::check(X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN), "X509_STORE_set_flags");
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), std::chrono::system_clock::to_time_t(at));
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());  // the context owns the store
  std::vector<pki::Certificate> untrusted = policy.intermediates;
  untrusted.insert(untrusted.end(), extra.begin(), extra.end());
  if (!untrusted.empty()) TS_VERIFY_CTX_set_certs(ctx.get(), pki::newX509Stack(untrusted).release());  // and the stack
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_SIGNATURE | TS_VFY_VERSION);
  const bool ok = TS_RESP_verify_token(ctx.get(), pkcs7) == 1;
  ossl::clearErrors();
  return ok;
}

Bytes digestRange(const PdfInput& input, pki::DigestAlgorithm algorithm, const std::array<std::uint64_t, 4>& range) {
  pki::DigestCalculator digest(algorithm);
  std::string buffer(1u << 20, '\0');
  for (const auto& [start, length] : {std::pair{range[0], range[1]}, std::pair{range[2], range[3]}}) {
    for (std::uint64_t done = 0; done < length;) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
      const std::size_t got = input.readAt(start + done, want, buffer.data());
      if (got != want) throw DocumentError("document_changed", "the document changed while it was verified");
      digest.update(std::string_view(buffer.data(), got));
      done += got;
    }
  }
  return digest.finish();
}

}  // namespace

DssContents readDss(const ParsedPdf& pdf) {
  DssContents dss;
  guardPodofo("reading the document security store", [&] {
    PdfObject* value = pdf.catalog().GetDictionary().GetKey("DSS");
    PdfObject* object = pdf.resolve(value);
    if (object == nullptr || object->IsNull()) return;
    if (!object->IsDictionary()) throw DocumentError("pdf_malformed", "the document's /DSS is not a dictionary");
    dss.present = true;
    dss.offset = objectOffset(
        pdf, value->IsReference() ? value->GetReference().ObjectNumber() : pdf.catalogRef().ObjectNumber());
    dss.dictionary = object->GetDictionary();
    PoDoFo::PdfDictionary dict = object->GetDictionary();  // a copy: loading objects must not pull it away
    std::size_t budget = kMaxDssBytes;
    dss.certificates = readStreams(pdf, dict.GetKey("Certs"), budget);
    dss.ocspResponses = readStreams(pdf, dict.GetKey("OCSPs"), budget);
    dss.crls = readStreams(pdf, dict.GetKey("CRLs"), budget);
  });
  for (const DssEntry& entry : dss.certificates) {
    try {
      dss.parsed.push_back(decodeCertificate(entry.data));  // once per process (decoded_cache.h)
    } catch (const InputError&) {
      ossl::clearErrors();  // not a certificate: of no use for a path
    }
  }
  return dss;
}

std::optional<RawSignatureContents> signatureContents(const ParsedPdf& pdf, const PdfReference& ref,
                                                      std::string& problem) {
  const XrefEntry* entry = pdf.xref().merged.find(ref.ObjectNumber());
  if (entry == nullptr || entry->type != XrefEntry::Type::InUse) {
    problem = entry != nullptr && entry->type == XrefEntry::Type::Compressed
                  ? "the dictionary is inside an object stream, so no byte range can leave out its /Contents"
                  : "the dictionary is not in the cross-reference table";
    return std::nullopt;
  }
  const PdfInput& input = pdf.input();
  const std::uint64_t available = input.size() - std::min(input.size(), entry->offset);
  const std::string text = input.read(
      entry->offset, static_cast<std::size_t>(std::min<std::uint64_t>(available, kMaxSignatureDictionaryBytes)));
  const auto obj = text.find("obj");
  if (obj == std::string::npos) {
    problem = "the dictionary cannot be read";
    return std::nullopt;
  }
  const std::string_view body = std::string_view(text).substr(obj + 3);
  try {
    const auto at = findDictionaryValue(body, "Contents");
    if (!at || *at >= body.size() || body[*at] != '<' || body.substr(*at, 2) == "<<") {
      problem = "the dictionary has no hexadecimal /Contents";
      return std::nullopt;
    }
    const std::size_t end = skipValue(body, *at);
    const std::string_view hex = body.substr(*at + 1, end - *at - 2);
    if (hex.size() % 2 != 0 || !std::all_of(hex.begin(), hex.end(), isHexDigit)) {
      problem = "/Contents is not an even run of hexadecimal digits";
      return std::nullopt;
    }
    RawSignatureContents out;
    out.open = entry->offset + obj + 3 + *at;
    out.close = entry->offset + obj + 3 + end - 1;
    out.bytes = fromHex(hex);
    return out;
  } catch (const LexError&) {
    problem = "the dictionary cannot be read";
    return std::nullopt;
  }
}

std::string vriKey(ByteView contents) {
  unsigned char sha1[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  ossl::check(EVP_Digest(contents.data(), contents.size(), sha1, &size, EVP_sha1(), nullptr), "EVP_Digest");
  return toHex(ByteView(sha1, size), true);
}

DocumentTimeStampResult verifyDocumentTimeStamp(const ParsedPdf& pdf, const PdfReference& ref,
                                                const std::string& fieldName, const VerificationPolicy& policy,
                                                const DssContents& dss, pki::TimePoint now,
                                                RevocationChecker& revocation, std::vector<std::string>& warnings) {
  DocumentTimeStampResult result;
  result.fieldName = fieldName;
  const auto fail = [&](std::string problem) {
    result.problem = std::move(problem);
    return result;
  };
  const PdfInput& input = pdf.input();
  std::array<std::uint64_t, 4> range{};
  const bool rangeRead = guardPodofo("reading the document time-stamp of " + fieldName, [&] {
    const PdfObject* object = pdf.object(ref);
    if (object == nullptr || !object->IsDictionary()) return false;
    const PdfObject* value = object->GetDictionary().GetKey("ByteRange");
    if (value == nullptr || !value->IsArray() || value->GetArray().size() != 4) return false;
    for (std::size_t i = 0; i < 4; ++i) {
      const PdfObject& n = value->GetArray()[i];
      if (!n.IsNumber() || n.GetNumber() < 0) return false;
      range[i] = static_cast<std::uint64_t>(n.GetNumber());
    }
    return true;
  });
  if (!rangeRead) return fail("the document time-stamp has no /ByteRange of four non-negative integers");
  result.coverage.byteRange = range;
  std::string problem;
  const auto contents = signatureContents(pdf, ref, problem);
  if (!contents) return fail("the document time-stamp cannot be located: " + problem);
  // ISO 32000-1 §12.8.1, read fail-closed as for signatures: the gap is exactly /Contents.
  if (range[0] != 0 || range[1] != contents->open || range[2] != contents->close + 1 || range[2] > input.size() ||
      range[3] > input.size() - range[2]) {
    return fail("the byte range of the document time-stamp does not leave out exactly its /Contents");
  }
  SignatureCoverage& c = result.coverage;
  c.signedEnd = range[2] + range[3];
  c.bytesAfter = input.size() - c.signedEnd;
  c.wholeDocument = c.bytesAfter == 0;
  for (const auto& section : pdf.xref().sections) {
    if (section.offset < c.signedEnd) ++c.revision;
  }
  result.coversDss = dss.present && dss.offset != 0 && dss.offset < c.signedEnd;

  // The token's DER; zero bytes may pad /Contents after it.
  const Bytes& padded = contents->bytes;
  const unsigned char* p = padded.data();
  const ossl::Ptr<CMS_ContentInfo> cms(d2i_CMS_ContentInfo(nullptr, &p, checkedCast<long>(padded.size())));
  ossl::clearErrors();
  const auto used = static_cast<std::size_t>(p - padded.data());
  if (!cms || !std::all_of(padded.begin() + static_cast<std::ptrdiff_t>(used), padded.end(),
                           [](std::uint8_t b) { return b == 0; })) {
    return fail("/Contents does not hold one RFC 3161 time-stamp token");
  }
  const ByteView token(padded.data(), used);
  // Decoded once for the reading, the signature and the TSA's revocation (certificates are dear).
  const unsigned char* tokenStart = token.data();
  const ossl::Ptr<PKCS7> pkcs7(d2i_PKCS7(nullptr, &tokenStart, checkedCast<long>(token.size())));
  ossl::clearErrors();
  pki::TimeStampInfo info;
  try {
    info = pkcs7 ? pki::parseTimeStampToken(pkcs7.get()) : pki::parseTimeStampToken(token);
  } catch (const InputError& e) {
    ossl::clearErrors();
    return fail(std::string("the document time-stamp cannot be used: ") + e.what());
  }
  result.time = info.time;
  result.tsaSubject = info.tsaSubject;
  if (!constantTimeEquals(info.messageImprint, digestRange(input, info.digestAlgorithm, range))) {
    return fail("the document time-stamp does not match the bytes it covers");
  }
  if (!tokenVerifies(pkcs7.get(), policy, dss.parsedCertificates(), now)) {
    return fail(
        "the document time-stamp's own signature or its authority's certificate path does not verify at the "
        "validation time");
  }
  if (policy.revocation != RevocationCheck::Skip) {
    std::vector<pki::Certificate> untrusted = policy.intermediates;
    const auto& fromDss = dss.parsedCertificates();
    untrusted.insert(untrusted.end(), fromDss.begin(), fromDss.end());
    TimeStampAuthorityRevocation tsa =
        checkTimeStampAuthority(pkcs7.get(), info.time, policy, untrusted, revocation, now);
    result.revocation = std::move(tsa.evidence);
    for (const std::string& warning : tsa.warnings)
      warnings.push_back("document time-stamp " + fieldName + ": " + warning);
    if (!tsa.problem.empty()) return fail(std::move(tsa.problem));
  }
  result.valid = true;
  return result;
}

void applyLongTermLevel(SignatureResult& result) {
  if (result.level != SignatureLevel::B_T || result.revocation.empty()) return;
  if (std::all_of(result.revocation.begin(), result.revocation.end(),
                  [](const RevocationEvidence& e) { return e.source == "dss"; })) {
    result.level = SignatureLevel::B_LT;
  }
}

void applyArchiveLevel(VerificationReport& report, const DssContents& dss) {
  if (!dss.present) return;
  const bool archived = std::any_of(report.documentTimeStamps.begin(), report.documentTimeStamps.end(),
                                    [](const DocumentTimeStampResult& t) { return t.valid && t.coversDss; });
  if (!archived) return;
  for (SignatureResult& s : report.signatures) {
    if (s.level == SignatureLevel::B_LT) s.level = SignatureLevel::B_LTA;
  }
}

}  // namespace kyso::signer::detail
