// kyso: the operators' command line. It works on the same data directory (and so the same keys,
// development PKI and audit log) as the server.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iomanip>
#include <iostream>
#include <iterator>

#include "command_line.h"
#include "document_verification.h"
#include "kyso/api/service_core.h"
#include "kyso/error.h"
#include "kyso/files.h"
#include "kyso/numeric.h"
#include "kyso/pki/certificate_request_builder.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/pkcs11.h"
#include "kyso/pki/trust_store.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/signer/pdf_revisions.h"
#include "receipt_requests.h"

namespace {

using namespace kyso;
using namespace kyso::api;
using detail::CommandLine;
using detail::UsageError;

constexpr const char* kUsage =
    "Usage: kyso [--data-dir DIR] [--config FILE] COMMAND ...\n"
    "\n"
    "Commands:\n"
    "  sign pdf IN OUT      sign a PDF (PAdES B-B to B-LTA) with a key of the service or a PKCS#12 file\n"
    "  extend pdf IN OUT    extend the signatures of a signed PDF to PAdES B-LT or B-LTA\n"
    "  apikey create        create an API key (printed once)\n"
    "  apikey list          list API keys (never their secrets)\n"
    "  apikey revoke ID     revoke an API key\n"
    "  pki init             create the development PKI if it does not exist\n"
    "  pki chain            print the CA certificates (root last) in PEM, for configuring verifiers\n"
    "  audit verify         check the audit log's hash chain\n"
    "  audit list           print audit entries\n"
    "  series create        create a receipt series (template, symbol, organisation, number ranges)\n"
    "  series list          list receipt series with their next numbers\n"
    "  receipt issue        issue a signed e-receipt from a JSON request (the body of POST /v1/receipts)\n"
    "  receipt show ID      print a receipt; write its signed XML or PDF copy\n"
    "  key list             list the service's signing keys, or the keys in a PKCS#11 token\n"
    "  key tokens           list the tokens of a PKCS#11 module\n"
    "  key generate         generate a key pair inside a PKCS#11 token\n"
    "  key csr              make a certification request (PKCS#10) signed by a token key\n"
    "  verify FILE          verify the signatures of a PDF or XML (ETSI EN 319 102-1 verdicts)\n"
    "  version              print the version\n"
    "\n"
    "Every command takes --help. --data-dir and --config work as for kyso-server (default ./var).\n";

constexpr const char* kSignUsage =
    "Usage: kyso sign pdf IN OUT [--level B-B|B-T|B-LT|B-LTA] [--key ID | --p12 FILE [--p12-password-file FILE]]\n"
    "                     [--reason TEXT] [--location TEXT] [--contact TEXT]\n"
    "                     [--visible seal|signer|copy [--page N] [--rect X1,Y1,X2,Y2 | --position P |\n"
    "                      --over FIELD] [--image PNG] [--title TEXT] [--name TEXT] [--copy-form TEXT]\n"
    "                      [--copy-organisation TEXT]]\n"
    "\n"
    "Signs IN into OUT (written atomically; IN is never changed) as an incremental update.\n"
    "  --level      B-B (default) or B-T (adds a signature time-stamp from the configured TSA);\n"
    "               B-LT and B-LTA extend the B-T signature as kyso extend pdf does\n"
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

constexpr const char* kSeriesUsage =
    "Usage: kyso series create --template EBL01|EBL02 --symbol SYMBOL --org-name NAME --org-tax-code MST\n"
    "                          --org-address ADDRESS [--year N] [--key ID] [--range UNIT:FIRST-LAST ...]\n"
    "       kyso series create --json FILE\n"
    "       kyso series list\n"
    "\n"
    "create makes a receipt series and prints it. SYMBOL is 2-digit year + T + two letters (26TAB).\n"
    "  --year       must agree with the symbol (default: from the symbol)\n"
    "  --key        the seal key that signs its receipts (default: the default key)\n"
    "  --range      a number range of a unit or collection site, repeatable (--range PMX:1-5000)\n"
    "  --json       the request as a JSON file, the body of POST /v1/series ('-': standard input)\n"
    "list prints one series a line: id, template, symbol, year, key, next number or ranges, organisation.\n";

constexpr const char* kReceiptUsage =
    "Usage: kyso receipt issue --json FILE [--idempotency-key KEY]\n"
    "       kyso receipt show ID [--xml FILE] [--pdf FILE]\n"
    "\n"
    "issue signs and stores a receipt; FILE ('-': standard input) is the body of POST /v1/receipts.\n"
    "  --idempotency-key  a retry with the same key returns the same receipt instead of a new one (the\n"
    "                     payment's transaction id also does)\n"
    "show prints the receipt and its status.\n"
    "  --xml        write the signed XML, exactly as issued\n"
    "  --pdf        write the signed PDF copy (made on first request, then the same each time)\n";

constexpr const char* kKeyUsage =
    "Usage: kyso key list\n"
    "       kyso key tokens --pkcs11-module PATH\n"
    "       kyso key list --pkcs11-module PATH --token LABEL [--pin-file FILE]\n"
    "       kyso key generate --pkcs11-module PATH --token LABEL --label LABEL [--id HEX]\n"
    "                         [--algorithm rsa|ec] [--pin-file FILE]\n"
    "       kyso key csr --pkcs11-module PATH --token LABEL (--label LABEL | --id HEX) --name NAME\n"
    "                    [--cccd N] [--mst N] --province P [--organization O] [--out FILE]\n"
    "                    [--pin-file FILE]\n"
    "\n"
    "list without --pkcs11-module prints the service's signing keys (configured, or the development\n"
    "PKI's seal): id, algorithm, certificate subject and validity, and where the key is kept.\n"
    "The other forms work on a token of a PKCS#11 module (an HSM's library, SoftHSM2...):\n"
    "  tokens       the module's tokens: slot, label, maker, model, serial number\n"
    "  list         the token's private keys with the token's account of their custody\n"
    "  generate     an RSA-2048 (default) or ECDSA P-256 key pair made inside the token, never\n"
    "               extractable; prints its id and its public key in PEM (--id: 16 random bytes\n"
    "               unless given)\n"
    "  csr          a PKCS#10 request for the token key, subject C=VN, ST, [O], CN, UID=CCCD:<N>\n"
    "               and/or UID=MST:<N>, signed inside the token; PEM on standard output or in --out\n"
    "The user PIN is read from --pin-file (its first line; the file must be readable by its owner\n"
    "only) or else from one line of standard input. It is never taken as an argument.\n";

constexpr const char* kVerifyUsage =
    "Usage: kyso verify FILE [--json]\n"
    "       kyso verify --signed-revision N FILE OUT\n"
    "\n"
    "Verifies every signature of the PDF or XML FILE (told apart by content) as POST /v1/verify\n"
    "does: trust anchors from verify.trust.* (and the development PKI's root), revocation by OCSP or\n"
    "CRL, time-stamps; a kyso receipt XML is also checked against the register.\n"
    "Prints the overall verdict, one line per signature and the warnings; --json prints the report\n"
    "of POST /v1/verify instead.\n"
    "Each signature line names the revision it covers (\"covers revision 2 of 3\"). With\n"
    "--signed-revision N, writes revision N of FILE (the file up to that revision's %%EOF: what a\n"
    "signature over it signed) to OUT, so that it can be opened and compared, and verifies nothing.\n"
    "Exit code: 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE, 4 the file cannot be evaluated (not a\n"
    "PDF or well-formed XML, damaged, unreadable, no such revision) or another error, 64 usage error.\n";

// `kyso verify` exit codes (kVerifyUsage). 0/1/2 are issue 5's verdict codes; a usage error takes
// EX_USAGE (sysexits.h) rather than the other commands' 2, so that 2 always means INDETERMINATE.
constexpr int kVerifyPassed = 0;
constexpr int kVerifyFailed = 1;
constexpr int kVerifyIndeterminate = 2;
constexpr int kVerifyNotEvaluated = 4;
constexpr int kVerifyUsageError = 64;

// A receipt request with 100 fee lines of long names fits well within this (as over HTTP).
constexpr std::size_t kReceiptJsonLimit = 256 * 1024;

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

// A JSON request from a file, or standard input for "-".
std::string readJsonInput(const std::string& path) {
  if (path != "-") return readFile(path, kReceiptJsonLimit);
  std::string body;
  std::istreambuf_iterator<char> it(std::cin), end;
  while (it != end && body.size() <= kReceiptJsonLimit) body.push_back(*it++);
  if (body.size() > kReceiptJsonLimit) {
    throw InputError("file_too_large", "standard input is larger than " + std::to_string(kReceiptJsonLimit) + " bytes");
  }
  return body;
}

// Reads FILE and turns it into a request with `from`; errors name the file ("r.json: field
// 'payer.id' is missing") since "the body" means nothing on a command line.
template <class From>
auto requestFromJson(const std::string& path, const std::set<std::string>& fields, From from) {
  const std::string body = readJsonInput(path);
  try {
    return from(detail::JsonRequest::parse(body, fields));
  } catch (const InputError& e) {
    throw InputError(e.code(), (path == "-" ? std::string("standard input") : path) + ": " + e.what(), e.kind());
  }
}

std::ostream& field(const std::string& label) {
  return std::cout << "  " << std::left << std::setw(14) << label;
}

std::string templateName(receipts::TemplateCode code) {
  return std::string(receipts::templateCodeName(code));
}

// "PMX:1-5000".
receipts::NumberRangeSpec numberRange(const std::string& text) {
  const auto colon = text.rfind(':');
  const auto dash = colon == std::string::npos ? std::string::npos : text.find('-', colon);
  if (colon == std::string::npos || dash == std::string::npos) {
    throw UsageError("--range needs UNIT:FIRST-LAST, not '" + text + "'");
  }
  const long long first = number(text.substr(colon + 1, dash - colon - 1), "--range");
  const long long last = number(text.substr(dash + 1), "--range");
  if (first < 1 || last < 1 || first > receipts::kMaxReceiptNumber || last > receipts::kMaxReceiptNumber) {
    throw InputError("invalid_range", "range numbers must lie within 1..99999999");
  }
  return {text.substr(0, colon), static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(last)};
}

std::string rangesText(const receipts::Series& s) {
  if (s.ranges.empty()) return "next " + std::to_string(s.nextNumber);
  std::string out;
  for (const auto& r : s.ranges) {
    out += (out.empty() ? "" : ", ") + r.unit + ":" + std::to_string(r.first) + "-" + std::to_string(r.last) +
           " (next " + std::to_string(r.next) + ")";
  }
  return out;
}

int series(const Context& context, const std::vector<std::string>& args) {
  const std::set<std::string> specOptions{"template",     "symbol",      "year", "org-name",
                                          "org-tax-code", "org-address", "key"};
  std::set<std::string> valueOptions = specOptions;
  valueOptions.insert("json");
  const CommandLine cli = detail::parseCommandLine(args, valueOptions, {"help"}, {"range"});
  if (cli.flags.contains("help") || cli.positional.empty()) {
    std::cout << kSeriesUsage;
    return cli.flags.contains("help") ? 0 : 2;
  }
  const std::string& verb = cli.positional[0];
  if (cli.positional.size() != 1) throw UsageError("series " + verb + " takes no arguments");
  if (verb == "create") {
    receipts::SeriesSpec spec;
    if (cli.has("json")) {
      for (const auto& name : specOptions) {
        if (cli.has(name)) throw UsageError("--json and --" + name + " exclude each other");
      }
      if (cli.has("range")) throw UsageError("--json and --range exclude each other");
      spec = requestFromJson(cli.get("json"), detail::seriesFields(),
                             [](const detail::JsonRequest& json) { return detail::seriesSpecFrom(json); });
    } else {
      for (const char* name : {"template", "symbol", "org-name", "org-tax-code", "org-address"}) {
        if (!cli.has(name)) throw UsageError(std::string("series create needs --") + name + " (or --json)");
      }
      spec.templateCode = receipts::parseTemplateCode(cli.get("template"));
      spec.symbol = cli.get("symbol");
      if (cli.has("year")) {
        const long long year = number(cli.get("year"), "--year");
        if (year < 2000 || year > 2099) throw UsageError("--year must lie within 2000..2099");
        spec.year = static_cast<int>(year);
      }
      spec.organization = {cli.get("org-name"), cli.get("org-tax-code"), cli.get("org-address")};
      spec.keyId = cli.get("key");
      for (const auto& range : cli.all("range")) spec.ranges.push_back(numberRange(range));
    }
    ServiceCore core(context.settings());
    const receipts::Series s = core.receipts().createSeries(spec);
    std::cout << "created series " << s.id << "\n";
    field("template:") << templateName(s.templateCode) << "\n";
    field("symbol:") << s.symbol << "\n";
    field("year:") << s.year << "\n";
    field("organisation:") << s.organization.name << ", MST " << s.organization.taxCode << ", "
                           << s.organization.address << "\n";
    field("key:") << s.keyId << "\n";
    if (s.ranges.empty()) {
      field("next number:") << s.nextNumber << "\n";
    } else {
      field("ranges:") << rangesText(s) << "\n";
    }
    return 0;
  }
  if (verb == "list") {
    if (!cli.options.empty() || !cli.repeated.empty()) throw UsageError("series list takes no options");
    ServiceCore core(context.settings());
    for (const auto& s : core.receipts().listSeries()) {
      std::cout << s.id << "  " << templateName(s.templateCode) << "  " << s.symbol << "  " << s.year
                << "  key=" << s.keyId << "  " << rangesText(s) << "  " << s.organization.name << "\n";
    }
    return 0;
  }
  throw UsageError("unknown series command " + verb);
}

// The fields the procedure system gets back from POST /v1/receipts.
void printIssued(const receipts::Receipt& r) {
  field("template:") << templateName(r.series.templateCode) << "\n";
  field("symbol:") << r.series.symbol << "\n";
  field("number:") << receipts::formatReceiptNumber(r.number) << "\n";
  field("issued at:") << pki::formatIso8601(r.issuedAt) << "\n";
  field("total:") << r.total << " VND\n";
  field("in words:") << r.totalInWords << "\n";
  field("lookup code:") << r.lookupCode << "\n";
  field("verify URL:") << r.verifyUrl << "\n";
}

std::string referenceText(const std::string& id, const receipts::SeriesKey& series, std::uint32_t number) {
  return id + " (" + templateName(series.templateCode) + " " + series.symbol + " no. " +
         receipts::formatReceiptNumber(number) + ")";
}

// Idempotency-Key rules of POST /v1/receipts.
std::string idempotencyKey(const std::string& key) {
  if (key.size() > 255) throw InputError("invalid_idempotency_key", "the idempotency key is longer than 255 bytes");
  for (const char c : key) {
    if (c < 0x21 || c > 0x7e) {
      throw InputError("invalid_idempotency_key", "the idempotency key must be printable ASCII without spaces");
    }
  }
  return key;
}

int receipt(const Context& context, const std::vector<std::string>& args) {
  const CommandLine cli = detail::parseCommandLine(args, {"json", "idempotency-key", "xml", "pdf"}, {"help"});
  if (cli.flags.contains("help") || cli.positional.empty()) {
    std::cout << kReceiptUsage;
    return cli.flags.contains("help") ? 0 : 2;
  }
  const std::string& verb = cli.positional[0];
  if (verb == "issue") {
    if (cli.positional.size() != 1) throw UsageError("receipt issue takes no arguments");
    if (!cli.has("json")) throw UsageError("receipt issue needs --json FILE");
    if (cli.has("xml") || cli.has("pdf")) throw UsageError("--xml and --pdf belong to receipt show");
    receipts::IssueRequest request =
        requestFromJson(cli.get("json"), detail::issueRequestFields(),
                        [](const detail::JsonRequest& json) { return detail::issueRequestFrom(json); });
    request.actor = actor();
    request.idempotencyKey = idempotencyKey(cli.get("idempotency-key"));
    ServiceCore core(context.settings());
    const receipts::IssueResult result = core.receipts().issue(request);
    std::cout << (result.replayed ? "already issued (same idempotency key or payment), nothing new: receipt "
                                  : "issued receipt ")
              << result.receipt.id << "\n";
    printIssued(result.receipt);
    return 0;
  }
  if (verb == "show") {
    if (cli.positional.size() != 2) throw UsageError("receipt show needs the receipt id");
    if (cli.has("json") || cli.has("idempotency-key")) throw UsageError("--json and --idempotency-key belong to issue");
    ServiceCore core(context.settings());
    const receipts::Receipt r = core.receipts().get(cli.positional[1]);
    std::cout << "receipt " << r.id << "\n";
    printIssued(r);
    std::string status(receipts::receiptStatusName(r.status));
    if (r.replacedBy) {
      const receipts::Receipt by = core.receipts().get(*r.replacedBy);
      status += " by " + referenceText(by.id, by.series, by.number);
    }
    field("status:") << status << "\n";
    if (r.replaces) {
      field("replaces:") << referenceText(r.replaces->id, r.replaces->series, r.replaces->number) << " of "
                         << pki::formatIso8601(r.replaces->issuedAt) << "\n";
    }
    field("organisation:") << r.organization.name << ", MST " << r.organization.taxCode << ", "
                           << r.organization.address << "\n";
    field("payer:") << r.request.payer.name << ", " << r.request.payer.id
                    << (r.request.payer.address.empty() ? "" : ", " + r.request.payer.address) << "\n";
    for (const auto& item : r.request.items) {
      field("item:") << item.code << "  " << item.name << "  (" << receipts::feeKindLabel(item.kind) << ")  "
                     << item.amount << " VND\n";
    }
    const auto& payment = r.request.payment;
    field("payment:") << receipts::paymentMethodName(payment.method) << ", " << payment.provider << " "
                      << payment.transactionId << ", paid " << pki::formatIso8601(payment.paidAt) << "\n";
    field("dossier:") << r.request.dossier.code << ", procedure " << r.request.dossier.procedureCode << "\n";
    if (cli.has("xml")) {
      writeFileAtomic(cli.get("xml"), core.receipts().xml(r.id));
      std::cout << "wrote the signed XML to " << cli.get("xml") << "\n";
    }
    if (cli.has("pdf")) {
      const Bytes pdf = core.receipts().pdf(r.id);
      writeFileAtomic(cli.get("pdf"), asChars(pdf));
      std::cout << "wrote the signed PDF copy to " << cli.get("pdf") << "\n";
    }
    return 0;
  }
  throw UsageError("unknown receipt command " + verb);
}

// IN of a command that writes a new PDF to OUT (atomically): OUT must not be IN.
signer::PdfInput readPdfToRewrite(const std::filesystem::path& in, const std::filesystem::path& out,
                                  std::uint64_t maxBytes) {
  auto input = signer::PdfInput::fromFile(in, maxBytes);
  if (std::filesystem::exists(out) && std::filesystem::equivalent(in, out)) {
    throw UsageError("OUT must differ from IN");
  }
  return input;
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
  const auto input = readPdfToRewrite(in, out, core.settings().maxDocumentBytes);
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

constexpr const char* kExtendUsage =
    "Usage: kyso extend pdf IN OUT [--level B-LT|B-LTA]\n"
    "\n"
    "Extends every signature of IN that verifies (revocation aside) into OUT, written atomically, as\n"
    "POST /v1/extend/pdf does: an incremental update with a /DSS holding the certificates, OCSP\n"
    "responses and CRLs of the signatures and their time-stamping authorities (B-LT), then a\n"
    "document time-stamp from the configured TSA over it (B-LTA, the default).\n";

int extendPdf(const Context& context, const std::vector<std::string>& args) {
  const CommandLine cli = detail::parseCommandLine(args, {"level"}, {"help"});
  if (cli.flags.contains("help")) {
    std::cout << kExtendUsage;
    return 0;
  }
  if (cli.positional.size() != 2) throw UsageError("extend pdf needs IN and OUT");
  const signer::LtvLevel level = signer::parseLtvLevel(cli.get("level", "B-LTA"));
  ServiceCore core(context.settings());
  const std::filesystem::path in = cli.positional[0];
  const std::filesystem::path out = cli.positional[1];
  const auto input = readPdfToRewrite(in, out, core.settings().maxDocumentBytes);
  signer::FilePdfOutput output(out);
  const signer::LtvResult result = core.ltv().extend(input, output, level);
  output.commit();
  std::cout << "extended " << out.string() << " (" << signer::ltvLevelName(level) << ", " << result.signatures.size()
            << " signature(s), " << result.certificates << " certificate(s), " << result.ocspResponses
            << " OCSP response(s), " << result.crls << " CRL(s) added"
            << (result.timeStampField.empty() ? "" : ", document time-stamp " + result.timeStampField) << ")\n";
  for (const std::string& warning : result.warnings) std::cout << "warning: " << warning << "\n";
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

// ---------------------------------------------------------------------------------------------
// kyso verify

std::string verdictText(signer::Indication indication, signer::SubIndication sub) {
  std::string out(signer::indicationName(indication));
  if (sub != signer::SubIndication::None) out += "/" + std::string(signer::subIndicationName(sub));
  return out;
}

// "Signature1: TOTAL_PASSED, B-T, by NAME (UID), time-stamped T, revocation good (ocsp)".
std::string signatureLine(const signer::SignatureResult& s) {
  std::string line = (s.fieldName.empty() ? std::string("(unnamed)") : s.fieldName) + ": " +
                     verdictText(s.indication, s.subIndication) + ", " +
                     std::string(signer::signatureLevelName(s.level));
  if (s.signer) {
    const std::string name = s.signer->commonName.empty() ? s.signer->subject : s.signer->commonName;
    line += ", by " + name + (s.signer->uid.empty() ? "" : " (" + s.signer->uid + ")");
  }
  if (s.timeStampTime) {
    line += ", time-stamped " + pki::formatIso8601(*s.timeStampTime);
  } else if (s.claimedSigningTime) {
    line += ", signed " + pki::formatIso8601(*s.claimedSigningTime) + " (claimed)";
  }
  if (s.coverage.revision != 0) line += ", covers revision " + std::to_string(s.coverage.revision);
  if (!s.revocation.empty()) {
    const signer::RevocationEvidence& e = s.revocation.front();
    line += ", revocation " + std::string(signer::revocationStatusName(e.status));
    if (!e.source.empty()) line += " (" + e.source + ")";
  }
  return line;
}

// kyso verify --signed-revision N FILE OUT: what a signature over revision N signed.
int signedRevisionCommand(const Context& context, const CommandLine& cli) {
  if (cli.positional.size() != 2 || cli.flags.contains("json")) {
    throw UsageError("verify --signed-revision N needs FILE and OUT");
  }
  const std::string number = cli.get("signed-revision");
  if (number.empty() || number.size() > 6 ||
      !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw UsageError("--signed-revision needs a revision number (1 is the original document)");
  }
  try {
    const Settings settings = context.settings();
    // OUT = FILE would replace the file by its own prefix: every later revision lost.
    const auto input = readPdfToRewrite(cli.positional[0], cli.positional[1], settings.verify.maxBytes);
    signer::FilePdfOutput output(cli.positional[1]);
    const signer::PdfRevision revision = signer::writePdfRevision(input, std::stoul(number), output);
    output.commit();
    std::cout << "revision " << revision.number << " of " << cli.positional[0] << " (" << revision.end
              << " bytes) written to " << cli.positional[1] << "\n";
    return 0;
  } catch (const kyso::Error& e) {
    std::cerr << "kyso: " << e.what() << " (" << e.code() << ")\n";
    return kVerifyNotEvaluated;
  } catch (const UsageError&) {
    throw;  // 64, from verifyCommand
  } catch (const std::exception& e) {
    // A file system error, say: 1 would read as TOTAL_FAILED.
    std::cerr << "kyso: " << e.what() << "\n";
    return kVerifyNotEvaluated;
  }
}

int verifyReport(const Context& context, const std::vector<std::string>& args) {
  const CommandLine cli = detail::parseCommandLine(args, {"signed-revision"}, {"help", "json"});
  if (cli.flags.contains("help")) {
    std::cout << kVerifyUsage;
    return 0;
  }
  if (cli.has("signed-revision")) return signedRevisionCommand(context, cli);
  if (cli.positional.size() != 1) throw UsageError("verify needs one FILE");
  try {
    ServiceCore core(context.settings());
    const detail::DocumentVerification verification = detail::verifyDocumentFile(core, cli.positional[0]);
    const signer::VerificationReport& report = verification.report;
    if (cli.flags.contains("json")) {
      std::cout << detail::documentVerificationJson(verification) << "\n";
    } else {
      std::cout << cli.positional[0] << ": " << verdictText(report.indication, report.subIndication) << "\n";
      for (const signer::SignatureResult& s : report.signatures) {
        std::cout << "  " << signatureLine(s) << "\n";
        if (!s.detail.empty()) std::cout << "    " << s.detail << "\n";
        for (const auto& warning : s.warnings) std::cout << "    warning: " << warning << "\n";
      }
      // "DocTimeStamp1: document time-stamp of T by TSA, valid" (PAdES B-LTA).
      for (const signer::DocumentTimeStampResult& t : report.documentTimeStamps) {
        std::cout << "  " << t.fieldName << ": document time-stamp"
                  << (t.tsaSubject.empty() ? "" : " of " + pki::formatIso8601(t.time) + " by " + t.tsaSubject)
                  << (t.valid ? ", valid" : ", not valid: " + t.problem) << "\n";
      }
      for (const auto& warning : report.warnings) std::cout << "  warning: " << warning << "\n";
      if (verification.receipt) std::cout << "  " << detail::receiptSummary(*verification.receipt) << "\n";
    }
    switch (report.indication) {
      case signer::Indication::TotalPassed:
        return kVerifyPassed;
      case signer::Indication::TotalFailed:
        return kVerifyFailed;
      case signer::Indication::Indeterminate:
        return kVerifyIndeterminate;
    }
    return kVerifyIndeterminate;
  } catch (const kyso::Error& e) {
    // 1 belongs to TOTAL_FAILED here: a file that cannot be evaluated has its own code.
    std::cerr << "kyso: " << e.what() << " (" << e.code() << ")" << (e.detail().empty() ? "" : ": " + e.detail())
              << "\n";
    return kVerifyNotEvaluated;
  } catch (const std::exception& e) {
    std::cerr << "kyso: " << e.what() << "\n";
    return kVerifyNotEvaluated;
  }
}

int verifyUsageError(const UsageError& e) {
  std::cerr << "kyso: " << e.what() << "\n\n" << kVerifyUsage;
  return kVerifyUsageError;
}

int verifyCommand(const Context& context, const std::vector<std::string>& args) {
  try {
    return verifyReport(context, args);
  } catch (const UsageError& e) {
    return verifyUsageError(e);
  }
}

// ---------------------------------------------------------------------------------------------
// kyso key: the service's keys, and keys in PKCS#11 tokens

constexpr std::size_t kMaxPinBytes = 4096;  // as for a PIN file

// Turns the terminal's echo off while a PIN is typed, and back on however the reading ends.
class HiddenInput {
 public:
  HiddenInput() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~HiddenInput() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  HiddenInput(const HiddenInput&) = delete;
  HiddenInput& operator=(const HiddenInput&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// One line of standard input, read with read(2) a byte at a time into a buffer that never grows,
// so neither stdio nor a reallocation leaves a copy of the PIN behind.
pki::Pkcs11Pin pinFromStandardInput(const std::string& token) {
  const bool terminal = ::isatty(STDIN_FILENO) == 1;
  std::optional<HiddenInput> hidden;
  if (terminal) {
    std::cerr << "PIN of token '" << token << "': " << std::flush;
    hidden.emplace();
  }
  std::string pin;
  pin.reserve(kMaxPinBytes + 1);
  for (;;) {
    char c = 0;
    const ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    if (pin.size() == kMaxPinBytes) {
      wipe(pin);
      throw UsageError("the PIN on standard input is longer than " + std::to_string(kMaxPinBytes) + " bytes");
    }
    pin.push_back(c);
  }
  if (!pin.empty() && pin.back() == '\r') {
    pin.back() = '\0';
    pin.pop_back();
  }
  if (terminal) {
    hidden.reset();
    std::cerr << "\n";
  }
  return pki::Pkcs11Pin::take(pin);  // an empty PIN is refused by the token unless it has a PIN pad
}

pki::Pkcs11Pin pinFor(const CommandLine& cli) {
  if (cli.has("pin-file")) return KeyRegistry::readPinFile(cli.get("pin-file"), "--pin-file");
  return pinFromStandardInput(cli.get("token"));
}

std::string publicKeyPem(EVP_PKEY* key) {
  auto bio = ossl::own(BIO_new(BIO_s_mem()), "BIO_new");
  ossl::check(PEM_write_bio_PUBKEY(bio.get(), key), "PEM_write_bio_PUBKEY");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, checkedCast<std::size_t>(size));
}

// "RSA 2048 bit"; without the size when the token did not say (a key listed, not opened).
std::string keyDescription(pki::KeyAlgorithm algorithm, unsigned bits) {
  return std::string(pki::keyAlgorithmName(algorithm)) + (bits == 0 ? "" : " " + std::to_string(bits) + " bit");
}

std::string yesNo(bool value) {
  return value ? "yes" : "no";
}

void requireOptions(const CommandLine& cli, const std::string& verb, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (!cli.has(name)) throw UsageError("key " + verb + " needs --" + name);
  }
}

// Where a configured key is kept, for `kyso key list`.
std::string keySource(const Settings& settings, const std::string& id) {
  if (settings.usesDevPki()) return "development PKI in " + settings.devPkiDir().string();
  for (const KeySettings& k : settings.keys) {
    if (k.id != id) continue;
    if (k.inPkcs11Token()) {
      return "PKCS#11 token '" + k.pkcs11Token + "', key " +
             (k.pkcs11KeyLabel.empty() ? "id " + k.pkcs11KeyId : "label '" + k.pkcs11KeyLabel + "'") + ", module " +
             k.pkcs11Module;
    }
    return k.pkcs12.empty() ? "PEM key file " + k.pemKey : "PKCS#12 file " + k.pkcs12;
  }
  return "?";
}

int listServiceKeys(const Context& context) {
  ServiceCore core(context.settings());
  for (const std::string& id : core.keys().ids()) {
    const pki::SigningCredential& credential = core.keys().get(id);
    const pki::Certificate& certificate = credential.certificate();
    std::cout << "key " << id << (id == core.keys().defaultId() ? " (default)" : "") << "\n";
    field("algorithm:") << keyDescription(credential.key->algorithm(),
                                          checkedCast<unsigned>(EVP_PKEY_get_bits(certificate.publicKey())))
                        << "\n";
    field("subject:") << certificate.subject() << "\n";
    field("valid:") << pki::formatIso8601(certificate.notBefore()) << " to "
                    << pki::formatIso8601(certificate.notAfter()) << "\n";
    field("source:") << keySource(core.settings(), id) << "\n";
  }
  return 0;
}

int key(const Context& context, const std::vector<std::string>& args) {
  const CommandLine cli = detail::parseCommandLine(args,
                                                   {"pkcs11-module", "token", "pin-file", "label", "id", "algorithm",
                                                    "name", "cccd", "mst", "province", "organization", "out"},
                                                   {"help"});
  if (cli.flags.contains("help") || cli.positional.empty()) {
    std::cout << kKeyUsage;
    return cli.flags.contains("help") ? 0 : 2;
  }
  const std::string& verb = cli.positional[0];
  if (cli.positional.size() != 1) throw UsageError("key " + verb + " takes no arguments");
  // Which options each form takes, so that a misplaced one is an error rather than ignored.
  static const std::map<std::string, std::set<std::string>> allowed = {
      {"tokens", {"pkcs11-module"}},
      {"list", {"pkcs11-module", "token", "pin-file"}},
      {"generate", {"pkcs11-module", "token", "pin-file", "label", "id", "algorithm"}},
      {"csr",
       {"pkcs11-module", "token", "pin-file", "label", "id", "name", "cccd", "mst", "province", "organization", "out"}},
  };
  const auto forms = allowed.find(verb);
  if (forms == allowed.end()) throw UsageError("unknown key command " + verb);
  for (const auto& [name, _] : cli.options) {
    if (!forms->second.contains(name)) throw UsageError("--" + name + " does not apply to key " + verb);
  }

  if (verb == "list" && !cli.has("pkcs11-module")) {
    if (cli.has("token") || cli.has("pin-file")) throw UsageError("--token and --pin-file need --pkcs11-module");
    return listServiceKeys(context);
  }
  requireOptions(cli, verb, {"pkcs11-module"});
  const auto module = pki::Pkcs11Module::load(cli.get("pkcs11-module"));
  if (verb == "tokens") {
    std::cout << "module " << module->path() << " (" << module->description() << ")\n";
    for (const pki::Pkcs11TokenInfo& t : module->tokens()) {
      std::cout << "slot " << t.slot << "  token '" << t.label << "'  " << t.manufacturer << " " << t.model
                << "  serial " << t.serialNumber << (t.initialized ? "" : "  (not initialised)")
                << (t.loginRequired ? "" : "  (no login)") << "\n";
    }
    return 0;
  }

  requireOptions(cli, verb, {"token"});
  if (verb == "generate") requireOptions(cli, verb, {"label"});
  if (verb == "csr") {
    requireOptions(cli, verb, {"name", "province"});
    if (!cli.has("cccd") && !cli.has("mst")) throw UsageError("key csr needs --cccd or --mst (or both)");
    if (cli.has("label") == cli.has("id")) throw UsageError("key csr needs one of --label and --id");
  }
  pki::KeyAlgorithm algorithm = pki::KeyAlgorithm::Rsa;
  if (const std::string name = cli.get("algorithm", "rsa"); name == "ec") {
    algorithm = pki::KeyAlgorithm::Ecdsa;
  } else if (name != "rsa") {
    throw UsageError("--algorithm must be rsa or ec");
  }
  Bytes id;
  if (cli.has("id")) {
    try {
      id = fromHex(cli.get("id"));
    } catch (const InputError&) {
      throw UsageError("--id needs the key id in hex (an even number of hex digits), not '" + cli.get("id") + "'");
    }
    if (id.empty()) throw UsageError("--id needs at least one byte");
  }
  // The subject is checked before the PIN is asked for.
  pki::DistinguishedName subject;
  if (verb == "csr") {
    pki::CertificateSubject s;
    s.commonName = cli.get("name");
    if (cli.has("cccd")) s.uids.push_back("CCCD:" + cli.get("cccd"));
    if (cli.has("mst")) s.uids.push_back("MST:" + cli.get("mst"));
    s.province = cli.get("province");
    s.organization = cli.get("organization");
    subject = pki::vietnameseSubjectName(s);
  }

  const auto token = pki::Pkcs11Token::open(module, cli.get("token"), pinFor(cli));
  if (verb == "list") {
    const pki::Pkcs11TokenInfo& t = token->info();
    std::cout << "token '" << t.label << "' (slot " << t.slot << ", " << t.manufacturer << " " << t.model << ", serial "
              << t.serialNumber << ")\n";
    for (const pki::Pkcs11KeyInfo& k : token->keys()) {
      std::cout << "key '" << k.label << "'\n";
      field("id:") << toHex(k.id) << "\n";
      field("algorithm:") << keyDescription(k.algorithm, k.bits) << "\n";
      // The token's own account of custody (PKCS#11 §4.9): an auditor checks these.
      field("custody:") << "local=" << yesNo(k.local) << " sensitive=" << yesNo(k.sensitive)
                        << " extractable=" << yesNo(k.extractable) << " always_sensitive=" << yesNo(k.alwaysSensitive)
                        << " never_extractable=" << yesNo(k.neverExtractable) << "\n";
    }
    return 0;
  }
  if (verb == "generate") {
    const auto generated = token->generateKey(algorithm, cli.get("label"), id);
    const pki::Pkcs11KeyInfo& k = generated->info();
    std::cout << "generated key '" << k.label << "' in token '" << token->info().label << "'\n";
    field("id:") << toHex(k.id) << "\n";
    field("algorithm:") << keyDescription(k.algorithm, k.bits) << "\n";
    std::cout << publicKeyPem(generated->publicKey());
    return 0;
  }
  // csr
  const auto tokenKey = cli.has("label") ? token->findKey(cli.get("label")) : token->findKeyById(id);
  const std::string pem =
      pki::certificateRequestPem(pki::buildCertificateRequest(subject, tokenKey->publicKey(), *tokenKey));
  if (cli.has("out")) {
    writeFileAtomic(cli.get("out"), pem);
    std::cout << "wrote the certificate request for key '" << tokenKey->info().label << "' to " << cli.get("out")
              << "\n";
  } else {
    std::cout << pem;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command;  // known once the global options are read
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
    command = args.front();
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
    if (command == "extend") {
      if (rest.empty() || rest.front() == "--help") {
        std::cout << kExtendUsage;
        return rest.empty() ? 2 : 0;
      }
      if (rest.front() != "pdf") throw UsageError("kyso extend supports: pdf");
      return extendPdf(context, {rest.begin() + 1, rest.end()});
    }
    if (command == "apikey") return apikey(context, rest);
    if (command == "pki") return pkiCommand(context, rest);
    if (command == "audit") return audit(context, rest);
    if (command == "series") return series(context, rest);
    if (command == "receipt") return receipt(context, rest);
    if (command == "key") return key(context, rest);
    if (command == "verify") return verifyCommand(context, rest);
    if (command == "version") {
      std::cout << "kyso " << KYSO_VERSION << "\n";
      return 0;
    }
    throw UsageError("unknown command " + command);
  } catch (const UsageError& e) {
    // "kyso verify --data-dir" without its value: verify's own usage code.
    if (command == "verify") return verifyUsageError(e);
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
