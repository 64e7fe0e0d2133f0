#include "parsed_pdf.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include <zlib.h>
#include <set>

#include "kyso/error.h"
#include "pdf_lexer.h"
#include "podofo_guard.h"

namespace kyso::signer::detail {

namespace {
// The absolute position a device seek names, within [0, size] or a PoDoFo error.
std::size_t seekTarget(std::streamoff offset, std::ios_base::seekdir dir, std::uint64_t position, std::uint64_t size) {
  const auto base = dir == std::ios_base::beg   ? std::streamoff{0}
                    : dir == std::ios_base::cur ? static_cast<std::streamoff>(position)
                                                : static_cast<std::streamoff>(size);
  const std::streamoff target = base + offset;
  if (target < 0 || target > static_cast<std::streamoff>(size)) {
    PODOFO_RAISE_ERROR_INFO(PoDoFo::ePdfError_InvalidDeviceOperation, "seek outside the document");
  }
  return static_cast<std::size_t>(target);
}
}  // namespace

void MemoryInputDevice::Seek(std::streamoff offset, std::ios_base::seekdir dir) {
  position_ = seekTarget(offset, dir, position_, bytes_.size());
}

std::streamoff MemoryInputDevice::Read(char* buffer, std::streamsize length) {
  const std::size_t n =
      std::min(static_cast<std::size_t>(std::max<std::streamsize>(length, 0)), bytes_.size() - position_);
  std::memcpy(buffer, bytes_.data() + position_, n);
  position_ += n;
  return static_cast<std::streamoff>(n);
}

int FileWindowInputDevice::Look() const {
  if (position_ >= input_.size()) return EOF;
  if (position_ < windowStart_ || position_ >= windowStart_ + window_.size()) {
    window_.resize(4096);
    window_.resize(input_.readAt(position_, window_.size(), window_.data()));
    windowStart_ = position_;
  }
  return static_cast<unsigned char>(window_[position_ - windowStart_]);
}

void FileWindowInputDevice::Seek(std::streamoff offset, std::ios_base::seekdir dir) {
  position_ = seekTarget(offset, dir, position_, input_.size());
}

std::streamoff FileWindowInputDevice::Read(char* buffer, std::streamsize length) {
  const std::size_t n =
      input_.readAt(position_, static_cast<std::size_t>(std::max<std::streamsize>(length, 0)), buffer);
  position_ += n;
  return static_cast<std::streamoff>(n);
}

namespace {
constexpr std::size_t kMaxPageTreeDepth = 64;
// The catalog keys that signing (and the LTV extender) read; with Reading::ForSigning the others
// may be kept as text.
constexpr std::array<std::string_view, 8> kCatalogKeysRead = {"Type",       "Pages",   "AcroForm", "Perms",
                                                              "Extensions", "Version", "DSS",      "Metadata"};
// Compact reading pays off only for big objects: a dictionary that ends within the first window is
// parsed whole, and only values longer than kLargeValue are kept as text.
constexpr std::size_t kCompactWindow = 4096;
constexpr std::size_t kCompactMaximum = 4u << 20;
constexpr std::size_t kLargeValue = 512;
// An object stream's header (ISO 32000-1 §7.5.7): at most this many bytes per member, and slack.
constexpr std::uint64_t kHeaderBytesPerMember = 42;
constexpr std::uint64_t kHeaderSlack = 1024;
// What a document's object streams may make kyso read in all (ParsedPdf::charge): /N summed over
// every stream read (live or replaced, each once), and the bytes inflated.
constexpr std::uint64_t kDocumentMembersFloor = 1u << 16;
constexpr std::uint64_t kDocumentMembersPerNumber = 16;
constexpr std::uint64_t kDocumentInflatedBytes = 256u << 20;
}  // namespace

ParsedPdf::ParsedPdf(const PdfInput& input, Reading reading) : input_(input), reading_(reading) {
  initPodofo();
  objects_.SetAutoDelete(true);  // PdfVecObjects deletes its objects only when told to
  if (input.read(0, 5) != "%PDF-") {
    throw DocumentError("not_a_pdf", "the document is not a PDF (it does not start with %PDF-)");
  }
  // The refcounted handle owns the device.
  device_ = input.memory().empty() ? PoDoFo::PdfRefCountedInputDevice(new FileWindowInputDevice(input))
                                   : PoDoFo::PdfRefCountedInputDevice(new MemoryInputDevice(input.memory()));

  {
    PoDoFo::PdfVecObjects scratch;  // xref streams must not need other objects (§7.5.8.2)
    xref_ = readXrefChain(input, device_, &scratch, findStartXref(input));
  }
  if (xref_.trailer().HasKey("Encrypt")) {
    throw DocumentError("pdf_encrypted", "the PDF is encrypted; kyso signs only unencrypted documents");
  }
  checkXrefEntries(xref_, input);
  checkObjectStreams(xref_, [this](std::uint32_t number) {
    // Only the header is needed here: inflate no more than it.
    const ObjectStream stream = decodeObjectStream(number, true);
    std::string header;
    std::vector<std::uint64_t> numbers;
    for (const auto& [member, offset] : stream.members) {
      header += std::to_string(member) + " " + std::to_string(offset) + " ";
      numbers.push_back(member);
    }
    // The body scan asks again by where "n g obj" starts (past white space the xref may point at).
    std::uint64_t at = xref_.merged.find(number)->offset;
    const std::string lead = input_.read(at, 64);
    for (std::size_t i = 0; i < lead.size() && isPdfWhitespace(lead[i]); ++i) ++at;
    objectStreamMembers_.emplace(at, std::move(numbers));
    return std::make_pair(header, static_cast<long long>(stream.members.size()));
  });

  guardPodofo("reading the document catalog", [&] {
    catalogRef_ = xref_.trailer().GetKey("Root")->GetReference();
    catalog_ = reading_ == Reading::ForSigning
                   ? compactObject(catalogRef_,
                                   [](std::string_view key) {
                                     return std::find(kCatalogKeysRead.begin(), kCatalogKeysRead.end(), key) ==
                                            kCatalogKeysRead.end();
                                   })
                   : object(catalogRef_);
    if (catalog_ == nullptr || !catalog_->IsDictionary()) {
      throw DocumentError("pdf_malformed", "the document catalog is missing or not a dictionary");
    }
  });
}

ParsedPdf::~ParsedPdf() = default;

namespace {

// Object streams are decoded within limits (a few bytes of FlateDecode can claim gigabytes):
// - /FlateDecode alone or chained (up to kMaxFlateStages), without predictors: by zlib here,
//   streaming, each stage pulling from the one before only what the output needs, so that reading
//   a header inflates no more than the header; the stages between pass on at most
//   kMaxIntermediateBytes in all (empty deflate blocks inflate to nothing: a chain of them would
//   otherwise spin), and the output is capped;
// - any other filter list PoDoFo decodes (with predictors, LZW, ...): by PoDoFo, in full, only when
//   the raw data is small enough that its worst expansion (the product of each filter's largest
//   ratio) stays within kMaxObjectStreamBytes; otherwise refused as pdf_damaged.
constexpr std::size_t kMaxFlateStages = 4;
constexpr std::size_t kMaxIntermediateBytes = 32u << 20;
constexpr std::size_t kMaxObjectStreamBytes = 64u << 20;

class FlateChain {
 public:
  FlateChain(std::string_view raw, std::size_t stages, const std::string& what) : raw_(raw), what_(what) {
    for (std::size_t i = 0; i < stages; ++i) {
      stages_.push_back(std::make_unique<Stage>());  // z_stream must not move once initialised
      if (inflateInit(&stages_.back()->z) != Z_OK) throw std::bad_alloc();
    }
  }
  FlateChain(const FlateChain&) = delete;
  FlateChain& operator=(const FlateChain&) = delete;

  // The first `wanted` bytes of the decoded data, or all of it when shorter.
  std::string read(std::size_t wanted) {
    std::string out;
    while (out.size() < wanted) {
      // Grown as the data comes, not sized to `wanted` up front: a few bytes of stream may claim
      // a header of megabytes.
      const std::size_t before = out.size();
      const std::size_t ask = std::min(wanted - before, std::max<std::size_t>(4096, before));
      out.resize(before + ask);
      const std::size_t got = pull(stages_.size() - 1, out.data() + before, ask);
      out.resize(before + got);
      if (got < ask) break;  // the data ended
    }
    return out;
  }

 private:
  struct Stage {
    Stage() = default;
    Stage(const Stage&) = delete;
    Stage& operator=(const Stage&) = delete;
    ~Stage() { inflateEnd(&z); }  // also before (or after a failed) inflateInit: a no-op then
    z_stream z{};
    std::string in;  // what the stage before gave
    bool ended = false;
  };

  std::size_t pull(std::size_t k, char* out, std::size_t n) {
    Stage& s = *stages_[k];
    s.z.next_out = reinterpret_cast<Bytef*>(out);
    s.z.avail_out = static_cast<uInt>(n);
    while (s.z.avail_out > 0 && !s.ended) {
      if (s.z.avail_in == 0) {
        std::size_t got = 0;
        if (k == 0) {
          got = std::min<std::size_t>(raw_.size() - rawAt_, 1u << 30);
          s.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw_.data() + rawAt_));
          rawAt_ += got;
        } else {
          s.in.resize(64 * 1024);
          got = pull(k - 1, s.in.data(), s.in.size());
          intermediate_ += got;
          if (intermediate_ > kMaxIntermediateBytes) {
            throw DocumentError("pdf_damaged", "the PDF's " + what_ + " inflates to more than " +
                                                   std::to_string(kMaxIntermediateBytes >> 20) +
                                                   " MiB between its filters");
          }
          s.z.next_in = reinterpret_cast<Bytef*>(s.in.data());
        }
        if (got == 0) break;  // cut short: what came out is all there is (readers do the same)
        s.z.avail_in = static_cast<uInt>(got);
      }
      const int rc = inflate(&s.z, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        s.ended = true;  // bytes after the end are ignored, as PoDoFo ignores them
      } else if (rc == Z_BUF_ERROR) {
        if (s.z.avail_in != 0) break;  // no progress possible
      } else if (rc != Z_OK) {
        throw DocumentError("pdf_damaged", "the PDF's " + what_ + " cannot be decoded: its FlateDecode data is broken");
      }
    }
    return n - s.z.avail_out;
  }

  std::string_view raw_;
  std::size_t rawAt_ = 0;
  std::size_t intermediate_ = 0;
  const std::string& what_;
  std::vector<std::unique_ptr<Stage>> stages_;
};

// The largest factor by which a filter of ISO 32000-1 §7.4 can expand its data, or 0 for one kyso
// does not decode in an object stream. FlateDecode: 1032 (deflate's limit); LZWDecode: a 9-bit
// code can stand for a string of up to ~4 000 bytes; RunLengthDecode: 2 bytes make 128;
// ASCII85Decode: "z" makes 4. Predictors never expand.
double worstExpansion(const PoDoFo::PdfName& filter) {
  const std::string& name = filter.GetName();
  if (name == "FlateDecode" || name == "Fl") return 1032;
  if (name == "LZWDecode" || name == "LZW") return 4096;
  if (name == "RunLengthDecode" || name == "RL") return 128;
  if (name == "ASCII85Decode" || name == "A85") return 4;
  if (name == "ASCIIHexDecode" || name == "AHx") return 1;
  return 0;
}

// A /DecodeParms entry that changes nothing FlateDecode does (null, or no predictor).
bool noParameters(const PoDoFo::PdfObject* parms) {
  if (parms == nullptr || parms->IsNull()) return true;
  if (!parms->IsDictionary()) return false;
  const PoDoFo::PdfObject* predictor = parms->GetDictionary().GetKey("Predictor");
  return parms->GetDictionary().GetKeys().size() == 0 ||
         (parms->GetDictionary().GetKeys().size() == 1 && predictor != nullptr && predictor->IsNumber() &&
          predictor->GetNumber() == 1);
}

}  // namespace

ParsedPdf::ObjectStream ParsedPdf::decodeObjectStream(std::uint32_t number, bool headerOnly) const {
  const std::string what = "object stream " + std::to_string(number);
  long long memberCount = 0;
  ObjectStream decoded = readObjectStream(object(PoDoFo::PdfReference(number, 0)), what, headerOnly, memberCount);
  // The raw stream was only needed for decoding: do not keep it in memory (`dict`, `first` and
  // `count` point into it and die with it).
  delete objects_.RemoveObject(PoDoFo::PdfReference(number, 0));
  readMembers(decoded, memberCount, what);
  return decoded;
}

ParsedPdf::ObjectStream ParsedPdf::readObjectStream(PoDoFo::PdfObject* stream, const std::string& what, bool headerOnly,
                                                    long long& memberCount) const {
  if (stream == nullptr || !stream->IsDictionary() || !stream->HasStream()) {
    throw DocumentError("pdf_damaged", "the PDF's " + what + " is not a stream");
  }
  try {
    char* raw = nullptr;
    PoDoFo::pdf_long rawLength = 0;
    stream->GetStream()->GetCopy(&raw, &rawLength);  // the undecoded bytes
    std::unique_ptr<char, decltype(&PoDoFo::podofo_free)> ownedRaw(raw, &PoDoFo::podofo_free);
    return decodeObjectStreamData(stream->GetDictionary(), std::string_view(raw, static_cast<std::size_t>(rawLength)),
                                  what, headerOnly, memberCount);
  } catch (const PoDoFo::PdfError& e) {
    throw DocumentError("pdf_damaged", "the PDF's " + what + " cannot be decoded: " + describePodofoError(e));
  }
}

ParsedPdf::ObjectStream ParsedPdf::decodeObjectStreamData(const PoDoFo::PdfDictionary& dict, std::string_view raw,
                                                          const std::string& what, bool headerOnly,
                                                          long long& memberCount) const {
  const PoDoFo::PdfObject* first = dict.GetKey("First");
  const PoDoFo::PdfObject* count = dict.GetKey("N");
  if (first == nullptr || !first->IsNumber() || count == nullptr || !count->IsNumber() || first->GetNumber() < 0 ||
      count->GetNumber() < 0 || count->GetNumber() > (1 << 23)) {
    throw DocumentError("pdf_damaged", "the PDF's " + what + " lacks a valid /First or /N");
  }
  // §7.5.7: /First is where the first object starts, just past the header of /N pairs of integers.
  // An object number has at most 10 digits and an offset at most 20, each with a separator: 42
  // bytes a pair, and some room for white space. A larger /First is no header a writer makes, and
  // kyso would inflate that much of the stream to read it.
  if (static_cast<std::uint64_t>(first->GetNumber()) >
      static_cast<std::uint64_t>(count->GetNumber()) * kHeaderBytesPerMember + kHeaderSlack) {
    throw DocumentError("pdf_damaged", "the PDF's " + what + " has a /First of " + std::to_string(first->GetNumber()) +
                                           ", too large for a header of " + std::to_string(count->GetNumber()) +
                                           " objects");
  }
  // A stream cannot hold more objects than the document has numbers for (§7.5.8.2 /Size).
  if (count->GetNumber() > static_cast<long long>(nextObjectNumber())) {
    throw DocumentError("pdf_damaged", "the PDF's " + what + " claims " + std::to_string(count->GetNumber()) +
                                           " objects, more than the document's /Size of " +
                                           std::to_string(nextObjectNumber()));
  }
  // Charged before anything is inflated: /First bytes of header (or all of it, after).
  charge(static_cast<std::uint64_t>(count->GetNumber()), static_cast<std::uint64_t>(first->GetNumber()));
  if (headerOnly) ++headersRead_;
  ObjectStream decoded;
  decoded.first = static_cast<std::uint64_t>(first->GetNumber());
  memberCount = count->GetNumber();

  // The filters, and whether any has parameters that matter.
  PoDoFo::PdfObject* filter = resolve(const_cast<PoDoFo::PdfObject*>(dict.GetKey("Filter")));
  PoDoFo::PdfObject* parms = resolve(const_cast<PoDoFo::PdfObject*>(dict.GetKey("DecodeParms")));
  std::vector<PoDoFo::PdfName> filters;
  if (filter != nullptr && filter->IsName()) {
    filters.push_back(filter->GetName());
  } else if (filter != nullptr && filter->IsArray()) {
    for (const PoDoFo::PdfObject& f : filter->GetArray()) {
      if (!f.IsName()) throw DocumentError("pdf_damaged", "the PDF's " + what + " has a malformed /Filter");
      filters.push_back(f.GetName());
    }
  } else if (filter != nullptr && !filter->IsNull()) {
    throw DocumentError("pdf_damaged", "the PDF's " + what + " has a malformed /Filter");
  }
  bool plain = noParameters(parms);
  if (!plain && parms->IsArray()) {
    plain = true;
    for (const PoDoFo::PdfObject& p : parms->GetArray())
      plain = plain && noParameters(resolve(const_cast<PoDoFo::PdfObject*>(&p)));
  }

  if (filters.empty()) {
    decoded.data.assign(raw);  // no expansion: the file's own bytes
    return decoded;
  }
  const bool flateOnly = plain && filters.size() <= kMaxFlateStages &&
                         std::all_of(filters.begin(), filters.end(), [](const PoDoFo::PdfName& f) {
                           return f.GetName() == "FlateDecode" || f.GetName() == "Fl";
                         });
  if (flateOnly) {
    FlateChain chain(raw, filters.size(), what);
    decoded.data = chain.read(headerOnly ? static_cast<std::size_t>(decoded.first) : kMaxObjectStreamBytes + 1);
    if (decoded.data.size() > kMaxObjectStreamBytes) {
      throw DocumentError("pdf_damaged", "the PDF's " + what + " inflates to more than " +
                                             std::to_string(kMaxObjectStreamBytes >> 20) + " MiB");
    }
    decoded.complete = !headerOnly;
    if (decoded.complete) charge(0, decoded.data.size());
    return decoded;
  }
  double worst = static_cast<double>(raw.size());
  for (const PoDoFo::PdfName& f : filters) {
    const double ratio = worstExpansion(f);
    if (ratio == 0) {
      throw DocumentError("pdf_damaged", "the PDF's " + what + " is encoded with /" + f.GetName() +
                                             ", which kyso does not decode in an object stream");
    }
    worst *= ratio;
  }
  if (worst > static_cast<double>(kMaxObjectStreamBytes)) {
    throw DocumentError("pdf_damaged", "the PDF's " + what + " (" + std::to_string(raw.size()) +
                                           " bytes with its filters and parameters) could inflate past " +
                                           std::to_string(kMaxObjectStreamBytes >> 20) +
                                           " MiB; kyso decodes only FlateDecode data that large");
  }
  try {
    // PoDoFo's filters over the bytes, with /DecodeParms resolved (they read it from the dictionary).
    PoDoFo::TVecFilters list;
    for (const PoDoFo::PdfName& f : filters) list.push_back(PoDoFo::PdfFilterFactory::FilterNameToType(f, true));
    PoDoFo::PdfDictionary parameters;
    if (parms != nullptr) parameters.AddKey("DecodeParms", *parms);
    PoDoFo::PdfMemoryOutputStream out;
    {
      const std::unique_ptr<PoDoFo::PdfOutputStream> decoder(
          PoDoFo::PdfFilterFactory::CreateDecodeStream(list, &out, &parameters));
      decoder->Write(raw.data(), static_cast<PoDoFo::pdf_long>(raw.size()));
      decoder->Close();
    }
    const char* data = out.GetBuffer();
    const PoDoFo::pdf_long length = out.GetLength();
    decoded.data.assign(data, static_cast<std::size_t>(length));
  } catch (const PoDoFo::PdfError& e) {
    throw DocumentError("pdf_damaged", "the PDF's " + what + " cannot be decoded: " + describePodofoError(e));
  }
  charge(0, decoded.data.size());
  return decoded;
}

void ParsedPdf::charge(std::uint64_t members, std::uint64_t bytes) const {
  membersRead_ += members;
  bytesInflated_ += bytes;
  // Every object of every revision once, many times over; and the headers of as many, or the
  // whole of a few large streams.
  const std::uint64_t memberBudget = kDocumentMembersFloor + kDocumentMembersPerNumber * nextObjectNumber();
  if (membersRead_ > memberBudget || bytesInflated_ > kDocumentInflatedBytes) {
    throw DocumentError("pdf_damaged", "the PDF's object streams hold more than kyso reads for a document of " +
                                           std::to_string(nextObjectNumber()) + " objects (" +
                                           std::to_string(membersRead_) + " members, " +
                                           std::to_string(bytesInflated_ >> 20) + " MiB inflated)");
  }
}

void ParsedPdf::readMembers(ObjectStream& decoded, long long memberCount, const std::string& what) {
  if (decoded.first > decoded.data.size()) throw DocumentError("pdf_damaged", "the PDF's " + what + " is too short");
  // ISO 32000-1 §7.5.7: /N pairs of integers, object number and offset relative to /First.
  std::size_t at = 0;
  const std::string_view header(decoded.data.data(), decoded.first);
  auto next = [&]() -> std::uint64_t {
    while (at < header.size() && std::isspace(static_cast<unsigned char>(header[at]))) ++at;
    std::uint64_t value = 0;
    std::size_t digits = 0;
    while (at < header.size() && header[at] >= '0' && header[at] <= '9' && digits < 19) {
      value = value * 10 + static_cast<std::uint64_t>(header[at++] - '0');
      ++digits;
    }
    if (digits == 0) throw DocumentError("pdf_damaged", "the PDF's " + what + " has a malformed header");
    return value;
  };
  for (long long i = 0; i < memberCount; ++i) {
    const std::uint64_t member = next();
    const std::uint64_t offset = next();
    if (decoded.complete && decoded.first + offset >= decoded.data.size()) {
      throw DocumentError("pdf_damaged", "the PDF's " + what + " points beyond its data");
    }
    decoded.members.emplace_back(member, offset);
  }
  // An object stream holds an object once (§7.5.7): which of two copies a reader takes is its
  // own choice, so a repeated number is what a signed revision must not contain (as in a body).
  std::vector<std::uint64_t> numbers;
  numbers.reserve(decoded.members.size());
  for (const auto& member : decoded.members) numbers.push_back(member.first);
  std::sort(numbers.begin(), numbers.end());
  if (const auto twice = std::adjacent_find(numbers.begin(), numbers.end()); twice != numbers.end()) {
    throw DocumentError("pdf_damaged", "object " + std::to_string(*twice) + " is defined twice in the PDF's " + what +
                                           "; readers could take either copy");
  }
}

std::optional<std::vector<std::uint64_t>> ParsedPdf::objectStreamMembersAt(std::uint64_t offset,
                                                                           std::uint64_t dataBegin,
                                                                           std::uint64_t dataEnd) const {
  if (const auto known = objectStreamMembers_.find(offset); known != objectStreamMembers_.end()) return known->second;
  const std::string what = "object stream at offset " + std::to_string(offset);
  try {
    // Parsed on its own, outside objects_: it may be a version the cross-reference no longer names.
    // Only its dictionary: the data is read from where the body scan found it, not by /Length,
    // which may be an object that a later revision freed or changed.
    auto parsed =
        std::make_unique<PoDoFo::PdfParserObject>(&objects_, device_, buffer_, static_cast<PoDoFo::pdf_long>(offset));
    parsed->SetLoadOnDemand(true);
    parsed->ParseFile(nullptr);
    if (!parsed->IsDictionary()) return std::nullopt;
    const PoDoFo::PdfObject* type = parsed->GetDictionary().GetKey("Type");
    if (type == nullptr || !type->IsName() || type->GetName() != PoDoFo::PdfName("ObjStm")) return std::nullopt;
    if (dataEnd < dataBegin || dataEnd > input_.size()) {
      throw DocumentError("pdf_damaged", "the PDF's " + what + " has no data");
    }
    const std::string raw = input_.read(dataBegin, static_cast<std::size_t>(dataEnd - dataBegin));
    long long memberCount = 0;
    ObjectStream decoded = decodeObjectStreamData(parsed->GetDictionary(), raw, what, true, memberCount);
    readMembers(decoded, memberCount, what);
    std::vector<std::uint64_t> numbers;
    numbers.reserve(decoded.members.size());
    for (const auto& member : decoded.members) numbers.push_back(member.first);
    objectStreamMembers_.emplace(offset, numbers);
    return numbers;
  } catch (const PoDoFo::PdfError& e) {
    throw DocumentError("pdf_damaged", "the PDF's " + what + " cannot be read: " + describePodofoError(e));
  }
}

const ParsedPdf::ObjectStream& ParsedPdf::objectStream(std::uint32_t number) const {
  if (const auto it = objectStreams_.find(number); it != objectStreams_.end()) return it->second;
  return objectStreams_.emplace(number, decodeObjectStream(number, false)).first->second;
}

PoDoFo::PdfObject* ParsedPdf::load(const PoDoFo::PdfReference& ref) const {
  const XrefEntry* entry = xref_.merged.find(ref.ObjectNumber());
  if (entry == nullptr || entry->type == XrefEntry::Type::Free) return nullptr;
  const XrefEntry& where = *entry;
  if (!loading_.insert(ref.ObjectNumber()).second) {
    throw DocumentError("pdf_malformed", "object " + std::to_string(ref.ObjectNumber()) + " refers to itself");
  }
  struct Done {
    std::set<std::uint32_t>& set;
    std::uint32_t number;
    ~Done() { set.erase(number); }
  } done{loading_, ref.ObjectNumber()};

  if (where.type == XrefEntry::Type::Compressed) {
    if (ref.GenerationNumber() != 0) return nullptr;
    const ObjectStream& stream = objectStream(static_cast<std::uint32_t>(where.offset));
    const auto& [member, offset] = stream.members.at(where.generation);  // index checked when opened
    const std::size_t start = static_cast<std::size_t>(stream.first + offset);
    PoDoFo::PdfTokenizer tokenizer(stream.data.data() + start, stream.data.size() - start);
    PoDoFo::PdfVariant value;
    tokenizer.GetNextVariant(value, nullptr);
    auto parsed = std::make_unique<PoDoFo::PdfObject>(ref, value);
    PoDoFo::PdfObject* raw = parsed.get();
    objects_.insert_sorted(parsed.release());  // the vector owns its objects; sorted: binary-search lookups
    return raw;
  }
  if (where.generation != ref.GenerationNumber()) return nullptr;
  auto parsed = std::make_unique<PoDoFo::PdfParserObject>(&objects_, device_, buffer_,
                                                          static_cast<PoDoFo::pdf_long>(where.offset));
  parsed->SetLoadOnDemand(true);
  parsed->ParseFile(nullptr);  // reads "n g obj"; the value itself on first use
  PoDoFo::PdfParserObject* raw = parsed.get();
  objects_.insert_sorted(parsed.release());
  // A stream's /Length may be indirect: have it loaded before the stream is read (§7.3.8.2).
  if (raw->IsDictionary()) {
    const PoDoFo::PdfObject* length = raw->GetDictionary().GetKey("Length");
    if (length != nullptr && length->IsReference()) object(length->GetReference());
  }
  return raw;
}

PoDoFo::PdfObject* ParsedPdf::compactObject(const PoDoFo::PdfReference& ref,
                                            const std::function<bool(std::string_view key)>& rawable) const {
  if (PoDoFo::PdfObject* loaded = objects_.GetObject(ref)) return loaded;
  std::optional<DictionaryLayout> layout;
  std::optional<std::string> text;
  std::size_t previousSize = 0;
  for (std::size_t window = kCompactWindow; !layout; window *= 4) {
    text = objectText(ref, window);
    if (!text) return object(ref);  // free or missing: as object() says
    try {
      layout = dictionaryLayout(*text);
    } catch (const LexError&) {
      // Cut off by the window (read more), or something the lexer does not know, or the whole
      // object already read: PoDoFo decides.
      if (text->size() == previousSize || window >= kCompactMaximum) return object(ref);
      previousSize = text->size();
      continue;
    }
    if (window == kCompactWindow) return object(ref);  // small: nothing to gain
  }
  std::size_t after = layout->end;
  while (after < text->size() && std::isspace(static_cast<unsigned char>((*text)[after]))) ++after;
  if (text->compare(after, 6, "stream") == 0) return object(ref);  // a stream: PoDoFo reads it
  return guardPodofo("reading object " + std::to_string(ref.ObjectNumber()), [&] {
    PoDoFo::PdfDictionary dict;
    for (const DictionaryEntry& entry : layout->entries) {
      const std::string_view value =
          std::string_view(*text).substr(entry.valueBegin, entry.valueEnd - entry.valueBegin);
      if (value.size() > kLargeValue && rawable(entry.key)) {
        // A separator first: PoDoFo writes the value straight after the key.
        const std::string source = " " + std::string(value);
        dict.AddKey(PoDoFo::PdfName(entry.key), PoDoFo::PdfVariant(PoDoFo::PdfData(source.data(), source.size())));
        continue;
      }
      PoDoFo::PdfTokenizer tokenizer(value.data(), value.size());
      PoDoFo::PdfVariant parsed;
      tokenizer.GetNextVariant(parsed, nullptr);
      dict.AddKey(PoDoFo::PdfName(entry.key), parsed);
    }
    auto made = std::make_unique<PoDoFo::PdfObject>(ref, PoDoFo::PdfVariant(dict));
    PoDoFo::PdfObject* raw = made.get();
    objects_.insert_sorted(made.release());
    return raw;
  });
}

PoDoFo::PdfObject* ParsedPdf::pageTreeObject(const PoDoFo::PdfReference& ref) const {
  if (reading_ == Reading::Full) return object(ref);
  return compactObject(ref, [](std::string_view key) { return key == "Kids"; });
}

std::vector<std::optional<PoDoFo::PdfReference>> ParsedPdf::kidsOf(PoDoFo::PdfObject* node) const {
  PoDoFo::PdfObject* kids = node->GetDictionary().GetKey("Kids");
  std::vector<std::optional<PoDoFo::PdfReference>> out;
  if (kids != nullptr && kids->IsRawData()) {
    const std::string& text = kids->GetRawData().data();
    try {
      for (const auto& [number, generation] : referenceArray(text))
        out.emplace_back(PoDoFo::PdfReference(number, generation));
      return out;
    } catch (const LexError&) {
      // Not an array of references only: let PoDoFo read it and judge below.
    }
    PoDoFo::PdfTokenizer tokenizer(text.data(), text.size());
    PoDoFo::PdfVariant parsed;
    tokenizer.GetNextVariant(parsed, nullptr);
    if (!parsed.IsArray()) throw DocumentError("pdf_malformed", "a page tree node has no /Kids");
    for (const PoDoFo::PdfObject& kid : parsed.GetArray()) {
      out.push_back(kid.IsReference() ? std::optional(kid.GetReference()) : std::nullopt);
    }
    return out;
  }
  kids = resolve(kids);
  if (kids == nullptr || !kids->IsArray()) throw DocumentError("pdf_malformed", "a page tree node has no /Kids");
  for (const PoDoFo::PdfObject& kid : kids->GetArray()) {
    out.push_back(kid.IsReference() ? std::optional(kid.GetReference()) : std::nullopt);
  }
  return out;
}

std::optional<std::string> ParsedPdf::objectText(const PoDoFo::PdfReference& ref, std::size_t maxBytes) const {
  const XrefEntry* entry = xref_.merged.find(ref.ObjectNumber());
  if (entry == nullptr || entry->type == XrefEntry::Type::Free) return std::nullopt;
  if (entry->type == XrefEntry::Type::Compressed) {
    if (ref.GenerationNumber() != 0) return std::nullopt;
    const ObjectStream& stream = objectStream(static_cast<std::uint32_t>(entry->offset));
    const std::size_t index = entry->generation;
    const auto start = static_cast<std::size_t>(stream.first + stream.members.at(index).second);
    const std::size_t end = index + 1 < stream.members.size()
                                ? static_cast<std::size_t>(stream.first + stream.members[index + 1].second)
                                : stream.data.size();
    return stream.data.substr(start, end > start ? end - start : 0);
  }
  if (entry->generation != ref.GenerationNumber()) return std::nullopt;
  std::string text = input_.read(entry->offset, maxBytes);
  // Past "n g obj" (checkXrefEntries vouched for its form).
  const auto obj = text.find("obj");
  if (obj == std::string::npos) return std::nullopt;
  text.erase(0, obj + 3);
  return text;
}

PoDoFo::PdfObject* ParsedPdf::object(const PoDoFo::PdfReference& ref) const {
  if (PoDoFo::PdfObject* loaded = objects_.GetObject(ref)) return loaded;
  return guardPodofo("reading object " + std::to_string(ref.ObjectNumber()), [&] { return load(ref); });
}

PoDoFo::PdfObject* ParsedPdf::resolve(PoDoFo::PdfObject* value) const {
  if (value == nullptr || !value->IsReference()) return value;
  return object(value->GetReference());
}

PoDoFo::PdfReference ParsedPdf::pageTreeRoot() const {
  PoDoFo::PdfObject* pages = catalog_->GetDictionary().GetKey("Pages");
  if (pages == nullptr || !pages->IsReference()) {
    throw DocumentError("pdf_malformed", "the document catalog has no page tree");
  }
  return pages->GetReference();
}

std::size_t ParsedPdf::pageCount() const {
  return guardPodofo("reading the page tree", [&] {
    PoDoFo::PdfObject* root = pageTreeObject(pageTreeRoot());
    const PoDoFo::PdfObject* count =
        root != nullptr && root->IsDictionary() ? root->GetDictionary().GetKey("Count") : nullptr;
    if (count == nullptr || !count->IsNumber() || count->GetNumber() < 0) {
      throw DocumentError("pdf_malformed", "the page tree has no valid /Count");
    }
    return static_cast<std::size_t>(count->GetNumber());
  });
}

// ISO 32000-1 §7.7.3: descend from the root, skipping whole subtrees by their /Count, so that only
// the nodes on the way to the page are parsed (a 5000-page document costs the same as a short one).
ParsedPdf::Page ParsedPdf::page(std::size_t index) const {
  const std::size_t count = pageCount();
  if (count == 0) throw DocumentError("pdf_malformed", "the document has no pages");
  if (index >= count) {
    throw InputError("page_out_of_range", "page " + std::to_string(index + 1) + " does not exist; the document has " +
                                              std::to_string(count) + " pages");
  }
  return guardPodofo("reading the page tree", [&] {
    std::set<PoDoFo::PdfReference> path;
    PoDoFo::PdfReference node = pageTreeRoot();
    std::size_t remaining = index;
    for (std::size_t depth = 0;; ++depth) {
      if (depth > kMaxPageTreeDepth) throw DocumentError("pdf_malformed", "the page tree is too deep");
      if (!path.insert(node).second) throw DocumentError("pdf_malformed", "the page tree contains a loop");
      PoDoFo::PdfObject* nodeObject = pageTreeObject(node);
      if (nodeObject == nullptr || !nodeObject->IsDictionary()) {
        throw DocumentError("pdf_malformed", "the page tree names a missing object");
      }
      bool descended = false;
      for (const std::optional<PoDoFo::PdfReference>& kid : kidsOf(nodeObject)) {
        if (!kid) {
          throw DocumentError("pdf_malformed", "the page tree holds a direct page object (ISO 32000-1 §7.7.3.2)");
        }
        PoDoFo::PdfObject* kidObject = pageTreeObject(*kid);
        if (kidObject == nullptr || !kidObject->IsDictionary()) {
          throw DocumentError("pdf_malformed", "the page tree names a missing object");
        }
        const PoDoFo::PdfObject* type = kidObject->GetDictionary().GetKey("Type");
        const bool isNode = (type != nullptr && type->IsName() && type->GetName() == PoDoFo::PdfName("Pages")) ||
                            (type == nullptr && kidObject->GetDictionary().HasKey("Kids"));
        if (!isNode) {
          if (remaining == 0) return Page{*kid, kidObject};
          --remaining;
          continue;
        }
        const PoDoFo::PdfObject* kidCount = kidObject->GetDictionary().GetKey("Count");
        if (kidCount == nullptr || !kidCount->IsNumber() || kidCount->GetNumber() < 0) {
          throw DocumentError("pdf_malformed", "a page tree node has no valid /Count");
        }
        if (remaining < static_cast<std::size_t>(kidCount->GetNumber())) {
          node = *kid;
          descended = true;
          break;
        }
        remaining -= static_cast<std::size_t>(kidCount->GetNumber());
      }
      if (!descended) throw DocumentError("pdf_malformed", "the page tree's /Count disagrees with its pages");
    }
  });
}

PoDoFo::PdfObject* ParsedPdf::inherited(PoDoFo::PdfObject* page, const PoDoFo::PdfName& key) const {
  PoDoFo::PdfObject* node = page;
  for (std::size_t depth = 0; node != nullptr && node->IsDictionary() && depth <= kMaxPageTreeDepth; ++depth) {
    if (PoDoFo::PdfObject* value = resolve(node->GetDictionary().GetKey(key))) return value;
    node = resolve(node->GetDictionary().GetKey("Parent"));
  }
  return nullptr;
}

namespace {

std::optional<Box> boxOf(const ParsedPdf& pdf, PoDoFo::PdfObject* value) {
  if (value == nullptr || !value->IsArray() || value->GetArray().size() != 4) return std::nullopt;
  double v[4];
  for (std::size_t i = 0; i < 4; ++i) {
    PoDoFo::PdfObject* n = pdf.resolve(&value->GetArray()[i]);
    if (n == nullptr || !(n->IsNumber() || n->IsReal())) return std::nullopt;
    v[i] = n->GetReal();
  }
  return Box{v[0], v[1], v[2], v[3]};
}

}  // namespace

PageGeometry ParsedPdf::geometry(PoDoFo::PdfObject* page) const {
  return guardPodofo("reading the page boxes", [&] {
    const auto media = boxOf(*this, inherited(page, "MediaBox"));
    if (!media) throw DocumentError("pdf_malformed", "the page has no valid /MediaBox");
    const auto crop = boxOf(*this, inherited(page, "CropBox"));
    PoDoFo::PdfObject* rotate = inherited(page, "Rotate");
    const long long turn = rotate != nullptr && rotate->IsNumber() ? rotate->GetNumber() : 0;
    return makePageGeometry(*media, crop ? &*crop : nullptr, turn);
  });
}

std::uint32_t ParsedPdf::nextObjectNumber() const {
  std::uint32_t next = static_cast<std::uint32_t>(xref_.trailer().GetKey("Size")->GetNumber());
  next = std::max(next, xref_.merged.end());
  return next;
}

}  // namespace kyso::signer::detail
