// Writes new PDF documents (ISO 32000-1, PDF 1.7) from pages of text, lines, rectangles and
// filled squares — the printable copies kyso makes itself (the e-receipt's PDF, Circular 91/2026
// template 01/PLPĐT). Text is shaped by HarfBuzz and set in an embedded, subset TrueType font with
// a ToUnicode map, so Vietnamese keeps every diacritic and stays searchable; PoDoFo's own text API
// cannot do that. Coordinates are PDF points from the page's lower-left corner.
//
// The output depends only on what was drawn and on DocumentInfo: the same calls give the same
// bytes, so a stored copy can be regenerated and compared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kyso/pki/clock.h"
#include "kyso/signer/visible_signature.h"

namespace kyso::signer {

// ISO 216 A4 in points: 210 × 297 mm.
inline constexpr double kA4Width = 595.28;
inline constexpr double kA4Height = 841.89;
inline constexpr double kPointsPerMillimetre = 72.0 / 25.4;

// DeviceRGB, each component from 0 to 1.
struct RgbColour {
  double red = 0;
  double green = 0;
  double blue = 0;
};

enum class FontWeight { Regular, Bold };
enum class TextAlign { Left, Centre, Right };

struct TextStyle {
  FontWeight weight = FontWeight::Regular;
  double size = 11;  // points
  RgbColour colour;
};

struct StrokeStyle {
  RgbColour colour;
  double width = 0.5;  // points
};

// One module of a grid drawn by fillSquares: column from the left, row from the top.
struct GridSquare {
  std::uint32_t column = 0;
  std::uint32_t row = 0;
};

struct DocumentInfo {
  pki::TimePoint created;  // /CreationDate, in Vietnam time
  std::string title;       // /Title (and shown by viewers as the window title); may be empty
  std::string author;      // /Author; may be empty
  std::string subject;     // /Subject; may be empty
  std::string language;    // the catalog's /Lang (BCP 47, "vi"); may be empty
};

class PdfComposer {
 public:
  // Text is set in `fonts` (regular and bold); the composer shares the faces, so `fonts` need not
  // outlive it.
  explicit PdfComposer(const AppearanceFonts& fonts);
  ~PdfComposer();
  PdfComposer(PdfComposer&&) noexcept;
  PdfComposer& operator=(PdfComposer&&) noexcept;

  // Starts a new page; drawing goes onto it. Sizes are in points and at least 3 (§C.2 table C.1).
  void addPage(double width = kA4Width, double height = kA4Height);
  std::size_t pageCount() const;
  // Drawing goes onto page `index` (from 0) again, e.g. to add "page i of n" once n is known.
  void selectPage(std::size_t index);

  // The advance of `utf8` set in `style`, in points. Throws InputError("invalid_text") for invalid
  // UTF-8 or a character the font lacks.
  double textWidth(std::string_view utf8, const TextStyle& style) const;
  // The font's ascender (positive) and descender (negative) at `style`'s size, in points.
  double ascent(const TextStyle& style) const;
  double descent(const TextStyle& style) const;

  // Breaks `utf8` into lines no wider than `width` when set in `style`: at spaces (runs of spaces
  // collapse), at '\n' always, and inside a word only when the word alone is wider than `width` —
  // then after a '/', '-', '.', '?', '&' or '=' that fits if there is one (URLs), otherwise
  // between characters, never before a combining mark. Empty paragraphs give no line.
  std::vector<std::string> wrap(std::string_view utf8, const TextStyle& style, double width) const;

  // One line of text with its baseline at `y`; `x` is its left end, centre or right end.
  void text(std::string_view utf8, double x, double y, const TextStyle& style, TextAlign align = TextAlign::Left);
  void line(double x1, double y1, double x2, double y2, const StrokeStyle& stroke);
  // The rectangle with lower-left corner (x, y): filled, stroked, or both.
  void rectangle(double x, double y, double width, double height, const std::optional<StrokeStyle>& stroke,
                 const std::optional<RgbColour>& fill);
  // Fills the squares of a grid of `side`-point modules whose top-left corner is at (left, top);
  // rows run downwards. Adjacent squares join without seams (one path, nonzero winding).
  void fillSquares(double left, double top, double side, std::span<const GridSquare> squares,
                   const RgbColour& colour = {});

  // The complete document: header with a binary comment, the objects, a cross-reference table,
  // a trailer with /Root, /Info (/Producer "kyso", /CreationDate) and an /ID made from the
  // content. Throws InternalError without a page.
  std::string write(const DocumentInfo& info) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kyso::signer
