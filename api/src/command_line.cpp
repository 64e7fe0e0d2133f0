#include "command_line.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>

#include <optional>

namespace kyso::api::detail {

CommandLine parseCommandLine(const std::vector<std::string>& args, const std::set<std::string>& valueOptions,
                             const std::set<std::string>& flagOptions, const std::set<std::string>& repeatableOptions) {
  CommandLine out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.positional.insert(out.positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (!arg.starts_with("--") || arg.size() == 2) {
      out.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flagOptions.contains(name)) {
      if (value) throw UsageError("--" + name + " takes no value");
      out.flags.insert(name);
    } else if (valueOptions.contains(name) || repeatableOptions.contains(name)) {
      if (!value) {
        if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
        value = args[++i];
      }
      if (repeatableOptions.contains(name)) {
        out.repeated[name].push_back(*value);
      } else if (!out.options.emplace(name, *value).second) {
        throw UsageError("--" + name + " given twice");
      }
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
  return out;
}

void configureLogging(const std::string& level) {
  Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
  formatter->setProperty("times", "UTC");
  Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel);
  Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, console));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(level);
  // Loggers created before this call keep their old settings unless told.
  Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
  Poco::Logger::setChannel("", channel);
}

}  // namespace kyso::api::detail
