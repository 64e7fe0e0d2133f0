// A small, strict command-line parser shared by kyso and kyso-server: "--name value",
// "--name=value", boolean flags, options that may be repeated, positional arguments. Anything
// unknown is a usage error.
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
  std::map<std::string, std::vector<std::string>> repeated;  // in the order given
  std::set<std::string> flags;

  bool has(const std::string& name) const {
    return options.contains(name) || flags.contains(name) || repeated.contains(name);
  }
  std::string get(const std::string& name, const std::string& fallback = {}) const {
    const auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
  // Every value of a repeatable option; none when it was not given.
  std::vector<std::string> all(const std::string& name) const {
    const auto it = repeated.find(name);
    return it == repeated.end() ? std::vector<std::string>{} : it->second;
  }
};

// `valueOptions` may be given once, `repeatableOptions` any number of times.
CommandLine parseCommandLine(const std::vector<std::string>& args, const std::set<std::string>& valueOptions,
                             const std::set<std::string>& flagOptions,
                             const std::set<std::string>& repeatableOptions = {});

// Sets up Poco's root logger: one line per message on stderr.
void configureLogging(const std::string& level);

}  // namespace kyso::api::detail
