#include "kyso/signer/pdf_ltv.h"

#include <openssl/cms.h>
#include <openssl/ocsp.h>

#include <cctype>
#include <map>
#include <set>

#include "flate.h"
#include "incremental_update.h"
#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/trust_store.h"
#include "kyso/signer/pdf_signature.h"
#include "parsed_pdf.h"
#include "pdf_dss.h"
#include "pdf_values.h"
#include "podofo_guard.h"
#include "revocation_check.h"
#include "signature_fields.h"

namespace kyso::signer {

namespace {

using detail::SignatureField;

using detail::nameOf;
using detail::ParsedPdf;
using PoDoFo::PdfArray;
using PoDoFo::PdfDictionary;
using PoDoFo::PdfName;
using PoDoFo::PdfObject;
using PoDoFo::PdfReference;

// --- The signature fields (ISO 32000-1 §12.7.3, §12.7.4.5) ----------------------------------------

struct FoundSignature {
  std::string name;  // fully qualified, as the verifier reports it
  PdfReference ref;  // the signature dictionary
  bool documentTimeStamp = false;
};

// The signed signature fields and document time-stamps, in field order.
std::vector<FoundSignature> findSignatures(const ParsedPdf& pdf) {
  std::vector<FoundSignature> out;
  for (const SignatureField& field : detail::collectSignatureFields(pdf)) {
    if (field.value != SignatureField::Value::Reference) continue;
    const PdfObject* signature = pdf.object(field.reference);
    if (signature == nullptr || !signature->IsDictionary()) continue;
    const PdfDictionary& sig = signature->GetDictionary();
    const bool timeStamp =
        nameOf(sig.GetKey("Type")) == "DocTimeStamp" || nameOf(sig.GetKey("SubFilter")) == "ETSI.RFC3161";
    out.push_back({field.name, field.reference, timeStamp});
  }
  return out;
}

// --- What a CMS carries -----------------------------------------------------------------------------

struct CmsParts {
  std::vector<pki::Certificate> certificates;
  std::optional<pki::Certificate> signer;
  std::vector<Bytes> timeStampTokens;  // id-aa-signatureTimeStampToken values
};

CmsParts readCms(ByteView der) {
  CmsParts parts;
  const unsigned char* p = der.data();
  const ossl::Ptr<CMS_ContentInfo> cms(d2i_CMS_ContentInfo(nullptr, &p, checkedCast<long>(der.size())));
  if (!cms) {
    ossl::clearErrors();
    return parts;
  }
  if (const ossl::Ptr<STACK_OF(X509)> certs{CMS_get1_certs(cms.get())}) {
    for (int i = 0; i < sk_X509_num(certs.get()); ++i) {
      X509* cert = sk_X509_value(certs.get(), i);
      ossl::check(X509_up_ref(cert), "X509_up_ref");
      parts.certificates.emplace_back(cert);  // owns the reference just taken
    }
  }
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  if (infos != nullptr && sk_CMS_SignerInfo_num(infos) == 1) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
    for (const pki::Certificate& cert : parts.certificates) {
      if (CMS_SignerInfo_cert_cmp(si, cert.get()) == 0) {
        parts.signer = cert;
        break;
      }
    }
    const int nid = NID_id_smime_aa_timeStampToken;
    for (int i = CMS_unsigned_get_attr_by_NID(si, nid, -1); i >= 0; i = CMS_unsigned_get_attr_by_NID(si, nid, i)) {
      X509_ATTRIBUTE* attribute = CMS_unsigned_get_attr(si, i);
      for (int v = 0; attribute != nullptr && v < X509_ATTRIBUTE_count(attribute); ++v) {
        const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attribute, v);
        if (value == nullptr || value->type != V_ASN1_SEQUENCE) continue;
        const ASN1_STRING* s = value->value.sequence;
        const unsigned char* data = ASN1_STRING_get0_data(s);
        parts.timeStampTokens.emplace_back(data, data + ASN1_STRING_length(s));
      }
    }
  }
  ossl::clearErrors();
  return parts;
}

// The path from `leaf` to one of `anchors` (any anchor ends it), whatever the time: validity was
// the verifier's question, this only gathers the certificates the data is about.
std::optional<std::vector<pki::Certificate>> buildPath(const pki::Certificate& leaf,
                                                       const std::vector<pki::Certificate>& untrusted,
                                                       const std::vector<pki::Certificate>& anchors) {
  auto store = pki::newX509Store(anchors);
  ossl::check(X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME),
              "X509_STORE_set_flags");
  auto others = pki::newX509Stack(untrusted);
  auto ctx = ossl::own(X509_STORE_CTX_new(), "X509_STORE_CTX_new");
  ossl::check(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), others.get()), "X509_STORE_CTX_init");
  const bool ok = X509_verify_cert(ctx.get()) == 1;
  std::optional<std::vector<pki::Certificate>> out;
  if (ok) {
    out.emplace();
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      X509* cert = sk_X509_value(chain, i);
      ossl::check(X509_up_ref(cert), "X509_up_ref");
      out->emplace_back(cert);  // owns the reference just taken
    }
  }
  ossl::clearErrors();
  return out;
}

// The certificates an OCSP response carries (its responder's path).
std::vector<pki::Certificate> responderCertificates(ByteView body) {
  std::vector<pki::Certificate> out;
  const unsigned char* p = body.data();
  const ossl::Ptr<OCSP_RESPONSE> response(d2i_OCSP_RESPONSE(nullptr, &p, checkedCast<long>(body.size())));
  const ossl::Ptr<OCSP_BASICRESP> basic(response ? OCSP_response_get1_basic(response.get()) : nullptr);
  if (basic) {
    const STACK_OF(X509)* certs = OCSP_resp_get0_certs(basic.get());
    for (int i = 0; i < sk_X509_num(certs); ++i) {
      X509* cert = sk_X509_value(certs, i);
      ossl::check(X509_up_ref(cert), "X509_up_ref");
      out.emplace_back(cert);  // owns the reference just taken
    }
  }
  ossl::clearErrors();
  return out;
}

// --- The new /DSS ------------------------------------------------------------------------------------

enum class DssKind { Certificate, Ocsp, Crl };

struct Vri {
  std::vector<PdfReference> certificates, ocspResponses, crls;
};

void addUnique(std::vector<PdfReference>& refs, const PdfReference& ref) {
  if (std::find(refs.begin(), refs.end(), ref) == refs.end()) refs.push_back(ref);
}

// ETSI EN 319 142-1 §5.4.2: /Certs, /OCSPs and /CRLs arrays of streams, /VRI by signature. The
// existing entries stay (by reference); equal data is written once.
class DssBuilder {
 public:
  DssBuilder(const ParsedPdf& pdf, const detail::DssContents& existing, detail::IncrementalUpdate& update)
      : update_(update) {
    dictionary_ = existing.dictionary;
    for (const auto& [kind, key] : kKeys) {
      PdfObject* array = pdf.resolve(dictionary_.GetKey(key));
      arrays_[kind] = array != nullptr && array->IsArray() ? array->GetArray() : PdfArray();
    }
    PdfObject* vri = pdf.resolve(dictionary_.GetKey("VRI"));
    if (vri != nullptr && vri->IsDictionary()) vri_ = vri->GetDictionary();
    for (const auto& [kind, entries] :
         {std::pair{DssKind::Certificate, &existing.certificates}, std::pair{DssKind::Ocsp, &existing.ocspResponses},
          std::pair{DssKind::Crl, &existing.crls}}) {
      for (const detail::DssEntry& entry : *entries) known_.emplace(key(kind, entry.data), entry.ref);
    }
  }

  PdfReference add(DssKind kind, ByteView data, LtvResult& result) {
    const std::string k = key(kind, data);
    if (const auto it = known_.find(k); it != known_.end()) return it->second;
    const PdfReference ref = update_.allocate();
    PdfDictionary dict;
    dict.AddKey("Filter", PdfName("FlateDecode"));
    update_.addStream(ref, dict, detail::deflate(asChars(data), detail::FlateLevel::Smallest));
    arrays_[kind].push_back(ref);
    known_.emplace(k, ref);
    (kind == DssKind::Certificate ? result.certificates : kind == DssKind::Ocsp ? result.ocspResponses : result.crls)++;
    return ref;
  }

  void setVri(const std::string& key, const Vri& vri) {
    PdfDictionary entry;
    for (const auto& [name, refs] :
         {std::pair{"Cert", &vri.certificates}, std::pair{"OCSP", &vri.ocspResponses}, std::pair{"CRL", &vri.crls}}) {
      if (refs->empty()) continue;
      PdfArray array;
      for (const PdfReference& ref : *refs) array.push_back(ref);
      entry.AddKey(name, array);
    }
    vri_.AddKey(PdfName(key), entry);
  }

  PdfDictionary finish() {
    dictionary_.AddKey("Type", PdfName("DSS"));
    for (const auto& [kind, key] : kKeys) {
      if (arrays_[kind].empty()) {
        dictionary_.RemoveKey(key);
      } else {
        dictionary_.AddKey(key, arrays_[kind]);
      }
    }
    dictionary_.AddKey("VRI", vri_);
    return dictionary_;
  }

 private:
  static constexpr std::pair<DssKind, const char*> kKeys[] = {
      {DssKind::Certificate, "Certs"}, {DssKind::Ocsp, "OCSPs"}, {DssKind::Crl, "CRLs"}};
  static std::string key(DssKind kind, ByteView data) {
    return std::to_string(static_cast<int>(kind)) + toHex(pki::sha256(data));
  }

  detail::IncrementalUpdate& update_;
  PdfDictionary dictionary_;
  std::map<DssKind, PdfArray> arrays_;
  PdfDictionary vri_;
  std::map<std::string, PdfReference> known_;
};

// Gathers the path of `leaf` and the revocation data of every certificate of it below the anchor
// into the DSS and `vri`. False when no path reaches an anchor.
bool gather(const pki::Certificate& leaf, const std::vector<pki::Certificate>& pool,
            const std::vector<pki::Certificate>& anchors, detail::RevocationChecker& checker,
            std::vector<detail::CollectedRevocation>& answers, DssBuilder& dss, Vri& vri, LtvResult& result) {
  const auto path = buildPath(leaf, pool, anchors);
  if (!path) return false;
  for (const pki::Certificate& cert : *path)
    addUnique(vri.certificates, dss.add(DssKind::Certificate, cert.der(), result));
  answers.clear();
  for (const RevocationEvidence& evidence : checker.check(*path, pool, std::nullopt, &anchors)) {
    if (evidence.status == RevocationStatus::Unknown) {
      throw UnavailableError("revocation_unavailable", "the revocation status of " + evidence.certificateSubject +
                                                           " cannot be obtained: " + evidence.problem);
    }
  }
  for (const detail::CollectedRevocation& answer : answers) {
    if (answer.source == RevocationSource::Ocsp) {
      addUnique(vri.ocspResponses, dss.add(DssKind::Ocsp, answer.body, result));
      // The responder's own certificates, so that the response can be checked offline.
      for (const pki::Certificate& cert : responderCertificates(answer.body)) {
        addUnique(vri.certificates, dss.add(DssKind::Certificate, cert.der(), result));
      }
    } else {
      addUnique(vri.crls, dss.add(DssKind::Crl, answer.body, result));
    }
  }
  return true;
}

}  // namespace

std::string_view ltvLevelName(LtvLevel level) {
  return level == LtvLevel::B_LT ? "B-LT" : "B-LTA";
}

LtvLevel parseLtvLevel(std::string_view text) {
  std::string t;
  for (char c : text) t.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (t.starts_with("PADES-")) t = t.substr(6);
  if (t == "B-LT" || t == "BLT") return LtvLevel::B_LT;
  if (t == "B-LTA" || t == "BLTA") return LtvLevel::B_LTA;
  throw InputError("invalid_level", "unsupported extension level '" + std::string(text) + "' (expected B-LT or B-LTA)");
}

PdfLtvExtender::PdfLtvExtender(VerificationPolicy policy, std::shared_ptr<pki::TimeStampSource> timeStamps)
    : policy_(std::move(policy)), timeStamps_(std::move(timeStamps)) {
  if (policy_.clock == nullptr) throw InternalError("extension policy without a clock");
}

LtvResult PdfLtvExtender::extend(const PdfInput& input, PdfOutput& output, LtvLevel level) const {
  if (level == LtvLevel::B_LTA && !timeStamps_) {
    throw UnavailableError("tsa_not_configured", "no time-stamping authority is configured");
  }
  LtvResult result;
  const pki::TimePoint now = policy_.clock->now();

  // Which signatures to extend: those the verifier accepts, revocation aside (that is what the
  // data gathered here decides).
  VerificationPolicy screening = policy_;
  screening.revocation = RevocationCheck::Skip;
  const VerificationReport report = verifyPdf(input, screening);
  if (report.signatures.empty() && report.documentTimeStamps.empty()) {
    throw DocumentError("pdf_not_signed", "the PDF has no signature to extend");
  }
  std::set<std::string> signatures;
  std::set<std::string> timeStamps;
  std::string firstProblem;
  const auto skip = [&](const std::string& what, const std::string& why) {
    result.warnings.push_back(what + " is not extended: " + why);
    if (firstProblem.empty()) firstProblem = what + ": " + why;
  };
  for (const SignatureResult& s : report.signatures) {
    if (s.indication != Indication::TotalFailed && s.chainTrusted) {
      signatures.insert(s.fieldName);
    } else {
      skip("signature " + s.fieldName, s.detail.empty() ? std::string(indicationName(s.indication)) + " " +
                                                              std::string(subIndicationName(s.subIndication))
                                                        : s.detail);
    }
  }
  for (const DocumentTimeStampResult& t : report.documentTimeStamps) {
    if (t.valid) {
      timeStamps.insert(t.fieldName);
    } else {
      skip("document time-stamp " + t.fieldName, t.problem);
    }
  }
  if (signatures.empty())
    throw DocumentError("pdf_not_extendable", "no signature of the PDF can be extended: " + firstProblem);

  // B-LT: one incremental update with the DSS.
  MemoryPdfOutput staged;
  PdfOutput& dssOutput = level == LtvLevel::B_LT ? output : staged;
  {
    const ParsedPdf pdf(input);
    const std::string tail = input.read(input.size() - 1, 1);
    detail::IncrementalUpdate update(input.size(), tail == "\n" || tail == "\r", pdf.nextObjectNumber());
    const detail::DssContents existing = detail::readDss(pdf);
    std::vector<pki::Certificate> pool = policy_.intermediates;
    for (const auto& cert : existing.parsedCertificates()) pool.push_back(cert);
    const std::vector<pki::Certificate>& tsaAnchors =
        policy_.timeStampTrustAnchors.empty() ? policy_.trustAnchors : policy_.timeStampTrustAnchors;
    detail::RevocationChecker checker(policy_, now);
    std::vector<detail::CollectedRevocation> answers;
    checker.collectInto(&answers);

    detail::guardPodofo("writing the document security store", [&] {
      DssBuilder dss(pdf, existing, update);
      for (const FoundSignature& found : findSignatures(pdf)) {
        if (!(found.documentTimeStamp ? timeStamps : signatures).contains(found.name)) continue;
        std::string problem;
        const auto contents = detail::signatureContents(pdf, found.ref, problem);
        if (!contents) {
          skip(found.name, problem);
          continue;
        }
        const CmsParts parts = readCms(contents->bytes);
        std::vector<pki::Certificate> candidates = pool;
        candidates.insert(candidates.end(), parts.certificates.begin(), parts.certificates.end());
        Vri vri;
        if (!parts.signer ||
            !gather(*parts.signer, candidates, found.documentTimeStamp ? tsaAnchors : policy_.trustAnchors, checker,
                    answers, dss, vri, result)) {
          skip(found.name, "no certificate path to a trust anchor");
          continue;
        }
        // The authorities of the signature time-stamps (EN 319 142-1 §5.4.2.1: all validation data).
        for (const Bytes& token : parts.timeStampTokens) {
          const CmsParts tsa = readCms(token);
          std::vector<pki::Certificate> tsaPool = candidates;
          tsaPool.insert(tsaPool.end(), tsa.certificates.begin(), tsa.certificates.end());
          if (!tsa.signer || !gather(*tsa.signer, tsaPool, tsaAnchors, checker, answers, dss, vri, result)) {
            result.warnings.push_back("the time-stamping authority of " + found.name +
                                      " has no path to a trust anchor");
          }
        }
        dss.setVri(detail::vriKey(contents->bytes), vri);
        (found.documentTimeStamp ? result.documentTimeStamps : result.signatures).push_back(found.name);
      }
      if (result.signatures.empty()) {
        throw DocumentError("pdf_not_extendable", "no signature of the PDF can be extended: " + firstProblem);
      }
      const PdfReference dssRef = update.allocate();
      update.addObject(dssRef, dss.finish());
      PdfDictionary catalog = pdf.catalog().GetDictionary();
      catalog.AddKey("DSS", dssRef);
      update.addObject(pdf.catalogRef(), catalog);
    });

    // The new second /ID half: derived from the inputs, as for signatures.
    pki::DigestCalculator idDigest(pki::DigestAlgorithm::Sha256);
    idDigest.update(std::to_string(input.size()) + "|" + std::to_string(pdf.xref().startxref) + "|DSS|" + pdfDate(now));
    Bytes newId = idDigest.finish();
    newId.resize(16);
    update.finish(pdf.xref(), newId);
    dssOutput.append(input);
    dssOutput.write(update.bytes());
  }

  // B-LTA: a document time-stamp over everything, the DSS included (ISO 32000-2 §12.8.5).
  if (level == LtvLevel::B_LTA) {
    const PdfInput withDss = PdfInput::fromMemory(staged.bytes());
    PdfSignatureFields fields;
    fields.signingTime = now;
    fields.documentTimeStamp = true;
    const PreparedPdfSignature prepared =
        preparePdfSignature(withDss, output, fields, timeStamps_->maxTokenSize() + 32, pki::DigestAlgorithm::Sha256);
    const Bytes token = timeStamps_->timeStamp(pki::DigestAlgorithm::Sha256, prepared.documentDigest);
    embedPdfSignature(output, prepared, token);
    result.timeStampField = prepared.fieldName;
    result.timeStampTime = pki::parseTimeStampToken(token).time;
  }
  return result;
}

}  // namespace kyso::signer
