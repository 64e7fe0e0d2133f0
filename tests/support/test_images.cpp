#include "test_images.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "test_support.h"

namespace kyso::test {

namespace {

[[noreturn]] void abortOnWriteError(png_structp, png_const_charp message) {
  // The writer making test data failed: a defect of the test. Nothing may be thrown through libpng.
  std::fprintf(stderr, "libpng write error in the test: %s\n", message);
  std::abort();
}

void appendToString(png_structp png, png_bytep data, std::size_t length) {
  try {
    static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), length);
  } catch (...) {
    std::abort();
  }
}

}  // namespace

PngSpec newPngSpec(std::uint32_t width, std::uint32_t height, int colorType, int bitDepth, bool interlaced) {
  PngSpec spec;
  spec.width = width;
  spec.height = height;
  spec.colorType = colorType;
  spec.bitDepth = bitDepth;
  spec.interlaced = interlaced;
  return spec;
}

std::string writePng(const PngSpec& spec) {
  std::string out;
  std::string rows = spec.rows;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, abortOnWriteError, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(png, &out, appendToString, nullptr);
  png_set_compression_level(png, 9);
  png_set_IHDR(png, info, spec.width, spec.height, spec.bitDepth, spec.colorType,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty()) png_set_PLTE(png, info, spec.palette.data(), static_cast<int>(spec.palette.size()));
  if (!spec.paletteAlpha.empty()) {
    png_set_tRNS(png, info, spec.paletteAlpha.data(), static_cast<int>(spec.paletteAlpha.size()), nullptr);
  }
  if (spec.transparent) png_set_tRNS(png, info, nullptr, 0, &*spec.transparent);
  if (spec.phys) png_set_pHYs(png, info, (*spec.phys)[0], (*spec.phys)[1], static_cast<int>((*spec.phys)[2]));
  png_write_info(png, info);
  const std::size_t rowBytes = png_get_rowbytes(png, info);
  if (rows.size() != rowBytes * spec.height) {
    png_destroy_write_struct(&png, &info);
    ADD_FAILURE() << "test data: " << rows.size() << " bytes of rows, expected " << rowBytes * spec.height;
    return {};
  }
  std::vector<png_bytep> pointers(spec.height);
  for (std::size_t y = 0; y < pointers.size(); ++y) {
    pointers[y] = reinterpret_cast<png_bytep>(rows.data()) + y * rowBytes;
  }
  png_write_image(png, pointers.data());  // runs the Adam7 passes itself
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::string makeSamples(std::uint32_t width, std::uint32_t height, unsigned channels, const SampleFn& sample) {
  std::string out;
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      for (unsigned c = 0; c < channels; ++c) out += static_cast<char>(sample(x, y, c));
    }
  }
  return out;
}

std::string makeSamples16(std::uint32_t width, std::uint32_t height, unsigned channels, const SampleFn& sample) {
  std::string out;
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      for (unsigned c = 0; c < channels; ++c) {
        const unsigned v = sample(x, y, c);
        out += static_cast<char>(v >> 8);
        out += static_cast<char>(v & 0xff);
      }
    }
  }
  return out;
}

std::string packRows(std::uint32_t width, std::uint32_t height, int bitDepth, const SampleFn& value) {
  std::string out;
  for (std::uint32_t y = 0; y < height; ++y) {
    unsigned byte = 0;
    int used = 0;
    for (std::uint32_t x = 0; x < width; ++x) {
      byte = (byte << bitDepth) | value(x, y, 0);
      used += bitDepth;
      if (used == 8) {
        out += static_cast<char>(byte);
        byte = 0;
        used = 0;
      }
    }
    if (used > 0) out += static_cast<char>(byte << (8 - used));
  }
  return out;
}

std::string rgbaPng(std::uint32_t width, std::uint32_t height, double dpi,
                    const std::function<std::array<unsigned, 4>(std::uint32_t, std::uint32_t)>& rgba) {
  PngSpec spec = newPngSpec(width, height, PNG_COLOR_TYPE_RGBA);
  const auto perMetre = static_cast<png_uint_32>(std::lround(dpi / 0.0254));
  spec.phys = std::array<png_uint_32, 3>{perMetre, perMetre, PNG_RESOLUTION_METER};
  spec.rows =
      makeSamples(width, height, 4, [&](std::uint32_t x, std::uint32_t y, unsigned c) { return rgba(x, y)[c]; });
  return writePng(spec);
}

Rgb Ppm::at(int x, int y) const {
  const std::size_t i =
      (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) * 3;
  return {static_cast<unsigned char>(samples[i]), static_cast<unsigned char>(samples[i + 1]),
          static_cast<unsigned char>(samples[i + 2])};
}

Ppm parsePpm(const std::string& bytes) {
  std::istringstream in(bytes);
  std::string magic;
  int maxValue = 0;
  Ppm ppm;
  in >> magic >> ppm.width >> ppm.height >> maxValue;
  in.get();  // the single white-space character before the samples
  EXPECT_EQ(magic, "P6");
  EXPECT_EQ(maxValue, 255);
  ppm.samples = bytes.substr(static_cast<std::size_t>(in.tellg()));
  EXPECT_EQ(ppm.samples.size(), static_cast<std::size_t>(ppm.width) * static_cast<std::size_t>(ppm.height) * 3);
  return ppm;
}

Ppm renderPage(const std::filesystem::path& pdf, int page, int dpi) {
  const auto stem = pdf.parent_path() / (pdf.stem().string() + "-p" + std::to_string(page));
  // The crop box, as viewers show the page (pdftoppm's default is the media box).
  const auto rendered = run({"/usr/bin/pdftoppm", "-cropbox", "-r", std::to_string(dpi), "-f", std::to_string(page),
                             "-l", std::to_string(page), "-singlefile", pdf.string(), stem.string()});
  EXPECT_EQ(rendered.exitCode, 0) << rendered.output;
  return parsePpm(readFile(stem.string() + ".ppm"));
}

bool red(Rgb c) {
  return c.r > 170 && c.g < 90 && c.b < 90;
}
bool blue(Rgb c) {
  return c.b > 140 && c.r < 90 && c.g < 90;
}
bool dark(Rgb c) {
  return c.r < 110 && c.g < 110 && c.b < 110;
}

Found find(const Ppm& ppm, const std::function<bool(Rgb)>& match, int x0, int y0, int x1, int y1) {
  Found f;
  if (x1 < 0) x1 = ppm.width;
  if (y1 < 0) y1 = ppm.height;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      if (!match(ppm.at(x, y))) continue;
      f.left = std::min(f.left, x);
      f.right = std::max(f.right, x);
      f.top = std::min(f.top, y);
      f.bottom = std::max(f.bottom, y);
      ++f.count;
    }
  }
  return f;
}

std::string sealPng() {
  return rgbaPng(236, 236, 300, [](std::uint32_t x, std::uint32_t y) -> std::array<unsigned, 4> {
    const double d = std::hypot(x + 0.5 - 118, y + 0.5 - 118);
    if ((d > 88 && d < 117) || d < 30) return {210, 20, 30, 255};
    return {0, 0, 0, 0};
  });
}

std::string signaturePng() {
  return rgbaPng(300, 90, 150, [](std::uint32_t x, std::uint32_t y) -> std::array<unsigned, 4> {
    const double wave = 45 + 30 * std::sin(x / 15.0);
    if (std::abs(static_cast<double>(y) - wave) < 7) return {20, 40, 200, 255};
    return {255, 255, 255, 0};
  });
}

}  // namespace kyso::test
