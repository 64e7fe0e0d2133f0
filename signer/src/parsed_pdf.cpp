#include "parsed_pdf.h"

#include <set>

#include "kyso/error.h"
#include "podofo_guard.h"

namespace kyso::signer::detail {

MemoryStreamBuf::MemoryStreamBuf(std::string_view bytes) {
  char* begin = const_cast<char*>(bytes.data());  // read-only: no put area is ever set
  setg(begin, begin, begin + bytes.size());
}

MemoryStreamBuf::pos_type MemoryStreamBuf::seekoff(off_type off, std::ios_base::seekdir dir,
                                                   std::ios_base::openmode which) {
  if ((which & std::ios_base::in) == 0) return pos_type(off_type(-1));
  char* base = dir == std::ios_base::beg ? eback() : dir == std::ios_base::cur ? gptr() : egptr();
  const off_type target = (base - eback()) + off;
  if (target < 0 || target > egptr() - eback()) return pos_type(off_type(-1));
  setg(eback(), eback() + target, egptr());
  return pos_type(target);
}

MemoryStreamBuf::pos_type MemoryStreamBuf::seekpos(pos_type pos, std::ios_base::openmode which) {
  return seekoff(off_type(pos), std::ios_base::beg, which);
}

namespace {
constexpr std::size_t kMaxPageTreeDepth = 64;
}  // namespace

ParsedPdf::ParsedPdf(const PdfInput& input) : input_(input) {
  initPodofo();
  if (input.read(0, 5) != "%PDF-") {
    throw DocumentError("not_a_pdf", "the document is not a PDF (it does not start with %PDF-)");
  }
  if (input.isFile()) {
    device_ = PoDoFo::PdfRefCountedInputDevice(input.path().c_str(), "rb");
  } else {
    streamBuf_ = std::make_unique<MemoryStreamBuf>(input.memory());
    stream_ = std::make_unique<std::istream>(streamBuf_.get());
    // The device does not own the stream; the refcounted handle owns the device.
    device_ = PoDoFo::PdfRefCountedInputDevice(new PoDoFo::PdfInputDevice(stream_.get()));
  }
  objects_ = std::make_unique<PoDoFo::PdfVecObjects>();

  // Our own strict reading of the structure comes first: PoDoFo only ever sees files whose every
  // xref entry points at its object.
  {
    PoDoFo::PdfVecObjects scratch;
    xref_ = readXrefChain(input, device_, &scratch, findStartXref(input));
  }
  if (xref_.trailer().HasKey("Encrypt")) {
    throw DocumentError("pdf_encrypted", "the PDF is encrypted; kyso signs only unencrypted documents");
  }
  checkXrefEntries(xref_, input);

  try {
    parser_ = std::make_unique<PoDoFo::PdfParser>(objects_.get());
    device_.Device()->Seek(0);  // PoDoFo reads the header from where the device stands
    parser_->ParseFile(device_, true);
  } catch (const PoDoFo::PdfError& e) {
    throw DocumentError("pdf_malformed", "the PDF cannot be read: " + describePodofoError(e));
  }
  if (parser_->GetEncrypted()) {
    throw DocumentError("pdf_encrypted", "the PDF is encrypted; kyso signs only unencrypted documents");
  }
  if (static_cast<std::uint64_t>(parser_->GetXRefOffset()) != xref_.startxref) {
    throw DocumentError("pdf_damaged", "the PDF's startxref is ambiguous");
  }

  // PoDoFo drops object streams once it has unpacked them, so their headers are read afresh.
  checkObjectStreams(xref_, [this](std::uint32_t number) {
    const std::string what = "object stream " + std::to_string(number);
    try {
      PoDoFo::PdfRefCountedBuffer buffer(4096);
      PoDoFo::PdfParserObject stream(objects_.get(), device_, buffer,
                                     static_cast<PoDoFo::pdf_long>(xref_.merged.at(number).offset));
      stream.SetLoadOnDemand(false);
      stream.ParseFile(nullptr);
      if (!stream.IsDictionary() || !stream.HasStream()) {
        throw DocumentError("pdf_damaged", "the PDF's " + what + " is not a stream");
      }
      const PoDoFo::PdfObject* first = stream.GetDictionary().GetKey("First");
      const PoDoFo::PdfObject* count = stream.GetDictionary().GetKey("N");
      if (first == nullptr || !first->IsNumber() || count == nullptr || !count->IsNumber() || first->GetNumber() < 0) {
        throw DocumentError("pdf_damaged", "the PDF's " + what + " lacks /First or /N");
      }
      char* data = nullptr;
      PoDoFo::pdf_long length = 0;
      stream.GetStream()->GetFilteredCopy(&data, &length);
      std::unique_ptr<char, decltype(&PoDoFo::podofo_free)> owned(data, &PoDoFo::podofo_free);
      const auto headerLength = std::min<PoDoFo::pdf_long>(length, first->GetNumber());
      return std::make_pair(std::string(data, static_cast<std::size_t>(headerLength)),
                            static_cast<long long>(count->GetNumber()));
    } catch (const PoDoFo::PdfError& e) {
      throw DocumentError("pdf_damaged", "the PDF's " + what + " cannot be read: " + describePodofoError(e));
    }
  });

  guardPodofo("reading the document catalog", [&] {
    catalogRef_ = xref_.trailer().GetKey("Root")->GetReference();
    catalog_ = object(catalogRef_);
    if (catalog_ == nullptr || !catalog_->IsDictionary()) {
      throw DocumentError("pdf_malformed", "the document catalog is missing or not a dictionary");
    }
    collectPages();
  });
}

ParsedPdf::~ParsedPdf() = default;

PoDoFo::PdfObject* ParsedPdf::object(const PoDoFo::PdfReference& ref) const {
  return objects_->GetObject(ref);
}

PoDoFo::PdfObject* ParsedPdf::resolve(PoDoFo::PdfObject* value) const {
  if (value == nullptr || !value->IsReference()) return value;
  return object(value->GetReference());
}

void ParsedPdf::collectPages() {
  PoDoFo::PdfObject* pagesValue = catalog_->GetDictionary().GetKey("Pages");
  if (pagesValue == nullptr || !pagesValue->IsReference()) {
    throw DocumentError("pdf_malformed", "the document catalog has no page tree");
  }
  std::set<PoDoFo::PdfReference> visited;
  // Depth-first, in document order (ISO 32000-1 §7.7.3).
  auto walk = [&](auto&& self, const PoDoFo::PdfReference& ref, std::size_t depth) -> void {
    if (depth > kMaxPageTreeDepth) throw DocumentError("pdf_malformed", "the page tree is too deep");
    if (!visited.insert(ref).second) throw DocumentError("pdf_malformed", "the page tree contains a loop");
    PoDoFo::PdfObject* node = object(ref);
    if (node == nullptr || !node->IsDictionary()) {
      throw DocumentError("pdf_malformed", "the page tree names a missing object");
    }
    PoDoFo::PdfObject* kids = resolve(node->GetDictionary().GetKey("Kids"));
    const PoDoFo::PdfObject* type = node->GetDictionary().GetKey("Type");
    const bool isPages = type != nullptr && type->IsName() && type->GetName() == PoDoFo::PdfName("Pages");
    if (!isPages && kids == nullptr) {
      pages_.push_back({ref, node});
      return;
    }
    if (kids == nullptr || !kids->IsArray()) throw DocumentError("pdf_malformed", "a page tree node has no /Kids");
    for (PoDoFo::PdfObject& kid : kids->GetArray()) {
      if (!kid.IsReference()) {
        throw DocumentError("pdf_malformed", "the page tree holds a direct page object (ISO 32000-1 §7.7.3.2)");
      }
      self(self, kid.GetReference(), depth + 1);
    }
  };
  walk(walk, pagesValue->GetReference(), 0);
  if (pages_.empty()) throw DocumentError("pdf_malformed", "the document has no pages");
}

std::size_t ParsedPdf::pageCount() const { return pages_.size(); }

ParsedPdf::Page ParsedPdf::page(std::size_t index) const {
  if (index >= pages_.size()) {
    throw InputError("page_out_of_range", "page " + std::to_string(index + 1) + " does not exist; the document has " +
                                               std::to_string(pages_.size()) + " pages");
  }
  return pages_[index];
}

std::uint32_t ParsedPdf::nextObjectNumber() const {
  std::uint32_t next = static_cast<std::uint32_t>(xref_.trailer().GetKey("Size")->GetNumber());
  if (!xref_.merged.empty()) next = std::max(next, xref_.merged.rbegin()->first + 1);
  return next;
}

}  // namespace kyso::signer::detail
