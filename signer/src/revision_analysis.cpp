#include "revision_analysis.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "incremental_update.h"
#include "kyso/error.h"
#include "pdf_lexer.h"
#include "pdf_values.h"
#include "podofo_guard.h"
#include "signature_fields.h"

namespace kyso::signer {

std::string_view changeClassName(ChangeClass changeClass) {
  switch (changeClass) {
    case ChangeClass::Signature:
      return "signature";
    case ChangeClass::Dss:
      return "dss";
    case ChangeClass::DocTimeStamp:
      return "doc_timestamp";
    case ChangeClass::FormFill:
      return "form_fill";
    case ChangeClass::Annotation:
      return "annotation";
    case ChangeClass::Metadata:
      return "metadata";
    case ChangeClass::Other:
      return "other";
  }
  return "other";
}

namespace detail {

namespace {

using PoDoFo::PdfArray;
using PoDoFo::PdfDictionary;
using PoDoFo::PdfObject;
using PoDoFo::PdfReference;

constexpr std::size_t kMaxReachable = 200000;

// --- The raw bytes --------------------------------------------------------------------------------

// Substring search in [from, to) of the input; for files through a cached 1 MiB window (the body
// scan asks many small questions of nearby bytes).
class ByteSearch {
 public:
  explicit ByteSearch(const PdfInput& input) : input_(input) {}

  std::optional<std::uint64_t> find(std::string_view needle, std::uint64_t from, std::uint64_t to) const {
    to = std::min(to, input_.size());
    if (from >= to || to - from < needle.size()) return std::nullopt;
    if (!input_.memory().empty()) {
      const auto at =
          input_.memory().substr(0, static_cast<std::size_t>(to)).find(needle, static_cast<std::size_t>(from));
      if (at == std::string_view::npos) return std::nullopt;
      return at;
    }
    std::uint64_t at = from;
    while (at + needle.size() <= to) {
      if (at < cacheStart_ || at + needle.size() > cacheStart_ + cache_.size()) {
        cache_ = input_.read(at, kWindow);
        cacheStart_ = at;
        if (cache_.size() < needle.size()) return std::nullopt;
      }
      const std::uint64_t limit = std::min<std::uint64_t>(to, cacheStart_ + cache_.size());
      const std::string_view view = std::string_view(cache_).substr(static_cast<std::size_t>(at - cacheStart_),
                                                                    static_cast<std::size_t>(limit - at));
      if (const auto hit = view.find(needle); hit != std::string_view::npos) return at + hit;
      if (limit >= to) return std::nullopt;
      at = limit - (needle.size() - 1);  // the window ends here: read on from the last partial match
    }
    return std::nullopt;
  }

  std::string read(std::uint64_t from, std::size_t length) const {
    if (input_.memory().empty() && from >= cacheStart_ && from + length <= cacheStart_ + cache_.size()) {
      return cache_.substr(static_cast<std::size_t>(from - cacheStart_), length);
    }
    return input_.read(from, length);
  }

  // The same bytes without a copy where they are at hand (valid until the next call).
  std::string_view view(std::uint64_t from, std::size_t length) const {
    if (!input_.memory().empty()) {
      const std::string_view all = input_.memory();
      if (from >= all.size()) return {};
      return all.substr(static_cast<std::size_t>(from), length);
    }
    if (from >= cacheStart_ && from + length <= cacheStart_ + cache_.size()) {
      return std::string_view(cache_).substr(static_cast<std::size_t>(from - cacheStart_), length);
    }
    scratch_ = input_.read(from, length);
    return scratch_;
  }

 private:
  static constexpr std::size_t kWindow = 1u << 20;
  const PdfInput& input_;
  mutable std::string cache_;
  mutable std::uint64_t cacheStart_ = 0;
  mutable std::string scratch_;
};

// "n g obj" ending just before `objAt` (the "obj" keyword), or nullopt. `floor`: where the search
// may look back to.
struct ObjectHeader {
  std::uint32_t number = 0;
  std::uint64_t start = 0;  // where "n g obj" starts
};

std::optional<ObjectHeader> objectHeaderBefore(const ByteSearch& bytes, std::uint64_t objAt, std::uint64_t floor,
                                               std::uint64_t to) {
  const std::uint64_t start = objAt - std::min<std::uint64_t>(objAt - floor, 48);
  const std::string before = bytes.read(start, static_cast<std::size_t>(objAt - start));
  const std::string after = bytes.read(objAt + 3, 1);
  if (!after.empty() && objAt + 3 < to && !isPdfWhitespace(after[0]) && !isPdfDelimiter(after[0])) return std::nullopt;
  std::size_t i = before.size();
  auto spaces = [&] {
    std::size_t n = 0;
    while (i > 0 && isPdfWhitespace(before[i - 1])) --i, ++n;
    return n;
  };
  auto digits = [&](std::uint64_t& value) {
    const std::size_t end = i;
    while (i > 0 && before[i - 1] >= '0' && before[i - 1] <= '9') --i;
    if (i == end || end - i > 10) return false;
    value = std::stoull(before.substr(i, end - i));
    return true;
  };
  std::uint64_t generation = 0;
  std::uint64_t number = 0;
  if (spaces() == 0 || !digits(generation) || spaces() == 0 || !digits(number)) return std::nullopt;
  // The number starts the segment or follows white space or a delimiter ("endobj" before it does not).
  if (i > 0 && !isPdfWhitespace(before[i - 1]) && !isPdfDelimiter(before[i - 1])) return std::nullopt;
  if (i == 0 && start != floor) return std::nullopt;  // more digits may precede the window
  if (number > 0xffffffffu) return std::nullopt;
  return ObjectHeader{static_cast<std::uint32_t>(number), start + i};
}

// --- Small PoDoFo helpers -----------------------------------------------------------------------

const XrefEntry* liveEntry(const ParsedPdf& pdf, std::uint32_t number) {
  const XrefEntry* entry = pdf.xref().merged.find(number);
  return entry == nullptr || entry->type == XrefEntry::Type::Free ? nullptr : entry;
}

PdfObject* objectNumbered(const ParsedPdf& pdf, std::uint32_t number) {
  const XrefEntry* entry = liveEntry(pdf, number);
  if (entry == nullptr) return nullptr;
  const auto generation = entry->type == XrefEntry::Type::InUse ? entry->generation : 0;
  return pdf.object(PdfReference(number, static_cast<PoDoFo::pdf_gennum>(generation)));
}

// ParsedPdf::resolve only reads `value`; PoDoFo's accessors are not const-correct.
PdfObject* resolveConst(const ParsedPdf& pdf, const PdfObject* value) {
  return pdf.resolve(const_cast<PdfObject*>(value));
}

std::optional<PdfDictionary> dictionaryOf(const ParsedPdf& pdf, const PdfObject* value) {
  PdfObject* resolved = resolveConst(pdf, value);
  if (resolved == nullptr || !resolved->IsDictionary()) return std::nullopt;
  return resolved->GetDictionary();  // a copy: later loads must not pull it away
}

std::optional<PdfArray> arrayOf(const ParsedPdf& pdf, const PdfObject* value) {
  PdfObject* resolved = resolveConst(pdf, value);
  if (resolved == nullptr || !resolved->IsArray()) return std::nullopt;
  return resolved->GetArray();
}

std::uint32_t referenced(const PdfObject* value) {
  return value != nullptr && value->IsReference() ? value->GetReference().ObjectNumber() : 0;
}

// The value and, for a stream, its raw (still encoded) data: two objects with the same fingerprint
// are the same object for every reader.
std::string fingerprint(PdfObject* object) {
  std::string out = serialize(*object);
  if (object->HasStream()) {
    char* raw = nullptr;
    PoDoFo::pdf_long length = 0;
    object->GetStream()->GetCopy(&raw, &length);
    std::unique_ptr<char, decltype(&PoDoFo::podofo_free)> owned(raw, &PoDoFo::podofo_free);
    out += "\nstream\n";
    out.append(raw, static_cast<std::size_t>(length));
  }
  return out;
}

std::string valueText(const PdfObject* value) {
  return value == nullptr ? std::string() : serialize(*value);
}

// The keys whose values differ between two dictionaries (references compared as references).
std::vector<std::string> changedKeys(const PdfDictionary& before, const PdfDictionary& after) {
  std::set<std::string> keys;
  for (const auto& [key, value] : before.GetKeys()) keys.insert(key.GetName());
  for (const auto& [key, value] : after.GetKeys()) keys.insert(key.GetName());
  std::vector<std::string> out;
  for (const std::string& key : keys) {
    if (valueText(before.GetKey(key)) != valueText(after.GetKey(key))) out.push_back(key);
  }
  return out;
}

bool isAnnotation(const PdfDictionary& dict) {
  if (nameOf(dict.GetKey("Type")) == "Annot") return true;
  const PdfObject* rect = dict.GetKey("Rect");
  return dict.GetKey("Subtype") != nullptr && dict.GetKey("Subtype")->IsName() && rect != nullptr &&
         (rect->IsArray() || rect->IsReference());
}

std::optional<std::array<double, 4>> numbers4(const ParsedPdf& pdf, const PdfObject* value) {
  const auto array = arrayOf(pdf, value);
  if (!array || array->size() != 4) return std::nullopt;
  std::array<double, 4> out{};
  for (std::size_t i = 0; i < 4; ++i) {
    const PdfObject& n = (*array)[i];
    if (!(n.IsNumber() || n.IsReal())) return std::nullopt;
    out[i] = n.GetReal();
  }
  return out;
}

bool hasArea(const std::array<double, 4>& box) {
  return std::abs(box[2] - box[0]) > 0.001 && std::abs(box[3] - box[1]) > 0.001;
}

// Whether an annotation paints on its page (ISO 32000-1 §12.5.3 flags, §12.5.5 appearances): not
// Hidden or NoView, a rectangle with an area, and an appearance (or a type viewers draw without one).
bool paints(const ParsedPdf& pdf, const PdfDictionary& annotation) {
  const PdfObject* flags = annotation.GetKey("F");
  const long long f = flags != nullptr && flags->IsNumber() ? flags->GetNumber() : 0;
  if ((f & 2) != 0 || (f & 32) != 0) return false;
  const auto rect = numbers4(pdf, annotation.GetKey("Rect"));
  if (!rect || !hasArea(*rect)) return false;
  const std::string subtype = nameOf(annotation.GetKey("Subtype"));
  if (subtype == "Popup") return false;
  const auto ap = dictionaryOf(pdf, annotation.GetKey("AP"));
  PdfObject* normal = ap ? resolveConst(pdf, ap->GetKey("N")) : nullptr;
  if (normal == nullptr) return subtype != "Widget" && subtype != "Link";
  if (normal->HasStream()) {
    const auto bbox = numbers4(pdf, normal->GetDictionary().GetKey("BBox"));
    return !bbox || hasArea(*bbox);
  }
  return true;  // appearance states: one of them is shown
}

// --- The interactive form (ISO 32000-1 §12.7.3) -----------------------------------------------------

struct FormField {
  std::string name;                      // fully qualified
  std::string type;                      // /FT, inherited
  std::uint32_t object = 0;              // the terminal field dictionary; 0 when direct
  std::vector<std::uint32_t> ancestors;  // the field dictionaries above it
  std::vector<std::uint32_t> widgets;    // its widget annotations (itself when merged)
  std::uint32_t value = 0;               // /V when it is a reference
  bool hasValue = false;
};

struct Form {
  std::uint32_t acroForm = 0;     // when indirect
  std::uint32_t fieldsArray = 0;  // when indirect
  std::optional<PdfDictionary> acroFormDict;
  std::vector<std::uint32_t> topLevel;  // the /Fields entries (object numbers; 0 for direct ones)
  std::vector<FormField> fields;
  std::map<std::uint32_t, std::size_t> byObject;  // terminal and widget objects → field
  std::map<std::string, std::size_t> byName;      // the first field of each name
  std::set<std::uint32_t> nodes;                  // non-terminal field dictionaries
};

class FormReader {
 public:
  explicit FormReader(const ParsedPdf& pdf) : pdf_(pdf) {}

  Form read() {
    PdfObject* acroValue = pdf_.catalog().GetDictionary().GetKey("AcroForm");
    form_.acroForm = referenced(acroValue);
    form_.acroFormDict = dictionaryOf(pdf_, acroValue);
    if (!form_.acroFormDict) return std::move(form_);
    PdfObject* fieldsValue = form_.acroFormDict->GetKey("Fields");
    form_.fieldsArray = referenced(fieldsValue);
    const auto fields = arrayOf(pdf_, fieldsValue);
    if (!fields) return std::move(form_);
    for (const PdfObject& root : *fields) {
      form_.topLevel.push_back(referenced(&root));
      visit(root, {}, {}, {}, 0);
    }
    return std::move(form_);
  }

 private:
  struct Inherited {
    std::string type;
    std::uint32_t value = 0;
    bool hasValue = false;
  };

  void visit(const PdfObject& entry, const std::string& parentName, Inherited inherited,
             std::vector<std::uint32_t> ancestors, int depth) {
    if (depth > kMaxFieldDepth) throw DocumentError("pdf_malformed", "the form field tree is nested too deeply");
    if (++count_ > kMaxFields) throw DocumentError("pdf_malformed", "the document has too many form fields");
    const std::uint32_t number = referenced(&entry);
    if (number != 0 && !visited_.insert(number).second) return;
    const auto dict = dictionaryOf(pdf_, &entry);
    if (!dict) return;
    const std::string partial = textOf(dict->GetKey("T"));
    const std::string name = parentName.empty() ? partial : (partial.empty() ? parentName : parentName + "." + partial);
    if (const PdfObject* type = dict->GetKey("FT"); type != nullptr && type->IsName()) inherited.type = nameOf(type);
    if (const PdfObject* value = dict->GetKey("V")) {
      inherited.hasValue = !value->IsNull();
      inherited.value = referenced(value);
    }
    std::vector<PdfObject> fieldKids;
    std::vector<std::uint32_t> widgetKids;
    if (const auto kids = arrayOf(pdf_, dict->GetKey("Kids"))) {
      for (const PdfObject& kid : *kids) {
        const auto kidDict = dictionaryOf(pdf_, &kid);
        if (kidDict && kidDict->HasKey("T")) {
          fieldKids.push_back(kid);
        } else if (const std::uint32_t w = referenced(&kid)) {
          widgetKids.push_back(w);
        }
      }
    }
    if (!fieldKids.empty()) {
      if (number != 0) form_.nodes.insert(number);
      ancestors.push_back(number);
      for (const PdfObject& kid : fieldKids) visit(kid, name, inherited, ancestors, depth + 1);
      return;
    }
    FormField field;
    field.name = name;
    field.type = inherited.type;
    field.object = number;
    field.ancestors = std::move(ancestors);
    field.value = inherited.value;
    field.hasValue = inherited.hasValue;
    field.widgets = widgetKids;
    if (widgetKids.empty() && number != 0) field.widgets.push_back(number);  // field and widget merged
    const std::size_t index = form_.fields.size();
    if (number != 0) form_.byObject.emplace(number, index);
    form_.byName.emplace(name, index);
    for (const std::uint32_t w : widgetKids) form_.byObject.emplace(w, index);
    form_.fields.push_back(std::move(field));
  }

  const ParsedPdf& pdf_;
  Form form_;
  std::set<std::uint32_t> visited_;
  std::size_t count_ = 0;
};

// Every object number that `text` refers to ("n g R", ISO 32000-1 §7.3.10), found in the raw
// text: `carry` holds the end of the previous piece.
void collectReferences(std::string_view text, std::set<std::uint32_t>& out) {
  for (std::size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] != 'R' || !(isPdfWhitespace(text[i + 1]) || isPdfDelimiter(text[i + 1]))) continue;
    std::size_t j = i;
    auto back = [&](bool digitsWanted) {
      const std::size_t end = j;
      if (digitsWanted) {
        while (j > 0 && text[j - 1] >= '0' && text[j - 1] <= '9') --j;
      } else {
        while (j > 0 && isPdfWhitespace(text[j - 1])) --j;
      }
      return end - j;
    };
    if (back(false) == 0) continue;
    if (back(true) == 0) continue;
    if (back(false) == 0) continue;
    const std::size_t numberEnd = j;
    const std::size_t digits = back(true);
    if (digits == 0 || digits > 10) continue;
    if (j > 0 && !isPdfWhitespace(text[j - 1]) && !isPdfDelimiter(text[j - 1])) continue;
    const auto value = std::stoull(std::string(text.substr(j, numberEnd - j)));
    if (value <= 0xffffffffu) out.insert(static_cast<std::uint32_t>(value));
  }
}

// The object numbers `pdf` refers to anywhere: in its bytes and in its object streams.
std::set<std::uint32_t> referencesIn(const ParsedPdf& pdf) {
  std::set<std::uint32_t> out;
  std::string carry;
  pdf.input().forEachChunk([&](std::string_view chunk) {
    std::string text = carry;
    text.append(chunk);
    collectReferences(text, out);
    carry = text.substr(text.size() - std::min<std::size_t>(text.size(), 40));
  });
  collectReferences(carry + " ", out);
  pdf.xref().merged.forEach([&](std::uint32_t number, const XrefEntry& entry) {
    if (entry.type != XrefEntry::Type::Compressed) return;
    if (const auto text = pdf.objectText(PdfReference(number, 0))) collectReferences(" " + *text + " ", out);
  });
  return out;
}

// --- The comparison ----------------------------------------------------------------------------------

struct Change {
  enum class Kind { Added, Modified, Removed } kind = Kind::Modified;
  std::size_t revision = 0;
  // The entry in force points into the signed revision, at another definition than the signed one.
  bool repointed = false;
  std::uint64_t offset = 0;
};

struct Finding {
  ChangeClass changeClass = ChangeClass::Other;
  std::set<std::uint32_t> objects;
  bool visible = false;
  bool changesSigned = false;  // Other: an object of the signed revision was changed or removed
  bool unreferenced = false;   // Other: an added object nothing refers to
  std::string field;           // Signature, DocTimeStamp: the new field; FormFill: the filled one
  std::string description;
};

// One signed revision against the whole document.
class Comparison {
 public:
  Comparison(const ParsedPdf& signedPdf, const ParsedPdf& whole, std::uint64_t signedEnd,
             const std::vector<RevisionBounds>& bounds)
      : old_(signedPdf), new_(whole), signedEnd_(signedEnd), bounds_(bounds) {}

  std::vector<Finding> run() {
    diff();
    if (changes_.empty()) return {};
    oldForm_ = FormReader(old_).read();
    newForm_ = FormReader(new_).read();
    findDangling();
    catalog();
    fields();
    acroForm();
    securityStore();
    modifiedObjects();
    metadata();
    leftovers();
    return std::move(findings_);
  }

  const std::map<std::uint32_t, Change>& changes() const { return changes_; }

 private:
  // --- which objects differ
  void diff() {
    const std::uint32_t end = std::max(old_.xref().merged.end(), new_.xref().merged.end());
    for (std::uint32_t n = 1; n < end; ++n) {
      const XrefEntry* before = liveEntry(old_, n);
      const XrefEntry* after = liveEntry(new_, n);
      if (before == nullptr && after == nullptr) continue;
      Change change;
      change.revision = revisionOf(n);
      if (after != nullptr && after->type == XrefEntry::Type::InUse && after->offset < signedEnd_) {
        change.offset = after->offset;
      }
      if (before == nullptr) {
        change.kind = Change::Kind::Added;
        change.repointed = after->type == XrefEntry::Type::InUse && after->offset < signedEnd_;
        changes_.emplace(n, change);
        continue;
      }
      if (after == nullptr) {
        change.kind = Change::Kind::Removed;
        changes_.emplace(n, change);
        continue;
      }
      const bool sameEntry =
          before->type == after->type && before->offset == after->offset && before->generation == after->generation;
      if (sameEntry && before->type == XrefEntry::Type::InUse) continue;
      if (sameEntry && !hostChanged(static_cast<std::uint32_t>(before->offset))) continue;
      PdfObject* a = objectNumbered(old_, n);
      PdfObject* b = objectNumbered(new_, n);
      const bool sameGeneration = before->type != XrefEntry::Type::InUse || after->type != XrefEntry::Type::InUse ||
                                  before->generation == after->generation;
      if (a != nullptr && b != nullptr && sameGeneration &&
          guardPodofo("comparing object " + std::to_string(n), [&] { return fingerprint(a) == fingerprint(b); })) {
        continue;  // written again unchanged
      }
      change.kind = Change::Kind::Modified;
      change.repointed = !sameEntry && after->type == XrefEntry::Type::InUse && after->offset < signedEnd_;
      changes_.emplace(n, change);
    }
  }

  bool hostChanged(std::uint32_t stream) const {
    const XrefEntry* before = liveEntry(old_, stream);
    const XrefEntry* after = liveEntry(new_, stream);
    return before == nullptr || after == nullptr || before->type != after->type || before->offset != after->offset ||
           before->generation != after->generation;
  }

  // The revision whose cross-reference section gives object `n` its entry in force.
  std::size_t revisionOf(std::uint32_t n) const {
    for (const XrefSection& section : new_.xref().sections) {
      if (section.entries.find(n) == nullptr) continue;
      std::size_t revision = 0;
      for (const RevisionBounds& b : bounds_) {
        if (b.revision.xrefOffset <= section.offset) revision = b.revision.number;
      }
      return revision;
    }
    return bounds_.empty() ? 0 : bounds_.back().revision.number;
  }

  bool changed(std::uint32_t n) const { return n != 0 && changes_.contains(n); }
  bool added(std::uint32_t n) const {
    const auto it = changes_.find(n);
    return it != changes_.end() && it->second.kind == Change::Kind::Added;
  }
  bool claimed(std::uint32_t n) const { return claims_.contains(n); }

  std::size_t newFinding(ChangeClass changeClass, std::string description, bool changesSigned = false) {
    Finding f;
    f.changeClass = changeClass;
    f.description = std::move(description);
    f.changesSigned = changesSigned;
    findings_.push_back(std::move(f));
    return findings_.size() - 1;
  }
  void claim(std::uint32_t n, std::size_t finding) {
    if (!changed(n)) return;
    findings_[finding].objects.insert(n);
    claims_.emplace(n, finding);
  }

  // Claims every added object reachable from `value` (not through /P or /Parent) for `finding`.
  void reach(const PoDoFo::PdfVariant& value, std::size_t finding) {
    std::vector<const PoDoFo::PdfVariant*> stack{&value};
    std::vector<std::unique_ptr<PoDoFo::PdfVariant>> owned;  // copies of loaded values
    std::size_t steps = 0;
    while (!stack.empty() && ++steps < kMaxReachable) {
      const PoDoFo::PdfVariant* v = stack.back();
      stack.pop_back();
      if (v->IsReference()) {
        const std::uint32_t n = v->GetReference().ObjectNumber();
        if (!added(n) || claimed(n) || dangling(n)) continue;
        claim(n, finding);
        PdfObject* loaded = objectNumbered(new_, n);
        if (loaded == nullptr) continue;
        owned.push_back(std::make_unique<PoDoFo::PdfVariant>(*loaded));
        stack.push_back(owned.back().get());
      } else if (v->IsArray()) {
        for (const PdfObject& item : v->GetArray()) stack.push_back(&item);
      } else if (v->IsDictionary()) {
        for (const auto& [key, item] : v->GetDictionary().GetKeys()) {
          if (key.GetName() == "P" || key.GetName() == "Parent") continue;
          stack.push_back(item);
        }
      }
    }
  }
  void reachObject(std::uint32_t n, std::size_t finding) {
    if (n == 0 || dangling(n)) return;
    if (added(n) && !claimed(n)) {
      reach(PoDoFo::PdfVariant(PdfReference(n, 0)), finding);
      return;
    }
    claim(n, finding);
    // A changed object of the signed revision: its newly added parts belong to the same finding.
    if (PdfObject* loaded = objectNumbered(new_, n)) {
      const PoDoFo::PdfVariant copy(*loaded);
      reach(copy, finding);
    }
  }

  // An object the signed revision refers to without defining it (a null there, ISO 32000-1
  // §7.3.10) that a later revision defines: it changes the meaning of signed objects.
  bool dangling(std::uint32_t n) const { return danglingNumbers_.contains(n); }

  void findDangling() {
    std::set<std::uint32_t> addedNumbers;
    for (const auto& [n, change] : changes_) {
      if (change.kind == Change::Kind::Added) addedNumbers.insert(n);
    }
    if (addedNumbers.empty()) return;
    const std::set<std::uint32_t> referencedInSigned = referencesIn(old_);
    for (const std::uint32_t n : addedNumbers) {
      if (!referencedInSigned.contains(n)) continue;
      danglingNumbers_.insert(n);
      claim(n, newFinding(ChangeClass::Other,
                          "object " + std::to_string(n) +
                              " is referred to by the signed revision, which does not define it; a later revision "
                              "defines it",
                          true));
    }
  }

  // --- the document catalog (ISO 32000-1 §7.7.2)
  void catalog() {
    const std::uint32_t number = new_.catalogRef().ObjectNumber();
    if (new_.catalogRef() != old_.catalogRef()) {
      claim(number, newFinding(ChangeClass::Other,
                               "the trailer's /Root names another document catalog (object " + std::to_string(number) +
                                   " instead of " + std::to_string(old_.catalogRef().ObjectNumber()) + ")",
                               true));
    }
    const PdfDictionary before = old_.catalog().GetDictionary();
    const PdfDictionary after = new_.catalog().GetDictionary();
    for (const std::string& key : changedKeys(before, after)) {
      if (key == "DSS") {
        catalogFinding(ChangeClass::Dss, "the document catalog's /DSS was added or changed");
      } else if (key == "AcroForm") {
        acroFormInCatalog_ = true;
      } else if (key == "Metadata" || key == "Extensions") {
        catalogFinding(ChangeClass::Metadata, "the document catalog's /" + key + " changed");
      } else {
        const std::string what = !before.HasKey(key) ? "was added" : !after.HasKey(key) ? "was removed" : "changed";
        catalogFinding(ChangeClass::Other, "the document catalog's /" + key + " " + what, true);
      }
    }
  }
  void catalogFinding(ChangeClass changeClass, std::string description, bool changesSigned = false) {
    const std::size_t f = newFinding(changeClass, std::move(description), changesSigned);
    const std::uint32_t number = new_.catalogRef().ObjectNumber();
    if (changed(number)) {
      findings_[f].objects.insert(number);
      claims_.emplace(number, f);
    }
  }

  // --- form fields: new signatures and document time-stamps, signing an empty field, form fill
  void fields() {
    std::set<std::string> seen;
    for (const FormField& field : newForm_.fields) {
      seen.insert(field.name);
      const FormField* before = counterpart(field);
      if (before == nullptr) {
        newField(field);
        continue;
      }
      changedField(*before, field);
    }
    for (const FormField& field : oldForm_.fields) {
      if (seen.contains(field.name)) continue;
      const std::size_t f = newFinding(ChangeClass::Other, "the form field " + field.name + " was removed", true);
      claim(field.object, f);
    }
  }

  const FormField* counterpart(const FormField& field) const {
    if (field.object != 0) {
      const auto it = oldForm_.byObject.find(field.object);
      if (it != oldForm_.byObject.end()) return &oldForm_.fields[it->second];
      if (added(field.object)) return nullptr;
    }
    const auto it = oldForm_.byName.find(field.name);
    return it == oldForm_.byName.end() ? nullptr : &oldForm_.fields[it->second];
  }

  ChangeClass signatureClass(std::uint32_t value) const {
    PdfObject* dict = value != 0 ? objectNumbered(new_, value) : nullptr;
    if (dict != nullptr && dict->IsDictionary() &&
        (nameOf(dict->GetDictionary().GetKey("Type")) == "DocTimeStamp" ||
         nameOf(dict->GetDictionary().GetKey("SubFilter")) == "ETSI.RFC3161")) {
      return ChangeClass::DocTimeStamp;
    }
    return ChangeClass::Signature;
  }

  bool anyWidgetPaints(const FormField& field) const {
    for (const std::uint32_t w : field.widgets) {
      PdfObject* widget = objectNumbered(new_, w);
      if (widget != nullptr && widget->IsDictionary() && paints(new_, PdfDictionary(widget->GetDictionary()))) {
        return true;
      }
    }
    return false;
  }

  void newField(const FormField& field) {
    // A new field is made of new objects; an object of the signed revision turned into one (a
    // content stream made a widget, say) is a change of that object.
    std::vector<std::uint32_t> reused;
    for (const std::uint32_t n : field.widgets) {
      if (changed(n) && !added(n)) reused.push_back(n);
    }
    if (changed(field.object) && !added(field.object)) reused.push_back(field.object);
    if (!reused.empty()) {
      const std::size_t f = newFinding(
          ChangeClass::Other, "the form field " + field.name + " was added over objects of the signed revision", true);
      for (const std::uint32_t n : reused) claim(n, f);
      return;
    }
    std::size_t f = 0;
    if (field.type == "Sig") {
      const ChangeClass changeClass = signatureClass(field.value);
      f = newFinding(changeClass,
                     std::string(changeClass == ChangeClass::DocTimeStamp ? "a document time-stamp" : "a signature") +
                         " field " + field.name + " was added");
    } else {
      f = newFinding(ChangeClass::Other, "the form field " + field.name + " was added");
    }
    findings_[f].field = field.name;
    findings_[f].visible = anyWidgetPaints(field);
    for (const std::uint32_t n : field.ancestors) {
      if (added(n)) reachObject(n, f);
    }
    reachObject(field.object, f);
    for (const std::uint32_t w : field.widgets) reachObject(w, f);
    if (field.value != 0 && added(field.value)) reachObject(field.value, f);
  }

  void changedField(const FormField& before, const FormField& after) {
    const bool signature = after.type == "Sig";
    std::vector<std::uint32_t> objects;
    if (changed(after.object)) objects.push_back(after.object);
    for (const std::uint32_t w : after.widgets) {
      if (w != after.object && changed(w)) objects.push_back(w);
    }
    const bool valueChanged =
        before.value != after.value || before.hasValue != after.hasValue || (after.value != 0 && changed(after.value));
    if (objects.empty() && !valueChanged) return;

    ChangeClass changeClass = ChangeClass::FormFill;
    std::string description = "the value of the form field " + after.name + " was changed";
    bool allowedKeys = true;
    if (signature) {
      changeClass = signatureClass(after.value);
      description = "the empty signature field " + after.name + " was signed";
      if (before.hasValue) {
        allowedKeys = false;
        description = "the signature field " + after.name + " was changed after it had been signed";
      }
    }
    // Only the value and the appearance may change (§12.7.3, §12.5.5).
    for (const std::uint32_t n : objects) {
      PdfObject* oldObject = objectNumbered(old_, n);
      PdfObject* newObject = objectNumbered(new_, n);
      if (oldObject == nullptr || newObject == nullptr || !oldObject->IsDictionary() || !newObject->IsDictionary()) {
        allowedKeys = false;
        continue;
      }
      for (const std::string& key : changedKeys(oldObject->GetDictionary(), newObject->GetDictionary())) {
        if (key == "V" || key == "AP" || key == "AS" || (!signature && key == "M")) continue;
        allowedKeys = false;
        description += "; its /" + key + " changed";
      }
    }
    if (!allowedKeys) {
      const std::size_t f = newFinding(ChangeClass::Other, description, true);
      for (const std::uint32_t n : objects) reachObject(n, f);
      return;
    }
    const std::size_t f = newFinding(changeClass, description);
    findings_[f].field = after.name;
    findings_[f].visible = anyWidgetPaints(after);
    for (const std::uint32_t n : objects) reachObject(n, f);
    if (after.value != 0 && added(after.value)) reachObject(after.value, f);
  }

  // --- /AcroForm and its /Fields (§12.7.2)
  void acroForm() {
    std::vector<std::uint32_t> objects;
    for (const std::uint32_t n : {newForm_.acroForm, newForm_.fieldsArray}) {
      // In place only where the signed revision had its form; elsewhere only as new objects.
      const bool sameRole = n == oldForm_.acroForm || n == oldForm_.fieldsArray;
      if (changed(n) && !claimed(n) && (added(n) || sameRole)) objects.push_back(n);
    }
    if (objects.empty() && !acroFormInCatalog_) return;
    const PdfDictionary before = oldForm_.acroFormDict.value_or(PdfDictionary());
    const PdfDictionary after = newForm_.acroFormDict.value_or(PdfDictionary());
    std::vector<std::string> problems;
    for (const std::string& key : changedKeys(before, after)) {
      if (key == "Fields" || key == "SigFlags" || key == "DA" || key == "DR") continue;
      problems.push_back("the interactive form's /" + key + " changed");
    }
    const std::set<std::uint32_t> kept(newForm_.topLevel.begin(), newForm_.topLevel.end());
    for (const std::uint32_t n : oldForm_.topLevel) {
      if (!kept.contains(n)) problems.push_back("object " + std::to_string(n) + " was taken out of /Fields");
    }
    if (after.HasKey("Fields") && newForm_.fieldsArray != oldForm_.fieldsArray && oldForm_.fieldsArray != 0 &&
        !added(newForm_.fieldsArray)) {
      problems.push_back("/Fields names another array");
    }
    std::optional<std::size_t> f;
    if (!problems.empty()) {
      std::string description;
      for (const auto& p : problems) description += (description.empty() ? "" : "; ") + p;
      f = newFinding(ChangeClass::Other, description, true);
    } else {
      // The form changed along with what was found in its fields: a new signature, a document
      // time-stamp or a filled field, in that order of preference.
      for (const ChangeClass c : {ChangeClass::Signature, ChangeClass::DocTimeStamp, ChangeClass::FormFill}) {
        for (std::size_t i = 0; i < findings_.size() && !f; ++i) {
          if (findings_[i].changeClass == c) f = i;
        }
      }
      if (!f) f = newFinding(ChangeClass::Metadata, "the interactive form's signature flags or resources changed");
    }
    for (const std::uint32_t n : objects) reachObject(n, *f);
    if (acroFormInCatalog_) {
      const std::uint32_t catalogNumber = new_.catalogRef().ObjectNumber();
      if (changed(catalogNumber) && !claimed(catalogNumber)) claim(catalogNumber, *f);
    }
  }

  // --- the document security store (ETSI EN 319 142-1 §5.4.2)
  void securityStore() {
    PdfObject* dss = new_.catalog().GetDictionary().GetKey("DSS");
    if (dss == nullptr) return;
    std::optional<std::size_t> f;
    for (std::size_t i = 0; i < findings_.size(); ++i) {
      if (findings_[i].changeClass == ChangeClass::Dss) f = i;
    }
    if (!f) f = newFinding(ChangeClass::Dss, "the document security store changed");
    const PoDoFo::PdfVariant copy(*dss);
    reach(copy, *f);
    oldDss_ = dssContainers(old_);
  }

  // The container objects of the signed revision's /DSS (ETSI EN 319 142-1 §5.4.2.2, §5.4.2.3): the
  // DSS and VRI dictionaries and the /Certs, /OCSPs, /CRLs arrays when they are indirect. Only these
  // may change in place for a later DSS update; streams and anything else the DSS names may not (a
  // DSS that names a page's resources must not make their change look like one of the DSS).
  static std::set<std::uint32_t> dssContainers(const ParsedPdf& pdf) {
    std::set<std::uint32_t> out;
    const PdfObject* dssValue = pdf.catalog().GetDictionary().GetKey("DSS");
    const auto dss = dictionaryOf(pdf, dssValue);
    if (!dss) return out;
    out.insert(referenced(dssValue));
    auto arrays = [&](const PdfDictionary& dict, std::initializer_list<const char*> keys) {
      for (const char* key : keys) out.insert(referenced(dict.GetKey(key)));
    };
    arrays(*dss, {"Certs", "OCSPs", "CRLs"});
    const PdfObject* vriValue = dss->GetKey("VRI");
    out.insert(referenced(vriValue));
    if (const auto vri = dictionaryOf(pdf, vriValue)) {
      for (const auto& [key, entry] : vri->GetKeys()) {
        out.insert(referenced(entry));
        if (const auto inner = dictionaryOf(pdf, entry)) arrays(*inner, {"Cert", "OCSP", "CRL"});
      }
    }
    out.erase(0);
    return out;
  }

  // --- the other changed objects of the signed revision, by what they were there
  void modifiedObjects() {
    for (const auto& [n, change] : changes_) {
      if (claimed(n) || change.kind != Change::Kind::Modified) continue;
      PdfObject* oldObject = objectNumbered(old_, n);
      PdfObject* newObject = objectNumbered(new_, n);
      if (oldObject == nullptr || newObject == nullptr) continue;
      if (oldDss_.contains(n)) {
        reachObject(n, newFinding(ChangeClass::Dss, "the document security store changed"));
        continue;
      }
      if (oldObject->IsDictionary() && newObject->IsDictionary()) {
        const PdfDictionary before = oldObject->GetDictionary();
        const PdfDictionary after = newObject->GetDictionary();
        const std::string type = nameOf(before.GetKey("Type"));
        if (type == "Page" && !oldObject->HasStream()) {
          page(n, before, after);
        } else if (isAnnotation(before) && !oldForm_.byObject.contains(n)) {
          const std::size_t f = newFinding(ChangeClass::Annotation, "the " + annotationName(after) + " (object " +
                                                                        std::to_string(n) + ") was changed");
          findings_[f].visible = paints(old_, before) || paints(new_, after);
          reachObject(n, f);
        }
      } else if (oldObject->IsArray() && newObject->IsArray()) {
        const PdfArray before = oldObject->GetArray();
        const PdfArray after = newObject->GetArray();
        if (annotationArray(before, after)) annotations(n, before, after, "an annotation array");
      }
    }
  }

  std::string annotationName(const PdfDictionary& dict) const {
    const std::string subtype = nameOf(dict.GetKey("Subtype"));
    return (subtype.empty() ? std::string("annotation") : subtype + " annotation");
  }

  // An array whose entries (before and after) are all references to annotation dictionaries.
  bool annotationArray(const PdfArray& before, const PdfArray& after) const {
    if (before.empty() && after.empty()) return false;
    auto all = [&](const ParsedPdf& pdf, const PdfArray& array) {
      return std::all_of(array.begin(), array.end(), [&](const PdfObject& item) {
        if (!item.IsReference()) return false;
        PdfObject* o = pdf.object(item.GetReference());
        return o != nullptr && o->IsDictionary() && !o->HasStream() && isAnnotation(o->GetDictionary());
      });
    };
    return all(old_, before) && all(new_, after) && !after.empty();
  }

  void page(std::uint32_t n, const PdfDictionary& before, const PdfDictionary& after) {
    std::string problems;
    for (const std::string& key : changedKeys(before, after)) {
      if (key == "Annots") continue;
      problems += (problems.empty() ? "" : ", ") + ("/" + key);
    }
    if (!problems.empty()) {
      const std::size_t f =
          newFinding(ChangeClass::Other, "the page object " + std::to_string(n) + " changed its " + problems, true);
      claim(n, f);
    }
    const auto oldAnnots = arrayOf(old_, before.GetKey("Annots"));
    const auto newAnnots = arrayOf(new_, after.GetKey("Annots"));
    if (valueText(before.GetKey("Annots")) != valueText(after.GetKey("Annots"))) {
      annotations(n, oldAnnots.value_or(PdfArray()), newAnnots.value_or(PdfArray()),
                  "the page object " + std::to_string(n));
    }
  }

  // The entries of an /Annots array (ISO 32000-1 §12.5.2) before and after: widgets of fields
  // found above belong to them, other additions and removals are annotations.
  void annotations(std::uint32_t container, const PdfArray& before, const PdfArray& after, const std::string& where) {
    std::set<std::string> oldEntries;
    std::set<std::string> newEntries;
    for (const PdfObject& item : before) oldEntries.insert(valueText(&item));
    for (const PdfObject& item : after) newEntries.insert(valueText(&item));
    std::optional<std::size_t> owner;
    for (const PdfObject& item : after) {
      if (oldEntries.contains(valueText(&item))) continue;
      const std::uint32_t n = referenced(&item);
      if (n != 0 && claimed(n)) {
        if (!owner) owner = claims_.at(n);
        continue;
      }
      const auto dict = dictionaryOf(new_, &item);
      bool wasSomethingElse = false;
      if (n != 0 && changed(n) && !added(n)) {
        PdfObject* previous = objectNumbered(old_, n);
        wasSomethingElse = previous == nullptr || !previous->IsDictionary() || previous->HasStream() ||
                           !isAnnotation(previous->GetDictionary());
      }
      if (!dict || !isAnnotation(*dict) || wasSomethingElse) {
        owner =
            newFinding(ChangeClass::Other,
                       where + " lists object " + std::to_string(n) + " among its annotations, which is not one", true);
        continue;
      }
      const std::size_t f = newFinding(ChangeClass::Annotation,
                                       "a " + annotationName(*dict) + " (object " + std::to_string(n) + ") was added");
      findings_[f].visible = paints(new_, *dict);
      if (n != 0) reachObject(n, f);
      if (!owner) owner = f;
    }
    for (const PdfObject& item : before) {
      if (newEntries.contains(valueText(&item))) continue;
      const std::uint32_t n = referenced(&item);
      const auto dict = dictionaryOf(old_, &item);
      const std::size_t f = newFinding(ChangeClass::Annotation, "the " + (dict ? annotationName(*dict) : "annotation") +
                                                                    " (object " + std::to_string(n) + ") was removed");
      findings_[f].visible = dict && paints(old_, *dict);
      if (!owner) owner = f;
    }
    if (!owner) owner = newFinding(ChangeClass::Annotation, where + " reordered its annotations");
    if (!claimed(container)) claim(container, *owner);
  }

  // --- the information dictionary and XMP metadata (§14.3)
  void metadata() {
    // In place only where the signed revision had them; a new /Info or /Metadata only as new objects.
    std::set<std::uint32_t> numbers;
    for (const ParsedPdf* pdf : {&old_, &new_}) {
      numbers.insert(referenced(pdf->xref().trailer().GetKey("Info")));
      numbers.insert(referenced(pdf->catalog().GetDictionary().GetKey("Metadata")));
    }
    numbers.erase(0);
    const std::set<std::uint32_t> before = {referenced(old_.xref().trailer().GetKey("Info")),
                                            referenced(old_.catalog().GetDictionary().GetKey("Metadata"))};
    std::optional<std::size_t> f;
    for (const std::uint32_t n : numbers) {
      if (!changed(n) || claimed(n) || (!added(n) && !before.contains(n))) continue;
      if (!added(n) && !metadataInPlace(n)) continue;  // judged as what else it is
      if (!f) f = newFinding(ChangeClass::Metadata, "the document information or XMP metadata changed");
      reachObject(n, *f);
    }
  }

  // A change in place of the signed revision's /Info (§14.3.3: only its text entries) or XMP
  // stream (§14.3.2: /Type /Metadata /Subtype /XML before and after), so that an object that also
  // serves as something else (a page's resources named as /Info) is not waved through.
  bool metadataInPlace(std::uint32_t n) const {
    PdfObject* before = objectNumbered(old_, n);
    PdfObject* after = objectNumbered(new_, n);
    if (before == nullptr || after == nullptr || !before->IsDictionary() || !after->IsDictionary()) return false;
    if (before->HasStream() || after->HasStream()) {
      for (PdfObject* o : {before, after}) {
        if (!o->HasStream() || nameOf(o->GetDictionary().GetKey("Type")) != "Metadata" ||
            nameOf(o->GetDictionary().GetKey("Subtype")) != "XML") {
          return false;
        }
      }
      return true;
    }
    static const std::set<std::string> infoKeys = {"Title",    "Author",       "Subject", "Keywords", "Creator",
                                                   "Producer", "CreationDate", "ModDate", "Trapped"};
    for (const auto& [key, value] : before->GetDictionary().GetKeys()) {
      if (!infoKeys.contains(key.GetName())) return false;
    }
    const std::vector<std::string> keys = changedKeys(before->GetDictionary(), after->GetDictionary());
    return std::all_of(keys.begin(), keys.end(), [](const std::string& k) { return infoKeys.contains(k); });
  }

  // --- anything else
  void leftovers() {
    // What the objects not yet claimed refer to: an added object referred to from one of them is
    // judged with it, not as an orphan.
    for (const auto& [n, change] : changes_) {
      if (claimed(n) || change.kind == Change::Kind::Removed) continue;
      if (PdfObject* object = objectNumbered(new_, n)) {
        std::set<std::uint32_t> refs;
        collectReferences(" " + serialize(*object) + " ", refs);
        refs.erase(n);
        referencedByAdded_.insert(refs.begin(), refs.end());
      }
    }
    for (const auto& [n, change] : changes_) {
      if (claimed(n)) continue;
      PdfObject* object = change.kind == Change::Kind::Removed ? nullptr : objectNumbered(new_, n);
      const std::string type =
          object != nullptr && object->IsDictionary() ? nameOf(object->GetDictionary().GetKey("Type")) : std::string();
      if (change.kind == Change::Kind::Added && !change.repointed && (type == "XRef" || type == "ObjStm")) {
        claims_.emplace(n, findings_.size());  // containers: what they hold is compared on its own
        continue;
      }
      std::string description = "object " + std::to_string(n) + (type.empty() ? "" : " (/Type /" + type + ")");
      bool changesSigned = true;
      switch (change.kind) {
        case Change::Kind::Added:
          description += " was added";
          changesSigned = change.repointed;
          if (!change.repointed && !referencedByAdded_.contains(n)) {
            // Nothing refers to it: no object of the signed revision (dangling references were
            // judged first), no object found above (their new parts were claimed with them), no
            // other new object. Writers leave such objects behind (poppler's pdfsig does).
            const std::size_t f = newFinding(ChangeClass::Other, description + "; nothing refers to it");
            findings_[f].unreferenced = true;
            claim(n, f);
            continue;
          }
          break;
        case Change::Kind::Modified:
          description += " was changed";
          break;
        case Change::Kind::Removed:
          description += " was removed";
          break;
      }
      if (change.repointed) {
        description +=
            " and now points at other bytes inside the signed revision (offset " + std::to_string(change.offset) + ")";
      }
      claim(n, newFinding(ChangeClass::Other, description, changesSigned));
    }
  }

  const ParsedPdf& old_;
  const ParsedPdf& new_;
  std::uint64_t signedEnd_;
  const std::vector<RevisionBounds>& bounds_;
  std::map<std::uint32_t, Change> changes_;
  std::map<std::uint32_t, std::size_t> claims_;
  std::vector<Finding> findings_;
  Form oldForm_;
  Form newForm_;
  std::set<std::uint32_t> oldDss_;
  std::set<std::uint32_t> danglingNumbers_;
  std::set<std::uint32_t> referencedByAdded_;
  bool acroFormInCatalog_ = false;
};

// --- DocMDP and FieldMDP (ISO 32000-1 §12.8.2.2, §12.8.2.4) --------------------------------------------

struct Permissions {
  int docMdp = 0;  // /P of a DocMDP transform; 0: none
  bool lockAll = false;
  bool include = false;  // true: only `fields` are locked; false: all but `fields` (when lockAll false)
  bool hasLock = false;
  std::set<std::string> fields;

  bool locks(const std::string& field) const {
    if (!hasLock) return false;
    if (lockAll) return true;
    return include ? fields.contains(field) : !fields.contains(field);
  }
};

void readFieldMdp(const ParsedPdf& pdf, const PdfDictionary& params, Permissions& out) {
  const std::string action = nameOf(resolveConst(pdf, params.GetKey("Action")));
  if (action != "All" && action != "Include" && action != "Exclude") return;
  out.hasLock = true;
  if (action == "All") out.lockAll = true;
  out.include = action == "Include";
  if (const auto names = arrayOf(pdf, params.GetKey("Fields"))) {
    for (const PdfObject& name : *names) out.fields.insert(textOf(&name));
  }
}

Permissions permissionsOf(const ParsedPdf& signedPdf, const PdfReference& signature) {
  Permissions out;
  PdfObject* dict = signedPdf.object(signature);
  if (dict == nullptr || !dict->IsDictionary()) return out;
  const PdfDictionary copy = dict->GetDictionary();
  const auto references = arrayOf(signedPdf, copy.GetKey("Reference"));
  for (const PdfObject& entry : references.value_or(PdfArray())) {
    const auto reference = dictionaryOf(signedPdf, &entry);
    if (!reference) continue;
    const std::string method = nameOf(reference->GetKey("TransformMethod"));
    const auto params = dictionaryOf(signedPdf, reference->GetKey("TransformParams"));
    if (method == "DocMDP") {
      out.docMdp = 2;  // table 254: the default
      const PdfObject* p = params ? params->GetKey("P") : nullptr;
      if (p != nullptr && p->IsNumber() && p->GetNumber() >= 1 && p->GetNumber() <= 3) {
        out.docMdp = static_cast<int>(p->GetNumber());
      }
    } else if (method == "FieldMDP" && params) {
      readFieldMdp(signedPdf, *params, out);
    }
  }
  // The signature field's /Lock (§12.7.4.5, table 233) says the same for the fields it names.
  const Form form = FormReader(signedPdf).read();
  for (const FormField& field : form.fields) {
    if (field.value != signature.ObjectNumber() || field.object == 0) continue;
    PdfObject* fieldDict = signedPdf.object(PdfReference(field.object, 0));
    if (fieldDict == nullptr || !fieldDict->IsDictionary()) continue;
    if (const auto lock = dictionaryOf(signedPdf, fieldDict->GetDictionary().GetKey("Lock"))) {
      readFieldMdp(signedPdf, *lock, out);
    }
  }
  return out;
}

// --- Verdicts ----------------------------------------------------------------------------------------

struct SignedRevision {
  SignedRevision(const PdfInput& whole, std::uint64_t end) : input(whole.prefix(end)), pdf(input) {}
  PdfInput input;
  ParsedPdf pdf;
};

int severity(Indication indication) {
  return indication == Indication::TotalFailed ? 2 : indication == Indication::Indeterminate ? 1 : 0;
}

void lower(SignatureResult& result, Indication indication, SubIndication sub, const std::string& detail) {
  if (severity(indication) <= severity(result.indication)) {
    if (indication != Indication::TotalPassed) result.warnings.push_back(detail);
    return;
  }
  if (!result.detail.empty()) result.warnings.push_back(result.detail);
  result.indication = indication;
  result.subIndication = sub;
  result.detail = detail;
}

std::string objectList(const std::set<std::uint32_t>& objects) {
  std::string out;
  for (const std::uint32_t n : objects) out += (out.empty() ? "" : ", ") + std::to_string(n);
  return out.empty() ? out : " (objects " + out + ")";
}

std::vector<LaterChange> group(const std::vector<Finding>& findings, const std::map<std::uint32_t, Change>& changes,
                               std::size_t lastRevision) {
  std::map<std::pair<std::size_t, ChangeClass>, LaterChange> grouped;
  for (const Finding& f : findings) {
    std::size_t revision = 0;
    for (const std::uint32_t n : f.objects) {
      if (const auto it = changes.find(n); it != changes.end()) revision = std::max(revision, it->second.revision);
    }
    if (revision == 0) revision = lastRevision;
    LaterChange& change = grouped[{revision, f.changeClass}];
    change.revision = revision;
    change.changeClass = f.changeClass;
    change.objects.insert(change.objects.end(), f.objects.begin(), f.objects.end());
    change.visible = change.visible || f.visible;
    change.descriptions.push_back(f.description);
  }
  std::vector<LaterChange> out;
  for (auto& [key, change] : grouped) {
    std::sort(change.objects.begin(), change.objects.end());
    change.objects.erase(std::unique(change.objects.begin(), change.objects.end()), change.objects.end());
    out.push_back(std::move(change));
  }
  return out;
}

struct Judged {
  Indication indication = Indication::TotalPassed;
  SubIndication sub = SubIndication::None;
  std::vector<std::string> reasons;  // of the worst indication
};

void raise(Judged& j, Indication indication, SubIndication sub, std::string reason) {
  if (severity(indication) > severity(j.indication)) {
    j.indication = indication;
    j.sub = sub;
    j.reasons.clear();
  }
  if (indication == j.indication) j.reasons.push_back(std::move(reason));
}

}  // namespace

std::vector<RevisionBounds> revisionBounds(const ParsedPdf& pdf) {
  std::vector<std::uint64_t> offsets;
  for (const XrefSection& section : pdf.xref().sections) offsets.push_back(section.offset);
  std::sort(offsets.begin(), offsets.end());
  const PdfInput& input = pdf.input();
  const ByteSearch bytes(input);
  std::vector<RevisionBounds> out;
  std::uint64_t previousEnd = 0;
  for (const std::uint64_t offset : offsets) {
    std::uint64_t end = input.size();
    if (const auto eof = bytes.find("%%EOF", offset, input.size())) {
      end = *eof + 5;
      const std::string eol = input.read(end, 2);
      if (eol.starts_with("\r\n")) {
        end += 2;
      } else if (!eol.empty() && (eol[0] == '\n' || eol[0] == '\r')) {
        end += 1;
      }
    }
    RevisionBounds b;
    b.revision.number = out.size() + 1;
    b.revision.xrefOffset = offset;
    b.revision.end = end;
    b.bodyStart = std::min(previousEnd, offset);
    out.push_back(b);
    previousEnd = std::max(previousEnd, end);
  }
  return out;
}

namespace {

// A stream whose direct /Length reaches past its "endstream" (ISO 32000-1 §7.3.8.1) reads bytes
// that belong to what follows, up to a later revision: the signed revision would show other data
// than the whole file. Readers that trust "endstream" would repair it; kyso refuses it.
void checkStreamLength(const ByteSearch& bytes, std::uint32_t number, std::uint64_t dictionaryStart,
                       std::uint64_t streamKeyword, std::uint64_t endstream) {
  if (streamKeyword - dictionaryStart > 64 * 1024) return;  // not looked at: a huge dictionary
  const std::string text = bytes.read(dictionaryStart, static_cast<std::size_t>(streamKeyword - dictionaryStart));
  std::uint64_t length = 0;
  try {
    const auto at = findDictionaryValue(text, "Length");
    if (!at) return;
    const std::size_t end = skipValue(text, *at);
    std::size_t i = *at;
    while (i < end && isPdfWhitespace(text[i])) ++i;
    std::size_t digits = 0;
    while (i < end && text[i] >= '0' && text[i] <= '9' && digits < 15) {
      length = length * 10 + static_cast<std::uint64_t>(text[i++] - '0');
      ++digits;
    }
    std::size_t after = end;
    while (after < text.size() && isPdfWhitespace(text[after])) ++after;
    // Not a plain integer (an indirect length is an object of its own, compared as one).
    if (digits == 0 || i != end || (after < text.size() && text[after] >= '0' && text[after] <= '9')) return;
  } catch (const LexError&) {
    return;
  }
  std::uint64_t data = streamKeyword + 6;  // "stream", then CRLF or LF (§7.3.8.1)
  const std::string eol = bytes.read(data, 2);
  data += eol.starts_with("\r\n") ? 2u : (!eol.empty() && eol[0] == '\n') ? 1u : 0u;
  if (data + length > endstream) {
    throw DocumentError("pdf_damaged", "the stream of object " + std::to_string(number) + " (/Length " +
                                           std::to_string(length) + ") runs past its endstream");
  }
}

// An object's value as the body scan sees it (checkRevisionBodies).
struct LexedObject {
  enum class Kind { NotDictionary, Unlexed, Dictionary } kind = Kind::NotDictionary;
  std::uint64_t end = 0;                       // Dictionary: just past its ">>"
  std::optional<std::uint64_t> streamKeyword;  // Dictionary: where "stream" follows it
  bool objectStream = false;                   // Dictionary: its /Type may be /ObjStm (PoDoFo decides)
};

// The value after "n g obj" at `at`, lexed (pdf_lexer.h) in a window that grows as long as the
// dictionary goes on: of any size, and a string in it ("(stream)", "(endobj)") is a string.
LexedObject lexObject(const ByteSearch& bytes, std::uint64_t at, std::uint64_t to) {
  LexedObject out;
  if (at >= to) return out;
  std::string_view text;
  std::size_t end = 0;
  for (std::uint64_t window = 1024;; window *= 16) {
    const std::uint64_t n = std::min(window, to - at);
    text = bytes.view(at, static_cast<std::size_t>(n));
    std::size_t first = 0;
    while (first < text.size() && isPdfWhitespace(text[first])) ++first;
    if (first == text.size()) {
      if (n == to - at) return out;
      continue;  // white space only so far
    }
    if (text.compare(first, 2, "<<") != 0) return out;  // not a dictionary: not a stream (§7.3.8)
    try {
      end = skipValue(text, first);
      break;
    } catch (const LexError& e) {
      // Cut off by the window: read more. Anything else the lexer does not know: searched as text.
      const std::string_view why = e.what();
      const bool cut = why == "unexpected end" || why == "unterminated string" || why == "unterminated hex string";
      if (!cut || n == to - at) {
        out.kind = LexedObject::Kind::Unlexed;
        return out;
      }
    }
  }
  out.kind = LexedObject::Kind::Dictionary;
  out.end = at + end;
  // §7.3.8.1: the keyword "stream" follows the dictionary (after white space or comments).
  const std::string_view dictionary = text.substr(0, end);
  std::string tailBytes;  // read() leaves the bytes `text` views alone
  if (end + 256 > text.size()) tailBytes = bytes.read(out.end, 256);
  const std::string_view tail = end + 256 <= text.size() ? text.substr(end, 256) : std::string_view(tailBytes);
  std::size_t i = 0;
  for (;;) {
    while (i < tail.size() && isPdfWhitespace(tail[i])) ++i;
    if (i < tail.size() && tail[i] == '%') {
      while (i < tail.size() && tail[i] != '\n' && tail[i] != '\r') ++i;
      continue;
    }
    break;
  }
  if (out.end + i >= to || tail.compare(i, 6, "stream") != 0) return out;
  out.streamKeyword = out.end + i;
  // Its /Type (every one, should it have two): /ObjStm, a name spelt with #xx escapes, or an
  // indirect /Type.
  try {
    for (const std::size_t value : findDictionaryValues(dictionary, "Type", 4)) {
      std::string_view v = dictionary.substr(value, skipValue(dictionary, value) - value);
      while (!v.empty() && isPdfWhitespace(v.front())) v.remove_prefix(1);
      if (v == "/ObjStm" || v.find('#') != std::string_view::npos || !v.starts_with('/')) out.objectStream = true;
    }
  } catch (const LexError&) {
    out.objectStream = true;  // PoDoFo decides
  }
  return out;
}

}  // namespace

void checkRevisionBodies(const ParsedPdf& pdf) {
  const ByteSearch bytes(pdf.input());
  const std::vector<RevisionBounds> bounds = revisionBounds(pdf);
  // ISO 32000-1 §7.5.5: the last line of the file is %%EOF; without it the file was cut off.
  if (!bounds.empty() && !bytes.find("%%EOF", bounds.back().revision.xrefOffset, pdf.input().size())) {
    throw DocumentError("pdf_damaged", "the PDF does not end with %%EOF: it was cut off");
  }
  for (const RevisionBounds& b : bounds) {
    const std::uint64_t from = b.bodyStart;
    const std::uint64_t to = b.revision.xrefOffset;
    std::map<std::uint32_t, std::uint64_t> defined;
    // Objects held by the object streams of this body (§7.5.7) → where their stream is: a reader
    // that rebuilds the cross-reference table finds them there too.
    std::map<std::uint64_t, std::uint64_t> compressed;
    const auto twice = [&](std::uint64_t number, std::uint64_t first, std::uint64_t second, const char* how) {
      return DocumentError("pdf_damaged", "object " + std::to_string(number) + " is defined twice in revision " +
                                              std::to_string(b.revision.number) + how + " (near offsets " +
                                              std::to_string(first) + " and " + std::to_string(second) +
                                              "); a reader that rebuilds the cross-reference table could show "
                                              "the other one");
    };
    for (std::uint64_t pos = from; pos < to;) {
      const auto obj = bytes.find("obj", pos, to);
      if (!obj) break;
      const auto header = *obj > from ? objectHeaderBefore(bytes, *obj, from, to) : std::nullopt;
      if (!header) {
        pos = *obj + 3;
        continue;
      }
      const std::uint32_t number = header->number;
      if (const auto [it, inserted] = defined.emplace(number, *obj); !inserted) {
        throw twice(number, it->second, *obj, "");
      }
      // Past the object: its stream data (binary, may hold anything) and "endobj". The first
      // "stream" or "endobj" is the keyword when no string or comment comes before it (most
      // objects); otherwise the dictionary is lexed to its end (a string in it may say either).
      std::optional<std::uint64_t> endobj = bytes.find("endobj", *obj + 3, to);
      std::optional<std::uint64_t> stream;
      bool objectStream = false;
      bool plain = false;
      if (endobj) {
        stream = bytes.find("stream", *obj + 3, *endobj);
        const std::uint64_t keyword = stream.value_or(*endobj);
        const std::string_view text = bytes.view(*obj + 3, static_cast<std::size_t>(keyword - *obj - 3));
        plain = text.find('(') == std::string_view::npos && text.find('%') == std::string_view::npos &&
                (text.empty() || isPdfWhitespace(text.back()) || text.back() == '>' || text.back() == ']');
        // An object stream (or a dictionary with a name in #xx escapes, which might spell one).
        objectStream = plain && stream &&
                       (text.find("ObjStm") != std::string_view::npos || text.find('#') != std::string_view::npos);
      }
      if (!plain) {
        const LexedObject lexed = lexObject(bytes, *obj + 3, to);
        if (lexed.kind == LexedObject::Kind::Dictionary) {
          objectStream = lexed.objectStream;
          stream = lexed.streamKeyword;
          endobj = stream ? std::nullopt : bytes.find("endobj", lexed.end, to);
        } else {
          // Not a dictionary (no stream then: PoDoFo decides, if "stream" follows), or one the
          // lexer does not know: searched as text, and an object stream if PoDoFo reads one there.
          objectStream = true;
          if (!endobj) break;
          stream = bytes.find("stream", *obj + 3, *endobj);
        }
      }
      if (stream) {
        const auto endstream = bytes.find("endstream", *stream + 6, to);
        if (!endstream) break;
        checkStreamLength(bytes, number, *obj + 3, *stream, *endstream);
        if (objectStream) {
          // The data between "stream" and its EOL (CRLF or LF, §7.3.8.1) and the EOL before "endstream".
          std::uint64_t dataBegin = *stream + 6;
          const std::string eol = bytes.read(dataBegin, 2);
          dataBegin += eol.starts_with("\r\n") ? 2u : (!eol.empty() && eol[0] == '\n') ? 1u : 0u;
          std::uint64_t dataEnd = std::max(dataBegin, *endstream);
          const std::string before =
              bytes.read(dataEnd - std::min<std::uint64_t>(dataEnd - dataBegin, 2),
                         static_cast<std::size_t>(std::min<std::uint64_t>(dataEnd - dataBegin, 2)));
          if (before.ends_with("\r\n")) {
            dataEnd -= 2;
          } else if (before.ends_with("\n") || before.ends_with("\r")) {
            dataEnd -= 1;
          }
          if (const auto members = pdf.objectStreamMembersAt(header->start, dataBegin, dataEnd)) {
            for (const std::uint64_t member : *members) {
              if (const auto [it, inserted] = compressed.emplace(member, *obj); !inserted) {
                throw twice(member, it->second, *obj, " (in two object streams)");
              }
            }
          }
        }
        endobj = bytes.find("endobj", *endstream + 9, to);
      }
      if (!endobj) break;
      pos = *endobj + 6;
    }
    // In an object stream and written out as "n g obj" in the same body.
    for (const auto& [member, streamAt] : compressed) {
      if (member > 0xffffffffu) continue;  // no plain object can have that number
      if (const auto plain = defined.find(static_cast<std::uint32_t>(member)); plain != defined.end()) {
        throw twice(member, std::min(plain->second, streamAt), std::max(plain->second, streamAt),
                    " (in an object stream and on its own)");
      }
    }
  }
}

void judgeLaterRevisions(const ParsedPdf& pdf, const std::vector<std::optional<PdfReference>>& signatureDictionaries,
                         VerificationReport& report) {
  if (signatureDictionaries.size() != report.signatures.size()) {
    // Every report.signatures.push_back in verifyPdf must push its dictionary too.
    throw InternalError("the signature dictionaries do not match the signatures of the report");
  }
  const std::vector<RevisionBounds> bounds = revisionBounds(pdf);
  const std::size_t lastRevision = bounds.empty() ? 0 : bounds.back().revision.number;
  const std::uint64_t lastEnd = bounds.empty() ? pdf.input().size() : bounds.back().revision.end;

  // Certification first: its /P governs every change after it, also those after later signatures.
  struct Signed {
    std::size_t index;
    std::unique_ptr<SignedRevision> revision;
    Permissions permissions;
    std::string problem;
  };
  std::vector<Signed> signedRevisions;
  for (std::size_t i = 0; i < report.signatures.size(); ++i) {
    SignatureResult& result = report.signatures[i];
    if (!signatureDictionaries[i] || result.coverage.signedEnd == 0) continue;
    Signed s{i, nullptr, {}, {}};
    try {
      // A signature over the whole file covers the very bytes `pdf` was parsed from: the signed
      // revision is `pdf` itself (the same parse, the objects already loaded), not a second parse.
      const bool whole = result.coverage.signedEnd == pdf.input().size();
      if (!whole) s.revision = std::make_unique<SignedRevision>(pdf.input(), result.coverage.signedEnd);
      const ParsedPdf& signedPdf = whole ? pdf : s.revision->pdf;
      guardPodofo("reading the signed revision", [&] {
        const XrefEntry* before = liveEntry(signedPdf, signatureDictionaries[i]->ObjectNumber());
        const XrefEntry* after = liveEntry(pdf, signatureDictionaries[i]->ObjectNumber());
        if (before == nullptr || after == nullptr || before->offset != after->offset || before->type != after->type) {
          s.problem = "the signature dictionary is not part of the revision the signature covers";
          return;
        }
        s.permissions = permissionsOf(signedPdf, *signatureDictionaries[i]);
      });
    } catch (const DocumentError& e) {
      s.revision.reset();
      s.problem = std::string("the revision the signature covers is not a readable PDF on its own: ") + e.what();
    }
    result.certificationPermissions = s.permissions.docMdp;
    signedRevisions.push_back(std::move(s));
  }

  // Latest first: a later signature's own verdict is final when an earlier one looks at it.
  std::sort(signedRevisions.begin(), signedRevisions.end(), [&](const Signed& a, const Signed& b) {
    return report.signatures[a.index].coverage.signedEnd > report.signatures[b.index].coverage.signedEnd;
  });
  for (Signed& s : signedRevisions) {
    SignatureResult& result = report.signatures[s.index];
    const SignatureCoverage& coverage = result.coverage;
    if (!s.problem.empty()) {
      lower(result, Indication::TotalFailed, SubIndication::FormatFailure, s.problem);
      continue;
    }
    if (coverage.wholeDocument) continue;
    // The range ends at a revision's end, or just before the end-of-line after its %%EOF.
    const auto endsRevision = [&](const RevisionBounds& b) {
      if (coverage.signedEnd > b.revision.end || coverage.signedEnd + 2 < b.revision.end) return false;
      const std::string eol =
          pdf.input().read(coverage.signedEnd, static_cast<std::size_t>(b.revision.end - coverage.signedEnd));
      return std::all_of(eol.begin(), eol.end(), [](char c) { return c == '\r' || c == '\n'; });
    };
    if (coverage.revision == 0 || std::none_of(bounds.begin(), bounds.end(), endsRevision)) {
      lower(result, Indication::TotalFailed, SubIndication::FormatFailure,
            "the signed range does not end where a revision of the document ends, so what it covers cannot be "
            "shown");
      continue;
    }

    // The strictest certification among the signatures up to this one (there should be one, first).
    int docMdp = 0;
    Permissions locks;
    for (const Signed& other : signedRevisions) {
      const SignatureResult& o = report.signatures[other.index];
      if (o.coverage.signedEnd > coverage.signedEnd) continue;
      if (other.permissions.docMdp != 0 && (docMdp == 0 || other.permissions.docMdp < docMdp)) {
        docMdp = other.permissions.docMdp;
      }
    }
    locks = s.permissions;

    std::vector<Finding> findings;
    std::map<std::uint32_t, Change> changes;
    try {
      Comparison comparison(s.revision->pdf, pdf, coverage.signedEnd, bounds);
      findings = guardPodofo("comparing the revisions", [&] { return comparison.run(); });
      changes = comparison.changes();
    } catch (const DocumentError& e) {
      Finding f;
      f.changeClass = ChangeClass::Other;
      f.changesSigned = true;
      f.description = std::string("a later revision cannot be compared with the signed one: ") + e.what();
      findings.push_back(std::move(f));
    }
    // Bytes after the last revision belong to none: a reader that repairs may still use them.
    if (lastEnd < pdf.input().size()) {
      const std::string tail = pdf.input().read(
          lastEnd, static_cast<std::size_t>(std::min<std::uint64_t>(pdf.input().size() - lastEnd, 1u << 20)));
      if (!std::all_of(tail.begin(), tail.end(), [](char c) { return isPdfWhitespace(c); })) {
        Finding f;
        f.description = std::to_string(pdf.input().size() - lastEnd) + " bytes after the last revision belong to none";
        findings.push_back(std::move(f));
      }
    }
    result.coverage.laterChanges = group(findings, changes, lastRevision);

    Judged judged;
    const std::string rev = "revision " + std::to_string(coverage.revision);
    for (const Finding& f : findings) {
      const std::string what = f.description + objectList(f.objects);
      switch (f.changeClass) {
        case ChangeClass::Dss:
        case ChangeClass::DocTimeStamp:
          if (f.visible) {
            raise(judged, Indication::Indeterminate, SubIndication::SigConstraintsFailure,
                  what + ", with an appearance painted on a page");
          } else {
            raise(judged, Indication::TotalPassed, SubIndication::None, what);
          }
          break;
        case ChangeClass::Metadata:
          if (docMdp == 1) {
            raise(judged, Indication::TotalFailed, SubIndication::FormatFailure,
                  what + ", which the certification (DocMDP P=1) forbids");
          } else {
            raise(judged, Indication::TotalPassed, SubIndication::None, what);
          }
          break;
        case ChangeClass::Signature: {
          if (docMdp == 1) {
            raise(judged, Indication::TotalFailed, SubIndication::FormatFailure,
                  what + ", which the certification (DocMDP P=1) forbids");
            break;
          }
          const auto later = std::find_if(report.signatures.begin(), report.signatures.end(),
                                          [&](const SignatureResult& r) { return r.fieldName == f.field; });
          const bool vouched = later != report.signatures.end() && later->indication == Indication::TotalPassed;
          if (f.visible && !vouched) {
            raise(judged, Indication::Indeterminate, SubIndication::SigConstraintsFailure,
                  what + "; its appearance is painted on a page and no valid signature vouches for it");
          } else {
            raise(judged, Indication::TotalPassed, SubIndication::None,
                  what + (f.visible ? ", with an appearance painted on a page by its valid signature" : ""));
          }
          break;
        }
        case ChangeClass::FormFill:
          if (docMdp == 1) {
            raise(judged, Indication::TotalFailed, SubIndication::FormatFailure,
                  what + ", which the certification (DocMDP P=1) forbids");
          } else if (locks.locks(f.field)) {
            raise(judged, Indication::TotalFailed, SubIndication::FormatFailure,
                  what + ", which this signature locks (FieldMDP)");
          } else if (docMdp >= 2) {
            raise(judged, Indication::TotalPassed, SubIndication::None,
                  what + ", as the certification (DocMDP P=" + std::to_string(docMdp) + ") permits");
          } else {
            raise(judged, Indication::Indeterminate, SubIndication::SigConstraintsFailure,
                  what + ", and no certification of the document permits filling in its form");
          }
          break;
        case ChangeClass::Annotation:
          if (docMdp == 1 || docMdp == 2) {
            raise(judged, Indication::TotalFailed, SubIndication::FormatFailure,
                  what + ", which the certification (DocMDP P=" + std::to_string(docMdp) + ") forbids");
          } else if (f.visible) {
            raise(judged, Indication::Indeterminate, SubIndication::SigConstraintsFailure,
                  what + "; it is painted on a page and can hide or change what was signed");
          } else {
            raise(judged, Indication::TotalPassed, SubIndication::None, what + " (not painted on a page)");
          }
          break;
        case ChangeClass::Other:
          if (f.unreferenced) {
            raise(judged, Indication::TotalPassed, SubIndication::None, what);
          } else if (docMdp != 0) {
            raise(judged, Indication::TotalFailed, SubIndication::FormatFailure,
                  what + ", which the certification (DocMDP P=" + std::to_string(docMdp) + ") forbids");
          } else if (f.changesSigned) {
            raise(judged, Indication::TotalFailed, SubIndication::FormatFailure, what);
          } else {
            raise(judged, Indication::Indeterminate, SubIndication::SigConstraintsFailure, what);
          }
          break;
      }
    }
    for (const LaterChange& change : result.coverage.laterChanges) {
      result.warnings.push_back("revision " + std::to_string(change.revision) + " after the signed " + rev + ": " +
                                std::string(changeClassName(change.changeClass)) +
                                (change.visible ? " (painted on a page)" : ""));
    }
    if (judged.indication != Indication::TotalPassed) {
      std::string detail = "a later revision changes what the signed " + rev + " shows: ";
      for (std::size_t i = 0; i < judged.reasons.size(); ++i) detail += (i == 0 ? "" : "; ") + judged.reasons[i];
      detail += " (kyso verify --signed-revision " + std::to_string(coverage.revision) + " writes out what was signed)";
      lower(result, judged.indication, judged.sub, detail);
    }
  }
}

}  // namespace detail

std::vector<PdfRevision> pdfRevisions(const PdfInput& input) {
  const detail::ParsedPdf pdf(input);
  std::vector<PdfRevision> out;
  for (const detail::RevisionBounds& b : detail::revisionBounds(pdf)) out.push_back(b.revision);
  return out;
}

PdfRevision writePdfRevision(const PdfInput& input, std::size_t number, PdfOutput& output) {
  const std::vector<PdfRevision> revisions = pdfRevisions(input);
  if (number == 0 || number > revisions.size()) {
    throw InputError("revision_not_found", "the document has " + std::to_string(revisions.size()) +
                                               " revisions; there is no revision " + std::to_string(number));
  }
  const PdfRevision& revision = revisions[number - 1];
  const PdfInput prefix = input.prefix(revision.end);
  output.append(prefix);
  return revision;
}

}  // namespace kyso::signer
