// kyso: the operators' command line. It works on the same data directory (and so the same keys,
// development PKI and audit log) as the server.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "command_line.h"
#include "kyso/api/service_core.h"
#include "kyso/error.h"
#include "kyso/files.h"
#include "kyso/pki/trust_store.h"
#include "kyso/signer/pdf_io.h"

namespace {

using namespace kyso;
using namespace kyso::api;
using detail::CommandLine;
using detail::UsageError;

constexpr const char* kUsage =
    "Usage: kyso [--data-dir DIR] [--config FILE] COMMAND ...\n"
    "\n"
    "Commands:\n"
    "  sign pdf IN OUT      sign a PDF (PAdES B-B or B-T) with a key of the service or a PKCS#12 file\n"
    "  apikey create        create an API key (printed once)\n"
    "  apikey list          list API keys (never their secrets)\n"
    "  apikey revoke ID     revoke an API key\n"
    "  pki init             create the development PKI if it does not exist\n"
    "  pki chain            print the CA certificates (root last) in PEM, for configuring verifiers\n"
    "  audit verify         check the audit log's hash chain\n"
    "  audit list           print audit entries\n"
    "  version              print the version\n"
    "\n"
    "Every command takes --help. --data-dir and --config work as for kyso-server (default ./var).\n";

constexpr const char* kSignUsage =
    "Usage: kyso sign pdf IN OUT [--level B-B|B-T] [--key ID | --p12 FILE [--p12-password-file FILE]]\n"
    "                     [--reason TEXT] [--location TEXT] [--contact TEXT]\n"
    "                     [--visible seal|signer|copy [--page N] [--rect X1,Y1,X2,Y2 | --position P |\n"
    "                      --over FIELD] [--image PNG] [--title TEXT] [--name TEXT] [--copy-form TEXT]\n"
    "                      [--copy-organisation TEXT]]\n"
    "\n"
    "Signs IN into OUT (written atomically; IN is never changed) as an incremental update.\n"
    "  --level      B-B (default) or B-T (adds a signature time-stamp from the configured TSA)\n"
    "  --key        id of a configured signing key (default: the default key, 'seal' on the dev PKI)\n"
    "  --p12        sign with the key and chain in a PKCS#12 file instead; its password comes from\n"
    "               --p12-password-file or the KYSO_P12_PASSWORD environment variable\n"
    "  --reason, --location, --contact   texts of the signature dictionary (UTF-8)\n"
    "  --visible    a visible signature in a Decree 30/2020 layout (default: invisible):\n"
    "               seal (the seal image at its real size), signer (title, signature image, name),\n"
    "               copy (copy form, organisation and signing time at the top right of page 1)\n"
    "  --page       page number from 1 (default 1)\n"
    "  --rect       where, in points from the lower-left corner of the page as displayed\n"
    "  --position   top-left, top-right, bottom-left or bottom-right (default: bottom-right;\n"
    "               top-right for copy)\n"
    "  --over       seal only: the signature field whose left third the seal covers\n"
    "  --image      PNG with transparency (default: appearance.key.<id>.image)\n"
    "  --title, --name, --copy-form, --copy-organisation   the layout's texts (defaults: the key's\n"
    "               appearance settings, then the certificate)\n";

constexpr const char* kApikeyUsage =
    "Usage: kyso apikey create --role admin|signer|backend [--label TEXT]\n"
    "       kyso apikey list\n"
    "       kyso apikey revoke ID\n"
    "\n"
    "A new key is printed once on standard output; only its hash is stored.\n";

constexpr const char* kPkiUsage =
    "Usage: kyso pki init [--algorithm rsa|ec]\n"
    "       kyso pki chain\n"
    "\n"
    "init creates the development PKI in DATA-DIR/pki unless it exists (RSA-2048 by default, ECDSA P-256\n"
    "with --algorithm ec) and prints its files. chain prints the issuing CA and the root in PEM.\n";

constexpr const char* kAuditUsage =
    "Usage: kyso audit verify\n"
    "       kyso audit list [--after N] [--limit N]\n"
    "\n"
    "verify recomputes the hash chain of the audit log and exits 1 if it is broken.\n";

struct Context {
  std::optional<std::filesystem::path> config;
  std::map<std::string, std::string> overrides;

  Settings settings() const { return Settings::load(config, overrides, Settings::processEnvironment()); }
};

std::string actor() {
  const passwd* pw = ::getpwuid(::geteuid());
  return std::string("cli:") + (pw != nullptr ? pw->pw_name : std::to_string(::geteuid()));
}

long long number(const std::string& text, const std::string& option) {
  try {
    std::size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size() && value >= 0) return value;
  } catch (const std::exception&) {
  }
  throw UsageError(option + " needs a non-negative whole number, not '" + text + "'");
}

int signPdf(const Context& context, const std::vector<std::string>& args) {
  const CommandLine cli = detail::parseCommandLine(
      args,
      {"level", "key", "p12", "p12-password-file", "reason", "location", "contact", "visible", "page", "rect",
       "position", "over", "image", "title", "name", "copy-form", "copy-organisation"},
      {"help"});
  if (cli.flags.contains("help")) {
    std::cout << kSignUsage;
    return 0;
  }
  if (cli.positional.size() != 2) throw UsageError("sign pdf needs IN and OUT");
  if (cli.has("key") && cli.has("p12")) throw UsageError("--key and --p12 exclude each other");

  ServiceCore core(context.settings());
  SignPdfRequest request;
  request.level = signer::parsePadesLevel(cli.get("level", "B-B"));
  request.keyId = cli.get("key");
  request.reason = cli.get("reason");
  request.location = cli.get("location");
  request.contactInfo = cli.get("contact");
  std::map<std::string, std::string> appearance;
  for (const auto& name : appearanceParameters()) {
    std::string option = name;
    std::replace(option.begin(), option.end(), '_', '-');
    if (cli.has(option)) appearance[name] = cli.get(option);
  }
  if (cli.has("image") && !cli.has("visible")) throw UsageError("--image needs --visible");
  request.visible = visibleSignatureFrom(appearance);
  if (request.visible && cli.has("image")) {
    const std::string png = readFile(cli.get("image"), 8u << 20);
    request.visible->image.assign(png.begin(), png.end());
  }

  const std::filesystem::path in = cli.positional[0];
  const std::filesystem::path out = cli.positional[1];
  const auto input = signer::PdfInput::fromFile(in, core.settings().maxDocumentBytes);
  if (std::filesystem::exists(out) && std::filesystem::equivalent(in, out)) {
    throw UsageError("OUT must differ from IN");
  }
  signer::FilePdfOutput output(out);
  SignPdfOutcome outcome;
  if (cli.has("p12")) {
    KeySettings key;
    key.id = "p12:" + std::filesystem::path(cli.get("p12")).filename().string();
    key.pkcs12 = cli.get("p12");
    key.passwordFile = cli.get("p12-password-file");
    pki::SigningCredential credential;
    if (key.passwordFile.empty()) {
      const char* password = std::getenv("KYSO_P12_PASSWORD");
      auto contents = pki::loadPkcs12File(key.pkcs12, password != nullptr ? password : "");
      credential = {key.id, contents.key, pki::orderChain(contents.chain.front(), contents.chain)};
      pki::requireKeyMatchesCertificate(*credential.key, credential.certificate());
    } else {
      credential = KeyRegistry::loadFileKey(key);
    }
    outcome = core.signing().signPdfWith(credential, input, output, request, actor());
  } else {
    outcome = core.signing().signPdf(input, output, request, actor());
  }
  output.commit();
  std::cout << "signed " << out.string() << " (" << outcome.level << ", key " << outcome.keyId << ", field "
            << outcome.fieldName << ", sha256 " << outcome.documentSha256 << ", audit #" << outcome.auditSequence
            << ")\n";
  return 0;
}

int apikey(const Context& context, const std::vector<std::string>& args) {
  const CommandLine cli = detail::parseCommandLine(args, {"role", "label"}, {"help"});
  if (cli.flags.contains("help") || cli.positional.empty()) {
    std::cout << kApikeyUsage;
    return cli.flags.contains("help") ? 0 : 2;
  }
  ServiceCore core(context.settings());
  const std::string& verb = cli.positional[0];
  if (verb == "create") {
    if (!cli.has("role")) throw UsageError("apikey create needs --role");
    const Role role = parseRole(cli.get("role"));
    const CreatedApiKey created = core.apiKeys().create(role, cli.get("label", actor()));
    std::cerr << "API key " << created.id << " (role " << roleName(role) << ") created; it is shown only this once:\n";
    std::cout << created.key << "\n";
    return 0;
  }
  if (verb == "list") {
    for (const auto& record : core.store().apiKeys().list()) {
      std::cout << record.id << "  " << record.role << "  " << pki::formatIso8601Utc(record.createdAt) << "  "
                << (record.revokedAt ? "revoked " + pki::formatIso8601Utc(*record.revokedAt) : "active") << "  "
                << record.label << "\n";
    }
    return 0;
  }
  if (verb == "revoke") {
    if (cli.positional.size() != 2) throw UsageError("apikey revoke needs the key id");
    if (!core.apiKeys().revoke(cli.positional[1])) {
      throw NotFoundError("api_key_not_found", "no active API key " + cli.positional[1]);
    }
    std::cout << "revoked " << cli.positional[1] << "\n";
    return 0;
  }
  throw UsageError("unknown apikey command " + verb);
}

int pkiCommand(const Context& context, const std::vector<std::string>& args) {
  const CommandLine cli = detail::parseCommandLine(args, {"algorithm"}, {"help"});
  if (cli.flags.contains("help") || cli.positional.empty()) {
    std::cout << kPkiUsage;
    return cli.flags.contains("help") ? 0 : 2;
  }
  Context local = context;
  if (cli.has("algorithm")) local.overrides["pki.dev.algorithm"] = cli.get("algorithm");
  const Settings settings = local.settings();
  const std::string& verb = cli.positional[0];
  if (verb == "init") {
    if (!settings.usesDevPki()) throw UsageError("signing keys are configured; the development PKI is not used");
    const bool existed = pki::DevPki::exists(settings.devPkiDir());
    if (!existed) settings.requireDevPkiUrlUsable();
    const auto pki = pki::DevPki::ensure(settings.devPkiDir(), settings.devPki, pki::SystemClock::instance());
    std::cout << (existed ? "development PKI exists in " : "development PKI created in ") << pki.dir().string()
              << "\n  root CA:    " << pki.rootCa().subject() << "\n  issuing CA: " << pki.issuingCa().subject()
              << "\n  seal:       " << pki.seal().certificate().subject()
              << "\n  TSA:        " << pki.tsa().certificate().subject()
              << "\n  OCSP:       " << pki.ocspResponder().certificate().subject() << "\n";
    return 0;
  }
  if (verb == "chain") {
    ServiceCore core(settings);
    const auto& chain = core.keys().defaultKey().chain;
    for (std::size_t i = 1; i < chain.size(); ++i) std::cout << chain[i].pem();
    if (core.devPki() && !chain.back().isSelfSigned()) std::cout << core.devPki()->rootCa().pem();
    return 0;
  }
  throw UsageError("unknown pki command " + verb);
}

int audit(const Context& context, const std::vector<std::string>& args) {
  const CommandLine cli = detail::parseCommandLine(args, {"after", "limit"}, {"help"});
  if (cli.flags.contains("help") || cli.positional.empty()) {
    std::cout << kAuditUsage;
    return cli.flags.contains("help") ? 0 : 2;
  }
  ServiceCore core(context.settings());
  const std::string& verb = cli.positional[0];
  if (verb == "verify") {
    const store::AuditCheck check = core.store().audit().verify();
    if (check.intact) {
      std::cout << "audit log intact: " << check.entries << " entries\n";
      return 0;
    }
    std::cout << "audit log BROKEN at entry " << *check.firstBadSequence << ": " << check.problem << "\n";
    return 1;
  }
  if (verb == "list") {
    const auto entries = core.store().audit().list(
        number(cli.get("after", "0"), "--after"), static_cast<std::size_t>(number(cli.get("limit", "100"), "--limit")));
    for (const auto& e : entries) {
      std::cout << e.sequence << "  " << pki::formatIso8601Utc(e.record.time) << "  " << e.record.action << "  "
                << e.record.level << "  key=" << e.record.keyId << "  " << e.record.actor
                << "  sha256=" << e.record.documentSha256 << "\n";
    }
    return 0;
  }
  throw UsageError("unknown audit command " + verb);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    Context context;
    // Global options come before the command.
    while (!args.empty() && args.front().starts_with("--")) {
      const std::string option = args.front();
      if (option == "--help") {
        std::cout << kUsage;
        return 0;
      }
      if (option == "--version") {
        std::cout << "kyso " << KYSO_VERSION << "\n";
        return 0;
      }
      const auto eq = option.find('=');
      const std::string name = option.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      std::string value;
      if (eq != std::string::npos) {
        value = option.substr(eq + 1);
        args.erase(args.begin());
      } else {
        if (args.size() < 2) throw UsageError(option + " needs a value");
        value = args[1];
        args.erase(args.begin(), args.begin() + 2);
      }
      if (name == "data-dir") {
        context.overrides["data_dir"] = value;
      } else if (name == "config") {
        context.config = value;
      } else {
        throw UsageError("unknown option " + option);
      }
    }
    if (!context.config) {
      if (const char* config = std::getenv("KYSO_CONFIG")) context.config = config;
    }
    if (args.empty()) {
      std::cout << kUsage;
      return 2;
    }
    detail::configureLogging("warning");
    const std::string command = args.front();
    std::vector<std::string> rest(args.begin() + 1, args.end());
    // --data-dir may also follow the command, as in "kyso sign pdf --data-dir D a.pdf b.pdf".
    // Only options are looked at: an option's value that happens to read "--config" is left alone.
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < rest.size(); ++i) {
      const std::string arg = rest[i];
      std::string name = arg.substr(0, arg.find('='));
      if (name == "--data-dir" || name == "--config") {
        std::string value;
        if (arg.size() > name.size()) {
          value = arg.substr(name.size() + 1);
        } else {
          if (i + 1 >= rest.size()) throw UsageError(name + " needs a value");
          value = rest[++i];
        }
        if (name == "--data-dir") context.overrides["data_dir"] = value;
        if (name == "--config") context.config = value;
        continue;
      }
      kept.push_back(arg);
      if (arg.starts_with("--") && arg.find('=') == std::string::npos && arg != "--help" && i + 1 < rest.size()) {
        kept.push_back(rest[++i]);  // the value of another option
      }
    }
    rest = std::move(kept);
    if (command == "sign") {
      if (rest.empty() || rest.front() == "--help") {
        std::cout << kSignUsage;
        return rest.empty() ? 2 : 0;
      }
      if (rest.front() != "pdf") throw UsageError("kyso sign supports: pdf");
      return signPdf(context, {rest.begin() + 1, rest.end()});
    }
    if (command == "apikey") return apikey(context, rest);
    if (command == "pki") return pkiCommand(context, rest);
    if (command == "audit") return audit(context, rest);
    if (command == "version") {
      std::cout << "kyso " << KYSO_VERSION << "\n";
      return 0;
    }
    throw UsageError("unknown command " + command);
  } catch (const UsageError& e) {
    std::cerr << "kyso: " << e.what() << "\n\n" << kUsage;
    return 2;
  } catch (const kyso::Error& e) {
    std::cerr << "kyso: " << e.what() << " (" << e.code() << ")" << (e.detail().empty() ? "" : ": " + e.detail())
              << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "kyso: " << e.what() << "\n";
    return 1;
  }
}
