// A scrape target for tests/metrics/prometheus_interop_test.cpp: fedgate's admin server on a free
// loopback port over the process-wide families, with known counts. Prints "listening port=N" and
// serves until its standard input closes.

#include <iostream>
#include <string>

#include "metrics/admin_server.hpp"
#include "metrics/families.hpp"
#include "metrics/registry.hpp"

int main() {
  using namespace fedgate::metrics;
  install(options{{"partner.example"}, "0.1.0-test", "test"});
  for (int i = 0; i < 1234; ++i)
    xmpp_stanzas().inc(direction::in, stanza_kind::message, outcome::delivered);
  for (int i = 0; i < 56; ++i)
    xmpp_stanzas().bounced(direction::out, stanza_kind::message, stanza_error::service_unavailable);
  for (int i = 0; i < 7; ++i)
    sip_requests().bounced(direction::out, sip_method::message, 408);
  for (int i = 0; i < 3; ++i)
    negotiation_failures().inc(partner("unknown.example"), direction::out,
                               negotiation_failure::dialback);
  negotiation_failures().inc(partner("partner.example"), direction::out,
                             negotiation_failure::tls_handshake);

  admin_server server;
  std::string error;
  if (!server.start({"127.0.0.1", 0}, default_collectables(), {}, error)) {
    std::cerr << "cannot start: " << error << std::endl;
    return 1;
  }
  std::cout << "listening port=" << server.port() << std::endl;
  for (std::string line; std::getline(std::cin, line);) {
  }
  server.stop();
  return 0;
}
