// A small, strict command-line parser shared by kyso and kyso-server: "--name value",
// "--name=value", boolean flags, positional arguments. Anything unknown is a usage error.
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace kyso::api::detail {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommandLine {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::set<std::string> flags;

  bool has(const std::string& name) const { return options.contains(name) || flags.contains(name); }
  std::string get(const std::string& name, const std::string& fallback = {}) const {
    const auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
};

CommandLine parseCommandLine(const std::vector<std::string>& args, const std::set<std::string>& valueOptions,
                             const std::set<std::string>& flagOptions);

// Sets up Poco's root logger: one line per message on stderr.
void configureLogging(const std::string& level);

}  // namespace kyso::api::detail
