// The fedgate binary: command line only; everything it does lives in the app library.
//
//   fedgate --config FILE         run the gateway
//   fedgate check-config FILE     validate a config, print every error with key path and line
//   fedgate version               print version and library versions
//   fedgate ctl [--json] (--config FILE | --socket PATH) COMMAND
//                                 ask the running gateway (status, partners, sessions,
//                                 test-im, drain, reload)

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "app/config.hpp"
#include "app/control_server.hpp"
#include "app/gateway.hpp"
#include "app/tls_setup.hpp"
#include "app/version.hpp"
#include "metrics/log.hpp"

namespace {

using fedgate::app::config_result;

// Prints every error; returns true when there were none.
bool report(const config_result& r, const std::filesystem::path& file) {
  for (const auto& e : r.errors) {
    std::cerr << fedgate::app::format_error(e, file) << '\n';
  }
  return r.ok();
}

config_result load_and_check(const std::filesystem::path& file) {
  config_result r = fedgate::app::load_config_file(file);
  if (r.ok()) {
    auto tls_errors = fedgate::app::check_tls_files(r.cfg);
    r.errors.insert(r.errors.end(), tls_errors.begin(), tls_errors.end());
  }
  return r;
}

int check_config(const std::filesystem::path& file) {
  config_result r = load_and_check(file);
  if (!report(r, file)) {
    std::cerr << file.string() << ": " << r.errors.size() << " error"
              << (r.errors.size() == 1 ? "" : "s") << '\n';
    return 1;
  }
  std::cout << file.string() << ": OK (" << r.cfg.domains.size() << " domain pair"
            << (r.cfg.domains.size() == 1 ? "" : "s") << ", " << r.cfg.xmpp.partners.size()
            << " partner" << (r.cfg.xmpp.partners.size() == 1 ? "" : "s") << ")\n";
  return 0;
}

// A value in a key: value line: strings as they are, lists joined with ", " ("-" when empty;
// {"domain", "keys"} items as "domain (key, key)"), anything else as JSON.
std::string cell(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_array()) return v.dump();
  if (v.empty()) return "-";
  std::string out;
  for (const auto& item : v) {
    std::string one = cell(item);
    if (item.is_object() && item.contains("domain") && item.contains("keys")) {
      one = item["domain"].get<std::string>() + " (" + cell(item["keys"]) + ")";
    }
    out += (out.empty() ? "" : ", ") + one;
  }
  return out;
}

// Aligned columns for a JSON array of flat objects (keys of the first row), or key: value lines
// for an object.
std::string render_table(const nlohmann::json& j) {
  std::ostringstream out;
  if (j.is_object()) {
    std::size_t width = 0;
    for (auto it = j.begin(); it != j.end(); ++it)
      width = std::max(width, it.key().size());
    for (auto it = j.begin(); it != j.end(); ++it) {
      std::string v = cell(*it);
      out << it.key() << std::string(width - it.key().size() + 2, ' ') << v << '\n';
    }
    return out.str();
  }
  if (!j.is_array() || j.empty()) return j.is_array() ? "(none)\n" : j.dump() + "\n";
  std::vector<std::string> keys;
  for (auto it = j.front().begin(); it != j.front().end(); ++it)
    keys.push_back(it.key());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> widths;
  for (const auto& k : keys)
    widths.push_back(k.size());
  for (const auto& r : j) {
    std::vector<std::string> row;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const auto& v = r.contains(keys[i]) ? r.at(keys[i]) : nlohmann::json();
      row.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      widths[i] = std::max(widths[i], row.back().size());
    }
    rows.push_back(std::move(row));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      out << cells[i];
      if (i + 1 < cells.size()) out << std::string(widths[i] - cells[i].size() + 2, ' ');
    }
    out << '\n';
  };
  std::vector<std::string> header;
  for (const auto& k : keys) {
    std::string h = k;
    for (char& c : h)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    header.push_back(h);
  }
  line(header);
  for (const auto& r : rows)
    line(r);
  return out.str();
}

int ctl(const std::string& config_file, std::string socket, bool json,
        const std::vector<std::string>& words) {
  if (socket.empty()) {
    if (config_file.empty()) {
      std::cerr << "fedgate ctl: give --config FILE (or --socket PATH)\n";
      return 2;
    }
    auto r = fedgate::app::load_config_file(config_file);
    // A reload of a file with errors still goes to the gateway (which reports them and keeps
    // running unchanged), as long as the file names the state directory.
    bool reload = words.size() == 1 && words[0] == "reload";
    if (!(reload && !r.cfg.general.state_dir.empty()) && !report(r, config_file)) return 2;
    socket = (r.cfg.general.state_dir / "control.sock").string();
  }
  std::string command;
  for (const auto& w : words)
    command += (command.empty() ? "" : " ") + w;
  std::string error;
  std::string answer = fedgate::app::control_request(socket, command, error);
  if (!error.empty()) {
    std::cerr << "fedgate ctl: " << error << '\n';
    return 1;
  }
  auto parsed = nlohmann::json::parse(answer, nullptr, false);
  if (parsed.is_discarded()) {
    std::cerr << "fedgate ctl: unreadable answer: " << answer << '\n';
    return 1;
  }
  bool failed = parsed.is_object() && parsed.contains("error");
  // reload: a file that did not load lists its errors (and changed nothing).
  bool rejected = parsed.is_object() && parsed.contains("errors") && parsed["errors"].is_array() &&
                  !parsed["errors"].empty();
  if (json) {
    std::cout << parsed.dump(2) << '\n';
  } else if (failed) {
    std::cerr << "fedgate ctl: " << parsed["error"].get<std::string>() << '\n';
  } else if (rejected) {
    for (const auto& e : parsed["errors"])
      std::cerr << cell(e) << '\n';
    std::cerr << "fedgate ctl: reload rejected: " << parsed["errors"].size() << " error"
              << (parsed["errors"].size() == 1 ? "" : "s") << "; the gateway runs unchanged\n";
  } else {
    std::cout << render_table(parsed);
  }
  return failed || rejected ? 1 : 0;
}

int run(const std::filesystem::path& file) {
  config_result r = load_and_check(file);
  if (!report(r, file)) {
    std::cerr << "fedgate: not starting: fix the errors above (fedgate check-config "
              << file.string() << ")\n";
    return 1;
  }
  const auto& g = r.cfg.general;
  fedgate::log::init(static_cast<fedgate::log::level>(g.level),
                     g.format == fedgate::app::log_format::json ? fedgate::log::format::json
                                                                : fedgate::log::format::logfmt);
  return fedgate::app::run_gateway(std::move(r.cfg));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"fedgate: XMPP <-> SIP federation gateway"};
  cli.require_subcommand(0, 1);
  std::string config_file;
  cli.add_option("-c,--config", config_file, "Run the gateway with this config file");

  std::string check_file;
  auto* check = cli.add_subcommand("check-config", "Validate a config file and print every error");
  check->add_option("file", check_file, "Config file")->required();
  auto* version = cli.add_subcommand("version", "Print the version");
  auto* control = cli.add_subcommand(
      "ctl",
      "Ask the running gateway: status, partners, sessions, presence, test-im, drain, reload");
  std::string ctl_config, ctl_socket;
  bool ctl_json = false;
  std::vector<std::string> ctl_words;
  control->add_option("--config", ctl_config, "The running gateway's config (finds its socket)");
  control->add_option("--socket", ctl_socket, "The control socket (state_dir/control.sock)");
  control->add_flag("--json", ctl_json, "Print the answer as JSON");
  control
      ->add_option("command", ctl_words,
                   "status | partners | sessions | presence <JID> | test-im <local JID> <remote "
                   "JID> <text> | "
                   "drain "
                   "| reload")
      ->required();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  if (*check) return check_config(check_file);
  if (*control) return ctl(ctl_config, ctl_socket, ctl_json, ctl_words);
  if (*version) {
    std::cout << "fedgate " << fedgate::app::version_string() << " ("
              << fedgate::app::git_revision() << ")\n";
    return 0;
  }
  if (config_file.empty()) {
    std::cerr << cli.help() << "\nfedgate: --config FILE is required to run the gateway\n";
    return 2;
  }
  return run(config_file);
}
