// A PDF opened for signing: PoDoFo parses it (objects load on demand), our strict xref reading
// vouches for its structure, and the page tree is walked with loop and depth guards.
#pragma once

#include <podofo/podofo.h>

#include <istream>
#include <memory>
#include <streambuf>

#include "kyso/signer/pdf_io.h"
#include "pdf_xref.h"

namespace kyso::signer::detail {

// A read-only streambuf over memory, so PoDoFo parses an HTTP body without copying it.
class MemoryStreamBuf final : public std::streambuf {
 public:
  explicit MemoryStreamBuf(std::string_view bytes);

 protected:
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override;
  pos_type seekpos(pos_type pos, std::ios_base::openmode which) override;
};

class ParsedPdf {
 public:
  // Throws DocumentError: not_a_pdf, pdf_encrypted, pdf_damaged, pdf_malformed.
  explicit ParsedPdf(const PdfInput& input);
  ~ParsedPdf();
  ParsedPdf(const ParsedPdf&) = delete;
  ParsedPdf& operator=(const ParsedPdf&) = delete;

  const XrefChain& xref() const { return xref_; }
  const PdfInput& input() const { return input_; }

  // The object a reference names, or null when it is free or missing.
  PoDoFo::PdfObject* object(const PoDoFo::PdfReference& ref) const;
  // `value` itself, or the object it references (one level; PDF forbids reference chains).
  PoDoFo::PdfObject* resolve(PoDoFo::PdfObject* value) const;

  PoDoFo::PdfReference catalogRef() const { return catalogRef_; }
  PoDoFo::PdfObject& catalog() const { return *catalog_; }

  struct Page {
    PoDoFo::PdfReference ref;
    PoDoFo::PdfObject* object;
  };
  std::size_t pageCount() const;
  // Throws InputError("page_out_of_range") beyond the last page.
  Page page(std::size_t index) const;

  // One more than the highest object number in use or announced by /Size.
  std::uint32_t nextObjectNumber() const;

 private:
  const PdfInput& input_;
  // Declared in destruction order: the parser and its objects read through the stream.
  std::unique_ptr<MemoryStreamBuf> streamBuf_;
  std::unique_ptr<std::istream> stream_;
  PoDoFo::PdfRefCountedInputDevice device_;
  std::unique_ptr<PoDoFo::PdfVecObjects> objects_;
  std::unique_ptr<PoDoFo::PdfParser> parser_;
  XrefChain xref_;
  PoDoFo::PdfReference catalogRef_;
  PoDoFo::PdfObject* catalog_ = nullptr;
  std::vector<Page> pages_;

  void collectPages();
};

}  // namespace kyso::signer::detail
