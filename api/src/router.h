// Method + path template → handler, with the roles allowed to call it.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "http_exchange.h"
#include "kyso/api/api_keys.h"

namespace kyso::api::detail {

struct Route {
  std::string method;
  std::string pattern;      // "/v1/sign/pdf", "/v1/signing-sessions/{id}"
  std::vector<Role> roles;  // empty: public, no key needed
  std::function<void(Exchange&)> handle;
  std::set<std::string> query = {};  // the query parameters it takes; any other is refused
};

class Router {
 public:
  void add(Route route);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> parameters;
    std::vector<std::string> allowedMethods;  // when the path exists under other methods
  };
  Match match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace kyso::api::detail
