// The appearance stream of a visible signature (ISO 32000-1 §12.5.5, §12.7.4.5): where on the page
// it goes, and the form XObject that draws its layout (see visible_signature.h).
#pragma once

#include <podofo/podofo.h>

#include <memory>
#include <optional>

#include "embedded_font.h"
#include "kyso/pki/clock.h"
#include "kyso/signer/visible_signature.h"
#include "object_sink.h"
#include "page_geometry.h"

namespace kyso::signer {

struct AppearanceFonts::Faces {
  std::shared_ptr<const detail::FontFile> regular;
  std::shared_ptr<const detail::FontFile> bold;
};

namespace detail {

struct WrittenAppearance {
  Box rect;                         // the widget's /Rect, user space
  PoDoFo::PdfReference appearance;  // the normal appearance (/AP /N)
};

// Places and draws `visible` on a page of geometry `page`; `over` is the displayed box of the
// field a seal goes over. Throws InputError("invalid_appearance") for what cannot be drawn as
// asked (no image, a rectangle off the page or too small for its text) and the errors of the
// image and font code (invalid_image, invalid_text).
WrittenAppearance writeAppearance(const VisibleSignature& visible, const AppearanceFonts* fonts,
                                  const PageGeometry& page, const std::optional<Box>& over, pki::TimePoint signingTime,
                                  ObjectSink& sink);

}  // namespace detail
}  // namespace kyso::signer
