#include "appearance_json.h"

#include <map>
#include <set>
#include <string>

#include "kyso/api/appearance_resources.h"
#include "kyso/error.h"

namespace kyso::api::detail {

std::optional<signer::VisibleSignature> visibleSignatureFromJson(const JsonRequest& json) {
  if (!json.has("appearance")) return std::nullopt;
  std::set<std::string> known = appearanceParameters();
  known.erase("visible");
  known.insert({"layout", "image"});
  const JsonRequest appearance = json.object("appearance", known);
  std::map<std::string, std::string> parameters;
  for (const auto& name : appearanceParameters()) {
    const std::string field = name == "visible" ? "layout" : name;
    if (field == "page" && appearance.has(field)) {
      parameters[name] = std::to_string(appearance.positiveInteger(field));
    } else if (field == "rect" && appearance.has(field)) {
      const auto r = appearance.numbers(field, 4);
      parameters[name] =
          std::to_string(r[0]) + "," + std::to_string(r[1]) + "," + std::to_string(r[2]) + "," + std::to_string(r[3]);
    } else if (const auto value = appearance.optionalString(field)) {
      parameters[name] = *value;
    }
  }
  if (!parameters.contains("visible")) throw InputError("invalid_field", "field 'appearance.layout' is required");
  auto visible = visibleSignatureFrom(parameters);
  if (visible && appearance.has("image")) visible->image = appearance.base64("image");
  return visible;
}

}  // namespace kyso::api::detail
