// An ObjectSink for the tests of appearance builders (fonts, images): it keeps what they write, so a
// test can look at the objects, or put them into a PDF with test::buildPdf and give that to a reader.
#pragma once

#include <podofo/podofo.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "object_sink.h"

namespace kyso::test {

class RecordingSink final : public signer::detail::ObjectSink {
 public:
  struct Stream {
    PoDoFo::PdfDictionary dictionary;  // as given: without /Length
    std::string data;                  // as given: still encoded
  };

  // Hands out object numbers from `first` on, one after the other.
  explicit RecordingSink(std::uint32_t first = 1);

  PoDoFo::PdfReference allocate() override;
  // Writing a number that was not handed out, or writing one twice, fails the test.
  void add(const PoDoFo::PdfReference& ref, const PoDoFo::PdfVariant& value) override;
  void addStream(const PoDoFo::PdfReference& ref, const PoDoFo::PdfDictionary& dictionary,
                 std::string_view data) override;

  // How many object numbers were handed out, written or not.
  std::size_t allocated() const { return next_ - first_; }
  // The objects written, serialized as the incremental update writes them (a stream with its
  // /Length, "stream" and "endstream"), by object number.
  const std::map<std::uint32_t, std::string>& bodies() const { return bodies_; }
  // Puts `body` in place of the object written as `ref`.
  void replaceBody(const PoDoFo::PdfReference& ref, std::string body);
  // The objects for test::buildPdf: `leading` as objects 1 to n, then the recorded ones. Fails the
  // test unless the recorded ones are n + 1 onward and every number handed out was written.
  std::vector<std::string> pdfObjects(std::vector<std::string> leading) const;

  // An object written with add.
  const PoDoFo::PdfVariant& value(const PoDoFo::PdfReference& ref) const { return values_.at(ref.ObjectNumber()); }
  // An object written with addStream.
  const Stream& stream(const PoDoFo::PdfReference& ref) const { return streams_.at(ref.ObjectNumber()); }
  // The dictionary of an object written with add, or a stream's dictionary (without /Length).
  const PoDoFo::PdfDictionary& dictionary(const PoDoFo::PdfReference& ref) const;
  // The dictionary that `from`'s `key` refers to.
  const PoDoFo::PdfDictionary& dictionary(const PoDoFo::PdfDictionary& from, const char* key) const {
    return dictionary(from.GetKey(key)->GetReference());
  }

 private:
  void record(const PoDoFo::PdfReference& ref, std::string body);

  std::uint32_t first_;
  std::uint32_t next_;
  std::map<std::uint32_t, std::string> bodies_;
  std::map<std::uint32_t, PoDoFo::PdfVariant> values_;
  std::map<std::uint32_t, Stream> streams_;
};

// The data of a /FlateDecode stream, decoded. Fails the test unless `data` is exactly one complete
// zlib stream (RFC 1950).
std::string inflate(std::string_view data);

}  // namespace kyso::test
