#include "pdf_xref.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "kyso/error.h"
#include "pdf_lexer.h"
#include "podofo_guard.h"

namespace kyso::signer::detail {

namespace {

// PoDoFo's tokenizer buffer size (PDF_BUFFER in its private headers).
constexpr std::size_t kTokenBuffer = 4096;

[[noreturn]] void damaged(const std::string& what) {
  throw DocumentError("pdf_damaged", "the PDF's cross-reference data is damaged (" + what +
                                         "); a repaired copy (for example re-saved by a PDF editor) can be signed");
}

// Sequential reader over the input: the memory itself for in-memory documents, a window read with
// pread for files (so only what is looked at is read).
class Cursor {
 public:
  Cursor(const PdfInput& input, std::uint64_t at, std::size_t window = 64 * 1024)
      : input_(input), pos_(at), windowSize_(window) {
    if (!input.memory().empty() || input.size() == 0) {
      view_ = input.memory();
      viewStart_ = 0;
    }
  }

  std::uint64_t position() const { return pos_; }
  void seek(std::uint64_t at) { pos_ = at; }
  int peek() {
    if (!available(1)) return -1;
    return static_cast<unsigned char>(view_[pos_ - viewStart_]);
  }
  int get() {
    const int c = peek();
    if (c >= 0) ++pos_;
    return c;
  }
  void skipWhitespace() {
    while (peek() >= 0 && isPdfWhitespace(static_cast<char>(peek()))) ++pos_;
  }
  bool consume(std::string_view keyword) {
    if (!available(keyword.size()) || view_.substr(pos_ - viewStart_, keyword.size()) != keyword) return false;
    pos_ += keyword.size();
    return true;
  }
  // Unsigned decimal of at most 19 digits; exactly `exactDigits` if non-zero.
  std::uint64_t number(std::size_t exactDigits, const char* what) {
    std::uint64_t value = 0;
    std::size_t digits = 0;
    while (peek() >= '0' && peek() <= '9') {
      if (++digits > 19) damaged(std::string("overlong number in ") + what);
      value = value * 10 + static_cast<std::uint64_t>(get() - '0');
    }
    if (digits == 0 || (exactDigits != 0 && digits != exactDigits)) damaged(std::string("malformed ") + what);
    return value;
  }

 private:
  // True when [pos_, pos_ + n) lies in the view, reading a new window if need be.
  bool available(std::size_t n) {
    if (pos_ >= viewStart_ && pos_ + n <= viewStart_ + view_.size()) return true;
    if (!input_.memory().empty() || pos_ + n > input_.size()) return false;
    buffer_.resize(std::max(windowSize_, n));
    buffer_.resize(input_.readAt(pos_, buffer_.size(), buffer_.data()));
    view_ = buffer_;
    viewStart_ = pos_;
    return pos_ + n <= viewStart_ + view_.size();
  }

  const PdfInput& input_;
  std::uint64_t pos_;
  std::size_t windowSize_;
  std::string buffer_;
  std::string_view view_;
  std::uint64_t viewStart_ = 0;
};

PoDoFo::PdfDictionary parseDictionaryAt(const PoDoFo::PdfRefCountedInputDevice& device, PoDoFo::PdfVecObjects* objects,
                                        std::uint64_t offset) {
  PoDoFo::PdfRefCountedBuffer buffer(kTokenBuffer);
  PoDoFo::PdfParserObject trailer(objects, device, buffer, static_cast<PoDoFo::pdf_long>(offset));
  trailer.SetLoadOnDemand(false);
  try {
    trailer.ParseFile(nullptr, true);
  } catch (const PoDoFo::PdfError& e) {
    damaged("unreadable trailer: " + describePodofoError(e));
  }
  if (!trailer.IsDictionary()) damaged("trailer is not a dictionary");
  return trailer.GetDictionary();
}

// ISO 32000-1 §7.5.4: "xref", subsections "first count", entries "nnnnnnnnnn ggggg n|f" + EOL.
XrefSection readTable(const PdfInput& input, const PoDoFo::PdfRefCountedInputDevice& device,
                      PoDoFo::PdfVecObjects* objects, std::uint64_t offset) {
  XrefSection section;
  section.offset = offset;
  Cursor c(input, offset);
  if (!c.consume("xref")) damaged("no xref keyword at the offset startxref names");
  for (;;) {
    c.skipWhitespace();
    if (c.consume("trailer")) break;
    const std::uint64_t first = c.number(0, "xref subsection header");
    if (c.get() != ' ') damaged("malformed xref subsection header");
    const std::uint64_t count = c.number(0, "xref subsection header");
    if (first + count > (1u << 23)) damaged("xref subsection beyond the object number limit");
    c.skipWhitespace();
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::uint64_t field1 = c.number(10, "xref entry");
      if (c.get() != ' ') damaged("malformed xref entry");
      const std::uint64_t field2 = c.number(5, "xref entry");
      if (c.get() != ' ') damaged("malformed xref entry");
      const int kind = c.get();
      if (kind != 'n' && kind != 'f') damaged("malformed xref entry");
      // The entry ends with a two-character EOL; tolerate any whitespace there.
      if (!isPdfWhitespace(static_cast<char>(c.peek()))) damaged("malformed xref entry");
      c.skipWhitespace();
      XrefEntry entry;
      entry.type = kind == 'n' ? XrefEntry::Type::InUse : XrefEntry::Type::Free;
      entry.offset = field1;
      entry.generation = static_cast<std::uint32_t>(field2);
      const auto number = static_cast<std::uint32_t>(first + i);
      if (!section.entries.add(number, entry)) damaged("object listed twice in one xref section");
    }
  }
  c.skipWhitespace();
  section.trailer = parseDictionaryAt(device, objects, c.position());
  return section;
}

std::uint64_t readField(const unsigned char* p, std::int64_t width) {
  std::uint64_t value = 0;
  for (std::int64_t i = 0; i < width; ++i) value = (value << 8) | p[i];
  return value;
}

// ISO 32000-1 §7.5.8: a stream object of /Type /XRef with /W and /Index.
XrefSection readStream(const PoDoFo::PdfRefCountedInputDevice& device, PoDoFo::PdfVecObjects* objects,
                       std::uint64_t offset) {
  XrefSection section;
  section.offset = offset;
  section.isStream = true;
  PoDoFo::PdfRefCountedBuffer buffer(kTokenBuffer);
  PoDoFo::PdfParserObject stream(objects, device, buffer, static_cast<PoDoFo::pdf_long>(offset));
  stream.SetLoadOnDemand(false);
  char* data = nullptr;
  PoDoFo::pdf_long length = 0;
  try {
    stream.ParseFile(nullptr);
    if (!stream.IsDictionary() || !stream.HasStream()) damaged("xref stream is not a stream");
    section.trailer = stream.GetDictionary();
    stream.GetStream()->GetFilteredCopy(&data, &length);
  } catch (const PoDoFo::PdfError& e) {
    damaged("unreadable xref stream: " + describePodofoError(e));
  }
  std::unique_ptr<char, decltype(&PoDoFo::podofo_free)> owned(data, &PoDoFo::podofo_free);

  const auto& dict = section.trailer;
  const PoDoFo::PdfObject* type = dict.GetKey("Type");
  if (type == nullptr || !type->IsName() || type->GetName() != PoDoFo::PdfName("XRef")) {
    damaged("xref stream lacks /Type /XRef");
  }
  const PoDoFo::PdfObject* w = dict.GetKey("W");
  const PoDoFo::PdfObject* size = dict.GetKey("Size");
  if (w == nullptr || !w->IsArray() || w->GetArray().size() != 3) damaged("xref stream has a bad /W");
  if (size == nullptr || !size->IsNumber()) damaged("xref stream has a bad /Size");
  std::int64_t widths[3];
  std::int64_t entrySize = 0;
  for (int i = 0; i < 3; ++i) {
    const auto& wi = w->GetArray()[static_cast<std::size_t>(i)];
    if (!wi.IsNumber() || wi.GetNumber() < 0 || wi.GetNumber() > 8) damaged("xref stream has a bad /W");
    widths[i] = wi.GetNumber();
    entrySize += widths[i];
  }
  if (entrySize == 0) damaged("xref stream has a bad /W");

  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
  if (const PoDoFo::PdfObject* index = dict.GetKey("Index")) {
    if (!index->IsArray() || index->GetArray().size() % 2 != 0) damaged("xref stream has a bad /Index");
    const auto& a = index->GetArray();
    for (std::size_t i = 0; i < a.size(); i += 2) {
      if (!a[i].IsNumber() || !a[i + 1].IsNumber() || a[i].GetNumber() < 0 || a[i + 1].GetNumber() < 0) {
        damaged("xref stream has a bad /Index");
      }
      ranges.emplace_back(a[i].GetNumber(), a[i + 1].GetNumber());
    }
  } else {
    ranges.emplace_back(0, size->GetNumber());
  }

  const auto* bytes = reinterpret_cast<const unsigned char*>(data);
  std::int64_t at = 0;
  for (const auto& [first, count] : ranges) {
    if (first + count > (1 << 23)) damaged("xref stream beyond the object number limit");
    for (std::int64_t i = 0; i < count; ++i) {
      if ((at + 1) * entrySize > length) damaged("xref stream data is shorter than its /Index says");
      const unsigned char* p = bytes + at * entrySize;
      ++at;
      const std::uint64_t kind = widths[0] == 0 ? 1 : readField(p, widths[0]);
      const std::uint64_t f2 = readField(p + widths[0], widths[1]);
      const std::uint64_t f3 = readField(p + widths[0] + widths[1], widths[2]);
      XrefEntry entry;
      switch (kind) {
        case 0:
          entry.type = XrefEntry::Type::Free;
          break;
        case 1:
          entry.type = XrefEntry::Type::InUse;
          entry.offset = f2;
          entry.generation = static_cast<std::uint32_t>(f3);
          break;
        case 2:
          entry.type = XrefEntry::Type::Compressed;
          entry.offset = f2;
          entry.generation = static_cast<std::uint32_t>(f3);
          break;
        default:
          continue;  // §7.5.8.3: unknown types are references to the null object
      }
      if (!section.entries.add(static_cast<std::uint32_t>(first + i), entry)) {
        damaged("object listed twice in one xref stream");
      }
    }
  }
  return section;
}

std::optional<std::uint64_t> offsetKey(const PoDoFo::PdfDictionary& dict, const char* key) {
  const PoDoFo::PdfObject* value = dict.GetKey(key);
  if (value == nullptr) return std::nullopt;
  if (!value->IsNumber() || value->GetNumber() < 0) damaged(std::string("/") + key + " is not an offset");
  return static_cast<std::uint64_t>(value->GetNumber());
}

}  // namespace

XrefChain readXrefChain(const PdfInput& input, const PoDoFo::PdfRefCountedInputDevice& device,
                        PoDoFo::PdfVecObjects* objects, std::uint64_t startxref) {
  XrefChain chain;
  chain.startxref = startxref;
  std::set<std::uint64_t> visited;
  std::optional<std::uint64_t> next = startxref;
  while (next) {
    const std::uint64_t offset = *next;
    if (offset >= input.size()) damaged("an xref offset points beyond the end of the file");
    if (!visited.insert(offset).second) damaged("the xref /Prev chain loops");
    if (visited.size() > 4096) damaged("too many xref sections");

    Cursor probe(input, offset);
    XrefSection section =
        probe.consume("xref") ? readTable(input, device, objects, offset) : readStream(device, objects, offset);
    if (!section.isStream) {
      // Hybrid file (§7.5.8.4): the table's entries win over those of its /XRefStm stream.
      if (const auto xrefStm = offsetKey(section.trailer, "XRefStm")) {
        if (*xrefStm >= input.size()) damaged("/XRefStm points beyond the end of the file");
        const XrefSection hidden = readStream(device, objects, *xrefStm);
        hidden.entries.forEach(
            [&](std::uint32_t number, const XrefEntry& entry) { section.entries.add(number, entry); });
      }
    }
    next = offsetKey(section.trailer, "Prev");
    chain.sections.push_back(std::move(section));
  }
  for (const auto& section : chain.sections) {
    section.entries.forEach([&](std::uint32_t number, const XrefEntry& entry) { chain.merged.add(number, entry); });
  }
  return chain;
}

namespace {

// The object numbers an object stream's header lists, in index order.
std::vector<std::uint64_t> objectStreamMembers(std::uint32_t stream, const ObjectStreamHeaderReader& read) {
  // Not a structured binding: lambdas capture those only from C++20 compilers newer than clang 14.
  const auto headerAndCount = read(stream);
  const auto& header = headerAndCount.first;
  const auto count = headerAndCount.second;
  if (count < 0 || count > (1 << 23)) damaged("object stream " + std::to_string(stream) + " has a bad /N");
  std::vector<std::uint64_t> numbers;
  std::size_t at = 0;
  auto next = [&]() -> std::uint64_t {
    while (at < header.size() && isPdfWhitespace(header[at])) ++at;
    std::uint64_t value = 0;
    std::size_t digits = 0;
    while (at < header.size() && header[at] >= '0' && header[at] <= '9' && digits < 19) {
      value = value * 10 + static_cast<std::uint64_t>(header[at++] - '0');
      ++digits;
    }
    if (digits == 0) damaged("object stream " + std::to_string(stream) + " has a malformed header");
    return value;
  };
  for (long long i = 0; i < count; ++i) {
    numbers.push_back(next());
    next();  // offset within the stream
  }
  return numbers;
}

}  // namespace

std::uint64_t findStartXref(const PdfInput& input) {
  const std::uint64_t window = std::min<std::uint64_t>(input.size(), 2048);
  const std::string tail = input.read(input.size() - window, static_cast<std::size_t>(window));
  const auto at = tail.rfind("startxref");
  if (at == std::string::npos) damaged("no startxref at the end of the file");
  Cursor c(input, input.size() - window + at + 9);
  c.skipWhitespace();
  return c.number(0, "startxref offset");
}

void checkXrefEntries(const XrefChain& chain, const PdfInput& input) {
  const PoDoFo::PdfDictionary& trailer = chain.trailer();
  const PoDoFo::PdfObject* size = trailer.GetKey("Size");
  if (size == nullptr || !size->IsNumber() || size->GetNumber() < 1)
    damaged("trailer /Size is missing or not a number");
  const PoDoFo::PdfObject* root = trailer.GetKey("Root");
  if (root == nullptr || !root->IsReference()) damaged("trailer /Root is missing");

  std::uint32_t highest = 0;
  struct Header {
    std::uint64_t offset;
    std::uint32_t number;
    std::uint32_t generation;
  };
  std::vector<Header> headers;
  chain.merged.forEach([&](std::uint32_t number, const XrefEntry& entry) {
    if (entry.type == XrefEntry::Type::Free) return;
    if (number == 0) damaged("object 0 is marked in use");
    highest = std::max(highest, number);
    if (entry.type == XrefEntry::Type::Compressed) {
      const auto streamNumber = static_cast<std::uint32_t>(entry.offset);
      const XrefEntry* host = chain.merged.find(streamNumber);
      if (host == nullptr || host->type != XrefEntry::Type::InUse || streamNumber == number) {
        damaged("object " + std::to_string(number) + " lives in an object stream that does not exist");
      }
      return;
    }
    headers.push_back({entry.offset, number, entry.generation});
  });
  // "n g obj" must start at each offset (after optional white space, which readers tolerate).
  // In file order, so that one cursor reads the file once, front to back.
  std::sort(headers.begin(), headers.end(), [](const Header& a, const Header& b) { return a.offset < b.offset; });
  Cursor c(input, 0, 256u << 10);
  for (const Header& h : headers) {
    c.seek(h.offset);
    c.skipWhitespace();
    // The message is built only on failure: this runs once per object (16 000 in a big document).
    const auto notThere = [&h] {
      damaged("object " + std::to_string(h.number) + " at offset " + std::to_string(h.offset) + " is not there");
    };
    if (h.offset >= input.size() || c.peek() < '0' || c.peek() > '9') notThere();
    const std::uint64_t n = c.number(0, "object header");
    if (!isPdfWhitespace(static_cast<char>(c.peek()))) notThere();
    c.skipWhitespace();
    const std::uint64_t g = c.number(0, "object header");
    c.skipWhitespace();
    if (!c.consume("obj") || n != h.number || g != h.generation) notThere();
  }
  if (static_cast<std::uint64_t>(size->GetNumber()) <= highest)
    damaged("trailer /Size is smaller than the objects in use");
  const XrefEntry* rootEntry = chain.merged.find(static_cast<std::uint32_t>(root->GetReference().ObjectNumber()));
  if (rootEntry == nullptr || rootEntry->type == XrefEntry::Type::Free) {
    damaged("the document catalog is not in the xref");
  }
}

void checkObjectStreams(const XrefChain& chain, const ObjectStreamHeaderReader& objectStreamHeader) {
  std::map<std::uint32_t, std::vector<std::uint64_t>> streams;
  chain.merged.forEach([&](std::uint32_t number, const XrefEntry& entry) {
    if (entry.type != XrefEntry::Type::Compressed) return;
    const auto streamNumber = static_cast<std::uint32_t>(entry.offset);
    auto members = streams.find(streamNumber);
    if (members == streams.end()) {
      members = streams.emplace(streamNumber, objectStreamMembers(streamNumber, objectStreamHeader)).first;
    }
    // §7.5.8.3: the index names the object's place in the stream; other readers rely on it.
    if (entry.generation >= members->second.size() || members->second[entry.generation] != number) {
      damaged("object " + std::to_string(number) + " is not at index " + std::to_string(entry.generation) +
              " of object stream " + std::to_string(streamNumber));
    }
  });
}

}  // namespace kyso::signer::detail
