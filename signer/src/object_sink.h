// Where new PDF objects go: the incremental update in production, a recording sink in tests.
// Builders of appearance resources (fonts, images, form XObjects) write through it so that they
// need not know how object numbers are allocated or where the bytes end up.
#pragma once

#include <podofo/podofo.h>

#include <string_view>

namespace kyso::signer::detail {

class ObjectSink {
 public:
  virtual ~ObjectSink() = default;

  // A fresh object number (generation 0).
  virtual PoDoFo::PdfReference allocate() = 0;
  // Writes `value` as the indirect object `ref`.
  virtual void add(const PoDoFo::PdfReference& ref, const PoDoFo::PdfVariant& value) = 0;
  // Writes a stream object: `dictionary` plus /Length (set by the sink) and `data` as given,
  // already encoded by the filters that `dictionary` names (/Filter, /DecodeParms).
  virtual void addStream(const PoDoFo::PdfReference& ref, const PoDoFo::PdfDictionary& dictionary,
                         std::string_view data) = 0;
};

}  // namespace kyso::signer::detail
