#include "recording_sink.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <utility>

#include "incremental_update.h"

namespace kyso::test {

RecordingSink::RecordingSink(std::uint32_t first) : first_(first), next_(first) {}

PoDoFo::PdfReference RecordingSink::allocate() {
  return PoDoFo::PdfReference(next_++, 0);
}

void RecordingSink::add(const PoDoFo::PdfReference& ref, const PoDoFo::PdfVariant& value) {
  record(ref, signer::detail::serialize(value));
  values_.emplace(ref.ObjectNumber(), value);
}

void RecordingSink::addStream(const PoDoFo::PdfReference& ref, const PoDoFo::PdfDictionary& dictionary,
                              std::string_view data) {
  PoDoFo::PdfDictionary withLength = dictionary;
  withLength.AddKey("Length", PoDoFo::PdfVariant(static_cast<PoDoFo::pdf_int64>(data.size())));
  record(ref, signer::detail::serialize(withLength) + "\nstream\n" + std::string(data) + "\nendstream");
  streams_.emplace(ref.ObjectNumber(), Stream{dictionary, std::string(data)});
}

void RecordingSink::record(const PoDoFo::PdfReference& ref, std::string body) {
  const std::uint32_t number = ref.ObjectNumber();
  EXPECT_TRUE(number >= first_ && number < next_) << "object " << number << " was not handed out";
  EXPECT_TRUE(bodies_.emplace(number, std::move(body)).second) << "object " << number << " was written twice";
}

void RecordingSink::replaceBody(const PoDoFo::PdfReference& ref, std::string body) {
  bodies_.at(ref.ObjectNumber()) = std::move(body);
}

std::vector<std::string> RecordingSink::pdfObjects(std::vector<std::string> leading) const {
  for (const auto& [number, body] : bodies_) {
    EXPECT_EQ(number, leading.size() + 1);
    leading.push_back(body);
  }
  EXPECT_EQ(leading.size() + 1, next_) << "not every object handed out was written";
  return leading;
}

const PoDoFo::PdfDictionary& RecordingSink::dictionary(const PoDoFo::PdfReference& ref) const {
  if (const auto found = streams_.find(ref.ObjectNumber()); found != streams_.end()) return found->second.dictionary;
  return value(ref).GetDictionary();
}

std::string inflate(std::string_view data) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) {
    ADD_FAILURE() << "inflateInit failed";
    return {};
  }
  // zlib reads through next_in but does not write.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  std::array<char, 16384> buffer{};
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    status = ::inflate(&stream, Z_NO_FLUSH);
    out.append(buffer.data(), buffer.size() - stream.avail_out);
  }
  EXPECT_EQ(status, Z_STREAM_END) << "not a complete zlib stream: " << (stream.msg ? stream.msg : "truncated");
  EXPECT_EQ(stream.avail_in, 0u) << "bytes after the zlib stream";
  inflateEnd(&stream);
  return out;
}

}  // namespace kyso::test
