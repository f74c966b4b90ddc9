#include "tests/support/prosody_server.hpp"

#include <fstream>
#include <signal.h>
#include <sstream>
#include <stdexcept>

namespace fedgate::testing {
namespace {

const char* const prosody_binary = "/usr/bin/prosody";
const char* const prosodyctl_binary = "/usr/bin/prosodyctl";

std::string lua_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

prosody_server::prosody_server(prosody_options opts) : opts_(std::move(opts)) {
  if (!std::filesystem::exists(prosody_binary)) {
    throw std::runtime_error(std::string(prosody_binary) +
                             " not found: run scripts/install-deps (package prosody)");
  }
  std::filesystem::create_directories(opts_.dir / "data");
  std::filesystem::create_directories(opts_.dir / "certs");
  // Prosody's direct-TLS service picks certificates by SNI from the certificates directory
  // (named <domain>.crt/.key), not from the VirtualHost's ssl table.
  if (!opts_.certificate.empty()) {
    std::filesystem::copy_file(opts_.certificate, opts_.dir / "certs" / (opts_.domain + ".crt"),
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(opts_.key, opts_.dir / "certs" / (opts_.domain + ".key"),
                               std::filesystem::copy_options::overwrite_existing);
  }
  std::ostringstream c;
  std::string dir = opts_.dir.string();
  c << "-- Written by tests/support/prosody_server.cpp\n"
    << "run_as_root = true\n"
    << "pidfile = " << lua_string(dir + "/prosody.pid") << "\n"
    << "data_path = " << lua_string(dir + "/data") << "\n"
    << "certificates = " << lua_string(dir + "/certs") << "\n"
    << "log = { debug = " << lua_string(dir + "/prosody.log")
    << "; { levels = { min = \"info\" }, to = \"console\" } }\n"
    << "interfaces = { \"127.0.0.1\" }\nlocal_interfaces = { \"127.0.0.1\" }\n"
    << "c2s_ports = { " << opts_.c2s_port << " }\n"
    << "s2s_ports = { " << opts_.s2s_port << " }\n"
    << "c2s_direct_tls_ports = { }\nlegacy_ssl_ports = { }\n"
    << "s2s_direct_tls_ports = { "
    << (opts_.s2s_direct_tls_port ? std::to_string(opts_.s2s_direct_tls_port) : "") << " }\n"
    << "use_ipv6 = false\n"
    << "plugin_paths = { "
    << lua_string(std::string(FEDGATE_SOURCE_DIR) + "/tests/interop/xmpp/prosody-plugins") << " }\n"
    << "modules_enabled = { \"roster\"; \"saslauth\"; \"dialback\"; \"disco\"; \"ping\"; "
       "\"posix\"; \"s2s_static_targets\";"
    << (opts_.tls ? " \"tls\";" : "") << (opts_.offline_storage ? " \"offline\";" : "") << " }\n"
    << "modules_disabled = { \"s2s_bidi\";" << (opts_.offline_storage ? "" : " \"offline\";")
    << (opts_.tls ? "" : " \"tls\";") << " }\n"
    << "authentication = \"internal_hashed\"\nstorage = \"internal\"\n"
    << "allow_registration = false\n"
    << "c2s_require_encryption = " << (opts_.tls ? "true" : "false") << "\n"
    << "s2s_require_encryption = " << (opts_.tls ? "true" : "false") << "\n"
    << "s2s_secure_auth = " << (opts_.secure_auth ? "true" : "false") << "\n"
    << "dialback_secret = \"prosody-interop-dialback-secret\"\n"
    << "s2s_static_targets = {";
  for (const auto& [domain, port] : opts_.static_targets) {
    c << " [" << lua_string(domain) << "] = { \"127.0.0.1\", " << port << " };";
  }
  for (const auto& [domain, port] : opts_.direct_tls_targets) {
    c << " [" << lua_string(domain) << "] = { \"127.0.0.1\", " << port << ", \"tls\" };";
  }
  c << " }\n";
  if (!opts_.ca_file.empty())
    c << "ssl = { cafile = " << lua_string(opts_.ca_file.string()) << " }\n";
  c << "VirtualHost " << lua_string(opts_.domain) << "\n";
  if (!opts_.certificate.empty()) {
    c << "  ssl = { certificate = " << lua_string(opts_.certificate.string())
      << "; key = " << lua_string(opts_.key.string());
    if (!opts_.ca_file.empty()) c << "; cafile = " << lua_string(opts_.ca_file.string());
    c << " }\n";
  }
  std::ofstream(config_file()) << c.str();
  for (const auto& [user, password] : opts_.users) {
    child_process reg({prosodyctl_binary, "--config", config_file().string(), "register", user,
                       opts_.domain, password});
    auto rc = reg.wait_exit(std::chrono::seconds(30));
    if (rc != 0) {
      throw std::runtime_error("prosodyctl register " + user + " failed: " + reg.output());
    }
  }
}

prosody_server::~prosody_server() {
  stop();
}

bool prosody_server::start(std::chrono::milliseconds timeout) {
  process_ = std::make_unique<child_process>(
      std::vector<std::string>{prosody_binary, "--config", config_file().string(), "-F"});
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now());
  };
  // Prosody logs each listener as it opens: "Activated service 'c2s' on [127.0.0.1]:PORT".
  bool c2s = false, s2s = false;
  while (!(c2s && s2s) && left().count() > 0) {
    auto line = process_->wait_for_line("Activated service", left());
    if (!line) break;
    if (line->find("'c2s'") != std::string::npos) c2s = true;
    if (line->find("'s2s'") != std::string::npos) s2s = true;
  }
  if (!(c2s && s2s)) {
    last_output_ = process_->output();
    stop();
    return false;
  }
  return true;
}

void prosody_server::stop(std::chrono::milliseconds timeout) {
  if (!process_) return;
  process_->signal(SIGTERM);
  if (!process_->wait_exit(timeout)) {
    process_->signal(SIGKILL);
    process_->wait_exit(std::chrono::seconds(5));
  }
  last_output_ = process_->output();
  process_.reset();
}

std::string prosody_server::log() const {
  std::string out = process_ ? process_->output() : last_output_;
  std::ifstream f(opts_.dir / "prosody.log");
  std::stringstream ss;
  ss << f.rdbuf();
  return out + "\n--- prosody.log ---\n" + ss.str();
}

}  // namespace fedgate::testing
