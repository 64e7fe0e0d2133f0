#include "router.h"

namespace kyso::api::detail {

namespace {
std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    out.push_back(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}
}  // namespace

void Router::add(Route route) {
  routes_.push_back(std::move(route));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match result;
  if (path.empty() || path[0] != '/') return result;
  const auto actual = segments(path);
  for (const Route& route : routes_) {
    const auto expected = segments(route.pattern);
    if (expected.size() != actual.size()) continue;
    std::map<std::string, std::string> parameters;
    bool same = true;
    for (std::size_t i = 0; i < expected.size() && same; ++i) {
      if (expected[i].size() > 2 && expected[i].front() == '{' && expected[i].back() == '}') {
        if (actual[i].empty()) same = false;
        parameters[expected[i].substr(1, expected[i].size() - 2)] = actual[i];
      } else {
        same = expected[i] == actual[i];
      }
    }
    if (!same) continue;
    if (route.method == method) {
      result.route = &route;
      result.parameters = std::move(parameters);
      return result;
    }
    result.allowedMethods.push_back(route.method);
  }
  return result;
}

}  // namespace kyso::api::detail
