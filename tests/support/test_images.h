// Images for tests, made and read by tools rather than stored: PNGs written by libpng's own writer
// (every colour type, bit depth, pHYs, tRNS, interlacing), and pages rendered by poppler's
// pdftoppm, read back as pixels.
#pragma once

#include <png.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kyso::test {

struct PngSpec {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int colorType = PNG_COLOR_TYPE_RGB;
  int bitDepth = 8;
  bool interlaced = false;
  std::vector<png_color> palette;
  std::vector<png_byte> paletteAlpha;              // tRNS of a palette image
  std::optional<png_color_16> transparent;         // tRNS of a grey or RGB image
  std::optional<std::array<png_uint_32, 3>> phys;  // x, y, unit
  std::string rows;                                // as PNG stores them: packed, 16-bit big-endian
};

PngSpec newPngSpec(std::uint32_t width, std::uint32_t height, int colorType, int bitDepth = 8, bool interlaced = false);
// The PNG file; an ADD_FAILURE and "" when the rows do not match the header.
std::string writePng(const PngSpec& spec);

using SampleFn = std::function<unsigned(std::uint32_t x, std::uint32_t y, unsigned channel)>;
// 8-bit interleaved samples, rows top to bottom.
std::string makeSamples(std::uint32_t width, std::uint32_t height, unsigned channels, const SampleFn& sample);
// 16-bit interleaved samples, big-endian as PNG stores them.
std::string makeSamples16(std::uint32_t width, std::uint32_t height, unsigned channels, const SampleFn& sample);
// One channel of values below 8 bits (`bitDepth` 1, 2 or 4) packed as PNG does: leftmost pixel in
// the high bits, each row byte-aligned.
std::string packRows(std::uint32_t width, std::uint32_t height, int bitDepth, const SampleFn& value);

// An 8-bit RGBA PNG at `dpi` (pHYs), pixels from `rgba(x, y)`.
std::string rgbaPng(std::uint32_t width, std::uint32_t height, double dpi,
                    const std::function<std::array<unsigned, 4>(std::uint32_t, std::uint32_t)>& rgba);

struct Rgb {
  int r = 0, g = 0, b = 0;
};
// A binary PPM (P6) as pdftoppm writes it.
struct Ppm {
  int width = 0;
  int height = 0;
  std::string samples;
  Rgb at(int x, int y) const;
};
Ppm parsePpm(const std::string& bytes);
// Page `page` (from 1) of `pdf` as displayed (crop box, rotation) rendered by pdftoppm at `dpi`;
// fails the test if pdftoppm does. Sizes round up: 595.28 pt is 596 px at 72 dpi.
Ppm renderPage(const std::filesystem::path& pdf, int page, int dpi);

// Colours as the visible-signature tests read them from a rendered page.
bool red(Rgb c);
bool blue(Rgb c);
bool dark(Rgb c);

// Pixel bounds (inclusive) of the pixels `match` accepts inside [x0, x1) × [y0, y1), and how many.
struct Found {
  int left = 1 << 30, top = 1 << 30, right = -1, bottom = -1;
  int count = 0;
};
Found find(const Ppm& ppm, const std::function<bool(Rgb)>& match, int x0 = 0, int y0 = 0, int x1 = -1, int y1 = -1);

// A seal: red ring and centre disc on transparent ground, 236 px at 300 dpi = 20 mm = 56.64 pt.
std::string sealPng();
// A handwritten signature: a thick blue wave on transparent ground, 300 × 90 px at 150 dpi.
std::string signaturePng();

}  // namespace kyso::test
