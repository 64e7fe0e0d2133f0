#include "dev_tools.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Buffer.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/PipeStream.h>
#include <Poco/StreamCopier.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kyso::test {

namespace {

using Poco::JSON::Object;

constexpr auto kChromium = "/usr/bin/chromium";

template <typename T>
std::string stringify(const T& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

Object::Ptr params(std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> values) {
  Object::Ptr o = new Object;
  for (const auto& [name, value] : values) o->set(name, value);
  return o;
}

}  // namespace

// A JavaScript string literal (JSON's string syntax is one).
std::string jsString(const std::string& text) {
  Poco::JSON::Array array;
  array.add(text);
  const std::string json = stringify(array);
  return json.substr(1, json.size() - 2);
}

// --- DevToolsConnection ---------------------------------------------------------------------------

DevToolsConnection::DevToolsConnection(int port, const std::string& path)
    : session_("127.0.0.1", static_cast<Poco::UInt16>(port)) {
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
  Poco::Net::HTTPResponse response;
  socket_ = std::make_unique<Poco::Net::WebSocket>(session_, request, response);
  // Screenshots arrive as one large frame; a hung browser fails the test instead of blocking it.
  socket_->setMaxPayloadSize(64 << 20);
  socket_->setReceiveTimeout(Poco::Timespan(30, 0));
}

DevToolsConnection::~DevToolsConnection() {
  try {
    socket_->shutdown();
  } catch (const Poco::Exception&) {
    // The browser may already be gone.
  }
}

Object::Ptr DevToolsConnection::receive() {
  Poco::Buffer<char> buffer(0);
  int flags = 0;
  // A message may come in fragments: continuation frames until FIN.
  do {
    const int n = socket_->receiveFrame(buffer, flags);
    if (n == 0 && (flags & Poco::Net::WebSocket::FRAME_OP_BITMASK) == Poco::Net::WebSocket::FRAME_OP_CLOSE) {
      throw std::runtime_error("the browser closed the DevTools connection");
    }
  } while ((flags & Poco::Net::WebSocket::FRAME_FLAG_FIN) == 0);
  Poco::JSON::Parser parser;
  return parser.parse(std::string(buffer.begin(), buffer.size())).extract<Object::Ptr>();
}

Object::Ptr DevToolsConnection::call(const std::string& method, Object::Ptr parameters) {
  const int id = nextId_++;
  Object message;
  message.set("id", id);
  message.set("method", method);
  message.set("params", parameters ? parameters : Object::Ptr(new Object));
  const std::string text = stringify(message);
  socket_->sendFrame(text.data(), static_cast<int>(text.size()), Poco::Net::WebSocket::FRAME_TEXT);
  for (;;) {
    Object::Ptr answer = receive();
    if (!answer->has("id")) {
      events_.push_back(answer);
      continue;
    }
    if (answer->getValue<int>("id") != id) continue;
    if (answer->has("error")) {
      throw std::runtime_error(method + ": " + stringify(*answer->getObject("error")));
    }
    return answer->getObject("result");
  }
}

Object::Ptr DevToolsConnection::waitForEvent(const std::string& method) {
  for (auto it = events_.begin(); it != events_.end(); ++it) {
    if ((*it)->getValue<std::string>("method") == method) {
      Object::Ptr event = *it;
      events_.erase(it);
      return event;
    }
  }
  for (;;) {
    Object::Ptr message = receive();
    if (message->has("method") && message->getValue<std::string>("method") == method) return message;
    if (!message->has("id")) events_.push_back(message);
  }
}

// --- BrowserPage --------------------------------------------------------------------------------

BrowserPage::BrowserPage(int port, const std::string& targetId) : connection_(port, "/devtools/page/" + targetId) {
  connection_.call("Page.enable");
}

void BrowserPage::navigate(const std::string& url) {
  connection_.dropEvents();
  const auto result = connection_.call("Page.navigate", params({{"url", url}}));
  if (result->has("errorText"))
    throw std::runtime_error("navigating to " + url + ": " + result->getValue<std::string>("errorText"));
  connection_.waitForEvent("Page.loadEventFired");
}

Poco::Dynamic::Var BrowserPage::evaluate(const std::string& expression) {
  const auto result = connection_.call(
      "Runtime.evaluate", params({{"expression", expression}, {"awaitPromise", true}, {"returnByValue", true}}));
  if (result->has("exceptionDetails")) {
    const auto details = result->getObject("exceptionDetails");
    std::string text = details->optValue<std::string>("text", "exception");
    if (details->has("exception"))
      text += ": " + details->getObject("exception")->optValue<std::string>("description", "");
    throw std::runtime_error("evaluating `" + expression + "`: " + text);
  }
  return result->getObject("result")->get("value");
}

void BrowserPage::waitFor(const std::string& condition) {
  // Checked in the page every 20 ms: the wait ends as soon as the condition holds; 15 s only bounds
  // a page that never gets there.
  evaluate(
      "new Promise((resolve, reject) => { const until = Date.now() + 15000; const check = () => { "
      "let ok = false; try { ok = !!(" +
      condition +
      "); } catch (e) {} if (ok) resolve(true); else if (Date.now() > until) reject(new Error('timed out "
      "waiting for ' + " +
      jsString(condition) + ")); else setTimeout(check, 20); }; check(); })");
}

void BrowserPage::click(const std::string& selector) {
  const auto center = evaluate("(() => { const e = document.querySelector(" + jsString(selector) +
                               "); if (!e) throw new Error('no element ' + " + jsString(selector) +
                               "); e.scrollIntoView({block: 'center'}); const r = e.getClientRects()[0]; "
                               "return [r.x + r.width / 2, r.y + r.height / 2]; })()");
  const auto xy = center.extract<Poco::JSON::Array::Ptr>();
  const double x = xy->get(0).convert<double>(), y = xy->get(1).convert<double>();
  connection_.call("Input.dispatchMouseEvent", params({{"type", "mouseMoved"}, {"x", x}, {"y", y}}));
  for (const char* type : {"mousePressed", "mouseReleased"}) {
    connection_.call("Input.dispatchMouseEvent",
                     params({{"type", type}, {"x", x}, {"y", y}, {"button", "left"}, {"clickCount", 1}}));
  }
}

void BrowserPage::pressKey(const std::string& key) {
  struct Key {
    std::string key, code, text;
    int virtualKey;
  };
  const Key k = key == "Enter"   ? Key{"Enter", "Enter", "\r", 13}
                : key == "Space" ? Key{" ", "Space", " ", 32}
                : key == "Tab"   ? Key{"Tab", "Tab", "", 9}
                                 : throw std::invalid_argument("pressKey: no key " + key);
  Object::Ptr down = params({{"type", k.text.empty() ? "rawKeyDown" : "keyDown"},
                             {"key", k.key},
                             {"code", k.code},
                             {"windowsVirtualKeyCode", k.virtualKey}});
  if (!k.text.empty()) down->set("text", k.text);
  connection_.call("Input.dispatchKeyEvent", down);
  connection_.call(
      "Input.dispatchKeyEvent",
      params({{"type", "keyUp"}, {"key", k.key}, {"code", k.code}, {"windowsVirtualKeyCode", k.virtualKey}}));
}

void BrowserPage::typeText(const std::string& text) {
  connection_.call("Input.insertText", params({{"text", text}}));
}

void BrowserPage::focus(const std::string& selector) {
  evaluate("(() => { const e = document.querySelector(" + jsString(selector) +
           "); if (!e) throw new Error('no element ' + " + jsString(selector) +
           "); e.focus(); if (document.activeElement !== e) throw new Error('not focusable'); })()");
}

void BrowserPage::chooseFile(const std::string& selector, const std::filesystem::path& file) {
  const auto document = connection_.call("DOM.getDocument", params({{"depth", 0}}));
  const int root = document->getObject("root")->getValue<int>("nodeId");
  const auto found = connection_.call("DOM.querySelector", params({{"nodeId", root}, {"selector", selector}}));
  const int node = found->getValue<int>("nodeId");
  if (node == 0) throw std::runtime_error("chooseFile: no element " + selector);
  Poco::JSON::Array::Ptr files = new Poco::JSON::Array;
  files->add(file.string());
  connection_.call("DOM.setFileInputFiles", params({{"files", files}, {"nodeId", node}}));
}

void BrowserPage::dropFile(const std::string& selector, const std::filesystem::path& file) {
  const auto center = evaluate("(() => { const e = document.querySelector(" + jsString(selector) +
                               "); if (!e) throw new Error('no element ' + " + jsString(selector) +
                               "); e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); "
                               "return [r.x + r.width / 2, r.y + r.height / 2]; })()");
  const auto xy = center.extract<Poco::JSON::Array::Ptr>();
  const double x = xy->get(0).convert<double>(), y = xy->get(1).convert<double>();
  Poco::JSON::Array::Ptr files = new Poco::JSON::Array;
  files->add(file.string());
  Object::Ptr data = params(
      {{"items", Poco::JSON::Array::Ptr(new Poco::JSON::Array)}, {"files", files}, {"dragOperationsMask", 1}});  // copy
  for (const char* type : {"dragEnter", "dragOver", "drop"}) {
    connection_.call("Input.dispatchDragEvent", params({{"type", type}, {"x", x}, {"y", y}, {"data", data}}));
  }
}

std::string BrowserPage::screenshot() {
  // The whole page, not only what the viewport shows.
  const auto metrics = connection_.call("Page.getLayoutMetrics");
  const auto size = metrics->getObject("cssContentSize");
  Object::Ptr clip = params({{"x", 0},
                             {"y", 0},
                             {"width", size->getValue<double>("width")},
                             {"height", size->getValue<double>("height")},
                             {"scale", 1}});
  const auto result = connection_.call("Page.captureScreenshot",
                                       params({{"format", "png"}, {"captureBeyondViewport", true}, {"clip", clip}}));
  std::istringstream encoded(result->getValue<std::string>("data"));
  Poco::Base64Decoder decoder(encoded);
  std::string png;
  Poco::StreamCopier::copyToString(decoder, png);
  return png;
}

}  // namespace kyso::test

// --- Chromium -------------------------------------------------------------------------------------

namespace kyso::test {

Chromium::Chromium() {
  if (!std::filesystem::exists(kChromium)) {
    throw std::runtime_error(std::string(kChromium) +
                             " is missing: install the Debian package chromium (scripts/install-deps.sh)");
  }
  // Port 0: the browser picks a free port and writes it to DevToolsActivePort in its profile.
  Poco::Process::Args args = {"--headless=new",
                              "--remote-debugging-port=0",
                              "--user-data-dir=" + profile_.path().string(),
                              "--no-first-run",
                              "--no-default-browser-check",
                              "--disable-gpu",
                              "--disable-extensions",
                              "--disable-background-networking",
                              "--disable-component-update",
                              "--disable-sync",
                              "--metrics-recording-only",
                              "--mute-audio",
                              "--window-size=360,740",
                              "about:blank"};
  // Chromium refuses to run its sandbox as root.
  if (::geteuid() == 0) args.insert(args.begin(), "--no-sandbox");
  process_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(kChromium, args, nullptr, &output_, &output_));
  drain_ = std::thread([this] {
    Poco::PipeInputStream stream(output_);
    std::string line;
    while (std::getline(stream, line)) {
      std::lock_guard lock(mutex_);
      log_ += line + "\n";
      if (line.starts_with("DevTools listening on ")) listening_.notify_all();
    }
    std::lock_guard lock(mutex_);
    outputEnded_ = true;
    listening_.notify_all();
  });
  try {
    {
      std::unique_lock lock(mutex_);
      const bool started = listening_.wait_for(lock, std::chrono::seconds(120), [this] {
        return outputEnded_ || log_.find("DevTools listening on ") != std::string::npos;
      });
      if (!started || outputEnded_) {
        const std::string log = log_;
        lock.unlock();
        throw std::runtime_error("chromium did not start its DevTools server:\n" + log);
      }
    }
    // DevToolsActivePort ("<port>\n<browser path>") may be written a moment after the address is
    // announced, and not in one piece: read it until it names the announced browser endpoint.
    const std::string logged = log();
    const auto at = logged.find("DevTools listening on ws://");
    const std::string announced = logged.substr(at, logged.find('\n', at) - at);
    std::string browserPath;
    for (int attempt = 0;; ++attempt) {
      std::ifstream file(profile_ / "DevToolsActivePort");
      port_ = 0;
      browserPath.clear();
      if (file >> port_ >> browserPath && port_ > 0 && announced.ends_with(":" + std::to_string(port_) + browserPath)) {
        break;
      }
      if (attempt == 1000) {
        throw std::runtime_error("chromium wrote no usable DevToolsActivePort (it announced " + announced + ")");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    browser_ = std::make_unique<DevToolsConnection>(port_, browserPath);
  } catch (...) {
    stop();
    throw;
  }
}

Chromium::~Chromium() {
  stop();
}

void Chromium::stop() {
  try {
    if (browser_) browser_->call("Browser.close");
  } catch (const std::exception&) {
    // It may answer by closing the connection.
  }
  browser_.reset();
  if (process_) {
    // Browser.close ends the process; a browser that does not end within 10 s is killed.
    std::thread killer([this] {
      std::unique_lock lock(mutex_);
      if (!listening_.wait_for(lock, std::chrono::seconds(10), [this] { return outputEnded_; })) {
        try {
          Poco::Process::kill(*process_);
        } catch (const Poco::Exception&) {
          // Already gone.
        }
      }
    });
    process_->wait();
    killer.join();
    process_.reset();
  }
  if (drain_.joinable()) drain_.join();
}

std::unique_ptr<BrowserPage> Chromium::newPage() {
  const auto target = browser_->call("Target.createTarget", params({{"url", "about:blank"}}));
  return std::make_unique<BrowserPage>(port_, target->getValue<std::string>("targetId"));
}

std::string Chromium::log() {
  std::lock_guard lock(mutex_);
  return log_;
}

}  // namespace kyso::test
