// Where things are on a page as people see it. Callers place a visible signature on the page as
// displayed — the crop box, turned by /Rotate — while the annotation's /Rect lives in default user
// space (ISO 32000-1 §8.3.2.3, §14.11.2). This maps one to the other and gives the appearance the
// /Matrix that keeps it upright on a rotated page (§12.5.5).
#pragma once

#include <array>

namespace kyso::signer::detail {

struct Box {
  double left = 0, bottom = 0, right = 0, top = 0;
  double width() const { return right - left; }
  double height() const { return top - bottom; }
  bool operator==(const Box&) const = default;
};

struct PageGeometry {
  Box mediaBox;
  Box cropBox;     // already clipped to the media box
  int rotate = 0;  // 0, 90, 180 or 270: clockwise turn when displayed

  // Size of the page as displayed.
  double displayWidth() const;
  double displayHeight() const;
  // A box on the displayed page (origin at its lower-left corner, x right, y up) in user space.
  Box toUserSpace(const Box& displayed) const;
  // The inverse: a user-space box (an existing widget's /Rect) as displayed.
  Box toDisplay(const Box& user) const;
  // The form /Matrix that turns an appearance drawn upright into the page's rotation.
  std::array<double, 6> appearanceMatrix() const;
};

// The page boxes as the document gives them: `mediaBox` required, `cropBox` optional (null: the
// media box), `rotate` any multiple of 90 (normalised). Throws DocumentError("pdf_malformed") for
// an empty media box or a rotation that is not a multiple of 90.
PageGeometry makePageGeometry(const Box& mediaBox, const Box* cropBox, long long rotate);

}  // namespace kyso::signer::detail
