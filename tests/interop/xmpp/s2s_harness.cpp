// A test driver for the XMPP federation side: runs the same S2S service the fedgate binary runs,
// from a fedgate config file, with a line protocol instead of the router so interop tests can
// send stanzas out and see what comes in.
//
//   stdin:  SEND <stanza xml>     deliver the stanza to its remote domain
//           STATUS                print one STATUS line per partner
//           QUIT                  shut down (also on EOF)
//   stdout: READY port=<p>        listening
//           RECV kind=.. type=.. from=.. to=.. id=.. condition=.. xml=<stanza>
//           STATUS domain=.. state=.. up=.. inbound=.. queued=.. auth=.. error=..
// Structured logs go to stderr (the tests read both).

#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <pugixml.hpp>

#include "actors/s2s/messages.hpp"
#include "actors/s2s/partner_domain.hpp"
#include "actors/s2s/s2s_service.hpp"
#include "app/config.hpp"
#include "app/state_files.hpp"
#include "app/tls_setup.hpp"
#include "metrics/log.hpp"
#include "transport/tls/tls_context.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<fedgate::s2s::partner_status>)

namespace {

using namespace fedgate;
std::mutex out_mutex;

void print(const std::string& line) {
  std::lock_guard<std::mutex> lock(out_mutex);
  std::cout << line << std::endl;
}

std::string error_condition(const std::string& xml) {
  pugi::xml_document d;
  d.load_buffer(xml.data(), xml.size());
  for (pugi::xml_node c : d.document_element().child("error").children()) {
    if (std::string(c.name()) != "text") return c.name();
  }
  return "";
}

// Prints every stanza the S2S service hands over. (The unused int: CAF 0.17 dereferences a null
// argument tuple when a function actor is spawned without arguments.)
caf::behavior print_stanzas(caf::event_based_actor*, int) {
  return {[](s2s::inbound_atom, const s2s::stanza& s) {
    print("RECV kind=" + s.kind + " type=" + s.type + " from=" + s.from + " to=" + s.to +
          " id=" + s.id + " condition=" + (s.type == "error" ? error_condition(s.xml) : "") +
          " xml=" + s.xml);
  }};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || std::string(argv[1]) != "--config") {
    std::cerr << "usage: s2s_harness --config FILE\n";
    return 2;
  }
  auto r = app::load_config_file(argv[2]);
  if (!r.ok()) {
    for (const auto& e : r.errors)
      std::cerr << app::format_error(e, argv[2]) << "\n";
    return 2;
  }
  app::config cfg = r.cfg;
  log::init(log::level::debug, log::format::logfmt);
  std::filesystem::create_directories(cfg.general.state_dir);
  if (auto errors = app::prepare_tls_files(cfg); !errors.empty()) {
    std::cerr << errors[0].key << ": " << errors[0].message << "\n";
    return 1;
  }
  std::string error;
  auto secret = app::dialback_secret(cfg, error);
  if (!secret) {
    std::cerr << error << "\n";
    return 1;
  }
  std::vector<std::string> domains;
  for (const auto& d : cfg.domains)
    domains.push_back(d.xmpp);
  auto ctx = app::make_xmpp_tls_context(cfg, error);
  if (!ctx) {
    std::cerr << error << "\n";
    return 1;
  }

  caf::actor_system_config caf_cfg;
  caf_cfg.set("scheduler.max-threads", 2);
  caf_cfg.load<caf::io::middleman>();
  caf::actor_system sys{caf_cfg};
  auto sink = sys.spawn(print_stanzas, 0);

  auto resolver = std::make_shared<dns::resolver>(
      dns::resolver_options{cfg.dns.servers,
                            std::chrono::milliseconds(cfg.dns.timeout_ms),
                            static_cast<int>(cfg.dns.tries),
                            {},
                            {}});
  auto svc = s2s::start_s2s_service(sys, {cfg.xmpp, domains, *secret, ctx, sink, resolver});
  if (!svc.actor) {
    std::cerr << svc.error << "\n";
    caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
    return 1;
  }
  print("READY port=" + std::to_string(svc.ports.empty() ? 0 : svc.ports[0]));

  caf::scoped_actor self{sys};
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.rfind("SEND ", 0) == 0) {
      std::string xml = line.substr(5);
      pugi::xml_document d;
      if (!d.load_buffer(xml.data(), xml.size())) {
        print("ERROR unparsable stanza");
        continue;
      }
      auto el = d.document_element();
      s2s::stanza s{xml,       el.attribute("from").value(), el.attribute("to").value(),
                    el.name(), el.attribute("type").value(), el.attribute("id").value()};
      self->send(svc.actor, s2s::deliver_atom::value, std::move(s));
    } else if (line == "STATUS") {
      self->request(svc.actor, std::chrono::seconds(10), s2s::status_atom::value)
          .receive(
              [](const std::vector<s2s::partner_status>& all) {
                for (const auto& s : all) {
                  print("STATUS domain=" + s.domain + " state=" + s.state + " up=" +
                        std::to_string(s.outbound_up) + " inbound=" + std::to_string(s.inbound) +
                        " queued=" + std::to_string(s.queued) + " auth=" + s.auth +
                        " error=" + s.last_error);
                }
                print("STATUS end");
              },
              [](caf::error& e) { print("ERROR status: " + to_string(e)); });
    } else if (line == "QUIT") {
      break;
    }
  }
  self->monitor(svc.actor);
  self->send(svc.actor, s2s::shutdown_atom::value);
  self->receive([](const caf::down_msg&) {}, caf::after(std::chrono::seconds(5)) >> [] {});
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  print("BYE");
  return 0;
}
