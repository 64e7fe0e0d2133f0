#include "png_image.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

#include "flate.h"
#include "kyso/error.h"
#include "kyso/numeric.h"

namespace kyso::signer::detail {

namespace {

// pHYs values (PNG, ISO/IEC 15948 §11.3.5.3) kept as a resolution: 10 to 10 000 dpi, in pixels per
// metre. Outside that range (1 px/m, written by tools that mean "square pixels") the value says
// nothing about the real size.
constexpr png_uint_32 kMinPixelsPerMetre = 394;
constexpr png_uint_32 kMaxPixelsPerMetre = 393'701;
constexpr double kInchesPerMetre = 1 / 0.0254;

// Deflate cannot expand a byte of compressed data into more than 1032 bytes (zlib technical
// details): an image whose samples could not fit in the whole input is refused before its pixel
// memory is allocated.
constexpr std::uint64_t kMaxDeflateRatio = 1032;

// Longest libpng message kept; libpng's own are far shorter.
constexpr std::size_t kMessageCapacity = 200;

// libpng reports errors by longjmp (libpng-manual §"Setjmp/longjmp issues"). The rules followed
// here: the functions that call setjmp (readHeader, startRows, readRows) hold only trivially
// destructible locals and call nothing that throws; the callbacks below longjmp or copy plain
// data and never throw; every libpng call that can fail runs inside one of those functions.
// C++ [csetjmp.syn]: a longjmp is defined only where a throw would run no destructors.
struct ReadState {
  const png_byte* data;
  std::size_t size;
  std::size_t position;
  char message[kMessageCapacity];
};

[[noreturn]] void onError(png_structp png, png_const_charp message) {
  auto* state = static_cast<ReadState*>(png_get_error_ptr(png));
  std::snprintf(state->message, sizeof state->message, "%s", message != nullptr ? message : "unknown error");
  png_longjmp(png, 1);
}

// Warnings are benign by libpng's judgement (a known-bad sRGB profile, extra compressed data);
// the image is still decodable.
void onWarning(png_structp, png_const_charp) {}

void readFromMemory(png_structp png, png_bytep out, std::size_t length) {
  auto* state = static_cast<ReadState*>(png_get_io_ptr(png));
  if (length > state->size - state->position) png_error(png, "the data ends early (truncated file)");
  std::memcpy(out, state->data + state->position, length);
  state->position += length;
}

// What the header says, copied out of libpng while errors are still caught.
struct Header {
  png_uint_32 width;
  png_uint_32 height;
  int bitDepth;
  int fileChannels;  // samples per pixel as stored (palette: 1)
  bool hasPhys;
  png_uint_32 physX;
  png_uint_32 physY;
  int physUnit;
};

bool readHeader(png_structp png, png_infop info, Header* header) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  // A bad CRC is fatal in every chunk (libpng's default only warns for ancillary ones).
  png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
  // Skip every ancillary chunk but pHYs (and tRNS, which libpng always handles): nothing of
  // iCCP, zTXt, iTXt is decompressed. Skipped chunks still have their CRC checked.
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
  static constexpr png_byte kKept[] = "pHYs";
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_AS_DEFAULT, kKept, 1);
  png_read_info(png, info);
  header->width = png_get_image_width(png, info);
  header->height = png_get_image_height(png, info);
  header->bitDepth = png_get_bit_depth(png, info);
  header->fileChannels = png_get_channels(png, info);
  header->hasPhys = png_get_pHYs(png, info, &header->physX, &header->physY, &header->physUnit) != 0;
  return true;
}

// Sets up the transforms to 8-bit grey, grey+alpha, RGB or RGBA and reports the decoded layout.
bool startRows(png_structp png, png_infop info, int* channels, std::size_t* rowBytes) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_set_expand(png);    // palette to RGB, grey below 8 bits to 8, tRNS to an alpha channel
  png_set_scale_16(png);  // 16 to 8 bits, rounded (png_set_strip_16 would truncate)
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_bit_depth(png, info) != 8) png_error(png, "unexpected bit depth after the transforms");
  *channels = png_get_channels(png, info);
  *rowBytes = png_get_rowbytes(png, info);
  return true;
}

bool readRows(png_structp png, png_infop info, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_read_image(png, rows);
  png_read_end(png, info);  // through IEND: the remaining chunks' CRCs are checked too
  return true;
}

// Owns libpng's read and info structures.
class PngReader {
 public:
  explicit PngReader(ReadState* state) {
    png_ = png_create_read_struct(PNG_LIBPNG_VER_STRING, state, onError, onWarning);
    if (png_ == nullptr) throw InternalError("libpng: cannot create a read structure");
    info_ = png_create_info_struct(png_);
    if (info_ == nullptr) {
      png_destroy_read_struct(&png_, nullptr, nullptr);
      throw InternalError("libpng: cannot create an info structure");
    }
    png_set_read_fn(png_, state, readFromMemory);
  }
  ~PngReader() { png_destroy_read_struct(&png_, &info_, nullptr); }
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;

  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

[[noreturn]] void refuse(const std::string& why) {
  throw InputError("invalid_image", "the image " + why);
}

[[noreturn]] void refuseFromLibpng(const ReadState& state) {
  refuse("is not a valid PNG file (" + std::string(state.message) + ")");
}

std::string dimensions(std::uint64_t width, std::uint64_t height) {
  return std::to_string(width) + "x" + std::to_string(height);
}

// Splits interleaved samples (colour then alpha) into `pixels`, in place, and the alpha. An
// alpha of 255 everywhere is dropped.
void separateAlpha(RasterImage& image, std::string& samples, std::size_t pixelCount, std::size_t colourChannels) {
  const std::size_t stride = colourChannels + 1;
  std::string alpha(pixelCount, '\0');
  bool opaque = true;
  for (std::size_t i = 0; i < pixelCount; ++i) {
    // Writes at i * colourChannels never overtake reads at i * stride.
    alpha[i] = samples[i * stride + colourChannels];
    opaque = opaque && static_cast<unsigned char>(alpha[i]) == 0xff;
    for (std::size_t c = 0; c < colourChannels; ++c) samples[i * colourChannels + c] = samples[i * stride + c];
  }
  samples.resize(pixelCount * colourChannels);  // no shrink_to_fit: it would copy, and the image is short-lived
  image.pixels = std::move(samples);
  if (!opaque) image.alpha = std::move(alpha);
}

// An image XObject's dictionary (ISO 32000-1 §8.9.5, table 89) with 8-bit samples, Flate-encoded.
PoDoFo::PdfDictionary imageDictionary(const RasterImage& image, const char* colourSpace) {
  PoDoFo::PdfDictionary dictionary;
  dictionary.AddKey("Type", PoDoFo::PdfName("XObject"));
  dictionary.AddKey("Subtype", PoDoFo::PdfName("Image"));
  dictionary.AddKey("Width", PoDoFo::PdfVariant(static_cast<PoDoFo::pdf_int64>(image.width)));
  dictionary.AddKey("Height", PoDoFo::PdfVariant(static_cast<PoDoFo::pdf_int64>(image.height)));
  dictionary.AddKey("ColorSpace", PoDoFo::PdfName(colourSpace));
  dictionary.AddKey("BitsPerComponent", PoDoFo::PdfVariant(static_cast<PoDoFo::pdf_int64>(8)));
  dictionary.AddKey("Filter", PoDoFo::PdfName("FlateDecode"));
  return dictionary;
}

}  // namespace

std::pair<double, double> RasterImage::naturalSize(double fallbackDpi) const {
  if (!(fallbackDpi > 0)) throw InternalError("naturalSize: the fallback resolution must be positive");
  return {width * 72.0 / dpiX.value_or(fallbackDpi), height * 72.0 / dpiY.value_or(fallbackDpi)};
}

RasterImage decodePng(ByteView png, const PngLimits& limits) {
  if (png.empty()) refuse("is empty");
  if (png.size() < 8 || png_sig_cmp(png.data(), 0, 8) != 0) refuse("is not a PNG file");

  ReadState state{png.data(), png.size(), 0, {}};
  PngReader reader(&state);
  Header header{};
  if (!readHeader(reader.png(), reader.info(), &header)) refuseFromLibpng(state);

  const std::uint64_t pixelCount = std::uint64_t{header.width} * header.height;
  if (header.width > limits.maxWidth || header.height > limits.maxHeight || pixelCount > limits.maxPixels) {
    refuse("is " + dimensions(header.width, header.height) + " pixels; at most " +
           dimensions(limits.maxWidth, limits.maxHeight) + " and " + std::to_string(limits.maxPixels) +
           " pixels are accepted");
  }
  const auto bitsPerPixel = static_cast<std::uint64_t>(header.bitDepth) * static_cast<unsigned>(header.fileChannels);
  if (bitsPerPixel == 0 || pixelCount > std::uint64_t{png.size()} * kMaxDeflateRatio * 8 / bitsPerPixel) {
    refuse("is not a valid PNG file (too little image data for " + dimensions(header.width, header.height) +
           " pixels)");
  }

  RasterImage image;
  image.width = header.width;
  image.height = header.height;
  if (header.hasPhys && header.physUnit == PNG_RESOLUTION_METER) {
    const auto plausible = [](png_uint_32 v) { return v >= kMinPixelsPerMetre && v <= kMaxPixelsPerMetre; };
    if (plausible(header.physX) && plausible(header.physY)) {
      image.dpiX = header.physX / kInchesPerMetre;
      image.dpiY = header.physY / kInchesPerMetre;
    }
  }

  int channels = 0;
  std::size_t rowBytes = 0;
  if (!startRows(reader.png(), reader.info(), &channels, &rowBytes)) refuseFromLibpng(state);
  if (channels < 1 || channels > 4 || rowBytes != std::size_t{header.width} * static_cast<unsigned>(channels)) {
    throw InternalError("libpng: unexpected row layout after the transforms");
  }

  std::string samples(checkedCast<std::size_t>(pixelCount) * static_cast<unsigned>(channels), '\0');
  std::vector<png_bytep> rows(header.height);
  for (std::size_t y = 0; y < rows.size(); ++y) rows[y] = reinterpret_cast<png_bytep>(samples.data()) + y * rowBytes;
  if (!readRows(reader.png(), reader.info(), rows.data())) refuseFromLibpng(state);
  // Data after IEND is refused: nothing of it would reach the PDF, but a well-made file has none,
  // and an upload that carries some is damaged (two files joined) or a polyglot.
  if (state.position != state.size) refuse("is not a valid PNG file (data after the IEND chunk)");

  image.gray = channels <= 2;
  const std::size_t colourChannels = image.gray ? 1 : 3;
  if (static_cast<std::size_t>(channels) == colourChannels) {
    image.pixels = std::move(samples);
  } else {
    separateAlpha(image, samples, static_cast<std::size_t>(pixelCount), colourChannels);
  }
  return image;
}

PoDoFo::PdfReference writeImage(const RasterImage& image, ObjectSink& sink) {
  const std::size_t pixelCount = std::size_t{image.width} * image.height;
  if (pixelCount == 0 || image.pixels.size() != pixelCount * (image.gray ? 1 : 3) ||
      (!image.alpha.empty() && image.alpha.size() != pixelCount)) {
    throw InternalError("writeImage: the samples do not match the image's size");
  }
  const PoDoFo::PdfReference imageRef = sink.allocate();
  PoDoFo::PdfDictionary dictionary = imageDictionary(image, image.gray ? "DeviceGray" : "DeviceRGB");
  if (!image.alpha.empty()) {
    // A soft-mask image (§11.6.5.3): same size, DeviceGray, no /Matte since the colour samples
    // are not premultiplied.
    const PoDoFo::PdfReference maskRef = sink.allocate();
    sink.addStream(maskRef, imageDictionary(image, "DeviceGray"), deflate(image.alpha, FlateLevel::Default));
    dictionary.AddKey("SMask", maskRef);
  }
  sink.addStream(imageRef, dictionary, deflate(image.pixels, FlateLevel::Default));
  return imageRef;
}

}  // namespace kyso::signer::detail
