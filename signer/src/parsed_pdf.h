// A PDF opened for signing. Our strict cross-reference reading says where every object is; objects
// are parsed only when asked for, one at a time, by PoDoFo's tokenizer (from the file, or from
// their object stream). PoDoFo 0.9.8's own PdfParser is not used: it accepts damaged files and
// builds every object of the document up front (~1 KB each: 60 MB for a 30 000-object PDF).
#pragma once

#include <podofo/podofo.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "kyso/signer/pdf_io.h"
#include "page_geometry.h"
#include "pdf_xref.h"

namespace kyso::signer::detail {

// PoDoFo's input device over memory, without copying it. PoDoFo's own memory device copies the
// buffer into an istringstream and pays an istream sentry for every character it looks at.
class MemoryInputDevice final : public PoDoFo::PdfInputDevice {
 public:
  explicit MemoryInputDevice(std::string_view bytes) : bytes_(bytes) { SetSeekable(true); }

  void Close() override {}
  std::streamoff Tell() const override { return static_cast<std::streamoff>(position_); }
  int GetChar() const override {
    return position_ < bytes_.size() ? static_cast<unsigned char>(bytes_[position_++]) : EOF;
  }
  int Look() const override { return position_ < bytes_.size() ? static_cast<unsigned char>(bytes_[position_]) : EOF; }
  void Seek(std::streamoff offset, std::ios_base::seekdir dir) override;
  std::streamoff Read(char* buffer, std::streamsize length) override;
  bool Eof() const override { return position_ >= bytes_.size(); }
  bool Bad() const override { return false; }
  void Clear(std::ios_base::iostate) const override {}

 private:
  std::string_view bytes_;
  mutable std::size_t position_ = 0;
};

// PoDoFo's input device over a file, reading a window at a time with pread.
class FileWindowInputDevice final : public PoDoFo::PdfInputDevice {
 public:
  explicit FileWindowInputDevice(const PdfInput& input) : input_(input) { SetSeekable(true); }

  void Close() override {}
  std::streamoff Tell() const override { return static_cast<std::streamoff>(position_); }
  int GetChar() const override {
    const int c = Look();
    if (c != EOF) ++position_;
    return c;
  }
  int Look() const override;
  void Seek(std::streamoff offset, std::ios_base::seekdir dir) override;
  std::streamoff Read(char* buffer, std::streamsize length) override;
  bool Eof() const override { return position_ >= input_.size(); }
  bool Bad() const override { return false; }
  void Clear(std::ios_base::iostate) const override {}

 private:
  const PdfInput& input_;
  mutable std::uint64_t position_ = 0;
  mutable std::string window_;
  mutable std::uint64_t windowStart_ = 0;
};

class ParsedPdf {
 public:
  // How the catalog and the page tree are built. PoDoFo 0.9.8 copies every nested value several
  // times while it parses, so a merged document's 15 KB catalog (a /PageLabels of 900 entries)
  // costs it 5 ms and a flat page tree of 2 600 /Kids 2 ms. `ForSigning` keeps a large value that
  // signing never reads (any but kCatalogKeysRead in the catalog, /Kids in the page tree) as its
  // source text (PoDoFo::PdfData): written back unchanged if the object is rewritten, and /Kids
  // read by pdf_lexer. The verifier reads `Full`: it compares revisions value by value.
  enum class Reading { Full, ForSigning };

  // Throws DocumentError: not_a_pdf, pdf_encrypted, pdf_damaged, pdf_malformed.
  explicit ParsedPdf(const PdfInput& input, Reading reading = Reading::Full);
  ~ParsedPdf();
  ParsedPdf(const ParsedPdf&) = delete;
  ParsedPdf& operator=(const ParsedPdf&) = delete;

  const XrefChain& xref() const { return xref_; }
  const PdfInput& input() const { return input_; }

  // The object a reference names, or null when it is free or missing.
  PoDoFo::PdfObject* object(const PoDoFo::PdfReference& ref) const;
  // The raw text of an object's value, for light scanning (pdf_lexer.h): from the file after its
  // "n g obj" (at most `maxBytes`), or its slice of the decoded object stream. Null when free.
  std::optional<std::string> objectText(const PoDoFo::PdfReference& ref, std::size_t maxBytes = 4096) const;
  // `value` itself, or the object it references (one level; PDF forbids reference chains).
  PoDoFo::PdfObject* resolve(PoDoFo::PdfObject* value) const;

  PoDoFo::PdfReference catalogRef() const { return catalogRef_; }
  PoDoFo::PdfObject& catalog() const { return *catalog_; }

  struct Page {
    PoDoFo::PdfReference ref;
    PoDoFo::PdfObject* object;
  };
  // The root's /Count. Throws DocumentError("pdf_malformed") when the page tree lacks one.
  std::size_t pageCount() const;
  // Throws InputError("page_out_of_range") beyond the last page, DocumentError("pdf_malformed")
  // for a broken path to it.
  Page page(std::size_t index) const;

  // A page's inheritable attribute (§7.7.3.4): its own, else the nearest ancestor's along
  // /Parent. Null when none has it.
  PoDoFo::PdfObject* inherited(PoDoFo::PdfObject* page, const PoDoFo::PdfName& key) const;
  // The page's boxes and rotation. Throws DocumentError("pdf_malformed") without a valid /MediaBox.
  PageGeometry geometry(PoDoFo::PdfObject* page) const;

  // One more than the highest object number in use or announced by /Size.
  std::uint32_t nextObjectNumber() const;

  // The object numbers an object stream holds (§7.5.7), read from its header, when the object
  // whose "n g obj" starts at `offset` is one (/Type /ObjStm); nullopt for any other object. Any
  // version of it, also one a later revision replaced: its data is the bytes [dataBegin, dataEnd)
  // (between "stream" and "endstream", as the caller found them; its /Length is not read, which
  // may name an object of a later revision). Throws DocumentError("pdf_damaged") for a stream that
  // cannot be decoded within kyso's limits or names an object twice.
  std::optional<std::vector<std::uint64_t>> objectStreamMembersAt(std::uint64_t offset, std::uint64_t dataBegin,
                                                                  std::uint64_t dataEnd) const;
  // How many object stream headers were read (each once: the constructor's check of the live ones
  // and objectStreamMembersAt share what they read, by offset). For tests.
  std::size_t objectStreamHeadersRead() const { return headersRead_; }

 private:
  struct ObjectStream {
    std::string data;                                              // decoded
    std::vector<std::pair<std::uint64_t, std::uint64_t>> members;  // object number, offset from /First
    std::uint64_t first = 0;
    bool complete = true;  // false: only the header was inflated
  };

  PoDoFo::PdfObject* load(const PoDoFo::PdfReference& ref) const;
  // object(ref), with the large values `rawable` accepts kept as source text (see Reading).
  PoDoFo::PdfObject* compactObject(const PoDoFo::PdfReference& ref,
                                   const std::function<bool(std::string_view key)>& rawable) const;
  PoDoFo::PdfObject* pageTreeObject(const PoDoFo::PdfReference& ref) const;
  // The page tree node's /Kids: each a reference, or nullopt for a direct object.
  std::vector<std::optional<PoDoFo::PdfReference>> kidsOf(PoDoFo::PdfObject* node) const;
  const ObjectStream& objectStream(std::uint32_t number) const;
  ObjectStream decodeObjectStream(std::uint32_t number, bool headerOnly) const;
  // The decoded data (or its header) of an object stream, and its /N in `memberCount`.
  ObjectStream readObjectStream(PoDoFo::PdfObject* stream, const std::string& what, bool headerOnly,
                                long long& memberCount) const;
  // The same from the stream's dictionary and undecoded data.
  ObjectStream decodeObjectStreamData(const PoDoFo::PdfDictionary& dict, std::string_view raw, const std::string& what,
                                      bool headerOnly, long long& memberCount) const;
  // Adds to what the document's object streams had kyso read; throws DocumentError("pdf_damaged")
  // past the document's budget (parsed_pdf.cpp, kDocumentMembersFloor).
  void charge(std::uint64_t members, std::uint64_t bytes) const;
  // Reads `memberCount` members from the header; refuses a number that appears twice.
  static void readMembers(ObjectStream& decoded, long long memberCount, const std::string& what);

  const PdfInput& input_;
  Reading reading_;
  PoDoFo::PdfRefCountedInputDevice device_;  // over input_'s bytes
  PoDoFo::PdfRefCountedBuffer buffer_{4096};
  mutable PoDoFo::PdfVecObjects objects_;  // owns the objects loaded so far (see the constructor)
  mutable std::map<std::uint32_t, ObjectStream> objectStreams_;
  mutable std::set<std::uint32_t> loading_;  // guards /Length cycles
  mutable std::uint64_t membersRead_ = 0;    // charge()
  mutable std::uint64_t bytesInflated_ = 0;
  // Where "n g obj" of an object stream starts → the object numbers its header lists.
  mutable std::map<std::uint64_t, std::vector<std::uint64_t>> objectStreamMembers_;
  mutable std::size_t headersRead_ = 0;
  XrefChain xref_;
  PoDoFo::PdfReference catalogRef_;
  PoDoFo::PdfObject* catalog_ = nullptr;
  PoDoFo::PdfReference pageTreeRoot() const;
};

// The /Title of the latest revision's /Info, as pdfDocumentTitle() reads it (pdf_document_info.cpp).
std::string documentTitle(const ParsedPdf& pdf);

}  // namespace kyso::signer::detail
