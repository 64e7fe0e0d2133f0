#include "appearance.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "kyso/error.h"
#include "pdf_format.h"
#include "png_image.h"

namespace kyso::signer {

namespace {

constexpr double kMargin = 36;      // named positions: half an inch from the edges
constexpr double kCopyMargin = 20;  // the copy block sits close to the top right corner
constexpr double kPadding = 2;
constexpr double kMinSide = 8;
constexpr double kCopySize = 10;  // Decree 30/2020, Appendix I: 10 pt
constexpr double kLineSpacing = 1.2;

[[noreturn]] void refuse(const std::string& message) {
  throw InputError("invalid_appearance", message);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view signatureLayoutName(SignatureLayout layout) {
  switch (layout) {
    case SignatureLayout::Seal:
      return "seal";
    case SignatureLayout::Signer:
      return "signer";
    case SignatureLayout::Copy:
      return "copy";
  }
  return "copy";
}

SignatureLayout parseSignatureLayout(std::string_view text) {
  const std::string t = lower(text);
  if (t == "seal") return SignatureLayout::Seal;
  if (t == "signer") return SignatureLayout::Signer;
  if (t == "copy") return SignatureLayout::Copy;
  refuse("unknown layout '" + std::string(text) + "' (expected seal, signer or copy)");
}

NamedPosition parseNamedPosition(std::string_view text) {
  const std::string t = lower(text);
  if (t == "top-left") return NamedPosition::TopLeft;
  if (t == "top-right") return NamedPosition::TopRight;
  if (t == "bottom-left") return NamedPosition::BottomLeft;
  if (t == "bottom-right") return NamedPosition::BottomRight;
  refuse("unknown position '" + std::string(text) + "' (expected top-left, top-right, bottom-left or bottom-right)");
}

PageRect parsePageRect(std::string_view text) {
  double v[4];
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 4; ++i) {
    while (p < end && *p == ' ') ++p;
    const auto [next, ec] = std::from_chars(p, end, v[i]);
    if (ec != std::errc() || !std::isfinite(v[i])) refuse("rect must be four numbers x1,y1,x2,y2 in points");
    p = next;
    while (p < end && *p == ' ') ++p;
    if (i < 3) {
      if (p == end || *p != ',') refuse("rect must be four numbers x1,y1,x2,y2 in points");
      ++p;
    }
  }
  if (p != end) refuse("rect must be four numbers x1,y1,x2,y2 in points");
  return {v[0], v[1], v[2], v[3]};
}

std::shared_ptr<const AppearanceFonts> AppearanceFonts::load(const std::filesystem::path& regular,
                                                             const std::filesystem::path& bold) {
  auto faces = std::make_shared<Faces>();
  faces->regular = detail::FontFile::load(regular);
  faces->bold = detail::FontFile::load(bold);
  return std::make_shared<const AppearanceFonts>(std::move(faces));
}

std::shared_ptr<const AppearanceFonts> AppearanceFonts::system() {
  static const std::filesystem::path dir = "/usr/share/fonts/truetype/liberation2";
  return load(dir / "LiberationSerif-Regular.ttf", dir / "LiberationSerif-Bold.ttf");
}

namespace detail {

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// The content stream and the resources it names.
class Canvas {
 public:
  Canvas(const AppearanceFonts* fonts, ObjectSink& sink) : fonts_(fonts), sink_(sink) {}

  EmbeddedFont& font(bool bold) {
    if (fonts_ == nullptr) throw InternalError("a text appearance without fonts");
    auto& slot = bold ? bold_ : regular_;
    if (!slot) slot = std::make_unique<EmbeddedFont>(bold ? fonts_->faces().bold : fonts_->faces().regular);
    return *slot;
  }

  // One line with its left end of the baseline at (x, y).
  void text(bool bold, double size, double x, double y, const std::string& utf8) {
    const EmbeddedFont::Run run = font(bold).show(utf8, size);
    content_ += "BT /" + std::string(bold ? "FB" : "FR") + " " + pdfNumber(size) + " Tf 0 g " + pdfNumber(x) + " " +
                pdfNumber(y) + " Td " + run.operators + " ET\n";
  }

  void image(const RasterImage& raster, const Box& at) {
    const std::string name = "Im" + std::to_string(images_.size() + 1);
    images_.emplace_back(name, writeImage(raster, sink_));
    content_ += "q " + pdfNumber(at.width()) + " 0 0 " + pdfNumber(at.height()) + " " + pdfNumber(at.left) + " " +
                pdfNumber(at.bottom) + " cm /" + name + " Do Q\n";
  }

  // The form XObject (§8.10) of size w × h, turned by `matrix`.
  PoDoFo::PdfReference finish(double w, double h, const std::array<double, 6>& matrix) {
    PoDoFo::PdfDictionary resources;
    PoDoFo::PdfDictionary fontDict;
    if (regular_) fontDict.AddKey("FR", regular_->write(sink_));
    if (bold_) fontDict.AddKey("FB", bold_->write(sink_));
    if (fontDict.GetSize() > 0) resources.AddKey("Font", fontDict);
    if (!images_.empty()) {
      PoDoFo::PdfDictionary xobjects;
      for (const auto& [name, ref] : images_) xobjects.AddKey(PoDoFo::PdfName(name), ref);
      resources.AddKey("XObject", xobjects);
    }
    PoDoFo::PdfDictionary form;
    form.AddKey("Type", PoDoFo::PdfName("XObject"));
    form.AddKey("Subtype", PoDoFo::PdfName("Form"));
    PoDoFo::PdfArray bbox;
    for (const double v : {0.0, 0.0, w, h}) bbox.push_back(PoDoFo::PdfVariant(v));
    form.AddKey("BBox", bbox);
    PoDoFo::PdfArray m;
    for (const double v : matrix) m.push_back(PoDoFo::PdfVariant(static_cast<PoDoFo::pdf_int64>(v)));
    form.AddKey("Matrix", m);
    form.AddKey("Resources", resources);
    const PoDoFo::PdfReference ref = sink_.allocate();
    sink_.addStream(ref, form, content_);
    return ref;
  }

 private:
  const AppearanceFonts* fonts_;
  ObjectSink& sink_;
  std::unique_ptr<EmbeddedFont> regular_, bold_;
  std::vector<std::pair<std::string, PoDoFo::PdfReference>> images_;
  std::string content_;
};

double lineHeight(double size) {
  return size * kLineSpacing;
}

// The largest size up to `preferred` at which every line fits `width`; below 5 pt the text would
// not be legible, so the rectangle is refused.
double fittingSize(EmbeddedFont& font, const std::vector<std::string>& text, double preferred, double width) {
  constexpr double kSmallest = 5;
  double size = preferred;
  for (const auto& line : text) {
    const double w = font.measure(line, size);
    if (w > width) size = size * width / w;
  }
  if (size < kSmallest) refuse("the signature rectangle is too narrow for its text");
  return size;
}

Box cornerBox(NamedPosition position, double w, double h, const PageGeometry& page, double margin) {
  const double dw = page.displayWidth(), dh = page.displayHeight();
  switch (position) {
    case NamedPosition::TopLeft:
      return {margin, dh - margin - h, margin + w, dh - margin};
    case NamedPosition::TopRight:
      return {dw - margin - w, dh - margin - h, dw - margin, dh - margin};
    case NamedPosition::BottomLeft:
      return {margin, margin, margin + w, margin + h};
    case NamedPosition::BottomRight:
      return {dw - margin - w, margin, dw - margin, margin + h};
  }
  return {};
}

Box requestedBox(const PageRect& r) {
  return {std::min(r.x1, r.x2), std::min(r.y1, r.y2), std::max(r.x1, r.x2), std::max(r.y1, r.y2)};
}

void requireOnPage(const Box& box, const PageGeometry& page) {
  constexpr double tolerance = 0.5;
  if (box.width() < kMinSide || box.height() < kMinSide) {
    refuse("the signature rectangle must be at least " + pdfNumber(kMinSide) + " points wide and high");
  }
  if (box.left < -tolerance || box.bottom < -tolerance || box.right > page.displayWidth() + tolerance ||
      box.top > page.displayHeight() + tolerance) {
    refuse("the signature rectangle [" + pdfNumber(box.left) + " " + pdfNumber(box.bottom) + " " +
           pdfNumber(box.right) + " " + pdfNumber(box.top) + "] is not on the page (" + pdfNumber(page.displayWidth()) +
           " x " + pdfNumber(page.displayHeight()) + " points as displayed)");
  }
}

// The image scaled to fit `band`, centred.
Box fitted(double w, double h, const Box& band) {
  const double scale = std::min(band.width() / w, band.height() / h);
  const double fw = w * scale, fh = h * scale;
  const double x = band.left + (band.width() - fw) / 2, y = band.bottom + (band.height() - fh) / 2;
  return {x, y, x + fw, y + fh};
}

RasterImage requiredImage(const VisibleSignature& v) {
  if (v.image.empty()) {
    refuse(std::string("the ") + std::string(signatureLayoutName(v.layout)) + " layout needs a PNG image");
  }
  return decodePng(v.image);
}

}  // namespace

WrittenAppearance writeAppearance(const VisibleSignature& v, const AppearanceFonts* fonts, const PageGeometry& page,
                                  const std::optional<Box>& over, pki::TimePoint signingTime, ObjectSink& sink) {
  Canvas canvas(fonts, sink);
  Box box;
  switch (v.layout) {
    case SignatureLayout::Seal: {
      const RasterImage image = requiredImage(v);
      const auto [w, h] = image.naturalSize(v.fallbackDpi);
      if (v.rect) {
        box = requestedBox(*v.rect);
      } else if (over) {
        // Decree 30/2020, Appendix I: the seal covers about a third of the signature, on its left.
        const double right = over->left + over->width() / 3;
        const double middle = (over->bottom + over->top) / 2;
        box = {right - w, middle - h / 2, right, middle + h / 2};
      } else {
        box = cornerBox(v.position.value_or(NamedPosition::BottomRight), w, h, page, kMargin);
      }
      requireOnPage(box, page);
      canvas.image(image,
                   v.rect ? fitted(w, h, {0, 0, box.width(), box.height()}) : Box{0, 0, box.width(), box.height()});
      break;
    }
    case SignatureLayout::Signer: {
      const RasterImage image = requiredImage(v);
      box = v.rect ? requestedBox(*v.rect)
                   : cornerBox(v.position.value_or(NamedPosition::BottomRight), 200, 110, page, kMargin);
      requireOnPage(box, page);
      const double inner = box.width() - 2 * kPadding;
      const auto title = lines(v.title);
      const auto name = lines(v.name);
      EmbeddedFont& bold = canvas.font(true);
      const double titleSize = fittingSize(bold, title, 11, inner);
      const double nameSize = fittingSize(bold, name, 12, inner);
      double y = box.height() - kPadding;
      for (const auto& line : title) {
        y -= lineHeight(titleSize);
        canvas.text(true, titleSize, (box.width() - bold.measure(line, titleSize)) / 2, y - bold.descent(titleSize),
                    line);
      }
      const double bandTop = y - kPadding;
      double bandBottom = kPadding;
      for (auto it = name.rbegin(); it != name.rend(); ++it) {
        canvas.text(true, nameSize, (box.width() - bold.measure(*it, nameSize)) / 2,
                    bandBottom - bold.descent(nameSize), *it);
        bandBottom += lineHeight(nameSize);
      }
      bandBottom += kPadding;
      if (bandTop - bandBottom < kMinSide) refuse("the signature rectangle is too small for the title, image and name");
      const auto [w, h] = image.naturalSize(v.fallbackDpi);
      canvas.image(image, fitted(w, h, {kPadding, bandBottom, box.width() - kPadding, bandTop}));
      break;
    }
    case SignatureLayout::Copy: {
      std::vector<std::string> text;
      if (!v.copyForm.empty()) text.push_back(v.copyForm);
      if (!v.copyOrganisation.empty()) text.push_back(v.copyOrganisation);
      text.push_back(pki::formatIso8601(signingTime));
      EmbeddedFont& regular = canvas.font(false);
      double widest = 0;
      for (const auto& line : text) widest = std::max(widest, regular.measure(line, kCopySize));
      const double w = widest + 2 * kPadding;
      const double h = static_cast<double>(text.size()) * lineHeight(kCopySize) + 2 * kPadding;
      if (v.rect) {
        box = requestedBox(*v.rect);
        if (box.width() + 0.01 < w || box.height() + 0.01 < h) {
          refuse("the copy text needs " + pdfNumber(w) + " x " + pdfNumber(h) + " points; the rectangle is smaller");
        }
      } else {
        box = cornerBox(v.position.value_or(NamedPosition::TopRight), w, h, page, kCopyMargin);
      }
      requireOnPage(box, page);
      double y = box.height() - kPadding;
      for (const auto& line : text) {
        y -= lineHeight(kCopySize);
        canvas.text(false, kCopySize, kPadding, y - regular.descent(kCopySize), line);
      }
      break;
    }
  }
  WrittenAppearance out;
  out.rect = page.toUserSpace(box);
  out.appearance = canvas.finish(box.width(), box.height(), page.appearanceMatrix());
  return out;
}

}  // namespace detail
}  // namespace kyso::signer
