// A real browser for the page tests: Debian's headless Chromium, driven through the Chrome
// DevTools Protocol over a WebSocket (Poco::Net::WebSocket, Poco::JSON). One browser per suite,
// in a fresh profile; it is closed (or killed) when the object goes.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/Pipe.h>
#include <Poco/Process.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "test_support.h"

namespace kyso::test {

// One DevTools WebSocket (to the browser or to one page): commands answered by id, events queued.
class DevToolsConnection {
 public:
  DevToolsConnection(int port, const std::string& path);
  ~DevToolsConnection();
  DevToolsConnection(const DevToolsConnection&) = delete;
  DevToolsConnection& operator=(const DevToolsConnection&) = delete;

  // The command's result; a protocol error throws std::runtime_error naming the method.
  Poco::JSON::Object::Ptr call(const std::string& method, Poco::JSON::Object::Ptr params = nullptr);
  // The next event `method` (queued or still to come); throws when none comes within the socket's
  // receive timeout.
  Poco::JSON::Object::Ptr waitForEvent(const std::string& method);
  // Forgets the events received so far.
  void dropEvents() { events_.clear(); }

 private:
  Poco::JSON::Object::Ptr receive();

  Poco::Net::HTTPClientSession session_;
  std::unique_ptr<Poco::Net::WebSocket> socket_;
  int nextId_ = 1;
  std::deque<Poco::JSON::Object::Ptr> events_;
};

// A browser tab: navigation, script evaluation, real input events, screenshots.
class BrowserPage {
 public:
  BrowserPage(int port, const std::string& targetId);

  DevToolsConnection& devTools() { return connection_; }
  // Loads `url` and waits for its load event.
  void navigate(const std::string& url);
  // Evaluates `expression` in the page (a returned promise is awaited) and returns its value;
  // a thrown exception throws std::runtime_error with its text.
  Poco::Dynamic::Var evaluate(const std::string& expression);
  std::string text(const std::string& expression) { return evaluate(expression).toString(); }
  // Waits (in the page, up to 15 s) until `condition` is true.
  void waitFor(const std::string& condition);
  // A left click in the middle of the first element matching `selector` (of its first line box, for
  // a link that wraps), as a mouse makes it.
  void click(const std::string& selector);
  // Key presses as a keyboard makes them, to the focused element.
  void pressKey(const std::string& key);
  void typeText(const std::string& text);
  // Focuses the first element matching `selector`.
  void focus(const std::string& selector);
  // Puts `file` into the file input `selector` as a person choosing it would (change event).
  void chooseFile(const std::string& selector, const std::filesystem::path& file);
  // Drags `file` from outside the browser and drops it on the middle of `selector`.
  void dropFile(const std::string& selector, const std::filesystem::path& file);
  // A PNG of the whole page.
  std::string screenshot();

 private:
  DevToolsConnection connection_;
};

// `text` as a JavaScript string literal, quotes included.
std::string jsString(const std::string& text);

class Chromium {
 public:
  // Starts /usr/bin/chromium headless; throws std::runtime_error if it is missing or does not start.
  Chromium();
  ~Chromium();
  Chromium(const Chromium&) = delete;
  Chromium& operator=(const Chromium&) = delete;

  // A new tab on about:blank.
  std::unique_ptr<BrowserPage> newPage();
  // What the browser wrote on its standard error (for failure messages).
  std::string log();

 private:
  void stop();

  TempDir profile_;
  Poco::Pipe output_;  // its stdout and stderr
  std::unique_ptr<Poco::ProcessHandle> process_;
  std::thread drain_;
  std::mutex mutex_;
  std::condition_variable listening_;
  std::string log_;
  bool outputEnded_ = false;
  int port_ = 0;
  std::unique_ptr<DevToolsConnection> browser_;
};

}  // namespace kyso::test
