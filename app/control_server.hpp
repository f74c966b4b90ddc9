#pragma once
// The local control socket behind `fedgate ctl`: a Unix domain socket (mode 0600, so only the
// gateway's own user can talk to it) that takes one command line per connection and answers
// with one JSON document.
//
// Why a socket and not HTTP on the metrics listener: control actions (reload, drain) must not be
// reachable by whoever can scrape metrics; file permissions are the access control.
//
// Threading: one thread polls the socket; the handler runs on that thread, one request at a time
// (requests are rare and short). Every read has a deadline, so a stuck client cannot block it.

#include <filesystem>
#include <functional>
#include <string>
#include <thread>

namespace fedgate::app {

class control_server {
 public:
  // Receives the command line (without the newline), returns the JSON answer.
  using handler = std::function<std::string(const std::string& command)>;

  control_server() = default;
  ~control_server();  // stop()
  control_server(const control_server&) = delete;
  control_server& operator=(const control_server&) = delete;

  // Binds `path` (replacing a stale socket file) and serves in the background. False with
  // `error` set on failure.
  bool start(const std::filesystem::path& path, handler h, std::string& error);
  void stop();

 private:
  void serve();

  std::filesystem::path path_;
  handler handler_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // a pipe that wakes the poll loop for stop()
  std::thread thread_;
};

// Client side: sends `command` to the socket at `path` and returns the answer, or an empty
// string with `error` set.
std::string control_request(const std::filesystem::path& path, const std::string& command,
                            std::string& error);

}  // namespace fedgate::app
