#include "embedded_font.h"

#include <harfbuzz/hb-ot.h>
#include <harfbuzz/hb-subset.h>
#include <harfbuzz/hb.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "flate.h"
#include "kyso/error.h"

namespace kyso::signer::detail {

void HarfBuzzRelease::operator()(hb_blob_t* p) const noexcept {
  hb_blob_destroy(p);
}
void HarfBuzzRelease::operator()(hb_buffer_t* p) const noexcept {
  hb_buffer_destroy(p);
}
void HarfBuzzRelease::operator()(hb_face_t* p) const noexcept {
  hb_face_destroy(p);
}
void HarfBuzzRelease::operator()(hb_font_t* p) const noexcept {
  hb_font_destroy(p);
}
void HarfBuzzRelease::operator()(hb_set_t* p) const noexcept {
  hb_set_destroy(p);
}
void HarfBuzzRelease::operator()(hb_subset_input_t* p) const noexcept {
  hb_subset_input_destroy(p);
}
void HarfBuzzRelease::operator()(hb_subset_plan_t* p) const noexcept {
  hb_subset_plan_destroy(p);
}

namespace {

using PoDoFo::PdfArray;
using PoDoFo::PdfDictionary;
using PoDoFo::PdfName;
using PoDoFo::PdfReference;
using PoDoFo::PdfString;
using PoDoFo::PdfVariant;

// More than any appearance shows; keeps HarfBuzz's int lengths and the CMap's strings in range.
constexpr std::size_t kMaxCodePoints = 1u << 16;
// A bfchar destination holds at most 512 bytes (ISO 32000-1 §9.10.3).
constexpr std::size_t kMaxClusterUtf16Units = 256;
// At most 100 entries between beginbfchar and endbfchar (Adobe TN 5014, which §9.10.3 follows).
constexpr std::size_t kBfcharChunk = 100;

// Font descriptor flags (§9.8.2, table 123).
constexpr int kFlagFixedPitch = 1 << 0;
constexpr int kFlagSymbolic = 1 << 2;
constexpr int kFlagItalic = 1 << 6;

PdfVariant integer(long long value) {
  return PdfVariant(static_cast<PoDoFo::pdf_int64>(value));
}

std::string hex4(std::uint32_t value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04X", static_cast<unsigned>(value & 0xFFFFu));
  return buffer;
}

// A number for a content stream: at most three decimals, no exponent, no "-0".
std::string decimal(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 3);
  if (ec != std::errc()) throw InternalError("cannot format a number for a content stream");
  std::string text(buffer, end);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text == "-0" ? "0" : text;
}

std::string codePointName(hb_codepoint_t c) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(c));
  return buffer;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
std::vector<hb_codepoint_t> decodeUtf8(std::string_view text) {
  const auto invalid = [] { return InputError("invalid_text", "the text is not valid UTF-8"); };
  std::vector<hb_codepoint_t> out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    hb_codepoint_t c = 0;
    hb_codepoint_t minimum = 0;
    if (lead < 0x80) {
      length = 1;
      c = lead;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      c = lead & 0x1Fu;
      minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      c = lead & 0x0Fu;
      minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      c = lead & 0x07u;
      minimum = 0x10000;
    } else {
      throw invalid();  // a continuation byte, or a lead byte that only starts overlong or out-of-range forms
    }
    if (text.size() - i < length) throw invalid();
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0u) != 0x80u) throw invalid();
      c = (c << 6) | (next & 0x3Fu);
    }
    if (c < minimum || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) throw invalid();
    out.push_back(c);
    i += length;
  }
  if (out.size() > kMaxCodePoints) throw InputError("invalid_text", "the text is too long");
  return out;
}

// Canonical composition (Unicode normalization form C, UAX #15 §1.3) with HarfBuzz's Unicode
// data: what the ToUnicode CMap says a cluster is, whichever form the caller's text came in.
std::u32string composeCanonically(const hb_codepoint_t* begin, const hb_codepoint_t* end) {
  hb_unicode_funcs_t* unicode = hb_unicode_funcs_get_default();
  const auto combiningClass = [unicode](hb_codepoint_t c) {
    return static_cast<int>(hb_unicode_combining_class(unicode, c));
  };
  // Full canonical decomposition…
  std::vector<hb_codepoint_t> decomposed;
  const auto decompose = [&](auto& self, hb_codepoint_t c) -> void {
    hb_codepoint_t a = 0;
    hb_codepoint_t b = 0;
    if (hb_unicode_decompose(unicode, c, &a, &b)) {
      self(self, a);
      if (b != 0) self(self, b);
    } else {
      decomposed.push_back(c);
    }
  };
  for (const hb_codepoint_t* c = begin; c != end; ++c) decompose(decompose, *c);
  // …canonical ordering of each run of combining marks…
  for (auto run = decomposed.begin(); run != decomposed.end();) {
    if (combiningClass(*run) == 0) {
      ++run;
      continue;
    }
    auto runEnd = std::find_if(run, decomposed.end(), [&](hb_codepoint_t c) { return combiningClass(c) == 0; });
    std::stable_sort(run, runEnd,
                     [&](hb_codepoint_t x, hb_codepoint_t y) { return combiningClass(x) < combiningClass(y); });
    run = runEnd;
  }
  // …then canonical composition: a mark joins the last starter unless blocked.
  std::u32string composed;
  std::size_t starter = std::u32string::npos;
  int lastClass = 0;
  for (const hb_codepoint_t c : decomposed) {
    const int cls = combiningClass(c);
    hb_codepoint_t pair = 0;
    const bool adjacentOrUnblocked = lastClass == 0 ? composed.size() == starter + 1 : lastClass < cls;
    if (starter != std::u32string::npos && adjacentOrUnblocked &&
        hb_unicode_compose(unicode, composed[starter], c, &pair)) {
      composed[starter] = static_cast<char32_t>(pair);
      continue;
    }
    if (cls == 0) starter = composed.size();
    lastClass = cls;
    composed.push_back(static_cast<char32_t>(c));
  }
  return composed;
}

std::size_t utf16Units(const std::u32string& text) {
  std::size_t units = 0;
  for (const char32_t c : text) units += c > 0xFFFF ? 2 : 1;
  return units;
}

std::string utf16Hex(const std::u32string& text) {
  std::string out;
  for (const char32_t c : text) {
    if (c > 0xFFFF) {
      const std::uint32_t v = static_cast<std::uint32_t>(c) - 0x10000;
      out += hex4(0xD800 + (v >> 10));
      out += hex4(0xDC00 + (v & 0x3FF));
    } else {
      out += hex4(static_cast<std::uint32_t>(c));
    }
  }
  return out;
}

std::string nameString(hb_face_t* face, hb_ot_name_id_t id) {
  unsigned int length = hb_ot_name_get_utf8(face, id, HB_LANGUAGE_INVALID, nullptr, nullptr);
  if (length == 0) return {};
  std::string text(length + 1, '\0');
  ++length;
  hb_ot_name_get_utf8(face, id, HB_LANGUAGE_INVALID, &length, text.data());
  text.resize(length);
  return text;
}

// A PostScript name keeps to printable ASCII without PDF delimiters, at most 63 characters
// (the OpenType 'name' table, name ID 6).
std::string postScriptNameOf(hb_face_t* face, const std::string& family) {
  const auto keep = [](std::string name) {
    std::erase_if(name, [](char c) {
      return c < '!' || c > '~' || std::string_view("[](){}<>/%").find(c) != std::string_view::npos;
    });
    if (name.size() > 63) name.resize(63);
    return name;
  };
  std::string name = keep(nameString(face, HB_OT_NAME_ID_POSTSCRIPT_NAME));
  if (name.empty()) name = keep(family);
  return name.empty() ? "Font" : name;
}

// One glyph of shaped text, in font units.
struct ShapedGlyph {
  hb_codepoint_t glyph = 0;
  std::uint32_t cluster = 0;  // index of the cluster's first code point
  hb_position_t xAdvance = 0;
  hb_position_t xOffset = 0;
  hb_position_t yOffset = 0;
};

struct ShapedText {
  std::vector<hb_codepoint_t> text;
  std::vector<ShapedGlyph> glyphs;
};

ShapedText shape(const FontFile& file, std::string_view utf8) {
  ShapedText shaped;
  shaped.text = decodeUtf8(utf8);
  if (shaped.text.empty()) return shaped;

  HarfBuzzPtr<hb_buffer_t> buffer(hb_buffer_create());
  // Clusters are code point indices. Default ignorables (soft hyphens, joiners) leave no glyph:
  // their cluster merges with a neighbour's.
  hb_buffer_add_utf32(buffer.get(), shaped.text.data(), static_cast<int>(shaped.text.size()), 0, -1);
  hb_buffer_set_flags(buffer.get(), static_cast<hb_buffer_flags_t>(HB_BUFFER_FLAG_BOT | HB_BUFFER_FLAG_EOT |
                                                                   HB_BUFFER_FLAG_REMOVE_DEFAULT_IGNORABLES));
  // Set, not guessed: the guess would follow the process locale.
  hb_buffer_set_language(buffer.get(), hb_language_from_string("vi", -1));
  hb_buffer_guess_segment_properties(buffer.get());
  hb_shape(file.font(), buffer.get(), nullptr, 0);
  if (!hb_buffer_allocation_successful(buffer.get())) throw InternalError("HarfBuzz ran out of memory shaping text");

  unsigned int count = 0;
  const hb_glyph_info_t* infos = hb_buffer_get_glyph_infos(buffer.get(), &count);
  const hb_glyph_position_t* positions = hb_buffer_get_glyph_positions(buffer.get(), &count);
  shaped.glyphs.reserve(count);
  for (unsigned int i = 0; i < count; ++i) {
    if (infos[i].codepoint == 0) {
      // Glyph 0 is .notdef: name the first character of the cluster that the font has no glyph for.
      std::size_t end = shaped.text.size();
      for (unsigned int j = 0; j < count; ++j) {
        if (infos[j].cluster > infos[i].cluster) end = std::min<std::size_t>(end, infos[j].cluster);
      }
      hb_codepoint_t missing = shaped.text[infos[i].cluster];
      for (std::size_t k = infos[i].cluster; k < end; ++k) {
        hb_codepoint_t glyph = 0;
        if (!hb_font_get_nominal_glyph(file.font(), shaped.text[k], &glyph)) {
          missing = shaped.text[k];
          break;
        }
      }
      throw InputError("invalid_text",
                       "the character " + codePointName(missing) + " cannot be shown in " + file.familyName());
    }
    shaped.glyphs.push_back(
        {infos[i].codepoint, infos[i].cluster, positions[i].x_advance, positions[i].x_offset, positions[i].y_offset});
  }
  return shaped;
}

// A glyph's advance as /W gives it, in 1/1000 em (§9.7.4.3).
long pdfWidth(const FontFile& file, hb_codepoint_t glyph) {
  const hb_position_t advance = hb_font_get_glyph_h_advance(file.font(), glyph);
  return std::lround(advance * 1000.0 / file.unitsPerEm());
}

// Font units → 1/1000 em, the unit of glyph space for TrueType-based fonts (§9.2.4).
long thousandths(const FontFile& file, double fontUnits) {
  return std::lround(fontUnits * 1000.0 / file.unitsPerEm());
}

// How shaped text goes into a content stream: the operators, and the advance they give in
// 1/1000 em.
struct Layout {
  std::string operators;
  long advance = 0;
};

// TJ (§9.4.3) moves the pen by each glyph's /W width less the number that follows it, in 1/1000
// em. Where HarfBuzz's advance differs from the glyph's own (kerning) or it offsets a glyph (a mark
// placed over a base without a precomposed glyph), a number says so; elsewhere the /W widths
// carry the pen, so a line holds only the numbers shaping asked for. Vertical offsets use the text
// rise (Ts, §9.3.7), which TJ cannot express; it is in unscaled text space units, hence `size`.
Layout layout(const FontFile& file, const ShapedText& shaped, double size) {
  Layout out;
  std::string array;
  std::string run;  // hex glyph ids not yet closed
  const auto closeRun = [&] {
    if (run.empty()) return;
    if (!array.empty()) array += ' ';
    array += '<' + run + '>';
    run.clear();
  };
  const auto closeArray = [&] {
    closeRun();
    if (array.empty()) return;
    if (!out.operators.empty()) out.operators += ' ';
    out.operators += '[' + array + "] TJ";
    array.clear();
  };
  long pen = 0;  // where TJ has put the pen
  const auto moveTo = [&](long target) {
    if (target == pen) return;
    closeRun();
    if (!array.empty()) array += ' ';
    array += std::to_string(pen - target);
    pen = target;
  };

  long origin = 0;  // where HarfBuzz puts the current glyph's origin
  hb_position_t rise = 0;
  for (const ShapedGlyph& g : shaped.glyphs) {
    if (g.yOffset != rise) {
      closeArray();
      if (!out.operators.empty()) out.operators += ' ';
      out.operators += decimal(g.yOffset * size / file.unitsPerEm()) + " Ts";
      rise = g.yOffset;
    }
    moveTo(origin + thousandths(file, g.xOffset));
    run += hex4(g.glyph);
    const long width = pdfWidth(file, g.glyph);
    pen += width;
    origin += g.xAdvance == hb_font_get_glyph_h_advance(file.font(), g.glyph) ? width : thousandths(file, g.xAdvance);
  }
  moveTo(origin);
  closeArray();
  if (rise != 0) out.operators += " 0 Ts";
  out.advance = origin;
  return out;
}

// Six uppercase letters naming the subset (§9.6.4), from the font and the glyphs it keeps, so that
// the same text gives the same tag and different glyph sets different ones. FNV-1a, 64 bits.
std::string subsetTag(const std::string& postScriptName, const std::set<std::uint32_t>& glyphs) {
  std::uint64_t hash = 0xcbf29ce484222325u;
  const auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 0x100000001b3u;
  };
  for (const char c : postScriptName) mix(static_cast<unsigned char>(c));
  for (const std::uint32_t glyph : glyphs) {
    for (int shift = 24; shift >= 0; shift -= 8) mix(static_cast<unsigned char>(glyph >> shift));
  }
  std::string tag;
  for (int i = 0; i < 6; ++i) {
    tag += static_cast<char>('A' + hash % 26);
    hash /= 26;
  }
  return tag;
}

struct Subset {
  std::string program;  // the TrueType font
  std::string cidSet;   // §9.8.3.1 table 124: one bit per CID present, high bit first
};

// The font program with only `glyphs` (and what composite glyphs reference), glyph ids kept so
// that CIDs stay glyph ids (/CIDToGIDMap /Identity). Tables a PDF reader never uses go.
Subset subsetFont(const FontFile& file, const std::set<std::uint32_t>& glyphs) {
  HarfBuzzPtr<hb_subset_input_t> input(hb_subset_input_create_or_fail());
  if (!input) throw InternalError("HarfBuzz could not create a subset input");
  hb_set_t* glyphSet = hb_subset_input_set(input.get(), HB_SUBSET_SETS_GLYPH_INDEX);  // borrowed
  for (const std::uint32_t glyph : glyphs) hb_set_add(glyphSet, glyph);
  hb_set_t* dropTables = hb_subset_input_set(input.get(), HB_SUBSET_SETS_DROP_TABLE_TAG);  // borrowed
  // Shaping has already happened: layout tables would only add weight.
  for (const hb_tag_t tag : {HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'), HB_TAG('G', 'D', 'E', 'F')}) {
    hb_set_add(dropTables, tag);
  }
  hb_subset_input_set_flags(input.get(), HB_SUBSET_FLAGS_RETAIN_GIDS);

  HarfBuzzPtr<hb_subset_plan_t> plan(hb_subset_plan_create_or_fail(file.face(), input.get()));
  if (!plan) throw InternalError("HarfBuzz could not plan the font subset");
  HarfBuzzPtr<hb_face_t> face(hb_subset_plan_execute_or_fail(plan.get()));
  if (!face) throw InternalError("HarfBuzz could not subset the font");
  HarfBuzzPtr<hb_blob_t> blob(hb_face_reference_blob(face.get()));
  unsigned int length = 0;
  const char* data = hb_blob_get_data(blob.get(), &length);
  if (data == nullptr || length == 0) throw InternalError("HarfBuzz produced an empty font subset");

  Subset subset;
  subset.program.assign(data, length);
  const hb_map_t* kept = hb_subset_plan_old_to_new_glyph_mapping(plan.get());  // borrowed
  const unsigned int count = hb_face_get_glyph_count(face.get());
  subset.cidSet.assign((count + 7) / 8, '\0');
  for (unsigned int glyph = 0; glyph < count; ++glyph) {
    if (hb_map_has(kept, glyph)) subset.cidSet[glyph / 8] |= static_cast<char>(0x80u >> (glyph % 8));
  }
  return subset;
}

// The ToUnicode CMap (§9.10.3, Adobe TN 5411): 2-byte codes, each glyph to its text in UTF-16BE.
std::string toUnicodeCMap(const std::vector<std::pair<std::uint32_t, std::u32string>>& entries) {
  std::string cmap =
      "/CIDInit /ProcSet findresource begin\n"
      "12 dict begin\n"
      "begincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n"
      "/CMapType 2 def\n"
      "1 begincodespacerange\n"
      "<0000> <FFFF>\n"
      "endcodespacerange\n";
  for (std::size_t at = 0; at < entries.size(); at += kBfcharChunk) {
    const std::size_t end = std::min(entries.size(), at + kBfcharChunk);
    cmap += std::to_string(end - at) + " beginbfchar\n";
    for (std::size_t i = at; i < end; ++i) {
      cmap += '<' + hex4(entries[i].first) + "> <" + utf16Hex(entries[i].second) + ">\n";
    }
    cmap += "endbfchar\n";
  }
  cmap +=
      "endcmap\n"
      "CMapName currentdict /CMap defineresource pop\n"
      "end\n"
      "end\n";
  return cmap;
}

PdfDictionary flateStream() {
  PdfDictionary dictionary;
  dictionary.AddKey("Filter", PdfName("FlateDecode"));
  return dictionary;
}

}  // namespace

std::shared_ptr<const FontFile> FontFile::load(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  HarfBuzzPtr<hb_blob_t> blob(hb_blob_create_from_file_or_fail(path.c_str()));
  if (!blob) throw InputError("font_unusable", "the font file " + name + " cannot be read");
  if (hb_face_count(blob.get()) == 0) throw InputError("font_unusable", name + " is not a font file");

  auto file = std::make_shared<FontFile>(Token{});
  file->face_.reset(hb_face_create(blob.get(), 0));
  hb_face_t* face = file->face();
  // FontFile2 holds TrueType outlines (§9.9); an OpenType font with CFF outlines would need
  // FontFile3, which we do not write.
  HarfBuzzPtr<hb_blob_t> glyf(hb_face_reference_table(face, HB_TAG('g', 'l', 'y', 'f')));
  if (hb_face_get_glyph_count(face) == 0 || hb_blob_get_length(glyf.get()) == 0) {
    throw InputError("font_unusable", name + " is not a TrueType font");
  }
  HarfBuzzPtr<hb_set_t> unicodes(hb_set_create());
  hb_face_collect_unicodes(face, unicodes.get());
  if (hb_set_is_empty(unicodes.get())) throw InputError("font_unusable", name + " has no Unicode character map");
  hb_face_make_immutable(face);

  file->unitsPerEm_ = hb_face_get_upem(face);
  file->familyName_ = nameString(face, HB_OT_NAME_ID_FONT_FAMILY);
  if (file->familyName_.empty()) file->familyName_ = name;
  file->postScriptName_ = postScriptNameOf(face, file->familyName_);

  file->font_.reset(hb_font_create(face));
  hb_font_t* font = file->font();
  const int scale = static_cast<int>(file->unitsPerEm_);
  hb_font_set_scale(font, scale, scale);  // positions in font units

  Metrics& m = file->metrics_;
  hb_position_t value = 0;
  hb_ot_metrics_get_position_with_fallback(font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER, &value);
  m.ascender = value;
  hb_ot_metrics_get_position_with_fallback(font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER, &value);
  m.descender = value;
  hb_ot_metrics_get_position_with_fallback(font, HB_OT_METRICS_TAG_CAP_HEIGHT, &value);
  m.capHeight = value;
  m.italicAngle = static_cast<double>(hb_style_get_value(font, HB_STYLE_TAG_SLANT_ANGLE));
  m.weight = static_cast<double>(hb_style_get_value(font, HB_STYLE_TAG_WEIGHT));
  // The bounding box of all glyphs, and whether all advances agree.
  bool boxed = false;
  hb_position_t commonAdvance = 0;
  m.fixedPitch = true;
  const unsigned int glyphCount = hb_face_get_glyph_count(face);
  for (hb_codepoint_t glyph = 0; glyph < glyphCount; ++glyph) {
    if (const hb_position_t advance = hb_font_get_glyph_h_advance(font, glyph); advance != 0) {
      if (commonAdvance == 0) commonAdvance = advance;
      if (advance != commonAdvance) m.fixedPitch = false;
    }
    hb_glyph_extents_t e{};
    if (!hb_font_get_glyph_extents(font, glyph, &e) || e.width == 0 || e.height == 0) continue;
    const int left = std::min(e.x_bearing, e.x_bearing + e.width);
    const int right = std::max(e.x_bearing, e.x_bearing + e.width);
    const int bottom = std::min(e.y_bearing, e.y_bearing + e.height);  // height is negative for y-up
    const int top = std::max(e.y_bearing, e.y_bearing + e.height);
    m.xMin = boxed ? std::min(m.xMin, left) : left;
    m.xMax = boxed ? std::max(m.xMax, right) : right;
    m.yMin = boxed ? std::min(m.yMin, bottom) : bottom;
    m.yMax = boxed ? std::max(m.yMax, top) : top;
    boxed = true;
  }
  hb_font_make_immutable(font);
  return file;
}

EmbeddedFont::EmbeddedFont(std::shared_ptr<const FontFile> file) : file_(std::move(file)) {
  if (!file_) throw InternalError("EmbeddedFont needs a font file");
}

EmbeddedFont::Run EmbeddedFont::show(std::string_view utf8, double size) {
  const ShapedText shaped = shape(*file_, utf8);

  // Each cluster's text goes to its first glyph (§9.10.2: one code may stand for several
  // characters, as a ligature does); a cluster ends where the next higher one starts. Worked on a
  // copy: nothing is recorded unless the whole text can be shown.
  std::vector<std::uint32_t> starts;
  for (const ShapedGlyph& g : shaped.glyphs) starts.push_back(g.cluster);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  std::map<std::uint32_t, GlyphText> texts = text_;
  std::set<std::uint32_t> clustersSeen;
  for (const ShapedGlyph& g : shaped.glyphs) {
    if (!clustersSeen.insert(g.cluster).second) continue;  // a later glyph of the cluster
    const auto next = std::upper_bound(starts.begin(), starts.end(), g.cluster);
    const std::size_t end = next == starts.end() ? shaped.text.size() : *next;
    GlyphText text{composeCanonically(shaped.text.data() + g.cluster, shaped.text.data() + end), false};
    if (utf16Units(text.text) > kMaxClusterUtf16Units) {
      throw InputError("invalid_text", "the text has a character with too many combining marks");
    }
    hb_codepoint_t own = 0;
    text.ownCharacter = text.text.size() == 1 &&
                        hb_font_get_nominal_glyph(file_->font(), static_cast<hb_codepoint_t>(text.text[0]), &own) &&
                        own == g.glyph;
    auto [it, inserted] = texts.try_emplace(g.glyph, text);
    if (!inserted && !it->second.ownCharacter && text.ownCharacter) it->second = std::move(text);
  }

  Layout placed = layout(*file_, shaped, size);
  Run result{std::move(placed.operators), static_cast<double>(placed.advance) * size / 1000};
  text_ = std::move(texts);
  for (const ShapedGlyph& g : shaped.glyphs) glyphs_.insert(g.glyph);
  return result;
}

double EmbeddedFont::measure(std::string_view utf8, double size) const {
  return static_cast<double>(layout(*file_, shape(*file_, utf8), size).advance) * size / 1000;
}

double EmbeddedFont::ascent(double size) const {
  return file_->metrics().ascender * size / file_->unitsPerEm();
}

double EmbeddedFont::descent(double size) const {
  return file_->metrics().descender * size / file_->unitsPerEm();
}

PoDoFo::PdfReference EmbeddedFont::write(ObjectSink& sink) const {
  const FontFile& file = *file_;
  const FontFile::Metrics& m = file.metrics();
  std::set<std::uint32_t> kept = glyphs_;
  kept.insert(0);  // .notdef is always in a TrueType font
  const Subset subset = subsetFont(file, kept);
  const PdfName baseFont(subsetTag(file.postScriptName(), kept) + "+" + file.postScriptName());

  const PdfReference type0Ref = sink.allocate();
  const PdfReference cidFontRef = sink.allocate();
  const PdfReference descriptorRef = sink.allocate();
  const PdfReference programRef = sink.allocate();
  const PdfReference cidSetRef = sink.allocate();
  const PdfReference toUnicodeRef = sink.allocate();

  // The font program (§9.9, table 127): /Length1 is its decoded length.
  PdfDictionary program = flateStream();
  program.AddKey("Length1", integer(static_cast<long long>(subset.program.size())));
  sink.addStream(programRef, program, deflate(subset.program, FlateLevel::Smallest));
  // §9.8.3.1: the glyphs present in the subset (PDF/A-1 requires it for subset CIDFonts).
  sink.addStream(cidSetRef, flateStream(), deflate(subset.cidSet, FlateLevel::Smallest));

  // The font descriptor (§9.8, tables 122 and 124), in 1/1000 em. Flags: Symbolic, because the
  // glyphs go beyond the standard Latin character set; HarfBuzz does not expose the OS/2 family
  // class, and Serif only matters to a reader substituting a font, which an embedded one is not.
  int flags = kFlagSymbolic;
  if (m.fixedPitch) flags |= kFlagFixedPitch;
  if (m.italicAngle != 0) flags |= kFlagItalic;
  PdfArray bbox;
  bbox.push_back(integer(std::lround(std::floor(m.xMin * 1000.0 / file.unitsPerEm()))));
  bbox.push_back(integer(std::lround(std::floor(m.yMin * 1000.0 / file.unitsPerEm()))));
  bbox.push_back(integer(std::lround(std::ceil(m.xMax * 1000.0 / file.unitsPerEm()))));
  bbox.push_back(integer(std::lround(std::ceil(m.yMax * 1000.0 / file.unitsPerEm()))));
  PdfDictionary descriptor;
  descriptor.AddKey("Type", PdfName("FontDescriptor"));
  descriptor.AddKey("FontName", baseFont);
  descriptor.AddKey("Flags", integer(flags));
  descriptor.AddKey("FontBBox", bbox);
  const double italicAngle = std::round(m.italicAngle * 10) / 10;
  descriptor.AddKey("ItalicAngle", italicAngle == std::round(italicAngle) ? integer(std::lround(italicAngle))
                                                                          : PdfVariant(italicAngle));
  descriptor.AddKey("Ascent", integer(thousandths(file, m.ascender)));
  descriptor.AddKey("Descent", integer(thousandths(file, m.descender)));
  descriptor.AddKey("CapHeight", integer(thousandths(file, m.capHeight)));
  // TrueType fonts do not record a stem width: a common estimate from the OS/2 weight class
  // (400 → 88, 700 → 166). Readers use it only when they substitute a font.
  descriptor.AddKey("StemV", integer(std::lround(50 + (m.weight / 65) * (m.weight / 65))));
  descriptor.AddKey("FontFile2", programRef);
  descriptor.AddKey("CIDSet", cidSetRef);
  sink.add(descriptorRef, descriptor);

  // Widths of the glyphs shown (§9.7.4.3), as runs of consecutive CIDs: [c [w1 w2 …] …].
  PdfArray widths;
  for (auto it = glyphs_.begin(); it != glyphs_.end();) {
    PdfArray run;
    const std::uint32_t first = *it;
    std::uint32_t expected = first;
    for (; it != glyphs_.end() && *it == expected; ++it, ++expected) run.push_back(integer(pdfWidth(file, *it)));
    widths.push_back(integer(first));
    widths.push_back(run);
  }
  PdfDictionary systemInfo;
  systemInfo.AddKey("Registry", PdfString("Adobe"));
  systemInfo.AddKey("Ordering", PdfString("Identity"));
  systemInfo.AddKey("Supplement", integer(0));
  // The CIDFont (§9.7.4, table 117).
  PdfDictionary cidFont;
  cidFont.AddKey("Type", PdfName("Font"));
  cidFont.AddKey("Subtype", PdfName("CIDFontType2"));
  cidFont.AddKey("BaseFont", baseFont);
  cidFont.AddKey("CIDSystemInfo", systemInfo);
  cidFont.AddKey("FontDescriptor", descriptorRef);
  cidFont.AddKey("DW", integer(1000));  // the default; every CID shown is in /W
  cidFont.AddKey("W", widths);
  cidFont.AddKey("CIDToGIDMap", PdfName("Identity"));
  sink.add(cidFontRef, cidFont);

  std::vector<std::pair<std::uint32_t, std::u32string>> entries;
  for (const auto& [glyph, text] : text_) entries.emplace_back(glyph, text.text);
  sink.addStream(toUnicodeRef, flateStream(), deflate(toUnicodeCMap(entries), FlateLevel::Smallest));

  // The Type 0 font (§9.7.6.1, table 121): Identity-H makes each 2-byte code a CID, here a glyph id.
  PdfArray descendants;
  descendants.push_back(cidFontRef);
  PdfDictionary type0;
  type0.AddKey("Type", PdfName("Font"));
  type0.AddKey("Subtype", PdfName("Type0"));
  type0.AddKey("BaseFont", baseFont);
  type0.AddKey("Encoding", PdfName("Identity-H"));
  type0.AddKey("DescendantFonts", descendants);
  type0.AddKey("ToUnicode", toUnicodeRef);
  sink.add(type0Ref, type0);
  return type0Ref;
}

}  // namespace kyso::signer::detail
