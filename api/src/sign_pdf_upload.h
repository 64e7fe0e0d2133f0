// The body of POST /v1/sign/pdf: the PDF alone (application/pdf), or a multipart/form-data form
// (RFC 7578) with the PDF in a part named "document" and, for the seal and signer layouts of
// Decree 30/2020, the PNG to draw in a part named "image" — the per-request alternative to the
// key's configured appearance.key.<id>.image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "http_exchange.h"
#include "kyso/pki/bytes.h"
#include "kyso/signer/visible_signature.h"

namespace kyso::api::detail {

// The largest image part (and configured image file) accepted: 8 MiB.
inline constexpr std::uint64_t kMaxAppearanceImageBytes = 8u << 20;

struct SignPdfUpload {
  std::string document;
  std::optional<Bytes> image;  // the "image" part, when the form has one
};

// Reads the body by its media type. 415 unsupported_media_type for any other type; 413
// body_too_large when the body, the document part (over `maxDocumentBytes`) or the image part
// (over kMaxAppearanceImageBytes) is too large; 400 invalid_multipart for a form Poco's HTMLForm
// cannot read, a part other than "document" and "image", a part given twice, a part that is not a
// file (no filename in its Content-Disposition), a part of the wrong Content-Type (415), or no
// "document" part.
SignPdfUpload readSignPdfUpload(Exchange& ex, std::uint64_t maxDocumentBytes);

// The uploaded image for `visible`, over the key's configured one. InputError("invalid_appearance")
// without a visible signature or for the copy layout, which draws no image; the PNG itself is
// checked where a configured one is, when the appearance is drawn (invalid_image).
void attachAppearanceImage(std::optional<signer::VisibleSignature>& visible, Bytes image);

}  // namespace kyso::api::detail
