#include "kyso/signer/pdf_verifier.h"

#include <openssl/ess.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <variant>

#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/asn1_time.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/time_stamp.h"
#include "kyso/pki/trust_store.h"
#include "parsed_pdf.h"
#include "pdf_dss.h"
#include "pdf_lexer.h"
#include "pdf_values.h"
#include "podofo_guard.h"
#include "revision_analysis.h"
#include "revocation_check.h"
#include "signature_checks.h"
#include "signature_fields.h"

namespace kyso::signer {

namespace {

using detail::SignatureField;

using detail::acceptableDigest;
using detail::digestName;
using detail::isExpiryError;
using detail::isGeneralChainError;
using detail::isNoPathError;
using detail::keyConstraintProblem;
using detail::nameOf;
using detail::ParsedPdf;
using detail::pathErrorText;
using detail::PathValidation;
using detail::shareCertificate;
using detail::summaryOf;
using detail::textOf;
using detail::toTimeT;
using detail::validatePath;
using PoDoFo::PdfArray;
using PoDoFo::PdfDictionary;
using PoDoFo::PdfName;
using PoDoFo::PdfObject;
using PoDoFo::PdfReference;

// A signature dictionary is read as raw text to find where its /Contents lies; B-LT signatures with
// embedded revocation data reach a few hundred KiB, nothing legitimate comes near this.
constexpr std::uint64_t kMaxSignatureDictionaryBytes = 16u << 20;

// --- Verdicts ------------------------------------------------------------------------------------

using detail::conclude;
using detail::failed;
using detail::indeterminate;

// --- Small conversions ---------------------------------------------------------------------------

std::string utcText(pki::TimePoint t) {
  return pki::formatIso8601Utc(t);
}

// ISO 32000-1 §7.9.4: "D:YYYYMMDDHHmmSSOHH'mm'", everything after the year optional.
std::optional<pki::TimePoint> parsePdfDate(std::string_view text) {
  if (text.starts_with("D:")) text.remove_prefix(2);
  std::size_t at = 0;
  auto number = [&](std::size_t digits, int& out) {
    if (at + digits > text.size()) return false;
    int value = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const char c = text[at + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    out = value;
    at += digits;
    return true;
  };
  int year = 0;
  int fields[5] = {1, 1, 0, 0, 0};  // month, day, hour, minute, second
  if (!number(4, year)) return std::nullopt;
  for (int& field : fields) {
    if (at >= text.size() || text[at] < '0' || text[at] > '9') break;
    if (!number(2, field)) return std::nullopt;
  }
  int offsetMinutes = 0;
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '-' ? -1 : 1;
    ++at;
    int hours = 0;
    int minutes = 0;
    if (!number(2, hours)) return std::nullopt;
    if (at < text.size() && text[at] == '\'') ++at;
    if (at < text.size() && text[at] >= '0' && text[at] <= '9' && !number(2, minutes)) return std::nullopt;
    if (hours > 23 || minutes > 59) return std::nullopt;
    offsetMinutes = sign * (hours * 60 + minutes);
  }
  if (fields[0] < 1 || fields[0] > 12 || fields[1] < 1 || fields[1] > 31 || fields[2] > 23 || fields[3] > 59 ||
      fields[4] > 59) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = fields[0] - 1;
  tm.tm_mday = fields[1];
  tm.tm_hour = fields[2];
  tm.tm_min = fields[3];
  tm.tm_sec = fields[4];
  return std::chrono::system_clock::from_time_t(timegm(&tm)) - std::chrono::minutes(offsetMinutes);
}

// --- The raw signature dictionary ------------------------------------------------------------------

struct RawContents {
  std::uint64_t open = 0;   // offset of '<'
  std::uint64_t close = 0;  // offset of '>'
  std::string hex;          // the digits between
};

// Locates /Contents of the signature dictionary `ref` in the file itself: the byte range must
// leave out exactly this hex string, which the parsed object cannot tell. Returns the reason as
// text when the dictionary is not in a form that allows that.
std::variant<RawContents, std::string> locateContents(const ParsedPdf& pdf, const PdfReference& ref) {
  const detail::XrefEntry* entry = pdf.xref().merged.find(ref.ObjectNumber());
  if (entry == nullptr || entry->type == detail::XrefEntry::Type::Free) {
    return std::string("the signature dictionary is not in the cross-reference table");
  }
  if (entry->type == detail::XrefEntry::Type::Compressed) {
    return std::string(
        "the signature dictionary is inside an object stream, so no byte range can leave out its "
        "/Contents");
  }
  const PdfInput& input = pdf.input();
  const std::uint64_t available = input.size() - std::min(input.size(), entry->offset);
  for (std::uint64_t window = 64 * 1024;; window *= 8) {
    const std::uint64_t length = std::min({window, available, kMaxSignatureDictionaryBytes});
    const std::string text = input.read(entry->offset, static_cast<std::size_t>(length));
    const auto obj = text.find("obj");
    if (obj == std::string::npos) return std::string("the signature dictionary cannot be read");
    const std::string_view body = std::string_view(text).substr(obj + 3);
    const std::uint64_t bodyOffset = entry->offset + obj + 3;
    try {
      // One pass over the dictionary for both keys (its /Contents is most of it).
      const detail::SignatureKeys keys = detail::signatureKeys(body);
      if (keys.byteRanges > 1) return std::string("the signature dictionary has more than one /ByteRange");
      if (keys.contents.size() != 1) {
        return std::string(keys.contents.empty() ? "the signature dictionary has no /Contents"
                                                 : "the signature dictionary has more than one /Contents");
      }
      const auto [at, end] = keys.contents.front();
      if (at >= body.size()) throw detail::LexError("cut off");  // read more
      if (body[at] != '<' || body.substr(at, 2) == "<<") return std::string("/Contents is not a hexadecimal string");
      RawContents raw;
      raw.open = bodyOffset + at;
      raw.close = bodyOffset + end - 1;
      raw.hex = std::string(body.substr(at + 1, end - at - 2));
      return raw;
    } catch (const detail::LexError&) {
      if (length == available || length == kMaxSignatureDictionaryBytes) {
        return std::string("the signature dictionary cannot be read");
      }
    }
  }
}

// --- CMS helpers ---------------------------------------------------------------------------------

// The value of a signed attribute that RFC 5652 §5.3 allows once with one value.
struct SingleAttribute {
  enum class State { Absent, One, Malformed } state = State::Absent;
  ASN1_TYPE* value = nullptr;
};

SingleAttribute signedAttribute(CMS_SignerInfo* si, int nid) {
  SingleAttribute out;
  const int first = CMS_signed_get_attr_by_NID(si, nid, -1);
  if (first < 0) return out;
  X509_ATTRIBUTE* attribute = CMS_signed_get_attr(si, first);
  if (CMS_signed_get_attr_by_NID(si, nid, first) >= 0 || attribute == nullptr || X509_ATTRIBUTE_count(attribute) != 1) {
    out.state = SingleAttribute::State::Malformed;
    return out;
  }
  out.state = SingleAttribute::State::One;
  out.value = X509_ATTRIBUTE_get0_type(attribute, 0);
  return out;
}

// The DER of one attribute; empty when it cannot be encoded (then it equals nothing).
Bytes attributeDer(X509_ATTRIBUTE* attribute) {
  unsigned char* der = nullptr;
  const int size = attribute != nullptr ? i2d_X509_ATTRIBUTE(attribute, &der) : -1;
  const ossl::Buffer owned(der);
  if (size <= 0) return {};
  return Bytes(der, der + size);
}

// RFC 5652 §5.3: whether SignerInfo `b` repeats `a` in every component: signer identifier,
// digest and signature algorithms, signature value, every signed and unsigned attribute in the
// same order. podofosign 0.9.8 writes its SignerInfo twice; exact copies add no second signer.
bool sameSignerInfo(CMS_SignerInfo* a, CMS_SignerInfo* b) {
  ASN1_OCTET_STRING* keyIdA = nullptr;
  ASN1_OCTET_STRING* keyIdB = nullptr;
  X509_NAME* issuerA = nullptr;
  X509_NAME* issuerB = nullptr;
  ASN1_INTEGER* serialA = nullptr;
  ASN1_INTEGER* serialB = nullptr;
  if (CMS_SignerInfo_get0_signer_id(a, &keyIdA, &issuerA, &serialA) != 1 ||
      CMS_SignerInfo_get0_signer_id(b, &keyIdB, &issuerB, &serialB) != 1) {
    return false;
  }
  if ((keyIdA == nullptr) != (keyIdB == nullptr)) return false;
  if (keyIdA != nullptr) {
    if (ASN1_OCTET_STRING_cmp(keyIdA, keyIdB) != 0) return false;
  } else if (issuerA == nullptr || issuerB == nullptr || serialA == nullptr || serialB == nullptr ||
             X509_NAME_cmp(issuerA, issuerB) != 0 || ASN1_INTEGER_cmp(serialA, serialB) != 0) {
    return false;
  }
  X509_ALGOR* digestA = nullptr;
  X509_ALGOR* digestB = nullptr;
  X509_ALGOR* signatureA = nullptr;
  X509_ALGOR* signatureB = nullptr;
  CMS_SignerInfo_get0_algs(a, nullptr, nullptr, &digestA, &signatureA);
  CMS_SignerInfo_get0_algs(b, nullptr, nullptr, &digestB, &signatureB);
  if (digestA == nullptr || digestB == nullptr || signatureA == nullptr || signatureB == nullptr ||
      X509_ALGOR_cmp(digestA, digestB) != 0 || X509_ALGOR_cmp(signatureA, signatureB) != 0) {
    return false;
  }
  if (ASN1_OCTET_STRING_cmp(CMS_SignerInfo_get0_signature(a), CMS_SignerInfo_get0_signature(b)) != 0) return false;
  const int signedCount = CMS_signed_get_attr_count(a);
  if (signedCount != CMS_signed_get_attr_count(b)) return false;
  for (int i = 0; i < signedCount; ++i) {
    const Bytes derA = attributeDer(CMS_signed_get_attr(a, i));
    if (derA.empty() || derA != attributeDer(CMS_signed_get_attr(b, i))) return false;
  }
  const int unsignedCount = CMS_unsigned_get_attr_count(a);
  if (unsignedCount != CMS_unsigned_get_attr_count(b)) return false;
  for (int i = 0; i < unsignedCount; ++i) {
    const Bytes derA = attributeDer(CMS_unsigned_get_attr(a, i));
    if (derA.empty() || derA != attributeDer(CMS_unsigned_get_attr(b, i))) return false;
  }
  return true;
}

ByteView stringBytes(const ASN1_STRING* s) {
  return {ASN1_STRING_get0_data(s), checkedCast<std::size_t>(ASN1_STRING_length(s))};
}

Bytes digestByteRange(const PdfInput& input, const EVP_MD* md, const std::array<std::uint64_t, 4>& range) {
  auto ctx = ossl::own(EVP_MD_CTX_new(), "EVP_MD_CTX_new");
  ossl::check(EVP_DigestInit_ex(ctx.get(), md, nullptr), "EVP_DigestInit_ex");
  std::string buffer;
  for (const auto& [start, length] : {std::pair{range[0], range[1]}, std::pair{range[2], range[3]}}) {
    if (!input.memory().empty()) {
      ossl::check(EVP_DigestUpdate(ctx.get(), input.memory().data() + start, static_cast<std::size_t>(length)),
                  "EVP_DigestUpdate");
      continue;
    }
    buffer.resize(1u << 20);
    for (std::uint64_t done = 0; done < length;) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
      const std::size_t got = input.readAt(start + done, want, buffer.data());
      if (got != want) throw DocumentError("document_changed", "the document changed while it was verified");
      ossl::check(EVP_DigestUpdate(ctx.get(), buffer.data(), got), "EVP_DigestUpdate");
      done += got;
    }
  }
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  ossl::check(EVP_DigestFinal_ex(ctx.get(), out.data(), &size), "EVP_DigestFinal_ex");
  out.resize(size);
  return out;
}

// --- Signature time-stamps (RFC 3161; EN 319 122-1 §5.3) --------------------------------------------

// `token` decoded once by the caller (`pkcs7`, null when it does not decode): the token's
// certificates are the dear part of decoding it, and the TSA's revocation check reads it too.
TimeStampResult verifyTimeStamp(ByteView token, PKCS7* pkcs7, ByteView signatureValue, const VerificationPolicy& policy,
                                pki::TimePoint at) {
  TimeStampResult result;
  pki::TimeStampInfo info;
  try {
    // A token that does not decode is told of as parseTimeStampToken() tells it.
    info = pkcs7 != nullptr ? pki::parseTimeStampToken(pkcs7) : pki::parseTimeStampToken(token);
  } catch (const InputError& e) {
    ossl::clearErrors();
    result.problem = std::string("the signature time-stamp cannot be used: ") + e.what();
    return result;
  }
  result.time = info.time;
  result.tsaSubject = info.tsaSubject;
  // RFC 3161 appendix A: the token's imprint is the hash of the SignerInfo's signature value.
  if (!constantTimeEquals(info.messageImprint, pki::digest(info.digestAlgorithm, signatureValue))) {
    result.problem = "the signature time-stamp does not cover this signature's value";
    return result;
  }
  if (pkcs7 == nullptr) {
    result.problem = "the signature time-stamp is not a readable RFC 3161 token";
    return result;
  }
  auto ctx = ossl::own(TS_VERIFY_CTX_new(), "TS_VERIFY_CTX_new");
  auto store =
      pki::newX509Store(policy.timeStampTrustAnchors.empty() ? policy.trustAnchors : policy.timeStampTrustAnchors);
  ossl::check(X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN), "X509_STORE_set_flags");
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), toTimeT(at));
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());  // the context owns the store
  if (!policy.intermediates.empty()) {
    TS_VERIFY_CTX_set_certs(ctx.get(), pki::newX509Stack(policy.intermediates).release());  // and the stack
  }
  auto data =
      ossl::own(BIO_new_mem_buf(signatureValue.data(), checkedCast<int>(signatureValue.size())), "BIO_new_mem_buf");
  TS_VERIFY_CTX_set_data(ctx.get(), data.release());  // the context owns the BIO
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_SIGNATURE | TS_VFY_VERSION | TS_VFY_DATA);
  if (TS_RESP_verify_token(ctx.get(), pkcs7) != 1) {
    ossl::clearErrors();
    result.problem =
        "the signature time-stamp's own signature or its authority's certificate path does not verify at the "
        "validation time";
    return result;
  }
  result.valid = true;
  return result;
}

// --- One signature -------------------------------------------------------------------------------

class SignatureVerifier {
 public:
  SignatureVerifier(const ParsedPdf& pdf, const VerificationPolicy& policy, pki::TimePoint validationTime,
                    detail::RevocationChecker& revocation)
      : pdf_(pdf), input_(pdf.input()), policy_(policy), now_(validationTime), revocation_(revocation) {}

  // The signature dictionary `ref` of field `result.fieldName`, already known to be a signature.
  void verify(const PdfReference& ref, const PdfDictionary& dict, SignatureResult& result) const {
    result.subFilter = nameOf(dict.GetKey("SubFilter"));
    if (const auto m = parsePdfDate(textOf(dict.GetKey("M")))) result.claimedSigningTime = m;
    const bool cades = result.subFilter == "ETSI.CAdES.detached";
    if (!cades && result.subFilter != "adbe.pkcs7.detached") {
      failed(result, SubIndication::FormatFailure,
             "unsupported /SubFilter '" + result.subFilter + "' (ETSI.CAdES.detached or adbe.pkcs7.detached expected)");
      return;
    }
    const std::optional<RawContents> contents = checkByteRange(ref, dict, result);
    if (!contents) return;
    coverage(result);
    verifyCms(*contents, cades, result);
    if (policy_.revocation == RevocationCheck::Skip) {
      result.warnings.push_back("revocation not checked (policy)");
    }
  }

 private:
  // ISO 32000-1 §12.8.1 with the fail-closed reading the attacks on it call for: four
  // non-negative integers, the first range starting the file, the second after it, both inside
  // the file, and the gap exactly this dictionary's /Contents hex string, '<' and '>' included.
  std::optional<RawContents> checkByteRange(const PdfReference& ref, const PdfDictionary& dict,
                                            SignatureResult& result) const {
    const PdfObject* value = dict.GetKey("ByteRange");
    if (value == nullptr || !value->IsArray()) {
      failed(result, SubIndication::FormatFailure, "the signature has no /ByteRange array");
      return std::nullopt;
    }
    const PdfArray& array = value->GetArray();
    if (array.size() != 4) {
      failed(result, SubIndication::FormatFailure,
             "/ByteRange has " + std::to_string(array.size()) + " numbers instead of 4");
      return std::nullopt;
    }
    std::array<std::uint64_t, 4> range{};
    for (std::size_t i = 0; i < 4; ++i) {
      if (!array[i].IsNumber() || array[i].GetNumber() < 0) {
        failed(result, SubIndication::FormatFailure, "/ByteRange holds something other than non-negative integers");
        return std::nullopt;
      }
      range[i] = static_cast<std::uint64_t>(array[i].GetNumber());
    }
    result.coverage.byteRange = range;
    const std::uint64_t size = input_.size();
    if (range[0] != 0) {
      failed(result, SubIndication::FormatFailure, "/ByteRange does not start at the beginning of the file");
      return std::nullopt;
    }
    if (range[2] < range[1]) {
      failed(result, SubIndication::FormatFailure, "the ranges of /ByteRange overlap or are out of order");
      return std::nullopt;
    }
    if (range[1] > size || range[2] > size || range[3] > size - range[2]) {
      failed(result, SubIndication::FormatFailure, "/ByteRange reaches beyond the end of the file");
      return std::nullopt;
    }
    const auto located = locateContents(pdf_, ref);
    if (const auto* problem = std::get_if<std::string>(&located)) {
      failed(result, SubIndication::FormatFailure, *problem);
      return std::nullopt;
    }
    const auto& contents = std::get<RawContents>(located);
    if (range[1] != contents.open || range[2] != contents.close + 1) {
      failed(result, SubIndication::FormatFailure,
             "the gap in /ByteRange is not exactly this signature's /Contents (it must run from offset " +
                 std::to_string(contents.open) + " to " + std::to_string(contents.close + 1) + ")");
      return std::nullopt;
    }
    return contents;
  }

  void coverage(SignatureResult& result) const {
    SignatureCoverage& c = result.coverage;
    c.signedEnd = c.byteRange[2] + c.byteRange[3];
    c.bytesAfter = input_.size() - c.signedEnd;
    c.wholeDocument = c.bytesAfter == 0;
    // A revision ends with "%%EOF" and an optional end-of-line (ISO 32000-1 §7.5.5, §7.5.6).
    const std::uint64_t tailStart = c.signedEnd - std::min<std::uint64_t>(c.signedEnd, 8);
    const std::string tail = input_.read(tailStart, static_cast<std::size_t>(c.signedEnd - tailStart));
    const std::string trimmed = tail.substr(0, tail.find_last_not_of("\r\n") + 1);
    if (trimmed.ends_with("%%EOF")) {
      // Counted in cross-reference sections (the original, then one per incremental update).
      for (const auto& section : pdf_.xref().sections) {
        if (section.offset < c.signedEnd) ++c.revision;
      }
    } else {
      result.warnings.push_back("the signed range does not end at the end of a revision");
    }
    if (!c.wholeDocument) {
      result.warnings.push_back("the document was changed after this signature: " + std::to_string(c.bytesAfter) +
                                " bytes follow the signed revision");
    }
  }

  void verifyCms(const RawContents& contents, bool cades, SignatureResult& result) const {
    // §12.8.3.3.1: DER in /Contents, zero bytes after it up to the reserved size.
    // fromHex refuses an odd count or any other character (one pass: the check was a second).
    Bytes der;
    try {
      der = fromHex(contents.hex);
    } catch (const InputError&) {
      failed(result, SubIndication::FormatFailure, "/Contents is not an even run of hexadecimal digits");
      return;
    }
    const unsigned char* p = der.data();
    ossl::Ptr<CMS_ContentInfo> cms(d2i_CMS_ContentInfo(nullptr, &p, checkedCast<long>(der.size())));
    if (!cms) {
      ossl::clearErrors();
      failed(result, SubIndication::FormatFailure, "/Contents does not hold a CMS ContentInfo");
      return;
    }
    const auto used = static_cast<std::size_t>(p - der.data());
    if (!std::all_of(der.begin() + static_cast<std::ptrdiff_t>(used), der.end(),
                     [](std::uint8_t b) { return b == 0; })) {
      failed(result, SubIndication::FormatFailure, "/Contents holds data after the CMS signature");
      return;
    }
    if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
      failed(result, SubIndication::FormatFailure, "the CMS is not SignedData");
      return;
    }
    if (CMS_is_detached(cms.get()) != 1 || OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_pkcs7_data) {
      failed(result, SubIndication::FormatFailure, "the CMS is not a detached signature over id-data");
      return;
    }
    STACK_OF(CMS_SignerInfo)* signerInfos = CMS_get0_SignerInfos(cms.get());
    const int signerCount = signerInfos == nullptr ? 0 : sk_CMS_SignerInfo_num(signerInfos);
    if (signerCount < 1) {
      failed(result, SubIndication::FormatFailure, "the CMS must hold exactly one SignerInfo; it holds none");
      return;
    }
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signerInfos, 0);
    // ISO 32000-2 §12.8.3.3.1 allows one signer. Exact copies of it (podofosign 0.9.8 writes two)
    // leave no choice to a reader; any difference does, so the signature fails closed.
    if (signerCount > 1) {
      for (int i = 1; i < signerCount; ++i) {
        if (!sameSignerInfo(si, sk_CMS_SignerInfo_value(signerInfos, i))) {
          ossl::clearErrors();
          failed(result, SubIndication::FormatFailure,
                 "the CMS must hold exactly one SignerInfo; it holds " + std::to_string(signerCount) + " that differ");
          return;
        }
      }
      ossl::clearErrors();
      result.warnings.push_back("the CMS repeats its SignerInfo " + std::to_string(signerCount) +
                                " times (podofosign does); they are identical");
    }

    // The certificates the CMS carries.
    std::vector<pki::Certificate> certificates;
    if (ossl::Ptr<STACK_OF(X509)> certs{CMS_get1_certs(cms.get())}) {
      for (int i = 0; i < sk_X509_num(certs.get()); ++i)
        certificates.push_back(shareCertificate(sk_X509_value(certs.get(), i)));
    }
    ossl::clearErrors();

    // Signed attributes (RFC 5652 §5.3, §11): content-type and message-digest, once each.
    if (CMS_signed_get_attr_count(si) <= 0) {
      failed(result, SubIndication::FormatFailure, "the SignerInfo has no signed attributes");
      return;
    }
    const SingleAttribute contentType = signedAttribute(si, NID_pkcs9_contentType);
    if (contentType.state != SingleAttribute::State::One || contentType.value->type != V_ASN1_OBJECT ||
        OBJ_obj2nid(contentType.value->value.object) != NID_pkcs7_data) {
      failed(result, SubIndication::FormatFailure, "the content-type attribute is missing or is not id-data");
      return;
    }
    const SingleAttribute messageDigest = signedAttribute(si, NID_pkcs9_messageDigest);
    if (messageDigest.state != SingleAttribute::State::One || messageDigest.value->type != V_ASN1_OCTET_STRING) {
      failed(result, SubIndication::FormatFailure, "the message-digest attribute is missing or malformed");
      return;
    }
    const SingleAttribute signingTime = signedAttribute(si, NID_pkcs9_signingTime);
    if (signingTime.state == SingleAttribute::State::One &&
        (signingTime.value->type == V_ASN1_UTCTIME || signingTime.value->type == V_ASN1_GENERALIZEDTIME)) {
      if (!result.claimedSigningTime) result.claimedSigningTime = pki::fromAsn1Time(signingTime.value->value.utctime);
      // EN 319 142-1 §6.3, table 1: PAdES baseline signatures carry the time in /M only.
      if (cades) result.warnings.push_back("the signing-time attribute is present; PAdES baseline forbids it");
    }

    // EN 319 102-1 §5.2.3: identify the signing certificate (the SignerIdentifier, then ESS).
    std::optional<pki::Certificate> signer;
    for (const pki::Certificate& cert : certificates) {
      if (CMS_SignerInfo_cert_cmp(si, cert.get()) == 0) {
        signer = cert;
        break;
      }
    }
    ossl::clearErrors();
    if (!signer) {
      indeterminate(result, SubIndication::NoSigningCertificateFound,
                    "the certificate the SignerInfo names is not in the signature");
      return;
    }
    result.signer = SignerIdentity{signer->subject(), signer->commonName(),
                                   signer->subjectAttribute("UID").value_or(""), signer->serialHex()};
    result.chain = {summaryOf(*signer)};
    if (!checkSigningCertificateAttribute(si, *signer, certificates, cades, result)) return;

    // EN 319 102-1 §5.2.7: cryptographic verification — the hash of the byte range, then the
    // signature value over the signed attributes.
    X509_ALGOR* digestAlgorithm = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digestAlgorithm, nullptr);
    const ASN1_OBJECT* digestObject = nullptr;
    X509_ALGOR_get0(&digestObject, nullptr, nullptr, digestAlgorithm);
    const int digestNid = OBJ_obj2nid(digestObject);
    result.digestAlgorithm = digestName(digestNid);
    const EVP_MD* md = EVP_get_digestbynid(digestNid);
    if (md == nullptr) {
      indeterminate(result, SubIndication::CryptoConstraintsFailureNoPoe,
                    "the digest algorithm " + result.digestAlgorithm + " is not supported");
      return;
    }
    const Bytes documentDigest = digestByteRange(input_, md, result.coverage.byteRange);
    if (!constantTimeEquals(documentDigest, stringBytes(messageDigest.value->value.octet_string))) {
      failed(result, SubIndication::HashFailure, "the signed bytes do not match the digest in the signature");
      return;
    }
    CMS_SignerInfo_set1_signer_cert(si, signer->get());
    if (CMS_SignerInfo_verify(si) != 1) {
      ossl::clearErrors();
      failed(result, SubIndication::SigCryptoFailure,
             "the signature value does not verify with the signing certificate's key");
      return;
    }

    // The signature time-stamps: the earliest valid one is the proof of existence (POE).
    const ByteView signatureValue = stringBytes(CMS_SignerInfo_get0_signature(si));
    std::optional<TimeStampResult> proof = timeStamps(si, signatureValue, certificates, result);
    if (cades) result.level = proof ? SignatureLevel::B_T : SignatureLevel::B_B;
    if (!cades) result.warnings.push_back("not a PAdES baseline signature (adbe.pkcs7.detached)");
    if (proof && result.claimedSigningTime && *result.claimedSigningTime > proof->time + std::chrono::minutes(5)) {
      result.warnings.push_back("the claimed signing time is later than the time-stamp");
    }

    // Cryptographic constraints (TS 119 312). Without a proof that the signature existed while
    // the algorithm was still fit (an archive time-stamp), this is CRYPTO_CONSTRAINTS_FAILURE_NO_POE.
    if (!acceptableDigest(digestNid)) {
      indeterminate(result, SubIndication::CryptoConstraintsFailureNoPoe,
                    "the digest algorithm " + result.digestAlgorithm + " is no longer acceptable");
      return;
    }
    if (const auto problem = keyConstraintProblem(signer->publicKey())) {
      indeterminate(result, SubIndication::CryptoConstraintsFailureNoPoe, *problem);
      return;
    }

    std::vector<pki::Certificate> path;
    if (!validateCertificate(*signer, certificates, proof, result, path)) return;

    // Revocation (EN 319 102-1 §5.2.5, §5.2.6, §5.5): every certificate of the path below the
    // anchor, judged against the time-stamp's proof of existence (revocation_check.h).
    if (policy_.revocation == RevocationCheck::Require) {
      std::vector<pki::Certificate> untrusted = certificates;
      untrusted.insert(untrusted.end(), policy_.intermediates.begin(), policy_.intermediates.end());
      result.revocation = revocation_.check(path, untrusted, proof ? std::optional(proof->time) : std::nullopt);
      detail::applyLongTermLevel(result);  // pdf_dss.h
      detail::RevocationVerdict verdict =
          detail::judgeRevocation(result.revocation, path, proof ? std::optional(proof->time) : std::nullopt, now_);
      for (std::string& warning : verdict.warnings) result.warnings.push_back(std::move(warning));
      conclude(result, verdict.indication, verdict.subIndication, std::move(verdict.detail));
      return;
    }
    conclude(result, Indication::TotalPassed, SubIndication::None, {});
  }

  // RFC 5035 / EN 319 122-1 §5.2.2.3: the ESS signing-certificate(-v2) attribute binds the
  // signature to its certificate, so it cannot be swapped for another with the same key.
  bool checkSigningCertificateAttribute(CMS_SignerInfo* si, const pki::Certificate& signer,
                                        const std::vector<pki::Certificate>& certificates, bool cades,
                                        SignatureResult& result) const {
    const SingleAttribute v2 = signedAttribute(si, NID_id_smime_aa_signingCertificateV2);
    const SingleAttribute v1 = signedAttribute(si, NID_id_smime_aa_signingCertificate);
    if (v2.state == SingleAttribute::State::Malformed || v1.state == SingleAttribute::State::Malformed) {
      failed(result, SubIndication::FormatFailure, "the signing-certificate attribute occurs more than once");
      return false;
    }
    if (v2.state == SingleAttribute::State::Absent && v1.state == SingleAttribute::State::Absent) {
      if (cades) {
        failed(result, SubIndication::FormatFailure,
               "no ESS signing-certificate-v2 attribute, which ETSI.CAdES.detached requires (EN 319 122-1 §5.2.2.3)");
        return false;
      }
      return true;
    }
    ossl::Ptr<ESS_SIGNING_CERT_V2> essV2;
    ossl::Ptr<ESS_SIGNING_CERT> essV1;
    for (const auto& [attribute, isV2] : {std::pair{&v2, true}, std::pair{&v1, false}}) {
      if (attribute->state == SingleAttribute::State::Absent) continue;
      if (attribute->value->type != V_ASN1_SEQUENCE) {
        failed(result, SubIndication::FormatFailure, "the signing-certificate attribute is malformed");
        return false;
      }
      const ASN1_STRING* sequence = attribute->value->value.sequence;
      const unsigned char* p = ASN1_STRING_get0_data(sequence);
      const long length = ASN1_STRING_length(sequence);
      if (isV2) {
        essV2.reset(d2i_ESS_SIGNING_CERT_V2(nullptr, &p, length));
      } else {
        essV1.reset(d2i_ESS_SIGNING_CERT(nullptr, &p, length));
      }
      if ((isV2 && !essV2) || (!isV2 && !essV1)) {
        ossl::clearErrors();
        failed(result, SubIndication::FormatFailure, "the signing-certificate attribute is malformed");
        return false;
      }
    }
    // The first ESSCertID must name the signer (chain[0]); any others other certificates.
    std::vector<pki::Certificate> chain{signer};
    for (const auto& cert : certificates) {
      if (!(cert == signer)) chain.push_back(cert);
    }
    auto stack = pki::newX509Stack(chain);
    const int rc = OSSL_ESS_check_signing_certs(essV1.get(), essV2.get(), stack.get(), 0);
    ossl::clearErrors();
    if (rc == 1) return true;
    if (rc == 0) {
      indeterminate(result, SubIndication::NoSigningCertificateFound,
                    "the signing-certificate attribute names a different certificate than the signer's");
    } else {
      failed(result, SubIndication::FormatFailure, "the signing-certificate attribute is malformed");
    }
    return false;
  }

  std::optional<TimeStampResult> timeStamps(CMS_SignerInfo* si, ByteView signatureValue,
                                            const std::vector<pki::Certificate>& certificates,
                                            SignatureResult& result) const {
    std::optional<TimeStampResult> earliestValid;
    std::optional<TimeStampResult> firstInvalid;
    const int nid = NID_id_smime_aa_timeStampToken;
    for (int i = CMS_unsigned_get_attr_by_NID(si, nid, -1); i >= 0; i = CMS_unsigned_get_attr_by_NID(si, nid, i)) {
      X509_ATTRIBUTE* attribute = CMS_unsigned_get_attr(si, i);
      for (int v = 0; attribute != nullptr && v < X509_ATTRIBUTE_count(attribute); ++v) {
        const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attribute, v);
        TimeStampResult checked;
        if (value == nullptr || value->type != V_ASN1_SEQUENCE) {
          checked.problem = "the signature time-stamp attribute is malformed";
        } else {
          const ByteView token = stringBytes(value->value.sequence);
          const unsigned char* p = token.data();
          const ossl::Ptr<PKCS7> pkcs7(d2i_PKCS7(nullptr, &p, checkedCast<long>(token.size())));
          ossl::clearErrors();
          checked = verifyTimeStamp(token, pkcs7.get(), signatureValue, policy_, now_);
          if (checked.valid) checkAuthorityRevocation(pkcs7.get(), certificates, checked, result);
        }
        if (checked.valid) {
          if (!earliestValid || checked.time < earliestValid->time) earliestValid = checked;
        } else {
          result.warnings.push_back("signature time-stamp ignored: " + checked.problem);
          if (!firstInvalid) firstInvalid = checked;
        }
      }
    }
    ossl::clearErrors();
    result.timeStamp = earliestValid ? earliestValid : firstInvalid;
    if (earliestValid) result.timeStampTime = earliestValid->time;
    return earliestValid;
  }

  // EN 319 102-1 §5.4: a time-stamp whose TSA path was revoked at or before its time, or whose
  // status is unknown, gives no proof of existence (revocation_check.h). Revocation is looked at
  // as for the signature: not at all with RevocationCheck::Skip.
  void checkAuthorityRevocation(PKCS7* token, const std::vector<pki::Certificate>& certificates,
                                TimeStampResult& checked, SignatureResult& result) const {
    if (policy_.revocation == RevocationCheck::Skip) return;
    std::vector<pki::Certificate> untrusted = certificates;
    untrusted.insert(untrusted.end(), policy_.intermediates.begin(), policy_.intermediates.end());
    detail::TimeStampAuthorityRevocation tsa =
        detail::checkTimeStampAuthority(token, checked.time, policy_, untrusted, revocation_, now_);
    checked.revocation = std::move(tsa.evidence);
    for (std::string& warning : tsa.warnings) result.warnings.push_back(std::move(warning));
    if (!tsa.problem.empty()) {
      checked.valid = false;
      checked.problem = std::move(tsa.problem);
    }
  }

  // EN 319 102-1 §5.2.6 (X.509 certificate validation) with the time-stamp as proof of existence
  // for a certificate that expired after the signature was made (§5.5; the revocation data for
  // such a certificate is judged in revocation_check.h). `validatedPath` gets the path.
  bool validateCertificate(const pki::Certificate& signer, const std::vector<pki::Certificate>& certificates,
                           const std::optional<TimeStampResult>& proof, SignatureResult& result,
                           std::vector<pki::Certificate>& validatedPath) const {
    if (proof && proof->time < signer.notBefore()) {
      failed(result, SubIndication::NotYetValid,
             "the time-stamp (" + utcText(proof->time) + ") is earlier than the signing certificate's validity (from " +
                 utcText(signer.notBefore()) + ")");
      return false;
    }
    if (now_ < signer.notBefore()) {
      // The signature exists at the validation time, so it was made before its certificate was valid.
      failed(result, SubIndication::NotYetValid,
             "the signing certificate is valid only from " + utcText(signer.notBefore()));
      return false;
    }
    std::vector<pki::Certificate> untrusted = certificates;
    untrusted.insert(untrusted.end(), policy_.intermediates.begin(), policy_.intermediates.end());

    PathValidation path = validatePath(signer, untrusted, policy_.trustAnchors, now_);
    if (!path.ok && isExpiryError(path.error)) {
      const bool signerExpired = signer.notAfter() < now_;
      if (!proof) {
        indeterminate(result, SubIndication::OutOfBoundsNoPoe,
                      std::string(signerExpired ? "the signing certificate" : "a certificate of the path") +
                          " has expired and no time-stamp proves the signature existed before");
        setChain(path, result);
        return false;
      }
      if (signerExpired && proof->time > signer.notAfter()) {
        failed(result, SubIndication::Expired,
               "the time-stamp (" + utcText(proof->time) +
                   ") is later than the end of the signing certificate's "
                   "validity (" +
                   utcText(signer.notAfter()) + ")");
        setChain(path, result);
        return false;
      }
      path = validatePath(signer, untrusted, policy_.trustAnchors, proof->time);
      if (path.ok) {
        result.warnings.push_back("the certificate path has expired since; it was validated at the time-stamp time " +
                                  utcText(proof->time));
      }
    }
    setChain(path, result);
    return detail::acceptPath(path, signer, result, validatedPath);
  }

  static void setChain(const PathValidation& path, SignatureResult& result) {
    result.chain.clear();
    for (const auto& cert : path.chain) result.chain.push_back(summaryOf(cert));
  }

  const ParsedPdf& pdf_;
  const PdfInput& input_;
  const VerificationPolicy& policy_;
  pki::TimePoint now_;
  detail::RevocationChecker& revocation_;  // one per verification: it remembers unreachable sources
};

}  // namespace

VerificationReport verifyPdf(const PdfInput& input, const VerificationPolicy& policy) {
  if (policy.clock == nullptr) throw InternalError("verification policy without a clock");
  VerificationReport report;
  report.validationTime = policy.clock->now();
  report.documentSize = input.size();

  const ParsedPdf pdf(input);
  detail::checkRevisionBodies(pdf);
  report.revisions = pdf.xref().sections.size();
  const std::vector<SignatureField> fields =
      detail::guardPodofo("reading the form fields", [&] { return detail::collectSignatureFields(pdf); });

  // Long-term validation data (pdf_dss.h): the /DSS certificates help build paths, its OCSP
  // responses and CRLs are tried before any fetch.
  const detail::DssContents dss = detail::readDss(pdf);
  VerificationPolicy effective = policy;
  for (const auto& cert : dss.parsedCertificates()) effective.intermediates.push_back(cert);
  detail::RevocationChecker revocation(effective, report.validationTime);
  revocation.useEmbedded(&dss);
  const SignatureVerifier verifier(pdf, effective, report.validationTime, revocation);
  std::map<std::uint32_t, std::string> dictionaries;               // signature dictionary object → field
  std::vector<std::optional<PdfReference>> signatureDictionaries;  // of report.signatures[i]
  for (const SignatureField& field : fields) {
    if (field.value == SignatureField::Value::Absent) {
      report.warnings.push_back("the signature field " + field.name + " is not signed");
      continue;
    }
    SignatureResult result;
    result.fieldName = field.name;
    if (field.value == SignatureField::Value::Direct) {
      // ISO 32000-1 §12.7.4.5, table 232: /V of a signature field shall be an indirect reference.
      failed(result, SubIndication::FormatFailure, "the signature dictionary is not an indirect object");
      report.signatures.push_back(std::move(result));
      signatureDictionaries.emplace_back();
      continue;
    }
    const auto [previous, inserted] = dictionaries.emplace(field.reference.ObjectNumber(), field.name);
    if (!inserted) {
      failed(result, SubIndication::FormatFailure, "the field shares its signature with field " + previous->second);
      report.signatures.push_back(std::move(result));
      signatureDictionaries.emplace_back();
      continue;
    }
    try {
      detail::guardPodofo("reading the signature of " + field.name, [&] {
        const PdfObject* object = pdf.object(field.reference);
        if (object == nullptr || !object->IsDictionary()) {
          failed(result, SubIndication::FormatFailure, "the signature dictionary is missing");
          return;
        }
        const PdfDictionary dict = object->GetDictionary();  // a copy: later loads may move objects
        if (nameOf(dict.GetKey("Type")) == "DocTimeStamp" || nameOf(dict.GetKey("SubFilter")) == "ETSI.RFC3161") {
          result.fieldName.clear();  // not a signature: reported below
          return;
        }
        verifier.verify(field.reference, dict, result);
      });
    } catch (const DocumentError& e) {
      if (e.code() != "pdf_malformed") throw;
      // The signature's own objects are broken: the signature cannot be in its format.
      failed(result, SubIndication::FormatFailure, std::string("the signature dictionary is malformed: ") + e.what());
    }
    if (result.fieldName.empty()) {
      report.documentTimeStamps.push_back(detail::verifyDocumentTimeStamp(
          pdf, field.reference, field.name, effective, dss, report.validationTime, revocation, report.warnings));
      continue;
    }
    report.signatures.push_back(std::move(result));
    signatureDictionaries.emplace_back(field.reference);
  }
  // What the later revisions changed after each signature, DocMDP and FieldMDP (revision_analysis.h).
  detail::judgeLaterRevisions(pdf, signatureDictionaries, report);
  if (report.signatures.empty()) report.warnings.push_back("the document has no signatures");
  detail::applyArchiveLevel(report, dss);
  summarize(report);
  // For recognising kyso's own documents (a receipt's PDF copy) without parsing the file again.
  try {
    report.pdfTitle = detail::documentTitle(pdf);
  } catch (const DocumentError&) {
    ossl::clearErrors();  // an unreadable /Info: no title, the verdict stands
  }
  return report;
}

}  // namespace kyso::signer
