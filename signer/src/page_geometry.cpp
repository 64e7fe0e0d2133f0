#include "page_geometry.h"

#include <algorithm>
#include <cmath>

#include "kyso/error.h"

namespace kyso::signer::detail {

namespace {

Box normalised(const Box& b) {
  return {std::min(b.left, b.right), std::min(b.bottom, b.top), std::max(b.left, b.right), std::max(b.bottom, b.top)};
}

// The box spanned by two corner points.
Box spanning(double x1, double y1, double x2, double y2) {
  return normalised({x1, y1, x2, y2});
}

}  // namespace

PageGeometry makePageGeometry(const Box& mediaBox, const Box* cropBox, long long rotate) {
  PageGeometry g;
  g.mediaBox = normalised(mediaBox);
  if (!(g.mediaBox.width() > 0 && g.mediaBox.height() > 0)) {
    throw DocumentError("pdf_malformed", "the page's /MediaBox is empty");
  }
  // §14.11.2: the crop box is clipped to the media box; one that misses it entirely is ignored,
  // as viewers do.
  g.cropBox = g.mediaBox;
  if (cropBox != nullptr) {
    const Box c = normalised(*cropBox);
    const Box clipped{std::max(c.left, g.mediaBox.left), std::max(c.bottom, g.mediaBox.bottom),
                      std::min(c.right, g.mediaBox.right), std::min(c.top, g.mediaBox.top)};
    if (clipped.width() > 0 && clipped.height() > 0) g.cropBox = clipped;
  }
  if (rotate % 90 != 0) throw DocumentError("pdf_malformed", "the page's /Rotate is not a multiple of 90");
  g.rotate = static_cast<int>(((rotate % 360) + 360) % 360);
  return g;
}

double PageGeometry::displayWidth() const {
  return rotate % 180 == 0 ? cropBox.width() : cropBox.height();
}

double PageGeometry::displayHeight() const {
  return rotate % 180 == 0 ? cropBox.height() : cropBox.width();
}

Box PageGeometry::toUserSpace(const Box& d) const {
  const Box& c = cropBox;
  switch (rotate) {
    case 90:  // displayed (u, v) = (y - bottom, right - x)
      return spanning(c.right - d.bottom, c.bottom + d.left, c.right - d.top, c.bottom + d.right);
    case 180:  // (u, v) = (right - x, top - y)
      return spanning(c.right - d.left, c.top - d.bottom, c.right - d.right, c.top - d.top);
    case 270:  // (u, v) = (top - y, x - left)
      return spanning(c.left + d.bottom, c.top - d.left, c.left + d.top, c.top - d.right);
    default:
      return spanning(c.left + d.left, c.bottom + d.bottom, c.left + d.right, c.bottom + d.top);
  }
}

Box PageGeometry::toDisplay(const Box& u) const {
  const Box& c = cropBox;
  switch (rotate) {
    case 90:
      return spanning(u.bottom - c.bottom, c.right - u.left, u.top - c.bottom, c.right - u.right);
    case 180:
      return spanning(c.right - u.left, c.top - u.bottom, c.right - u.right, c.top - u.top);
    case 270:
      return spanning(c.top - u.bottom, u.left - c.left, c.top - u.top, u.right - c.left);
    default:
      return spanning(u.left - c.left, u.bottom - c.bottom, u.right - c.left, u.top - c.bottom);
  }
}

std::array<double, 6> PageGeometry::appearanceMatrix() const {
  // Counter-clockwise by the page's clockwise display turn; §12.5.5 then fits the turned BBox
  // into /Rect, so no translation is needed.
  switch (rotate) {
    case 90:
      return {0, 1, -1, 0, 0, 0};
    case 180:
      return {-1, 0, 0, -1, 0, 0};
    case 270:
      return {0, -1, 1, 0, 0, 0};
    default:
      return {1, 0, 0, 1, 0, 0};
  }
}

}  // namespace kyso::signer::detail
