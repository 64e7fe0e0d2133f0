#include "png_image.h"

#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <random>
#include <regex>

#include "incremental_update.h"
#include "kyso/error.h"
#include "pdf_builder.h"
#include "recording_sink.h"
#include "test_images.h"
#include "test_support.h"

namespace kyso::signer::detail {
namespace {

using test::inflate;
using test::makeSamples;
using test::makeSamples16;
using test::newPngSpec;
using test::packRows;
using test::PngSpec;
using test::Ppm;
using test::RecordingSink;
using test::Rgb;
using test::SampleFn;
using test::writePng;

// ---- PNGs made by libpng's writer (test::writePng): the test data, no binary fixtures ----

// Channels [first, first + count) of each pixel of interleaved 8-bit samples.
std::string pick(const std::string& samples, unsigned channels, unsigned first, unsigned count) {
  std::string out;
  for (std::size_t i = 0; i + channels <= samples.size(); i += channels) out += samples.substr(i + first, count);
  return out;
}

unsigned pattern(std::uint32_t x, std::uint32_t y, unsigned c) {
  return (x * 37 + y * 91 + c * 71 + (x * y) % 13) & 0xff;
}

// An alpha that takes every value, 0 and 255 included.
unsigned varyingAlpha(std::uint32_t x, std::uint32_t y) {
  return (x * 29 + y * 7) & 0xff;
}

PngSpec rgbaSpec(std::uint32_t width, std::uint32_t height, bool interlaced = false) {
  PngSpec spec = newPngSpec(width, height, PNG_COLOR_TYPE_RGBA, 8, interlaced);
  spec.rows = makeSamples(width, height, 4,
                          [](auto x, auto y, unsigned c) { return c == 3 ? varyingAlpha(x, y) : pattern(x, y, c); });
  return spec;
}

// The error decodePng gives: its message, or "accepted". Other exception types fail the test.
std::string refusal(const std::string& png, const PngLimits& limits = {}) {
  try {
    decodePng(asBytes(png), limits);
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "invalid_image");
    EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
    return e.what();
  }
  return "accepted";
}

// ---- Chunk surgery for malformed inputs (test side only) ----

constexpr std::size_t kIhdrData = 16;  // signature (8), length (4), "IHDR" (4)
constexpr std::size_t kIhdrCrc = kIhdrData + 13;
constexpr std::size_t kAfterIhdr = kIhdrCrc + 4;

void putBe32(std::string& s, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + static_cast<std::size_t>(i)] = static_cast<char>(v >> (24 - 8 * i));
}

std::uint32_t crcOf(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

std::string chunk(std::string_view type, std::string_view data) {
  std::string out(4, '\0');
  putBe32(out, 0, static_cast<std::uint32_t>(data.size()));
  out += type;
  out += data;
  out += std::string(4, '\0');
  putBe32(out, out.size() - 4, crcOf(std::string_view(out).substr(4, 4 + data.size())));
  return out;
}

// The PNG with IHDR claiming another size, its CRC made right again.
std::string withClaimedSize(std::string png, std::uint32_t width, std::uint32_t height) {
  putBe32(png, kIhdrData, width);
  putBe32(png, kIhdrData + 4, height);
  putBe32(png, kIhdrCrc, crcOf(std::string_view(png).substr(12, 17)));
  return png;
}

// ---- Decoding ----

TEST(PngDecode, RgbaRoundTripsWithItsAlpha) {
  const PngSpec spec = rgbaSpec(23, 17);
  const RasterImage image = decodePng(asBytes(writePng(spec)));
  EXPECT_EQ(image.width, 23u);
  EXPECT_EQ(image.height, 17u);
  EXPECT_FALSE(image.gray);
  EXPECT_EQ(image.pixels, pick(spec.rows, 4, 0, 3));
  EXPECT_EQ(image.alpha, pick(spec.rows, 4, 3, 1));
  EXPECT_FALSE(image.dpiX);
  EXPECT_FALSE(image.dpiY);
}

TEST(PngDecode, OpaqueAlphaChannelIsDropped) {
  PngSpec spec = newPngSpec(9, 5, PNG_COLOR_TYPE_RGBA);
  spec.rows = makeSamples(9, 5, 4, [](auto x, auto y, unsigned c) { return c == 3 ? 255 : pattern(x, y, c); });
  const RasterImage image = decodePng(asBytes(writePng(spec)));
  EXPECT_FALSE(image.gray);
  EXPECT_EQ(image.pixels, pick(spec.rows, 4, 0, 3));
  EXPECT_TRUE(image.alpha.empty());
}

TEST(PngDecode, RgbHasNoAlpha) {
  PngSpec spec = newPngSpec(11, 7, PNG_COLOR_TYPE_RGB);
  spec.rows = makeSamples(11, 7, 3, pattern);
  const RasterImage image = decodePng(asBytes(writePng(spec)));
  EXPECT_FALSE(image.gray);
  EXPECT_EQ(image.pixels, spec.rows);
  EXPECT_TRUE(image.alpha.empty());
}

TEST(PngDecode, GrayStaysGray) {
  PngSpec spec = newPngSpec(13, 6, PNG_COLOR_TYPE_GRAY);
  spec.rows = makeSamples(13, 6, 1, pattern);
  const RasterImage image = decodePng(asBytes(writePng(spec)));
  EXPECT_TRUE(image.gray);
  EXPECT_EQ(image.pixels, spec.rows);
  EXPECT_TRUE(image.alpha.empty());
}

TEST(PngDecode, GrayAlphaStaysGrayWithItsAlpha) {
  PngSpec spec = newPngSpec(10, 10, PNG_COLOR_TYPE_GRAY_ALPHA);
  spec.rows =
      makeSamples(10, 10, 2, [](auto x, auto y, unsigned c) { return c == 1 ? varyingAlpha(x, y) : pattern(x, y, c); });
  const RasterImage image = decodePng(asBytes(writePng(spec)));
  EXPECT_TRUE(image.gray);
  EXPECT_EQ(image.pixels, pick(spec.rows, 2, 0, 1));
  EXPECT_EQ(image.alpha, pick(spec.rows, 2, 1, 1));
}

TEST(PngDecode, OneBitGrayExpandsToBlackAndWhite) {
  PngSpec spec = newPngSpec(19, 3, PNG_COLOR_TYPE_GRAY, 1);
  const SampleFn bit = [](auto x, auto y, unsigned) { return (x + y) % 3 == 0 ? 1u : 0u; };
  spec.rows = packRows(19, 3, 1, bit);
  const RasterImage image = decodePng(asBytes(writePng(spec)));
  EXPECT_TRUE(image.gray);
  EXPECT_EQ(image.pixels, makeSamples(19, 3, 1, [&](auto x, auto y, unsigned) { return bit(x, y, 0) * 255; }));
}

std::vector<png_color> testPalette(int entries) {
  std::vector<png_color> palette;
  for (int i = 0; i < entries; ++i) {
    palette.push_back(png_color{static_cast<png_byte>(i * 16 + 5), static_cast<png_byte>(255 - i * 9),
                                static_cast<png_byte>((i * 77) & 0xff)});
  }
  return palette;
}

TEST(PngDecode, FourBitPaletteBecomesRgb) {
  PngSpec spec = newPngSpec(15, 4, PNG_COLOR_TYPE_PALETTE, 4);
  spec.palette = testPalette(16);
  const SampleFn index = [](auto x, auto y, unsigned) { return (x * 3 + y) % 16; };
  spec.rows = packRows(15, 4, 4, index);
  const RasterImage image = decodePng(asBytes(writePng(spec)));
  EXPECT_FALSE(image.gray);
  EXPECT_TRUE(image.alpha.empty());
  EXPECT_EQ(image.pixels, makeSamples(15, 4, 3, [&](auto x, auto y, unsigned c) {
              const png_color& colour = spec.palette[index(x, y, 0)];
              return c == 0 ? colour.red : c == 1 ? colour.green : colour.blue;
            }));
}

TEST(PngDecode, PaletteTransparencyBecomesAlpha) {
  PngSpec spec = newPngSpec(12, 12, PNG_COLOR_TYPE_PALETTE);
  spec.palette = testPalette(10);
  spec.paletteAlpha = {0, 128, 200};  // entries 3 to 9 are opaque (PNG §11.3.2.1)
  const SampleFn index = [](auto x, auto y, unsigned) { return (x + 2 * y) % 10; };
  spec.rows = makeSamples(12, 12, 1, index);
  const RasterImage image = decodePng(asBytes(writePng(spec)));
  EXPECT_FALSE(image.gray);
  EXPECT_EQ(image.pixels, makeSamples(12, 12, 3, [&](auto x, auto y, unsigned c) {
              const png_color& colour = spec.palette[index(x, y, 0)];
              return c == 0 ? colour.red : c == 1 ? colour.green : colour.blue;
            }));
  EXPECT_EQ(image.alpha, makeSamples(12, 12, 1, [&](auto x, auto y, unsigned) {
              const unsigned i = index(x, y, 0);
              return i < spec.paletteAlpha.size() ? spec.paletteAlpha[i] : 255u;
            }));

  // A tRNS that makes nothing transparent leaves no alpha.
  spec.paletteAlpha = {255, 255};
  EXPECT_TRUE(decodePng(asBytes(writePng(spec))).alpha.empty());
}

TEST(PngDecode, GrayTransparentColourBecomesAlphaAndStaysGray) {
  PngSpec spec = newPngSpec(8, 8, PNG_COLOR_TYPE_GRAY);
  spec.transparent = png_color_16{0, 0, 0, 0, 40};  // index, red, green, blue, gray
  const SampleFn sample = [](auto x, auto y, unsigned) { return (x + y) % 4 == 0 ? 40u : pattern(x, y, 0) | 1u; };
  spec.rows = makeSamples(8, 8, 1, sample);
  const RasterImage image = decodePng(asBytes(writePng(spec)));
  EXPECT_TRUE(image.gray);
  EXPECT_EQ(image.pixels, spec.rows);
  EXPECT_EQ(image.alpha,
            makeSamples(8, 8, 1, [&](auto x, auto y, unsigned) { return sample(x, y, 0) == 40 ? 0u : 255u; }));
}

TEST(PngDecode, RgbTransparentColourBecomesAlpha) {
  PngSpec spec = newPngSpec(8, 8, PNG_COLOR_TYPE_RGB);
  spec.transparent = png_color_16{0, 255, 255, 255, 0};
  const SampleFn sample = [](auto x, auto y, unsigned c) { return x < 3 ? 255u : c == 0 ? 200u : pattern(x, y, c); };
  spec.rows = makeSamples(8, 8, 3, sample);
  const RasterImage image = decodePng(asBytes(writePng(spec)));
  EXPECT_FALSE(image.gray);
  EXPECT_EQ(image.pixels, spec.rows);
  EXPECT_EQ(image.alpha, makeSamples(8, 8, 1, [](auto x, auto, unsigned) { return x < 3 ? 0u : 255u; }));
}

// libpng's png_set_scale_16 rounds: v * 255 / 65535 to the nearest integer.
unsigned scaled(unsigned v) {
  return static_cast<unsigned>(std::lround(v * 255.0 / 65535.0));
}
unsigned sample16(std::uint32_t x, std::uint32_t y, unsigned c) {
  return (x * 4099 + y * 13001 + c * 977) & 0xffff;
}

TEST(PngDecode, SixteenBitSamplesAreScaledToEight) {
  PngSpec spec = newPngSpec(21, 9, PNG_COLOR_TYPE_RGBA, 16);
  spec.rows = makeSamples16(21, 9, 4, sample16);
  const RasterImage image = decodePng(asBytes(writePng(spec)));
  EXPECT_FALSE(image.gray);
  const std::string expected =
      makeSamples(21, 9, 4, [](auto x, auto y, unsigned c) { return scaled(sample16(x, y, c)); });
  EXPECT_EQ(image.pixels, pick(expected, 4, 0, 3));
  EXPECT_EQ(image.alpha, pick(expected, 4, 3, 1));

  PngSpec gray = newPngSpec(21, 9, PNG_COLOR_TYPE_GRAY, 16);
  gray.rows = makeSamples16(21, 9, 1, sample16);
  const RasterImage grayImage = decodePng(asBytes(writePng(gray)));
  EXPECT_TRUE(grayImage.gray);
  EXPECT_EQ(grayImage.pixels,
            makeSamples(21, 9, 1, [](auto x, auto y, unsigned c) { return scaled(sample16(x, y, c)); }));
}

TEST(PngDecode, InterlacedGivesTheSamePixels) {
  // 37 x 29: the Adam7 passes do not divide it evenly.
  const PngSpec plain = rgbaSpec(37, 29);
  const PngSpec interlaced = rgbaSpec(37, 29, true);
  const std::string interlacedPng = writePng(interlaced);
  ASSERT_NE(interlacedPng, writePng(plain));
  const RasterImage a = decodePng(asBytes(writePng(plain)));
  const RasterImage b = decodePng(asBytes(interlacedPng));
  EXPECT_EQ(b.pixels, pick(plain.rows, 4, 0, 3));
  EXPECT_EQ(b.pixels, a.pixels);
  EXPECT_EQ(b.alpha, a.alpha);

  PngSpec gray16 = newPngSpec(37, 29, PNG_COLOR_TYPE_GRAY, 16, true);
  gray16.rows = makeSamples16(37, 29, 1, sample16);
  EXPECT_EQ(decodePng(asBytes(writePng(gray16))).pixels,
            makeSamples(37, 29, 1, [](auto x, auto y, unsigned c) { return scaled(sample16(x, y, c)); }));
}

TEST(PngDecode, OtherAncillaryChunksDoNotChangeThePixels) {
  PngSpec spec = newPngSpec(4, 4, PNG_COLOR_TYPE_RGB);
  spec.rows = makeSamples(4, 4, 3, pattern);
  std::string png = writePng(spec);
  png.insert(kAfterIhdr, chunk("tEXt", std::string("Comment\0seal", 12)) +
                             chunk("gAMA", std::string("\0\0\xB1\x8F", 4)) + chunk("prVt", "private ancillary data"));
  const RasterImage image = decodePng(asBytes(png));
  EXPECT_EQ(image.pixels, spec.rows);
}

// ---- Resolution ----

PngSpec sealSpec(std::uint32_t width, std::uint32_t height, std::optional<std::array<png_uint_32, 3>> phys) {
  PngSpec spec = newPngSpec(width, height, PNG_COLOR_TYPE_GRAY);
  spec.rows = std::string(std::size_t{width} * height, '\x80');
  spec.phys = phys;
  return spec;
}

TEST(PngResolution, PhysInMetresGivesTheRealSize) {
  // 300 dpi is 11 811 px/m; a 40 mm seal scanned at 300 dpi is 472 px.
  const RasterImage image = decodePng(asBytes(writePng(sealSpec(472, 236, {{11811, 11811, PNG_RESOLUTION_METER}}))));
  ASSERT_TRUE(image.dpiX && image.dpiY);
  EXPECT_NEAR(*image.dpiX, 300.0, 0.001);
  EXPECT_NEAR(*image.dpiY, 300.0, 0.001);
  const auto [width, height] = image.naturalSize(96);
  EXPECT_NEAR(width, 113.28, 0.01);
  EXPECT_NEAR(height, 56.64, 0.01);
  EXPECT_NEAR(width / 72 * 25.4, 40.0, 0.05);  // millimetres
}

TEST(PngResolution, EachAxisHasItsOwnResolution) {
  const RasterImage image = decodePng(asBytes(writePng(sealSpec(200, 100, {{3937, 7874, PNG_RESOLUTION_METER}}))));
  const auto [width, height] = image.naturalSize(72);
  EXPECT_NEAR(width, 200 * 72 / 99.9998, 0.01);    // 100 dpi
  EXPECT_NEAR(height, 100 * 72 / 199.9996, 0.01);  // 200 dpi
}

TEST(PngResolution, WithoutUsablePhysTheFallbackApplies) {
  for (const auto& phys : std::vector<std::optional<std::array<png_uint_32, 3>>>{
           std::nullopt, std::array<png_uint_32, 3>{11811, 11811, PNG_RESOLUTION_UNKNOWN},  // an aspect ratio only
           std::array<png_uint_32, 3>{1, 1, PNG_RESOLUTION_METER},  // "square pixels", not 0.03 dpi
           std::array<png_uint_32, 3>{11811, 0, PNG_RESOLUTION_METER},
           std::array<png_uint_32, 3>{400'000, 400'000, PNG_RESOLUTION_METER},  // over 10 000 dpi
       }) {
    const RasterImage image = decodePng(asBytes(writePng(sealSpec(192, 96, phys))));
    EXPECT_FALSE(image.dpiX);
    EXPECT_FALSE(image.dpiY);
    const auto [width, height] = image.naturalSize(96);
    EXPECT_DOUBLE_EQ(width, 144.0);
    EXPECT_DOUBLE_EQ(height, 72.0);
  }
  EXPECT_THROW(RasterImage{}.naturalSize(0), InternalError);
}

// ---- Limits ----

TEST(PngLimits, SizeIsCheckedAgainstEachLimit) {
  const std::string png = writePng(sealSpec(40, 30, std::nullopt));
  EXPECT_EQ(refusal(png, {.maxWidth = 40, .maxHeight = 30, .maxPixels = 1200}), "accepted");
  EXPECT_EQ(refusal(png, {.maxWidth = 39, .maxHeight = 30, .maxPixels = 1200}),
            "the image is 40x30 pixels; at most 39x30 and 1200 pixels are accepted");
  EXPECT_NE(refusal(png, {.maxWidth = 40, .maxHeight = 29, .maxPixels = 1200}), "accepted");
  EXPECT_NE(refusal(png, {.maxWidth = 40, .maxHeight = 30, .maxPixels = 1199}), "accepted");
}

TEST(PngLimits, DefaultsAre4096By4096) {
  const std::string png = writePng(rgbaSpec(4, 4));
  EXPECT_NE(refusal(withClaimedSize(png, 4097, 1)).find("is 4097x1 pixels; at most 4096x4096"), std::string::npos);
  EXPECT_NE(refusal(withClaimedSize(png, 1, 4097)).find("is 1x4097 pixels"), std::string::npos);
}

TEST(PngLimits, HugeClaimsAreRefusedBeforeAllocating) {
  const std::string png = writePng(rgbaSpec(4, 4));
  // Over PNG's own 2^31 - 1 and libpng's 10^6 limit: libpng refuses the header.
  EXPECT_NE(refusal(withClaimedSize(png, 0x7fffffff, 0x7fffffff)).find("is not a valid PNG file"), std::string::npos);
  EXPECT_NE(refusal(withClaimedSize(png, 100'000, 100'000)).find("is 100000x100000 pixels"), std::string::npos);
  // Within the limits but more than ~100 bytes could hold: refused without allocating 64 MiB (or,
  // with generous limits, 40 GB — which would abort the test if it were attempted).
  EXPECT_NE(refusal(withClaimedSize(png, 4096, 4096)).find("too little image data for 4096x4096 pixels"),
            std::string::npos);
  const PngLimits generous{.maxWidth = 1'000'000, .maxHeight = 1'000'000, .maxPixels = std::uint64_t{1} << 40};
  EXPECT_NE(refusal(withClaimedSize(png, 100'000, 100'000), generous).find("too little image data"), std::string::npos);
}

TEST(PngLimits, HighlyCompressibleImagesAreNotMistakenForLies) {
  // 4 MB of zeros deflate to about 4 KB: close to deflate's 1032:1 bound, yet within it.
  PngSpec spec = newPngSpec(2000, 2000, PNG_COLOR_TYPE_GRAY);
  spec.rows = std::string(4'000'000, '\0');
  const std::string png = writePng(spec);
  EXPECT_LT(png.size(), 8000u);
  const RasterImage image = decodePng(asBytes(png));
  EXPECT_EQ(image.pixels, spec.rows);
}

// ---- Malformed input ----

PngSpec smallSpecWithAncillaryChunks() {
  PngSpec spec = newPngSpec(6, 5, PNG_COLOR_TYPE_RGB);
  spec.rows = makeSamples(6, 5, 3, pattern);
  spec.transparent = png_color_16{0, 1, 2, 3, 0};
  spec.phys = {{11811, 11811, PNG_RESOLUTION_METER}};
  return spec;
}

TEST(PngMalformed, EmptyAndForeignBytesAreRefused) {
  EXPECT_EQ(refusal(""), "the image is empty");
  EXPECT_EQ(refusal(std::string("GIF89a\x01\x00\x01\x00", 10)), "the image is not a PNG file");
  EXPECT_EQ(refusal("\x89PNG"), "the image is not a PNG file");
  std::mt19937 random(20200308);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(random() & 0xff);
  EXPECT_EQ(refusal(noise), "the image is not a PNG file");
  // A PNG signature followed by noise.
  const std::string signature = writePng(smallSpecWithAncillaryChunks()).substr(0, 8);
  EXPECT_NE(refusal(signature + noise).find("is not a valid PNG file ("), std::string::npos);
  EXPECT_NE(refusal(signature).find("truncated"), std::string::npos);
}

TEST(PngMalformed, EveryTruncationIsRefused) {
  const std::string png = writePng(smallSpecWithAncillaryChunks());
  ASSERT_EQ(refusal(png), "accepted");
  for (std::size_t length = 0; length < png.size(); ++length) {
    EXPECT_NE(refusal(png.substr(0, length)), "accepted") << "truncated to " << length << " of " << png.size();
  }
}

TEST(PngMalformed, EveryCorruptedByteIsRefused) {
  // CRCs cover every chunk, ancillary ones included (libpng's default would only warn for those).
  const std::string png = writePng(smallSpecWithAncillaryChunks());
  ASSERT_NE(png.find("pHYs"), std::string::npos);
  ASSERT_NE(png.find("tRNS"), std::string::npos);
  for (std::size_t at = 0; at < png.size(); ++at) {
    std::string damaged = png;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    EXPECT_NE(refusal(damaged), "accepted") << "byte " << at << " of " << png.size();
  }
  // The message says what libpng found.
  std::string badCrc = png;
  const std::size_t physCrc = png.find("pHYs") + 4 + 9;
  badCrc[physCrc] = static_cast<char>(badCrc[physCrc] ^ 1);
  EXPECT_EQ(refusal(badCrc), "the image is not a valid PNG file (pHYs: CRC error)");
}

TEST(PngMalformed, DataAfterIendIsRefused) {
  const std::string png = writePng(smallSpecWithAncillaryChunks());
  EXPECT_EQ(refusal(png + "\n"), "the image is not a valid PNG file (data after the IEND chunk)");
  EXPECT_EQ(refusal(png + png), "the image is not a valid PNG file (data after the IEND chunk)");
}

TEST(PngMalformed, UnknownCriticalChunkIsRefused) {
  std::string png = writePng(smallSpecWithAncillaryChunks());
  png.insert(kAfterIhdr, chunk("KYSo", "must be understood"));
  EXPECT_NE(refusal(png).find("KYSo: unhandled critical chunk"), std::string::npos);
}

TEST(PngMalformed, MissingImageDataIsRefused) {
  std::string png = writePng(smallSpecWithAncillaryChunks());
  const std::size_t idat = png.find("IDAT") - 4;
  const std::size_t iend = png.find("IEND") - 4;
  EXPECT_NE(refusal(png.erase(idat, iend - idat)), "accepted");
}

// ---- Writing ----

RasterImage raster(std::uint32_t width, std::uint32_t height, bool gray, std::string pixels, std::string alpha = {}) {
  RasterImage image;
  image.width = width;
  image.height = height;
  image.gray = gray;
  image.pixels = std::move(pixels);
  image.alpha = std::move(alpha);
  return image;
}

// The dictionary of a stream written to `sink`, as given (without /Length), as PDF text.
std::string dictionaryText(const RecordingSink& sink, const PoDoFo::PdfReference& ref) {
  return serialize(sink.stream(ref).dictionary);
}

TEST(PngWriteImage, AlphaBecomesASoftMask) {
  const RasterImage image = decodePng(asBytes(writePng(rgbaSpec(23, 17))));
  RecordingSink sink;
  const PoDoFo::PdfReference ref = writeImage(image, sink);
  ASSERT_EQ(sink.allocated(), 2u);
  const std::string dictionary = dictionaryText(sink, ref);
  std::smatch mask;
  ASSERT_TRUE(std::regex_search(dictionary, mask, std::regex(R"(/SMask (\d+) 0 R)"))) << dictionary;
  const PoDoFo::PdfReference maskRef(static_cast<std::uint32_t>(std::stoul(mask[1])), 0);
  ASSERT_NE(maskRef.ObjectNumber(), ref.ObjectNumber());
  const std::vector<std::pair<std::string, std::string>> expected{{dictionary, "/DeviceRGB"},
                                                                  {dictionaryText(sink, maskRef), "/DeviceGray"}};
  for (const auto& [text, colourSpace] : expected) {
    EXPECT_NE(text.find("/Type /XObject"), std::string::npos) << text;
    EXPECT_NE(text.find("/Subtype /Image"), std::string::npos) << text;
    EXPECT_NE(text.find("/Width 23"), std::string::npos) << text;
    EXPECT_NE(text.find("/Height 17"), std::string::npos) << text;
    EXPECT_NE(text.find("/ColorSpace " + colourSpace), std::string::npos) << text;
    EXPECT_NE(text.find("/BitsPerComponent 8"), std::string::npos) << text;
    EXPECT_NE(text.find("/Filter /FlateDecode"), std::string::npos) << text;
  }
  EXPECT_EQ(dictionaryText(sink, maskRef).find("/SMask"), std::string::npos);
  EXPECT_EQ(inflate(sink.stream(ref).data), image.pixels);
  EXPECT_EQ(inflate(sink.stream(maskRef).data), image.alpha);
}

TEST(PngWriteImage, OpaqueGrayIsOneDeviceGrayImage) {
  const RasterImage image = raster(3, 2, true, std::string("\x00\x40\x80\xc0\xff\x01", 6));
  RecordingSink sink;
  const PoDoFo::PdfReference ref = writeImage(image, sink);
  ASSERT_EQ(sink.allocated(), 1u);
  EXPECT_NE(dictionaryText(sink, ref).find("/ColorSpace /DeviceGray"), std::string::npos);
  EXPECT_EQ(dictionaryText(sink, ref).find("/SMask"), std::string::npos);
  EXPECT_EQ(inflate(sink.stream(ref).data), image.pixels);
}

TEST(PngWriteImage, SameImageGivesSameBytes) {
  const RasterImage image = decodePng(asBytes(writePng(rgbaSpec(31, 31))));
  RecordingSink a, b;
  writeImage(image, a);
  writeImage(image, b);
  EXPECT_EQ(a.allocated(), b.allocated());
  EXPECT_EQ(a.bodies(), b.bodies());
}

TEST(PngWriteImage, MismatchedSamplesAreAnInternalError) {
  RecordingSink sink;
  EXPECT_THROW(writeImage(RasterImage{}, sink), InternalError);
  EXPECT_THROW(writeImage(raster(2, 2, false, std::string(11, 'x')), sink), InternalError);
  EXPECT_THROW(writeImage(raster(2, 2, false, std::string(12, 'x'), "abc"), sink), InternalError);
  EXPECT_EQ(sink.allocated(), 0u);
}

// ---- A real reader: poppler composes the image through its soft mask ----

void expectColour(const Ppm& ppm, int x, int y, Rgb expected, const char* what) {
  const Rgb got = ppm.at(x, y);
  EXPECT_TRUE(std::abs(got.r - expected.r) <= 3 && std::abs(got.g - expected.g) <= 3 &&
              std::abs(got.b - expected.b) <= 3)
      << what << " at (" << x << ", " << y << "): got " << got.r << "," << got.g << "," << got.b << ", expected "
      << expected.r << "," << expected.g << "," << expected.b;
}

// An 80 x 80 px seal: an opaque disc of radius 30 around (40, 40), a half-transparent square in the
// top-left corner, and green everywhere else — green that only a broken soft mask would show.
PngSpec sealOnTransparent(bool gray) {
  PngSpec spec = newPngSpec(80, 80, gray ? PNG_COLOR_TYPE_GRAY_ALPHA : PNG_COLOR_TYPE_RGBA);
  const auto disc = [](std::uint32_t x, std::uint32_t y) {
    const double dx = x + 0.5 - 40, dy = y + 0.5 - 40;
    return dx * dx + dy * dy <= 30.0 * 30;
  };
  spec.rows = makeSamples(80, 80, gray ? 2 : 4, [&](auto x, auto y, unsigned c) -> unsigned {
    const bool corner = x < 15 && y < 15;
    const bool alphaChannel = c == (gray ? 1u : 3u);
    if (alphaChannel) return disc(x, y) ? 255 : corner ? 128 : 0;
    if (gray) return disc(x, y) || corner ? 0 : 180;
    if (disc(x, y) || corner) return c == 0 ? 255 : 0;  // red
    return c == 1 ? 255 : 0;                            // green
  });
  return spec;
}

// The page (100 x 100 pt): a blue background, then the image at 80 x 80 pt from (10, 10), so that
// at 72 dpi image pixel (x, y) lands on rendered pixel (10 + x, 10 + y).
std::string pageWithImage(const RasterImage& image) {
  RecordingSink sink(5);  // after the catalog, the page tree, the page and its content
  const PoDoFo::PdfReference ref = writeImage(image, sink);
  const std::string content = "0 0 1 rg 0 0 100 100 re f q 80 0 0 80 10 10 cm /Seal Do Q";
  return test::buildPdf(sink.pdfObjects({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Resources << /XObject << /Seal " +
          std::to_string(ref.ObjectNumber()) + " 0 R >> >> /Contents 4 0 R >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
  }));
}

Ppm render(const test::TempDir& dir, const std::string& pdf) {
  test::writeFile(dir / "seal.pdf", pdf);
  return test::renderPage(dir / "seal.pdf", 1, 72);
}

TEST(PngPeer, PopplerShowsTheBackgroundWhereTheImageIsTransparent) {
  test::TempDir dir;
  const std::string pdf = pageWithImage(decodePng(asBytes(writePng(sealOnTransparent(false)))));
  const Ppm ppm = render(dir, pdf);
  ASSERT_EQ(ppm.width, 100);
  ASSERT_EQ(ppm.height, 100);
  expectColour(ppm, 50, 50, {255, 0, 0}, "the disc's centre");
  expectColour(ppm, 50, 25, {255, 0, 0}, "inside the disc's top edge");
  expectColour(ppm, 10 + 75, 10 + 5, {0, 0, 255}, "a transparent corner of the image");
  expectColour(ppm, 10 + 40, 10 + 78, {0, 0, 255}, "transparent, below the disc");
  expectColour(ppm, 10 + 5, 10 + 5, {128, 0, 127}, "half-transparent red over blue");
  expectColour(ppm, 3, 3, {0, 0, 255}, "the page outside the image");

  const test::QpdfCheck check = test::qpdfCheck(dir / "seal.pdf");
  EXPECT_EQ(check.exitCode, 0);
  EXPECT_TRUE(check.warnings.empty()) << check.warnings.front();
  const auto list = test::run({"/usr/bin/pdfimages", "-list", (dir / "seal.pdf").string()});
  EXPECT_EQ(list.exitCode, 0) << list.output;
  EXPECT_TRUE(std::regex_search(list.output, std::regex(R"(\bimage\s+80\s+80\s+rgb\s+3\s+8\b)"))) << list.output;
  EXPECT_TRUE(std::regex_search(list.output, std::regex(R"(\bsmask\s+80\s+80\s+gray\s+1\s+8\b)"))) << list.output;
}

TEST(PngPeer, GrayImagesComposeThroughTheirSoftMaskToo) {
  test::TempDir dir;
  const RasterImage image = decodePng(asBytes(writePng(sealOnTransparent(true))));
  ASSERT_TRUE(image.gray);
  const Ppm ppm = render(dir, pageWithImage(image));
  expectColour(ppm, 50, 50, {0, 0, 0}, "the disc's centre");
  expectColour(ppm, 10 + 75, 10 + 5, {0, 0, 255}, "a transparent corner of the image");
  expectColour(ppm, 10 + 5, 10 + 5, {0, 0, 127}, "half-transparent black over blue");
}

}  // namespace
}  // namespace kyso::signer::detail
