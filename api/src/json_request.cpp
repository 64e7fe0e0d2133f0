#include "json_request.h"

#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>

#include "kyso/error.h"

namespace kyso::api::detail {

namespace {
// Deeper nesting than any request needs is refused before it can exhaust the stack.
constexpr std::size_t kMaxDepth = 16;
}  // namespace

JsonRequest JsonRequest::parse(std::string_view body, const std::set<std::string>& known) {
  Poco::Dynamic::Var value;
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(kMaxDepth);
    value = parser.parse(std::string(body));
  } catch (const Poco::Exception& e) {
    throw InputError("invalid_json", "the body is not valid JSON: " + e.message());
  }
  if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
    throw InputError("invalid_json", "the body must be a JSON object");
  }
  auto object = value.extract<Poco::JSON::Object::Ptr>();
  for (const auto& [name, _] : *object) {
    if (!known.contains(name)) throw InputError("invalid_field", "unknown field '" + name + "'");
  }
  return JsonRequest(object, "");
}

namespace {
void requireKnown(const Poco::JSON::Object& object, const std::set<std::string>& known, const std::string& at) {
  for (const auto& [field, _] : object) {
    if (!known.contains(field)) throw InputError("invalid_field", "unknown field '" + at + "." + field + "'");
  }
}
}  // namespace

std::vector<JsonRequest> JsonRequest::objectArray(const std::string& name, const std::set<std::string>& known,
                                                  std::size_t maxCount) const {
  const auto array = has(name) ? object_->getArray(name) : nullptr;
  if (!array) throw InputError("invalid_field", "field " + label(name) + " must be an array of objects");
  if (array->size() > maxCount) {
    throw InputError("invalid_field",
                     "field " + label(name) + " has more than " + std::to_string(maxCount) + " elements");
  }
  std::vector<JsonRequest> out;
  for (unsigned i = 0; i < array->size(); ++i) {
    const std::string at = prefix_ + name + "[" + std::to_string(i) + "]";
    const auto element = array->getObject(i);
    if (!element) throw InputError("invalid_field", "field '" + at + "' must be an object");
    requireKnown(*element, known, at);
    out.push_back(JsonRequest(element, at + "."));
  }
  return out;
}

std::int64_t JsonRequest::integer(const std::string& name) const {
  const auto value = optionalInteger(name);
  if (!value) throw InputError("invalid_field", "field " + label(name) + " is required");
  return *value;
}

std::optional<std::int64_t> JsonRequest::optionalInteger(const std::string& name) const {
  if (!has(name)) return std::nullopt;
  const Poco::Dynamic::Var value = object_->get(name);
  // Poco parses integers that do not fit 64 bits as doubles: refused here like fractions.
  if (!value.isInteger()) throw InputError("invalid_field", "field " + label(name) + " must be a whole number");
  try {
    return value.convert<Poco::Int64>();
  } catch (const Poco::Exception&) {
    throw InputError("invalid_field", "field " + label(name) + " is out of range");
  }
}

JsonRequest JsonRequest::object(const std::string& name, const std::set<std::string>& known) const {
  const auto inner = has(name) ? object_->getObject(name) : nullptr;
  if (!inner) throw InputError("invalid_field", "field " + label(name) + " must be an object");
  requireKnown(*inner, known, prefix_ + name);
  return JsonRequest(inner, prefix_ + name + ".");
}

std::size_t JsonRequest::positiveInteger(const std::string& name) const {
  const Poco::Dynamic::Var value = object_->get(name);
  if (!value.isInteger() || value.convert<Poco::Int64>() < 1) {
    throw InputError("invalid_field", "field " + label(name) + " must be a whole number from 1");
  }
  return static_cast<std::size_t>(value.convert<Poco::Int64>());
}

std::vector<double> JsonRequest::numbers(const std::string& name, std::size_t count) const {
  const auto array = has(name) ? object_->getArray(name) : nullptr;
  if (!array || array->size() != count) {
    throw InputError("invalid_field",
                     "field " + label(name) + " must be an array of " + std::to_string(count) + " numbers");
  }
  std::vector<double> out;
  for (const auto& element : *array) {
    if (!element.isNumeric()) {
      throw InputError("invalid_field", "field " + label(name) + " must be an array of numbers");
    }
    out.push_back(element.convert<double>());
  }
  return out;
}

bool JsonRequest::has(const std::string& name) const {
  return object_->has(name) && !object_->isNull(name);
}

std::optional<std::string> JsonRequest::optionalString(const std::string& name) const {
  if (!has(name)) return std::nullopt;
  const Poco::Dynamic::Var value = object_->get(name);
  if (!value.isString()) throw InputError("invalid_field", "field " + label(name) + " must be a string");
  return value.extract<std::string>();
}

std::string JsonRequest::string(const std::string& name) const {
  auto value = optionalString(name);
  if (!value) throw InputError("invalid_field", "field " + label(name) + " is required");
  return std::move(*value);
}

std::vector<std::string> JsonRequest::stringArray(const std::string& name) const {
  if (!has(name)) throw InputError("invalid_field", "field " + label(name) + " is required");
  const auto array = object_->getArray(name);
  if (!array || array->size() == 0) {
    throw InputError("invalid_field", "field " + label(name) + " must be a non-empty array of strings");
  }
  std::vector<std::string> out;
  for (const auto& element : *array) {
    if (!element.isString()) throw InputError("invalid_field", "field " + label(name) + " must hold only strings");
    out.push_back(element.extract<std::string>());
  }
  return out;
}

Bytes JsonRequest::base64(const std::string& name) const {
  const std::string text = string(name);
  try {
    return fromBase64(text);
  } catch (const InputError&) {
    throw InputError("invalid_base64", "field " + label(name) + " is not valid base64");
  }
}

}  // namespace kyso::api::detail
