#include "kyso/signer/pdf_signature.h"

#include <Poco/UTF8Encoding.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <future>
#include <optional>
#include <set>

#include "appearance.h"
#include "incremental_update.h"
#include "kyso/error.h"
#include "parsed_pdf.h"
#include "pdf_format.h"
#include "pdf_lexer.h"
#include "podofo_guard.h"

namespace kyso::signer {

namespace {

using PoDoFo::PdfArray;
using PoDoFo::PdfDictionary;
using PoDoFo::PdfName;
using PoDoFo::PdfObject;
using PoDoFo::PdfReference;
using PoDoFo::PdfString;
using PoDoFo::PdfVariant;

// "[0 a b c" padded to a fixed width: the numbers are patched in once the layout is known.
constexpr std::size_t kByteRangeWidth = 1 + 4 * 10 + 3 + 1;
// From this size the original is hashed and copied into the output on two threads of their own,
// started before the document is parsed (below it threads cost more than they save).
constexpr std::uint64_t kEarlyPassFrom = 1u << 20;

// The work on a large original that does not depend on its structure — the digest of its bytes
// and their copy into the output — run beside the parsing and the building of the update. The
// two reads see the same bytes: both end with PdfInput::requireUnchanged().
class EarlyPass {
 public:
  EarlyPass(const PdfInput& input, PdfOutput& output, pki::DigestAlgorithm algorithm)
      : hashing_(std::async(std::launch::async,
                            [this, &input, algorithm] {
                              pki::DigestCalculator digest(algorithm);
                              input.forEachChunk([&](std::string_view chunk) {
                                if (stop_.load(std::memory_order_relaxed)) throw Stopped();
                                digest.update(chunk);
                              });
                              return digest;
                            })),
        copying_(std::async(std::launch::async, [&input, &output] { output.append(input); })) {}
  EarlyPass(const EarlyPass&) = delete;
  EarlyPass& operator=(const EarlyPass&) = delete;
  // A preparation that failed stops the hashing; the futures' destructors wait for both threads.
  ~EarlyPass() { stop_ = true; }

  // The digest over the whole original, once it is also in the output. Rethrows either's error.
  pki::DigestCalculator finish() {
    copying_.get();
    return hashing_.get();
  }

 private:
  struct Stopped {};
  std::atomic<bool> stop_{false};  // before the futures: it outlives their threads
  std::future<pki::DigestCalculator> hashing_;
  std::future<void> copying_;
};

void requireText(const std::string& value, const char* name) {
  Poco::UTF8Encoding utf8;
  std::size_t characters = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const auto* end = p + value.size();
  while (p < end) {
    const int length = utf8.sequenceLength(p, static_cast<int>(end - p));
    if (length <= 0 || length > end - p || !Poco::UTF8Encoding::isLegal(p, length)) {
      throw InputError("invalid_text", std::string(name) + " is not valid UTF-8");
    }
    const int codePoint = utf8.queryConvert(p, length);
    if (codePoint < 0) throw InputError("invalid_text", std::string(name) + " is not valid UTF-8");
    if (codePoint < 0x20 || codePoint == 0x7f) {
      throw InputError("invalid_text", std::string(name) + " contains control characters");
    }
    p += length;
    ++characters;
  }
  if (characters > kMaxSignatureTextLength) {
    throw InputError("invalid_text",
                     std::string(name) + " is longer than " + std::to_string(kMaxSignatureTextLength) + " characters");
  }
}

std::string fieldNameOf(const detail::ParsedPdf& pdf, PdfObject* field) {
  if (field->IsReference()) {
    // Fast path: find /T in the raw text instead of building the whole field dictionary; a first
    // look at 512 bytes (a field dictionary is usually shorter), then 4 KiB, then 64 KiB.
    for (const std::size_t window : {std::size_t{512}, std::size_t{4096}, std::size_t{64 * 1024}}) {
      try {
        const auto text = pdf.objectText(field->GetReference(), window);
        if (!text) return {};
        const auto at = detail::findDictionaryValue(*text, "T");
        if (!at) return {};
        const std::size_t end = detail::skipValue(*text, *at);
        PoDoFo::PdfTokenizer tokenizer(text->data() + *at, end - *at);
        PoDoFo::PdfVariant value;
        tokenizer.GetNextVariant(value, nullptr);
        return value.IsString() || value.IsHexString() ? value.GetString().GetStringUtf8() : std::string();
      } catch (const detail::LexError&) {
        // Cut off, or something unusual: look further, then let the full parse below decide.
      }
    }
  }
  PdfObject* dict = pdf.resolve(field);
  if (dict == nullptr || !dict->IsDictionary()) return {};
  const PdfObject* t = dict->GetDictionary().GetKey("T");
  if (t == nullptr || !(t->IsString() || t->IsHexString())) return {};
  return t->GetString().GetStringUtf8();
}

// The widget of the signature field named `name` (its own dictionary, or its first kid's) with
// the page it is on. Throws InputError("field_not_found").
struct FieldWidget {
  detail::Box rect;  // user space
  detail::ParsedPdf::Page page;
};

std::optional<detail::Box> rectOf(const detail::ParsedPdf& pdf, PdfObject* widget) {
  PdfObject* rect = pdf.resolve(widget->GetDictionary().GetKey("Rect"));
  if (rect == nullptr || !rect->IsArray() || rect->GetArray().size() != 4) return std::nullopt;
  double v[4];
  for (std::size_t i = 0; i < 4; ++i) {
    PdfObject* n = pdf.resolve(&rect->GetArray()[i]);
    if (n == nullptr || !(n->IsNumber() || n->IsReal())) return std::nullopt;
    v[i] = n->GetReal();
  }
  return detail::Box{std::min(v[0], v[2]), std::min(v[1], v[3]), std::max(v[0], v[2]), std::max(v[1], v[3])};
}

FieldWidget findFieldWidget(const detail::ParsedPdf& pdf, PdfArray& formFields, const std::string& name) {
  for (PdfObject& entry : formFields) {
    if (fieldNameOf(pdf, &entry) != name) continue;
    PdfObject* widget = pdf.resolve(&entry);
    if (widget == nullptr || !widget->IsDictionary()) break;
    if (PdfObject* kids = pdf.resolve(widget->GetDictionary().GetKey("Kids")); kids != nullptr && kids->IsArray()) {
      if (kids->GetArray().empty()) break;
      widget = pdf.resolve(&kids->GetArray()[0]);
      if (widget == nullptr || !widget->IsDictionary()) break;
    }
    const auto rect = rectOf(pdf, widget);
    const PdfObject* pageRef = widget->GetDictionary().GetKey("P");
    if (!rect || rect->width() <= 0 || rect->height() <= 0 || pageRef == nullptr || !pageRef->IsReference()) {
      throw InputError("invalid_appearance", "the field " + name + " is not visible on a page");
    }
    PdfObject* page = pdf.object(pageRef->GetReference());
    if (page == nullptr || !page->IsDictionary()) {
      throw InputError("invalid_appearance", "the field " + name + " names a missing page");
    }
    return {*rect, {pageRef->GetReference(), page}};
  }
  throw InputError("field_not_found", "the document has no signature field named " + name);
}

// A certification signature with /P 1 forbids any change, a new signature included
// (ISO 32000-1 §12.8.2.2.2).
void refuseIfCertifiedWithoutChanges(const detail::ParsedPdf& pdf) {
  PdfObject* perms = pdf.resolve(pdf.catalog().GetDictionary().GetKey("Perms"));
  if (perms == nullptr || !perms->IsDictionary()) return;
  PdfObject* docMdp = pdf.resolve(perms->GetDictionary().GetKey("DocMDP"));
  if (docMdp == nullptr || !docMdp->IsDictionary()) return;
  PdfObject* references = pdf.resolve(docMdp->GetDictionary().GetKey("Reference"));
  if (references == nullptr || !references->IsArray()) return;
  for (PdfObject& entry : references->GetArray()) {
    PdfObject* reference = pdf.resolve(&entry);
    if (reference == nullptr || !reference->IsDictionary()) continue;
    const PdfObject* method = reference->GetDictionary().GetKey("TransformMethod");
    if (method == nullptr || !method->IsName() || method->GetName() != PdfName("DocMDP")) continue;
    PdfObject* params = pdf.resolve(reference->GetDictionary().GetKey("TransformParams"));
    if (params == nullptr || !params->IsDictionary()) continue;
    const PdfObject* p = params->GetDictionary().GetKey("P");
    if (p != nullptr && p->IsNumber() && p->GetNumber() == 1) {
      throw DocumentError("pdf_certified_no_changes",
                          "the PDF is certified with no changes permitted (DocMDP P=1); it cannot be signed again");
    }
  }
}

std::string makeFieldName(const std::set<std::string>& taken, const std::string& requested, const std::string& prefix) {
  if (!requested.empty()) {
    if (taken.contains(requested))
      throw InputError("field_exists", "a form field named " + requested + " already exists");
    if (requested.find('.') != std::string::npos) throw InputError("invalid_text", "a field name cannot contain '.'");
    return requested;
  }
  for (int n = 1;; ++n) {
    std::string name = prefix + std::to_string(n);
    if (!taken.contains(name)) return name;
  }
}

}  // namespace

bool isValidSignatureText(const std::string& text) {
  try {
    requireText(text, "text");
    return true;
  } catch (const InputError&) {
    return false;
  }
}

std::string pdfDate(pki::TimePoint time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time + pki::kVietnamUtcOffset);
  std::tm f{};
  gmtime_r(&seconds, &f);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "D:%04d%02d%02d%02d%02d%02d+07'00'", f.tm_year + 1900, f.tm_mon + 1, f.tm_mday,
                f.tm_hour, f.tm_min, f.tm_sec);
  return buffer;
}

PreparedPdfSignature preparePdfSignature(const PdfInput& input, PdfOutput& output, const PdfSignatureFields& fields,
                                         std::size_t contentsCapacity, pki::DigestAlgorithm digestAlgorithm) {
  requireText(fields.reason, "reason");
  requireText(fields.location, "location");
  requireText(fields.contactInfo, "contact info");
  requireText(fields.signerName, "signer name");
  requireText(fields.fieldName, "field name");
  if (contentsCapacity == 0 || contentsCapacity > (1u << 20)) throw InternalError("bad signature capacity");

  std::optional<EarlyPass> early;
  if (input.size() >= kEarlyPassFrom) early.emplace(input, output, digestAlgorithm);
  const detail::ParsedPdf pdf(input, detail::ParsedPdf::Reading::ForSigning);
  const std::string tail = input.read(input.size() - 1, 1);
  detail::IncrementalUpdate update(input.size(), tail == "\n" || tail == "\r", pdf.nextObjectNumber());

  PreparedPdfSignature prepared;
  prepared.contentsCapacity = contentsCapacity;
  prepared.digestAlgorithm = digestAlgorithm;
  std::size_t byteRangeAt = 0;
  std::size_t contentsAt = 0;

  detail::guardPodofo("preparing the signature field", [&] {
    refuseIfCertifiedWithoutChanges(pdf);
    PdfDictionary catalog = pdf.catalog().GetDictionary();
    bool catalogChanged = false;

    // The interactive form (ISO 32000-1 §12.7.2): direct, indirect or absent.
    PdfObject* acroValue = catalog.GetKey("AcroForm");
    PdfObject* acroObject = pdf.resolve(acroValue);
    if (acroValue != nullptr && acroObject != nullptr && !acroObject->IsDictionary() && !acroObject->IsNull()) {
      throw DocumentError("pdf_malformed", "the document's /AcroForm is not a dictionary");
    }
    PdfDictionary acroForm =
        acroObject != nullptr && acroObject->IsDictionary() ? acroObject->GetDictionary() : PdfDictionary();
    PdfObject* fieldsValue = acroForm.GetKey("Fields");
    PdfObject* fieldsObject = pdf.resolve(fieldsValue);
    PdfArray formFields = fieldsObject != nullptr && fieldsObject->IsArray() ? fieldsObject->GetArray() : PdfArray();
    std::set<std::string> taken;
    for (PdfObject& field : formFields) taken.insert(fieldNameOf(pdf, &field));
    prepared.fieldName =
        makeFieldName(taken, fields.fieldName, fields.documentTimeStamp ? "DocTimeStamp" : "Signature");

    // The page: the first for invisible and copy signatures, the chosen one for the others, the
    // page of the field it covers for a seal placed over a signature.
    const auto& visible = fields.visible;
    std::optional<FieldWidget> over;
    if (visible && visible->layout == SignatureLayout::Seal && !visible->overField.empty() && !visible->rect) {
      over = findFieldWidget(pdf, formFields, visible->overField);
    }
    if (visible && visible->page == 0) throw InputError("page_out_of_range", "pages are counted from 1");
    const detail::ParsedPdf::Page page =
        over ? over->page : pdf.page(visible && visible->layout != SignatureLayout::Copy ? visible->page - 1 : 0);

    const PdfReference signatureRef = update.allocate();
    const PdfReference widgetRef = update.allocate();

    // The signature dictionary (§12.8.1, table 252), written by hand so that /ByteRange and
    // /Contents sit at known places with nothing between them (PoDoFo's sorted keys would put
    // /ContactInfo there).
    std::string sig = fields.documentTimeStamp
                          ? "<<\n/Type /DocTimeStamp\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.RFC3161\n"
                          : "<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n";
    if (!fields.documentTimeStamp) sig += "/M " + detail::serialize(PdfString(pdfDate(fields.signingTime))) + "\n";
    if (!fields.signerName.empty()) sig += "/Name " + detail::serialize(detail::textString(fields.signerName)) + "\n";
    if (!fields.reason.empty()) sig += "/Reason " + detail::serialize(detail::textString(fields.reason)) + "\n";
    if (!fields.location.empty()) sig += "/Location " + detail::serialize(detail::textString(fields.location)) + "\n";
    if (!fields.contactInfo.empty())
      sig += "/ContactInfo " + detail::serialize(detail::textString(fields.contactInfo)) + "\n";
    sig += "/ByteRange ";
    const std::size_t byteRangeInSig = sig.size();
    sig += "[0 0 0 0";
    sig.append(kByteRangeWidth - 9, ' ');
    sig += "]\n/Contents ";
    const std::size_t contentsInSig = sig.size();
    sig += '<';
    sig.append(2 * contentsCapacity, '0');
    sig += ">\n>>";
    const std::size_t sigAt = update.addObject(signatureRef, sig);
    byteRangeAt = sigAt + byteRangeInSig;
    contentsAt = sigAt + contentsInSig;

    // The field and its widget in one dictionary (§12.5.6.19, §12.7.4.5). Invisible: empty
    // rectangle, flag Print (4) so that a later appearance prints.
    PdfDictionary widget;
    widget.AddKey("Type", PdfName("Annot"));
    widget.AddKey("Subtype", PdfName("Widget"));
    widget.AddKey("FT", PdfName("Sig"));
    widget.AddKey("T", detail::textString(prepared.fieldName));
    widget.AddKey("V", signatureRef);
    widget.AddKey("F", PdfVariant(static_cast<PoDoFo::pdf_int64>(4)));
    PdfArray rect;
    if (visible) {
      const detail::PageGeometry geometry = pdf.geometry(page.object);
      std::optional<detail::Box> overDisplayed;
      if (over) overDisplayed = geometry.toDisplay(over->rect);
      const auto fonts = fields.fonts ? fields.fonts : AppearanceFonts::system();
      const detail::WrittenAppearance appearance =
          detail::writeAppearance(*visible, fonts.get(), geometry, overDisplayed, fields.signingTime, update);
      for (const double v :
           {appearance.rect.left, appearance.rect.bottom, appearance.rect.right, appearance.rect.top}) {
        rect.push_back(PdfVariant(std::round(v * 1000) / 1000));
      }
      PdfDictionary ap;
      ap.AddKey("N", appearance.appearance);
      widget.AddKey("AP", ap);
    } else {
      for (int i = 0; i < 4; ++i) rect.push_back(PdfVariant(static_cast<PoDoFo::pdf_int64>(0)));
    }
    widget.AddKey("Rect", rect);
    widget.AddKey("P", page.ref);
    update.addObject(widgetRef, widget);

    formFields.push_back(widgetRef);
    if (fieldsValue != nullptr && fieldsValue->IsReference() && fieldsObject != nullptr && fieldsObject->IsArray()) {
      update.addObject(fieldsValue->GetReference(), formFields);
    } else {
      acroForm.AddKey("Fields", formFields);
    }
    // SignaturesExist | AppendOnly (§12.7.2, table 219).
    const PdfObject* sigFlags = acroForm.GetKey("SigFlags");
    const PoDoFo::pdf_int64 flags = (sigFlags != nullptr && sigFlags->IsNumber() ? sigFlags->GetNumber() : 0) | 3;
    acroForm.AddKey("SigFlags", PdfVariant(flags));
    if (acroValue != nullptr && acroValue->IsReference() && acroObject != nullptr && acroObject->IsDictionary()) {
      update.addObject(acroValue->GetReference(), acroForm);
    } else if (acroObject != nullptr && acroObject->IsDictionary()) {
      catalog.AddKey("AcroForm", acroForm);
      catalogChanged = true;
    } else {
      const PdfReference acroRef = update.allocate();
      update.addObject(acroRef, acroForm);
      catalog.AddKey("AcroForm", acroRef);
      catalogChanged = true;
    }
    if (catalogChanged) update.addObject(pdf.catalogRef(), catalog);

    // The page's annotations: rewrite the array when it is its own object, else the page.
    PdfObject* annotsValue = page.object->GetDictionary().GetKey("Annots");
    PdfObject* annotsObject = pdf.resolve(annotsValue);
    if (annotsValue != nullptr && annotsValue->IsReference() && annotsObject != nullptr && annotsObject->IsArray()) {
      PdfArray annots = annotsObject->GetArray();
      annots.push_back(widgetRef);
      update.addObject(annotsValue->GetReference(), annots);
    } else {
      PdfDictionary pageDict = page.object->GetDictionary();
      PdfArray annots = annotsObject != nullptr && annotsObject->IsArray() ? annotsObject->GetArray() : PdfArray();
      annots.push_back(widgetRef);
      pageDict.AddKey("Annots", annots);
      update.addObject(page.ref, pageDict);
    }
  });

  // The new second /ID half: derived from the inputs, so a repeated preparation is identical.
  pki::DigestCalculator idDigest(pki::DigestAlgorithm::Sha256);
  idDigest.update(std::to_string(input.size()) + "|" + std::to_string(pdf.xref().startxref) + "|" +
                  pdfDate(fields.signingTime) + "|" + prepared.fieldName + "|" + std::to_string(contentsCapacity));
  Bytes newId = idDigest.finish();
  newId.resize(16);
  update.finish(pdf.xref(), newId);

  // ByteRange (§12.8.1): everything but the hex string of /Contents, '<' and '>' included.
  std::string& bytes = update.bytes();
  const std::size_t contentsEnd = contentsAt + 2 + 2 * contentsCapacity;
  const std::uint64_t total = input.size() + bytes.size();
  prepared.byteRange = {0, update.absolute(contentsAt), update.absolute(contentsEnd),
                        total - update.absolute(contentsEnd)};
  std::string byteRange = "[0 " + std::to_string(prepared.byteRange[1]) + " " + std::to_string(prepared.byteRange[2]) +
                          " " + std::to_string(prepared.byteRange[3]);
  byteRange += std::string(kByteRangeWidth - 1 - byteRange.size(), ' ') + "]";
  bytes.replace(byteRangeAt, kByteRangeWidth, byteRange);
  prepared.contentsOffset = update.absolute(contentsAt);
  prepared.outputSize = total;

  // One pass over the original: the byte-range digest and the prefix of the output's own SHA-256
  // (the same bytes up to /Contents) come from it. A large original went through it beside the
  // parsing (EarlyPass, copied by the kernel from a file); a small one goes through it now.
  pki::DigestCalculator digest = early ? early->finish() : pki::DigestCalculator(digestAlgorithm);
  if (!early) {
    input.forEachChunk([&](std::string_view chunk) {
      digest.update(chunk);
      output.write(chunk);
    });
  }
  digest.update(std::string_view(bytes).substr(0, contentsAt));
  if (digestAlgorithm == pki::DigestAlgorithm::Sha256) {
    prepared.outputPrefixSha256 = std::make_shared<pki::DigestCalculator>(digest.clone());
    prepared.outputTail = bytes.substr(contentsEnd);
  }
  digest.update(std::string_view(bytes).substr(contentsEnd));
  output.write(bytes);
  prepared.documentDigest = digest.finish();
  return prepared;
}

std::string embedPdfSignature(PdfOutput& output, const PreparedPdfSignature& prepared, ByteView cms) {
  if (cms.size() > prepared.contentsCapacity) {
    throw InternalError("signature of " + std::to_string(cms.size()) + " bytes exceeds the reserved " +
                            std::to_string(prepared.contentsCapacity),
                        "signature_too_large");
  }
  std::string contents;
  contents.reserve(2 + 2 * prepared.contentsCapacity);
  contents += '<';
  contents += toHex(cms, true);
  contents.resize(1 + 2 * prepared.contentsCapacity, '0');
  contents += '>';
  output.overwrite(prepared.contentsOffset, contents);
  if (!prepared.outputPrefixSha256) return {};
  pki::DigestCalculator whole = prepared.outputPrefixSha256->clone();
  whole.update(contents);
  whole.update(prepared.outputTail);
  return toHex(whole.finish());
}

}  // namespace kyso::signer
