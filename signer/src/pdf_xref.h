// A strict, independent reading of a PDF's cross-reference chain (ISO 32000-1 §7.5.4, §7.5.8).
// PoDoFo 0.9.8 is lenient: it accepts xref entries with stray characters and objects whose
// "n g obj" header disagrees with the xref, which other readers then "repair" into a different
// document. Before a signature is appended, every in-use entry must point at its own object.
#pragma once

#include <podofo/podofo.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "kyso/signer/pdf_io.h"

namespace kyso::signer::detail {

struct XrefEntry {
  enum class Type { Free, InUse, Compressed };
  Type type = Type::Free;
  std::uint64_t offset = 0;      // InUse: byte offset; Compressed: number of the object stream
  std::uint32_t generation = 0;  // InUse: generation; Compressed: index within the object stream
};

// Entries by object number, dense (object numbers are small and mostly consecutive).
class XrefTable {
 public:
  // False, and no change, when `number` already has an entry.
  bool add(std::uint32_t number, const XrefEntry& entry) {
    if (number >= entries_.size()) entries_.resize(static_cast<std::size_t>(number) + 1);
    if (entries_[number]) return false;
    entries_[number] = entry;
    return true;
  }
  const XrefEntry* find(std::uint32_t number) const {
    return number < entries_.size() && entries_[number] ? &*entries_[number] : nullptr;
  }
  // One more than the highest object number listed.
  std::uint32_t end() const { return static_cast<std::uint32_t>(entries_.size()); }
  template <typename F>
  void forEach(F&& visit) const {
    for (std::uint32_t n = 0; n < entries_.size(); ++n) {
      if (entries_[n]) visit(n, *entries_[n]);
    }
  }

 private:
  std::vector<std::optional<XrefEntry>> entries_;
};

struct XrefSection {
  std::uint64_t offset = 0;  // where the section starts ("xref" keyword or the stream object)
  bool isStream = false;
  XrefTable entries;
  PoDoFo::PdfDictionary trailer;  // the trailer, or the xref stream's dictionary
};

struct XrefChain {
  std::vector<XrefSection> sections;  // newest first
  XrefTable merged;                   // the entry in force for each object number
  std::uint64_t startxref = 0;

  const PoDoFo::PdfDictionary& trailer() const { return sections.front().trailer; }
  bool newestIsStream() const { return sections.front().isStream; }
};

// Reads the chain from `startxref` through every /Prev (and /XRefStm of hybrid files). Throws
// DocumentError("pdf_damaged") on anything malformed.
XrefChain readXrefChain(const PdfInput& input, const PoDoFo::PdfRefCountedInputDevice& device,
                        PoDoFo::PdfVecObjects* objects, std::uint64_t startxref);

// Finds the offset after the last "startxref" near the end of the file (ISO 32000-1 §7.5.5).
// Throws DocumentError("pdf_damaged") when there is none.
std::uint64_t findStartXref(const PdfInput& input);

// Every in-use entry must point at "n g obj" with its own numbers, compressed entries must name an
// in-use object stream, /Size must cover every object and /Root must be in use.
void checkXrefEntries(const XrefChain& chain, const PdfInput& input);

// Compressed entries must sit at their index in the object stream's header (ISO 32000-1 §7.5.7,
// §7.5.8.3). `objectStreamHeader` returns the decoded header (pairs of object number and offset)
// of an object stream and its /N.
using ObjectStreamHeaderReader = std::function<std::pair<std::string, long long>(std::uint32_t objectNumber)>;
void checkObjectStreams(const XrefChain& chain, const ObjectStreamHeaderReader& objectStreamHeader);

}  // namespace kyso::signer::detail
