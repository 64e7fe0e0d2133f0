// A TrueType font embedded in a PDF for the text of visible signature appearances (Vietnamese with
// all its diacritics). HarfBuzz does all the font work — shaping, cmap, metrics, subsetting — and
// the font goes into the PDF as a Type 0 font with Identity-H encoding over a CIDFontType2
// descendant (ISO 32000-1 §9.7), glyph ids as CIDs, with a /ToUnicode CMap (§9.10.3) so that the
// text stays extractable and searchable.
#pragma once

#include <podofo/podofo.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "object_sink.h"

struct hb_blob_t;
struct hb_buffer_t;
struct hb_face_t;
struct hb_font_t;
struct hb_set_t;
struct hb_subset_input_t;
struct hb_subset_plan_t;

namespace kyso::signer::detail {

// One RAII vocabulary for HarfBuzz handles: HarfBuzzPtr<hb_face_t> and so on; call sites never
// name a destroy function. Each handle owns one reference.
struct HarfBuzzRelease {
  void operator()(hb_blob_t* p) const noexcept;
  void operator()(hb_buffer_t* p) const noexcept;
  void operator()(hb_face_t* p) const noexcept;
  void operator()(hb_font_t* p) const noexcept;
  void operator()(hb_set_t* p) const noexcept;
  void operator()(hb_subset_input_t* p) const noexcept;
  void operator()(hb_subset_plan_t* p) const noexcept;
};
template <typename T>
using HarfBuzzPtr = std::unique_ptr<T, HarfBuzzRelease>;

// A TrueType font file, loaded once and shared read-only across threads (HarfBuzz faces and
// immutable fonts are safe to use concurrently).
class FontFile {
  struct Token {};  // only load() constructs

 public:
  explicit FontFile(Token) {}

  // Throws InputError("font_unusable") when the file is missing, is not a TrueType font (glyf
  // outlines, as FontFile2 requires: §9.9) or has no Unicode cmap.
  static std::shared_ptr<const FontFile> load(const std::filesystem::path& path);

  // "Liberation Serif": for messages.
  const std::string& familyName() const { return familyName_; }
  // "LiberationSerif-Bold": the PostScript name, for /BaseFont (§9.6.3).
  const std::string& postScriptName() const { return postScriptName_; }
  unsigned unitsPerEm() const { return unitsPerEm_; }

  // Metrics for the font descriptor (§9.8), in font units.
  struct Metrics {
    int ascender = 0;
    int descender = 0;  // negative
    int capHeight = 0;
    int xMin = 0, yMin = 0, xMax = 0, yMax = 0;  // union of all glyph boxes
    double italicAngle = 0;                      // degrees, counter-clockwise from vertical
    double weight = 400;                         // OS/2 usWeightClass
    bool fixedPitch = false;
  };
  const Metrics& metrics() const { return metrics_; }

  // Borrowed handles (the font's scale is its units per em).
  hb_face_t* face() const { return face_.get(); }
  hb_font_t* font() const { return font_.get(); }

 private:
  HarfBuzzPtr<hb_face_t> face_;
  HarfBuzzPtr<hb_font_t> font_;
  std::string familyName_;
  std::string postScriptName_;
  unsigned unitsPerEm_ = 1000;
  Metrics metrics_;
};

// The font as one appearance uses it: shapes text, remembers the glyphs shown and what text each
// stands for, and writes a subset of the font with just those glyphs. One per document; not for
// concurrent use (the FontFile underneath is).
class EmbeddedFont {
 public:
  explicit EmbeddedFont(std::shared_ptr<const FontFile> file);

  struct Run {
    std::string operators;  // e.g. "[<0037> 35 <00550058>] TJ"
    double width = 0;       // the advance these operators give, in points
  };
  // Shapes UTF-8 text and records its glyphs; throws InputError("invalid_text") for invalid UTF-8
  // or a character the font lacks. `operators` shows the text at the current text position, with
  // the font selected at `size` (Tf), no character spacing (Tc) and horizontal scaling 100 (Tz): a
  // TJ array of 2-byte glyph ids whose numbers carry HarfBuzz's kerning and mark offsets, and a
  // text rise (Ts) where a mark sits above or below its base. Widths are whole 1/1000 em, as /W
  // gives them, so a glyph may land up to half a unit from where HarfBuzz put it.
  Run show(std::string_view utf8, double size);
  // The advance `show` would give, in points; records nothing.
  double measure(std::string_view utf8, double size) const;
  // Font-wide ascender and descender (negative) in points at `size`.
  double ascent(double size) const;
  double descent(double size) const;

  // Writes the Type 0 font, its CIDFontType2 descendant, the font descriptor with the subset font
  // program, and the ToUnicode CMap; returns the Type 0 font's reference. Identical shown text
  // gives identical objects.
  PoDoFo::PdfReference write(ObjectSink& sink) const;

 private:
  std::shared_ptr<const FontFile> file_;
  // What a glyph stands for in the ToUnicode CMap: the text (NFC) of the first cluster it starts.
  // A glyph's own character (its cmap entry) wins over a cluster text seen earlier, so that the
  // base letter of an uncomposed cluster does not hide that letter elsewhere.
  struct GlyphText {
    std::u32string text;
    bool ownCharacter = false;
  };
  std::map<std::uint32_t, GlyphText> text_;
  // Every glyph shown, including those that carry no text (the later glyphs of a cluster).
  std::set<std::uint32_t> glyphs_;
};

}  // namespace kyso::signer::detail
