#pragma once
// A real Prosody (Debian's prosody package) for interop tests: its own config, certificates,
// users and data in a temp directory, listening on loopback ports chosen by the test, started in
// the foreground and stopped by PID. A missing prosody binary is a test failure, never a skip.
//
// Remote domains are routed without DNS by mod_s2s_static_targets (tests/interop/xmpp/
// prosody-plugins), so the gateway under test can listen on any port.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace fedgate::testing {

struct prosody_options {
  std::string domain = "xmpp.test";
  std::filesystem::path dir;          // scratch directory (config, data, logs)
  std::filesystem::path certificate;  // for `domain`
  std::filesystem::path key;
  std::filesystem::path ca_file;  // trusted CA for peers' certificates
  std::uint16_t c2s_port = 0;
  std::uint16_t s2s_port = 0;
  std::uint16_t s2s_direct_tls_port = 0;  // XEP-0368 listener; 0 = none
  bool tls = true;               // false: no TLS module at all (a peer that offers no STARTTLS)
  bool secure_auth = false;      // s2s_secure_auth: certificates required (SASL EXTERNAL)
  bool offline_storage = false;  // mod_offline: keep messages for users who are not online
  std::map<std::string, std::uint16_t> static_targets;      // remote domain -> port on 127.0.0.1
  std::map<std::string, std::uint16_t> direct_tls_targets;  // the same, reached with direct TLS
  std::vector<std::pair<std::string, std::string>> users;   // (user, password)
};

class prosody_server {
 public:
  // Writes the config and registers the users; start() runs it.
  explicit prosody_server(prosody_options opts);
  ~prosody_server();

  // Starts Prosody and waits until both its c2s and s2s listeners are up. False (with the
  // output in log()) when it did not come up within `timeout`.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // SIGTERM, then waits for exit (SIGKILL after `timeout`).
  void stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool running() const { return process_ != nullptr; }

  std::string log() const;  // console output and the debug log file
  const prosody_options& options() const { return opts_; }
  std::filesystem::path config_file() const { return opts_.dir / "prosody.cfg.lua"; }

 private:
  prosody_options opts_;
  std::unique_ptr<child_process> process_;
  std::string last_output_;
};

}  // namespace fedgate::testing
