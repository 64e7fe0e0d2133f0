#include "signature_fields.h"

#include <set>

#include "kyso/error.h"
#include "pdf_values.h"

namespace kyso::signer::detail {

namespace {

using PoDoFo::PdfArray;
using PoDoFo::PdfDictionary;
using PoDoFo::PdfObject;
using PoDoFo::PdfReference;

class FieldCollector {
 public:
  explicit FieldCollector(const ParsedPdf& pdf) : pdf_(pdf) {}

  std::vector<SignatureField> collect() {
    PdfObject* acroForm = pdf_.resolve(pdf_.catalog().GetDictionary().GetKey("AcroForm"));
    if (acroForm == nullptr || !acroForm->IsDictionary()) return {};
    PdfObject* fields = pdf_.resolve(acroForm->GetDictionary().GetKey("Fields"));
    if (fields == nullptr || !fields->IsArray()) return {};
    const PdfArray roots = fields->GetArray();  // a copy: loading objects must not pull it away
    for (const PdfObject& root : roots) visit(root, {}, {}, 0);
    return std::move(out_);
  }

 private:
  // `inherited` carries /FT and /V down the tree (both inheritable, §12.7.3.1 table 220).
  struct Inherited {
    std::string type;
    SignatureField::Value value = SignatureField::Value::Absent;
    PdfReference reference;
  };

  void visit(const PdfObject& entry, const std::string& parentName, Inherited inherited, int depth) {
    if (depth > kMaxFieldDepth) throw DocumentError("pdf_malformed", "the form field tree is nested too deeply");
    if (++count_ > kMaxFields) throw DocumentError("pdf_malformed", "the document has too many form fields");
    const PdfObject* field = &entry;
    if (entry.IsReference()) {
      if (!visited_.insert(entry.GetReference()).second) return;  // a loop, or a field listed twice
      field = pdf_.object(entry.GetReference());
    }
    if (field == nullptr || !field->IsDictionary()) return;
    PdfDictionary dict = field->GetDictionary();  // a copy: loading objects must not pull it away

    const std::string partial = textOf(dict.GetKey("T"));
    const std::string name = parentName.empty() ? partial : (partial.empty() ? parentName : parentName + "." + partial);
    if (const PdfObject* type = dict.GetKey("FT"); type != nullptr && type->IsName()) inherited.type = nameOf(type);
    if (const PdfObject* value = dict.GetKey("V")) {
      if (value->IsReference()) {
        inherited.value = SignatureField::Value::Reference;
        inherited.reference = value->GetReference();
      } else {
        inherited.value = value->IsNull() ? SignatureField::Value::Absent : SignatureField::Value::Direct;
      }
    }

    // Kids with a partial name are fields; kids without one are its widget annotations.
    std::vector<PdfObject> fieldKids;
    if (PdfObject* kids = pdf_.resolve(dict.GetKey("Kids")); kids != nullptr && kids->IsArray()) {
      const PdfArray copy = kids->GetArray();
      for (const PdfObject& kid : copy) {
        const PdfObject* kidObject = kid.IsReference() ? pdf_.object(kid.GetReference()) : &kid;
        if (kidObject != nullptr && kidObject->IsDictionary() && kidObject->GetDictionary().HasKey("T")) {
          fieldKids.push_back(kid);
        }
      }
    }
    if (!fieldKids.empty()) {
      for (const PdfObject& kid : fieldKids) visit(kid, name, inherited, depth + 1);
      return;
    }
    if (inherited.type == "Sig") out_.push_back({name, inherited.value, inherited.reference});
  }

  const ParsedPdf& pdf_;
  std::set<PdfReference> visited_;
  std::size_t count_ = 0;
  std::vector<SignatureField> out_;
};

}  // namespace

std::vector<SignatureField> collectSignatureFields(const ParsedPdf& pdf) {
  return FieldCollector(pdf).collect();
}

}  // namespace kyso::signer::detail
