// Writes an incremental update (ISO 32000-1 §7.5.6) after an unchanged original: new and replaced
// objects, then a cross-reference section of the same kind as the original's newest one (a table,
// or a stream for files that use xref streams) whose /Prev links to the original chain. Only the
// objects handed to it are written — never re-emitted copies of compressed objects
// (podofo/podofo#4) — so earlier signatures stay valid.
#pragma once

#include <podofo/podofo.h>

#include <cstdint>
#include <map>
#include <string>

#include "kyso/pki/bytes.h"
#include "object_sink.h"

namespace kyso::signer::detail {

struct XrefChain;

class IncrementalUpdate final : public ObjectSink {
 public:
  // `originalSize`: bytes of the original; `nextObjectNumber`: the first free object number.
  IncrementalUpdate(std::uint64_t originalSize, bool originalEndsWithEol, std::uint32_t nextObjectNumber);

  PoDoFo::PdfReference allocate() override;

  // Appends "n g obj\n<body>\nendobj\n" and returns the offset of `body` within bytes().
  std::size_t addObject(const PoDoFo::PdfReference& ref, std::string_view body);
  std::size_t addObject(const PoDoFo::PdfReference& ref, const PoDoFo::PdfVariant& value);

  // ObjectSink
  void add(const PoDoFo::PdfReference& ref, const PoDoFo::PdfVariant& value) override { addObject(ref, value); }
  void addStream(const PoDoFo::PdfReference& ref, const PoDoFo::PdfDictionary& dictionary,
                 std::string_view data) override;

  // Appends the xref section and the trailer linked to `chain`, with /ID [original-first newId].
  void finish(const XrefChain& chain, const Bytes& newId);

  // The update, to be written right after the original bytes.
  std::string& bytes() { return bytes_; }
  const std::string& bytes() const { return bytes_; }
  // Absolute offset (in the whole output) of a position in bytes().
  std::uint64_t absolute(std::size_t position) const { return originalSize_ + position; }

 private:
  using Offsets = std::map<std::uint32_t, std::pair<std::uint64_t, std::uint16_t>>;  // number → (offset, generation)
  // Calls visit(first, count, iterator at first) for each run of consecutive object numbers.
  template <typename Visit>
  void forEachRun(Visit&& visit) const {
    for (auto it = offsets_.begin(); it != offsets_.end();) {
      auto end = it;
      std::uint32_t count = 0;
      while (end != offsets_.end() && end->first == it->first + count) {
        ++end;
        ++count;
      }
      visit(it->first, count, it);
      it = end;
    }
  }
  void writeTable(const XrefChain& chain, const std::string& trailerEntries);
  void writeStream(const XrefChain& chain, const std::string& trailerEntries);

  std::uint64_t originalSize_;
  std::uint32_t next_;
  std::string bytes_;
  Offsets offsets_;
};

// PoDoFo's serialisation of a value (clean mode, no encryption).
std::string serialize(const PoDoFo::PdfVariant& value);

}  // namespace kyso::signer::detail
