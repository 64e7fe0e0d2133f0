#include "kyso/signer/pdf_composer.h"

#include <harfbuzz/hb.h>
#include <podofo/podofo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>
#include <utility>

#include "appearance.h"
#include "embedded_font.h"
#include "flate.h"
#include "incremental_update.h"
#include "kyso/error.h"
#include "kyso/pki/digest.h"
#include "kyso/signer/pdf_signature.h"
#include "object_sink.h"
#include "pdf_format.h"

namespace kyso::signer {

namespace {

using detail::pdfNumber;
using detail::textString;
using PoDoFo::PdfArray;
using PoDoFo::PdfDictionary;
using PoDoFo::PdfName;
using PoDoFo::PdfReference;
using PoDoFo::PdfString;
using PoDoFo::PdfVariant;

// The largest page side (§C.2, table C.1: 14 400 units) and the smallest.
constexpr double kMinPageSide = 3;
constexpr double kMaxPageSide = 14'400;

PdfVariant integer(long long value) {
  return PdfVariant(static_cast<PoDoFo::pdf_int64>(value));
}

std::string colour(const RgbColour& c, const char* op) {
  const auto component = [](double v) { return pdfNumber(std::clamp(v, 0.0, 1.0)); };
  return component(c.red) + " " + component(c.green) + " " + component(c.blue) + " " + op;
}

// Collects the objects of a new document by number and lays them out as a complete file with a
// classic cross-reference table (§7.5.4).
class DocumentSink final : public detail::ObjectSink {
 public:
  PdfReference allocate() override { return PdfReference(next_++, 0); }
  void add(const PdfReference& ref, const PdfVariant& value) override { put(ref, detail::serialize(value)); }
  void addStream(const PdfReference& ref, const PdfDictionary& dictionary, std::string_view data) override {
    PdfDictionary withLength = dictionary;
    withLength.AddKey("Length", integer(static_cast<long long>(data.size())));
    std::string body = detail::serialize(withLength);
    body += "\nstream\n";
    body += data;
    body += "\nendstream";
    put(ref, std::move(body));
  }

  // The file: `trailer` gets /Size and /ID here.
  std::string finish(PdfDictionary trailer) const {
    // §7.5.2: "%PDF-1.7", then a comment of four bytes above 127 so that transfer programs treat
    // the file as binary.
    std::string out = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
    std::vector<std::uint64_t> offsets;
    for (std::uint32_t number = 1; number < next_; ++number) {
      const auto it = objects_.find(number);
      if (it == objects_.end()) throw InternalError("a PDF object was allocated but never written");
      offsets.push_back(out.size());
      out += std::to_string(number) + " 0 obj\n" + it->second + "\nendobj\n";
    }
    // §14.4: the identifier is made from the content, so identical documents share it. Both
    // halves are the same in a file that was never updated.
    const Bytes digest = pki::sha256(asBytes(out));
    const std::string id(reinterpret_cast<const char*>(digest.data()), 16);
    PdfArray ids;
    ids.push_back(PdfString(id.data(), static_cast<PoDoFo::pdf_long>(id.size()), true));
    ids.push_back(PdfString(id.data(), static_cast<PoDoFo::pdf_long>(id.size()), true));
    trailer.AddKey("ID", ids);
    trailer.AddKey("Size", integer(next_));

    const std::uint64_t xref = out.size();
    out += "xref\n0 " + std::to_string(next_) + "\n";
    // Exactly 20 bytes per entry, EOL "\r\n" (§7.5.4); object 0 heads the (empty) free list.
    out += "0000000000 65535 f\r\n";
    for (const std::uint64_t offset : offsets) {
      char entry[32];
      std::snprintf(entry, sizeof entry, "%010llu 00000 n\r\n", static_cast<unsigned long long>(offset));
      out += entry;
    }
    out += "trailer\n" + detail::serialize(trailer) + "\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return out;
  }

 private:
  void put(const PdfReference& ref, std::string body) {
    if (ref.GenerationNumber() != 0 || ref.ObjectNumber() == 0 || ref.ObjectNumber() >= next_ ||
        !objects_.emplace(ref.ObjectNumber(), std::move(body)).second) {
      throw InternalError("a PDF object written twice or never allocated");
    }
  }

  std::uint32_t next_ = 1;
  std::map<std::uint32_t, std::string> objects_;
};

// UTF-8 code points of `text` with their byte offsets; invalid UTF-8 was refused by the font.
struct CodePoint {
  std::size_t offset = 0;
  char32_t value = 0;
};
std::vector<CodePoint> codePoints(std::string_view text) {
  std::vector<CodePoint> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t c = length == 1 ? lead : length == 2 ? (lead & 0x1Fu) : length == 3 ? (lead & 0x0Fu) : (lead & 0x07u);
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k) {
      c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
    }
    out.push_back({i, c});
    i += length;
  }
  return out;
}

bool isMark(char32_t c) {
  const hb_unicode_general_category_t category =
      hb_unicode_general_category(hb_unicode_funcs_get_default(), static_cast<hb_codepoint_t>(c));
  return category == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK ||
         category == HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK || category == HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK;
}

bool isUrlBreak(char32_t c) {
  return c == '/' || c == '-' || c == '.' || c == '?' || c == '&' || c == '=';
}

}  // namespace

struct PdfComposer::Impl {
  struct Page {
    double width = 0;
    double height = 0;
    std::string content;
  };

  // Shown text is recorded per font, so measuring goes through a font that is never written.
  std::unique_ptr<detail::EmbeddedFont> regular;
  std::unique_ptr<detail::EmbeddedFont> bold;
  bool regularUsed = false;
  bool boldUsed = false;
  std::vector<Page> pages;
  std::size_t current = 0;

  detail::EmbeddedFont& font(FontWeight weight) const { return weight == FontWeight::Bold ? *bold : *regular; }

  Page& page() {
    if (pages.empty()) throw InternalError("PdfComposer: drawing before addPage");
    return pages[current];
  }

  // The longest prefix of `word` (at least one character with its marks) no wider than `width`,
  // preferring to end after a URL separator; returns its length in bytes.
  std::size_t fittingPrefix(std::string_view word, const TextStyle& style, double width) const {
    const std::vector<CodePoint> points = codePoints(word);
    std::size_t best = 0;
    std::size_t bestSeparator = 0;
    for (std::size_t i = 1; i <= points.size(); ++i) {
      if (i < points.size() && isMark(points[i].value)) continue;  // a mark stays with its base
      const std::size_t bytes = i < points.size() ? points[i].offset : word.size();
      const double advance = font(style.weight).measure(word.substr(0, bytes), style.size);
      if (best != 0 && advance > width) break;
      best = bytes;
      // A separator far enough along the line that the break does not waste most of it.
      if (isUrlBreak(points[i - 1].value) && advance >= width / 3) bestSeparator = bytes;
    }
    return bestSeparator != 0 ? bestSeparator : best;
  }
};

PdfComposer::PdfComposer(const AppearanceFonts& fonts) : impl_(std::make_unique<Impl>()) {
  impl_->regular = std::make_unique<detail::EmbeddedFont>(fonts.faces().regular);
  impl_->bold = std::make_unique<detail::EmbeddedFont>(fonts.faces().bold);
}

PdfComposer::~PdfComposer() = default;
PdfComposer::PdfComposer(PdfComposer&&) noexcept = default;
PdfComposer& PdfComposer::operator=(PdfComposer&&) noexcept = default;

void PdfComposer::addPage(double width, double height) {
  if (!(width >= kMinPageSide && width <= kMaxPageSide && height >= kMinPageSide && height <= kMaxPageSide)) {
    throw InternalError("PdfComposer: a page size out of range");
  }
  impl_->pages.push_back({width, height, {}});
  impl_->current = impl_->pages.size() - 1;
}

std::size_t PdfComposer::pageCount() const {
  return impl_->pages.size();
}

void PdfComposer::selectPage(std::size_t index) {
  if (index >= impl_->pages.size()) throw InternalError("PdfComposer: no such page");
  impl_->current = index;
}

double PdfComposer::textWidth(std::string_view utf8, const TextStyle& style) const {
  return impl_->font(style.weight).measure(utf8, style.size);
}

double PdfComposer::ascent(const TextStyle& style) const {
  return impl_->font(style.weight).ascent(style.size);
}

double PdfComposer::descent(const TextStyle& style) const {
  return impl_->font(style.weight).descent(style.size);
}

std::vector<std::string> PdfComposer::wrap(std::string_view utf8, const TextStyle& style, double width) const {
  std::vector<std::string> lines;
  const auto fits = [&](std::string_view text) { return textWidth(text, style) <= width; };
  std::size_t start = 0;
  while (start <= utf8.size()) {
    const std::size_t newline = utf8.find('\n', start);
    const std::string_view paragraph =
        utf8.substr(start, newline == std::string_view::npos ? std::string_view::npos : newline - start);
    std::string line;
    std::size_t at = 0;
    while (at < paragraph.size()) {
      if (paragraph[at] == ' ' || paragraph[at] == '\r') {
        ++at;
        continue;
      }
      const std::size_t end = std::min(paragraph.find(' ', at), paragraph.size());
      std::string_view word = paragraph.substr(at, end - at);
      at = end;
      if (!line.empty()) {
        if (std::string candidate = line + " " + std::string(word); fits(candidate)) {
          line = std::move(candidate);
          continue;
        }
        lines.push_back(std::move(line));
        line.clear();
      }
      // The word starts a line; cut it where it is wider than the line.
      while (!fits(word)) {
        const std::size_t cut = impl_->fittingPrefix(word, style, width);
        lines.emplace_back(word.substr(0, cut));
        word.remove_prefix(cut);
      }
      line = std::string(word);
    }
    if (!line.empty()) lines.push_back(std::move(line));
    if (newline == std::string_view::npos) break;
    start = newline + 1;
  }
  return lines;
}

void PdfComposer::text(std::string_view utf8, double x, double y, const TextStyle& style, TextAlign align) {
  Impl::Page& page = impl_->page();
  if (utf8.empty()) return;
  detail::EmbeddedFont& font = impl_->font(style.weight);
  const detail::EmbeddedFont::Run run = font.show(utf8, style.size);
  (style.weight == FontWeight::Bold ? impl_->boldUsed : impl_->regularUsed) = true;
  if (align == TextAlign::Centre) x -= run.width / 2;
  if (align == TextAlign::Right) x -= run.width;
  page.content += "BT /" + std::string(style.weight == FontWeight::Bold ? "FB" : "FR") + " " + pdfNumber(style.size) +
                  " Tf " + colour(style.colour, "rg") + " " + pdfNumber(x) + " " + pdfNumber(y) + " Td " +
                  run.operators + " ET\n";
}

void PdfComposer::line(double x1, double y1, double x2, double y2, const StrokeStyle& stroke) {
  impl_->page().content += "q " + pdfNumber(stroke.width) + " w " + colour(stroke.colour, "RG") + " " + pdfNumber(x1) +
                           " " + pdfNumber(y1) + " m " + pdfNumber(x2) + " " + pdfNumber(y2) + " l S Q\n";
}

void PdfComposer::rectangle(double x, double y, double width, double height, const std::optional<StrokeStyle>& stroke,
                            const std::optional<RgbColour>& fill) {
  Impl::Page& page = impl_->page();
  if (!stroke && !fill) return;
  std::string ops = "q ";
  if (stroke) ops += pdfNumber(stroke->width) + " w " + colour(stroke->colour, "RG") + " ";
  if (fill) ops += colour(*fill, "rg") + " ";
  ops += pdfNumber(x) + " " + pdfNumber(y) + " " + pdfNumber(width) + " " + pdfNumber(height) + " re ";
  ops += stroke && fill ? "B" : stroke ? "S" : "f";  // §8.5.3.1
  page.content += ops + " Q\n";
}

void PdfComposer::fillSquares(double left, double top, double side, std::span<const GridSquare> squares,
                              const RgbColour& fill) {
  Impl::Page& page = impl_->page();
  if (squares.empty()) return;
  std::vector<GridSquare> sorted(squares.begin(), squares.end());
  std::sort(sorted.begin(), sorted.end(), [](const GridSquare& a, const GridSquare& b) {
    return std::tie(a.row, a.column) < std::tie(b.row, b.column);
  });
  sorted.erase(
      std::unique(sorted.begin(), sorted.end(),
                  [](const GridSquare& a, const GridSquare& b) { return a.row == b.row && a.column == b.column; }),
      sorted.end());
  // Grid units, y downwards: one rectangle per horizontal run of squares.
  std::string ops = "q " + colour(fill, "rg") + " " + pdfNumber(side) + " 0 0 " + pdfNumber(-side) + " " +
                    pdfNumber(left) + " " + pdfNumber(top) + " cm\n";
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i + 1;
    while (j < sorted.size() && sorted[j].row == sorted[i].row && sorted[j].column == sorted[j - 1].column + 1) {
      ++j;
    }
    ops += std::to_string(sorted[i].column) + " " + std::to_string(sorted[i].row) + " " + std::to_string(j - i) +
           " 1 re\n";
    i = j;
  }
  page.content += ops + "f Q\n";
}

std::string PdfComposer::write(const DocumentInfo& info) const {
  if (impl_->pages.empty()) throw InternalError("PdfComposer: a document without pages");
  DocumentSink sink;
  const PdfReference catalogRef = sink.allocate();
  const PdfReference pagesRef = sink.allocate();
  const PdfReference infoRef = sink.allocate();

  PdfDictionary fonts;
  if (impl_->regularUsed) fonts.AddKey("FR", impl_->regular->write(sink));
  if (impl_->boldUsed) fonts.AddKey("FB", impl_->bold->write(sink));
  PdfDictionary resources;
  if (fonts.GetSize() > 0) resources.AddKey("Font", fonts);

  PdfArray kids;
  for (const Impl::Page& page : impl_->pages) {
    const PdfReference pageRef = sink.allocate();
    const PdfReference contentRef = sink.allocate();
    PdfDictionary content;
    content.AddKey("Filter", PdfName("FlateDecode"));
    sink.addStream(contentRef, content, detail::deflate(page.content, detail::FlateLevel::Smallest));
    PdfArray mediaBox;
    mediaBox.push_back(integer(0));
    mediaBox.push_back(integer(0));
    mediaBox.push_back(PdfVariant(page.width));
    mediaBox.push_back(PdfVariant(page.height));
    // The page object (§7.7.3.3, table 30).
    PdfDictionary dictionary;
    dictionary.AddKey("Type", PdfName("Page"));
    dictionary.AddKey("Parent", pagesRef);
    dictionary.AddKey("MediaBox", mediaBox);
    dictionary.AddKey("Resources", resources);
    dictionary.AddKey("Contents", contentRef);
    sink.add(pageRef, dictionary);
    kids.push_back(pageRef);
  }
  PdfDictionary pages;
  pages.AddKey("Type", PdfName("Pages"));
  pages.AddKey("Kids", kids);
  pages.AddKey("Count", integer(static_cast<long long>(impl_->pages.size())));
  sink.add(pagesRef, pages);

  // The catalog (§7.7.2, table 28).
  PdfDictionary catalog;
  catalog.AddKey("Type", PdfName("Catalog"));
  catalog.AddKey("Pages", pagesRef);
  if (!info.language.empty()) catalog.AddKey("Lang", textString(info.language));
  if (!info.title.empty()) {
    PdfDictionary preferences;
    preferences.AddKey("DisplayDocTitle", PdfVariant(true));
    catalog.AddKey("ViewerPreferences", preferences);
  }
  sink.add(catalogRef, catalog);

  // The document information dictionary (§14.3.3, table 317).
  PdfDictionary information;
  information.AddKey("Producer", PdfString("kyso"));
  information.AddKey("CreationDate", PdfString(pdfDate(info.created)));
  if (!info.title.empty()) information.AddKey("Title", textString(info.title));
  if (!info.author.empty()) information.AddKey("Author", textString(info.author));
  if (!info.subject.empty()) information.AddKey("Subject", textString(info.subject));
  sink.add(infoRef, information);

  PdfDictionary trailer;
  trailer.AddKey("Root", catalogRef);
  trailer.AddKey("Info", infoRef);
  return sink.finish(std::move(trailer));
}

}  // namespace kyso::signer
