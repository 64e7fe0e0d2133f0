// PNG images for visible signature appearances (Decree 30/2020: the organisation's red seal, the
// officer's handwritten-signature image), decoded from untrusted uploads by libpng and written as
// PDF image XObjects whose transparency becomes a soft mask (ISO 32000-1 §8.9.5, §11.6.5.3).
// libpng stays out of this header.
#pragma once

#include <podofo/podofo.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "kyso/pki/bytes.h"
#include "object_sink.h"

namespace kyso::signer::detail {

// What decodePng accepts. Checked from the header, before any pixel memory is allocated.
struct PngLimits {
  std::uint32_t maxWidth = 4096;
  std::uint32_t maxHeight = 4096;
  std::uint64_t maxPixels = std::uint64_t{16} << 20;  // 16 Mi: a 4096 x 4096 image
};

// A decoded image: 8-bit samples, rows top to bottom, no padding.
struct RasterImage {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  bool gray = false;   // DeviceGray (1 sample per pixel) or DeviceRGB (3)
  std::string pixels;  // width * height * (gray ? 1 : 3) bytes
  std::string alpha;   // width * height bytes (255 = opaque); empty when every pixel is opaque
  // Resolution from pHYs when its unit is the metre and the value is plausible (10 to 10 000 dpi);
  // both set or neither.
  std::optional<double> dpiX;
  std::optional<double> dpiY;

  // Size in PDF points (1/72 in) at the image's own resolution, or at `fallbackDpi` (> 0) without
  // one: a seal scanned at 300 dpi, 472 px wide, is 113.28 pt (40 mm).
  std::pair<double, double> naturalSize(double fallbackDpi) const;
};

// Decodes a PNG of any colour type (grey, grey+alpha, RGB, RGBA, palette with or without tRNS),
// bit depth (1 to 16; 16-bit samples are scaled to 8) and interlacing. Grey images stay grey;
// tRNS becomes alpha; an alpha channel that is 255 everywhere is dropped. Colour-management
// chunks (gAMA, cHRM, sRGB, iCCP) and text are ignored: samples are taken as they are.
//
// Throws InputError("invalid_image") for empty input, anything that is not a complete and valid
// PNG (truncated, a bad CRC in any chunk, an unknown critical chunk, data after IEND), and images
// over `limits`.
RasterImage decodePng(ByteView png, const PngLimits& limits = {});

// Writes `image` through `sink` as an image XObject (ISO 32000-1 §8.9.5, table 89): /Width /Height
// /ColorSpace /DeviceGray or /DeviceRGB, /BitsPerComponent 8, /FlateDecode; with alpha, also an
// /SMask — a DeviceGray image of the alpha (§11.6.5.3). Returns the image's reference. The same
// image gives the same bytes (zlib at a fixed level).
PoDoFo::PdfReference writeImage(const RasterImage& image, ObjectSink& sink);

}  // namespace kyso::signer::detail
