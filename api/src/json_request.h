// A JSON request body as handlers read it: one object, only the fields the route knows, each of
// the expected type. Every problem is a 400 that names the field.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kyso/pki/bytes.h"

namespace kyso::api::detail {

class JsonRequest {
 public:
  // Throws InputError("invalid_json") unless `body` is one JSON object, and
  // InputError("invalid_field") for a field outside `known`.
  static JsonRequest parse(std::string_view body, const std::set<std::string>& known);

  bool has(const std::string& name) const;
  // Required string; InputError("invalid_field") when missing or not a string.
  std::string string(const std::string& name) const;
  std::optional<std::string> optionalString(const std::string& name) const;
  // A non-empty array of strings.
  std::vector<std::string> stringArray(const std::string& name) const;
  // A required base64 string, decoded; InputError("invalid_base64") names the field.
  Bytes base64(const std::string& name) const;
  // A whole number from 1.
  std::size_t positiveInteger(const std::string& name) const;
  // A whole number (any sign); InputError("invalid_field") when missing, fractional or beyond int64.
  std::int64_t integer(const std::string& name) const;
  std::optional<std::int64_t> optionalInteger(const std::string& name) const;
  // An array of exactly `count` numbers.
  std::vector<double> numbers(const std::string& name, std::size_t count) const;
  // A nested object with only the fields in `known`; errors name it as "outer.inner".
  JsonRequest object(const std::string& name, const std::set<std::string>& known) const;
  // An array of objects, each with only the fields in `known`; errors name "outer[i].inner".
  // At most `maxCount` elements.
  std::vector<JsonRequest> objectArray(const std::string& name, const std::set<std::string>& known,
                                       std::size_t maxCount) const;

 private:
  JsonRequest(Poco::JSON::Object::Ptr object, std::string prefix)
      : object_(std::move(object)), prefix_(std::move(prefix)) {}
  std::string label(const std::string& name) const { return "'" + prefix_ + name + "'"; }
  Poco::JSON::Object::Ptr object_;
  std::string prefix_;  // "appearance." for a nested object
};

}  // namespace kyso::api::detail
