#include "incremental_update.h"

#include <cstdio>

#include "kyso/error.h"
#include "pdf_xref.h"

namespace kyso::signer::detail {

std::string serialize(const PoDoFo::PdfVariant& value) {
  PoDoFo::PdfRefCountedBuffer buffer;
  PoDoFo::PdfOutputDevice device(&buffer);
  value.Write(&device, PoDoFo::ePdfWriteMode_Clean, nullptr);
  return std::string(buffer.GetBuffer(), device.GetLength());
}

IncrementalUpdate::IncrementalUpdate(std::uint64_t originalSize, bool originalEndsWithEol,
                                     std::uint32_t nextObjectNumber)
    : originalSize_(originalSize), next_(nextObjectNumber) {
  // The original's "%%EOF" must stay on a line of its own.
  if (!originalEndsWithEol) bytes_ += '\n';
}

PoDoFo::PdfReference IncrementalUpdate::allocate() {
  return PoDoFo::PdfReference(next_++, 0);
}

std::size_t IncrementalUpdate::addObject(const PoDoFo::PdfReference& ref, std::string_view body) {
  offsets_[ref.ObjectNumber()] = {absolute(bytes_.size()), ref.GenerationNumber()};
  bytes_ += std::to_string(ref.ObjectNumber()) + " " + std::to_string(ref.GenerationNumber()) + " obj\n";
  const std::size_t at = bytes_.size();
  bytes_ += body;
  bytes_ += "\nendobj\n";
  return at;
}

std::size_t IncrementalUpdate::addObject(const PoDoFo::PdfReference& ref, const PoDoFo::PdfVariant& value) {
  return addObject(ref, serialize(value));
}

void IncrementalUpdate::addStream(const PoDoFo::PdfReference& ref, const PoDoFo::PdfDictionary& dictionary,
                                  std::string_view data) {
  PoDoFo::PdfDictionary withLength = dictionary;
  withLength.AddKey("Length", PoDoFo::PdfVariant(static_cast<PoDoFo::pdf_int64>(data.size())));
  std::string body = serialize(withLength);
  body += "\nstream\n";
  body += data;
  body += "\nendstream";
  addObject(ref, body);
}

void IncrementalUpdate::finish(const XrefChain& chain, const Bytes& newId) {
  const PoDoFo::PdfDictionary& trailer = chain.trailer();
  std::uint32_t size = static_cast<std::uint32_t>(trailer.GetKey("Size")->GetNumber());
  size = std::max(size, chain.merged.end());
  size = std::max(size, next_ + (chain.newestIsStream() ? 1u : 0u));

  // Trailer entries carried over (ISO 32000-1 §7.5.6: the update's trailer repeats them).
  std::string entries = "/Root " + serialize(*trailer.GetKey("Root"));
  if (const PoDoFo::PdfObject* info = trailer.GetKey("Info")) entries += "\n/Info " + serialize(*info);
  // §14.4: the first identifier stays, the second changes with every update.
  std::string first = "<" + toHex(newId) + ">";
  if (const PoDoFo::PdfObject* id = trailer.GetKey("ID");
      id != nullptr && id->IsArray() && id->GetArray().size() == 2 &&
      (id->GetArray()[0].IsString() || id->GetArray()[0].IsHexString())) {
    first = serialize(id->GetArray()[0]);
  }
  entries += "\n/ID [" + first + " <" + toHex(newId) + ">]";
  entries += "\n/Prev " + std::to_string(chain.startxref);
  entries += "\n/Size " + std::to_string(size);

  if (chain.newestIsStream()) {
    writeStream(chain, entries);
  } else {
    writeTable(chain, entries);
  }
}

void IncrementalUpdate::writeTable(const XrefChain&, const std::string& trailerEntries) {
  const std::uint64_t xrefOffset = absolute(bytes_.size());
  bytes_ += "xref\n";
  // One subsection per run of consecutive object numbers.
  forEachRun([&](std::uint32_t first, std::uint32_t count, Offsets::const_iterator it) {
    bytes_ += std::to_string(first) + " " + std::to_string(count) + "\n";
    for (std::uint32_t i = 0; i < count; ++i, ++it) {
      char entry[32];
      // Exactly 20 bytes per entry, EOL "\r\n" (§7.5.4).
      std::snprintf(entry, sizeof entry, "%010llu %05u n\r\n", static_cast<unsigned long long>(it->second.first),
                    static_cast<unsigned>(it->second.second));
      bytes_ += entry;
    }
  });
  bytes_ += "trailer\n<<\n" + trailerEntries + "\n>>\nstartxref\n" + std::to_string(xrefOffset) + "\n%%EOF\n";
}

void IncrementalUpdate::writeStream(const XrefChain&, const std::string& trailerEntries) {
  // §7.5.8: the xref stream lists itself too.
  const PoDoFo::PdfReference self = allocate();
  const std::uint64_t xrefOffset = absolute(bytes_.size());
  offsets_[self.ObjectNumber()] = {xrefOffset, 0};

  int offsetWidth = 1;
  while (offsetWidth < 8 && (xrefOffset >> (8 * offsetWidth)) != 0) ++offsetWidth;

  std::string data;
  std::string index;
  forEachRun([&](std::uint32_t first, std::uint32_t count, Offsets::const_iterator it) {
    index += (index.empty() ? "" : " ") + std::to_string(first) + " " + std::to_string(count);
    for (std::uint32_t n = 0; n < count; ++n, ++it) {
      data += static_cast<char>(1);
      for (int i = offsetWidth - 1; i >= 0; --i) data += static_cast<char>((it->second.first >> (8 * i)) & 0xff);
      data += static_cast<char>((it->second.second >> 8) & 0xff);
      data += static_cast<char>(it->second.second & 0xff);
    }
  });
  std::string dict = "<<\n/Type /XRef\n/W [1 " + std::to_string(offsetWidth) + " 2]\n/Index [" + index + "]\n" +
                     trailerEntries + "\n/Length " + std::to_string(data.size()) + "\n>>";
  // The xref stream's own size is known only now: the /Size above already counted it.
  bytes_ += std::to_string(self.ObjectNumber()) + " 0 obj\n" + dict + "\nstream\r\n" + data + "\nendstream\nendobj\n";
  bytes_ += "startxref\n" + std::to_string(xrefOffset) + "\n%%EOF\n";
}

}  // namespace kyso::signer::detail
