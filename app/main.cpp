// The fedgate binary: command line only; everything it does lives in the app library.
//
//   fedgate --config FILE         run the gateway
//   fedgate check-config FILE     validate a config, print every error with key path and line
//   fedgate version               print version and library versions

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/config.hpp"
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

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  if (*check) return check_config(check_file);
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
