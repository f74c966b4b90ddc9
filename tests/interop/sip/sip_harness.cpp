// A stand-in for fedgate's router on top of the SIP stack (actors/sip), for interop tests with
// SIPp and Kamailio. Configured from the command line (--key=value):
//   --udp=HOST:PORT --tcp=HOST:PORT      listeners (port 0 = any; READY line prints the ports)
//   --domain=D (repeatable)              served domains (others get 404)
//   --trust=CIDR (repeatable)            trusted peers (others get 403)
//   --t1=MS --t2=MS --t4=MS              RFC 3261 timers (short values keep timeout tests short)
//   --mode=answer                        MESSAGE -> 200; SUBSCRIBE -> 202 then an in-dialog
//                                        NOTIFY; OPTIONS etc. -> 200
//   --mode=forward --target=SIPURI       MESSAGE -> originate a MESSAGE to SIPURI, answer the
//                                        original with the status that came back (408 on timeout)
//   --mode=originate --count=N --to=URI  send N MESSAGEs one after the other to URI
//   --mode=invite-cancel --to=URI        send an INVITE, CANCEL it when 180 arrives; prints
//                                        "INVITE status=S"
//   --proxy=SIPURI                       outbound proxy for originated requests
//   --dns=127.0.0.1:PORT                 DNS server for RFC 3263 (c-ares; 300 ms x 2 tries)
//   --tls=HOST:PORT --cert=F --key=F --ca=F   TLS listener and identity, CA for peers
//   --trust-name=NAME (repeatable)       trusted TLS certificate names
//   --idle-ms=MS                         TCP/TLS idle timeout
// Output, one line per event: "READY udp=P tcp=P [tls=P]", "DELIVERED n=N dup=D method=M",
// "NOTIFY status=S", "FORWARDED status=S reason=R", "RESULT i=I status=S",
// "ORIGINATED ok=X fail=Y".
#include <csignal>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/sip/messages.hpp"
#include "actors/sip/sip_service.hpp"
#include "codecs/sip/serializer.hpp"
#include "metrics/log.hpp"
#include "transport/tls/tls_context.hpp"

using namespace fedgate;
using namespace fedgate::sip_layer;

namespace {

using contact_atom = caf::atom_constant<caf::atom("contact")>;

struct options {
  std::vector<listen_point> udp, tcp, tls;
  std::vector<std::string> domains, trust, trust_names;
  std::string mode = "answer", target, to, proxy, dns, cert, key, ca;
  int idle_ms = 0;
  int count = 1;
  timer_settings timers;
};

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

listen_point parse_hp(const std::string& v) {
  auto colon = v.rfind(':');
  return {v.substr(0, colon), static_cast<std::uint16_t>(std::stoi(v.substr(colon + 1)))};
}

struct handler_state {
  options opt;
  sip_service* svc = nullptr;
  std::map<std::string, int> seen;  // Call-ID + CSeq -> deliveries
  int delivered = 0, dups = 0, tags = 0;
  std::string contact;
};

std::string tag(handler_state& s) {
  return "h" + std::to_string(++s.tags);
}

void notify_after_subscribe(caf::stateful_actor<handler_state>* self, const incoming_request& in,
                            const std::string& local_tag) {
  auto& s = self->state;
  const sip::message& sub = in.request;
  auto contacts = sub.contacts();
  if (contacts.empty()) return;
  std::string target(contacts.front().uri_text);
  auto b = sip::message_builder::request("NOTIFY", target);
  // Route set from Record-Route, in order (RFC 3261 §12.1.1, UAS side).
  for (auto rr : sub.header_values(sip::header_id::record_route))
    b.header("Route", rr);
  b.header("From", std::string(*sub.header(sip::header_id::to)) + ";tag=" + local_tag);
  b.header("To", *sub.header(sip::header_id::from));
  b.header("Call-ID", sub.call_id());
  b.header("CSeq", "1 NOTIFY");
  b.header("Max-Forwards", "70");
  b.header("Event", sub.header(sip::header_id::event).value_or("presence"));
  b.header("Subscription-State", "active;expires=60");
  b.header("Contact", s.contact);
  b.body("application/pidf+xml",
         "<?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
         "entity=\"sip:bob@xmpp.test\"><tuple id=\"t\"><status><basic>open</basic></status>"
         "</tuple></presence>");
  outgoing_request o;
  o.request = b;
  if (!sub.record_routes().empty()) {
    o.next_hop = std::nullopt;  // first Route entry decides (loose routing via outbound proxy)
  } else if (in.from.transport != transport_kind::udp) {
    o.next_hop = in.from;  // same connection (RFC 5923-style reuse; SIPp listens on it)
  } else {
    o.next_hop = peer_from_uri(target);
    if (!o.next_hop) o.next_hop = in.from;
  }
  // Through the shard that holds the SUBSCRIBE's transaction: it sent the 202 first, so the
  // NOTIFY cannot overtake it on the way out (RFC 6665 §4.1.2.4 lets the subscriber cope with
  // the reverse order, but SIPp scenarios cannot).
  self->request(in.shard, caf::infinite, sip_send_atom::value, o)
      .then([](const sip::message& r) { say("NOTIFY status=" + std::to_string(r.status_code())); },
            [](const caf::error& e) { say("NOTIFY error=" + caf::to_string(e)); });
}

caf::behavior handler(caf::stateful_actor<handler_state>* self, options opt, sip_service* svc) {
  self->state.opt = std::move(opt);
  self->state.svc = svc;
  return {
      [=](sip_request_atom, incoming_request& in) {
        auto& s = self->state;
        const sip::message& req = in.request;
        if (in.server_id == 0) return;  // ACK for a 2xx
        std::string key = std::string(req.call_id()) + "/" + std::to_string(req.cseq().number);
        if (s.seen[key]++ > 0) ++s.dups;
        ++s.delivered;
        say("DELIVERED n=" + std::to_string(s.delivered) + " dup=" + std::to_string(s.dups) +
            " method=" + std::string(req.method()));
        std::string local_tag = tag(s);
        if (req.method() == "MESSAGE" && s.opt.mode == "forward") {
          auto b = sip::message_builder::request("MESSAGE", s.opt.target);
          b.header("From", std::string(*req.header(sip::header_id::from)));
          b.header("To", "<" + s.opt.target + ">");
          b.header("Call-ID", "fwd-" + std::string(req.call_id()));
          b.header("CSeq", "1 MESSAGE");
          b.header("Max-Forwards", "70");
          auto ct = req.header(sip::header_id::content_type);
          b.body(ct ? *ct : "text/plain", req.body());
          outgoing_request o;
          o.request = b;
          self->request(pick_shard(*s.svc, req.call_id()), caf::infinite, sip_send_atom::value, o)
              .then(
                  [=](const sip::message& r) {
                    say("FORWARDED status=" + std::to_string(r.status_code()) +
                        " reason=" + std::string(r.reason_phrase()));
                    respond(in, sip::make_response(in.request, r.status_code(), r.reason_phrase(),
                                                   local_tag)
                                    .build()
                                    .value());
                  },
                  [=](const caf::error& e) {
                    say("FORWARDED error=" + caf::to_string(e));
                    respond(in, sip::make_response(in.request, 500, {}, local_tag).build().value());
                  });
          return;
        }
        int status = req.method() == "SUBSCRIBE" ? 202 : 200;
        auto b = sip::make_response(req, status, {}, local_tag);
        if (req.method() == "SUBSCRIBE") {
          b.header("Contact", s.contact);
          b.header("Expires", "60");
        }
        respond(in, b.build().value());
        if (req.method() == "SUBSCRIBE") notify_after_subscribe(self, in, local_tag);
      },
      [=](sip_cancelled_atom, const caf::actor&, std::uint64_t) { say("CANCELLED"); },
      [=](contact_atom, const std::string& c) { self->state.contact = c; },
  };
}

void originate(caf::actor_system& sys, sip_service& svc, const options& opt) {
  caf::scoped_actor self{sys};
  int ok = 0, fail = 0;
  for (int i = 1; i <= opt.count; ++i) {
    auto b = sip::message_builder::request("MESSAGE", opt.to);
    b.header("From", "<sip:carol@xmpp.test>;tag=o" + std::to_string(i));
    b.header("To", "<" + opt.to + ">");
    b.header("Call-ID", "orig-" + std::to_string(i) + "-" + std::to_string(::getpid()));
    b.header("CSeq", "1 MESSAGE");
    b.header("Max-Forwards", "70");
    b.body("text/plain", "seq=" + std::to_string(i));
    outgoing_request o;
    o.request = b;
    int status = 0;
    self->request(pick_shard(svc, std::to_string(i)), std::chrono::seconds(120),
                  sip_send_atom::value, o)
        .receive([&](const sip::message& r) { status = r.status_code(); },
                 [&](const caf::error& e) { say("RESULT error=" + caf::to_string(e)); });
    say("RESULT i=" + std::to_string(i) + " status=" + std::to_string(status));
    (status >= 200 && status < 300 ? ok : fail)++;
  }
  say("ORIGINATED ok=" + std::to_string(ok) + " fail=" + std::to_string(fail));
}

void invite_then_cancel(caf::actor_system& sys, sip_service& svc, const options& opt) {
  caf::actor shard = pick_shard(svc, "invite");
  // The progress actor sees the 180 and asks the shard to CANCEL (RFC 3261 §9.1).
  auto progress = sys.spawn([shard](caf::event_based_actor* a) -> caf::behavior {
    return {[=](sip_progress_atom, const sip::message& m) {
      say("PROGRESS status=" + std::to_string(m.status_code()));
      if (m.status_code() == 180) {
        a->send(shard, sip_cancel_atom::value, std::string("call-1"));
        a->quit();
      }
    }};
  });
  auto b = sip::message_builder::request("INVITE", opt.to);
  b.header("From", "<sip:carol@xmpp.test>;tag=inv1");
  b.header("To", "<" + opt.to + ">");
  b.header("Call-ID", "invite-" + std::to_string(::getpid()));
  b.header("CSeq", "1 INVITE");
  b.header("Max-Forwards", "70");
  b.header("Contact", "<sip:carol@127.0.0.1>");
  outgoing_request o;
  o.request = b;
  o.progress = progress;
  o.cancel_key = "call-1";
  caf::scoped_actor self{sys};
  self->request(shard, std::chrono::seconds(60), sip_send_atom::value, o)
      .receive(
          [&](const sip::message& r) { say("INVITE status=" + std::to_string(r.status_code())); },
          [&](const caf::error& e) { say("INVITE error=" + caf::to_string(e)); });
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto eq = a.find('=');
    std::string k = a.substr(0, eq), v = eq == std::string::npos ? "" : a.substr(eq + 1);
    if (k == "--udp")
      opt.udp.push_back(parse_hp(v));
    else if (k == "--tcp")
      opt.tcp.push_back(parse_hp(v));
    else if (k == "--domain")
      opt.domains.push_back(v);
    else if (k == "--trust")
      opt.trust.push_back(v);
    else if (k == "--mode")
      opt.mode = v;
    else if (k == "--target")
      opt.target = v;
    else if (k == "--to")
      opt.to = v;
    else if (k == "--proxy")
      opt.proxy = v;
    else if (k == "--dns")
      opt.dns = v;
    else if (k == "--tls")
      opt.tls.push_back(parse_hp(v));
    else if (k == "--cert")
      opt.cert = v;
    else if (k == "--key")
      opt.key = v;
    else if (k == "--ca")
      opt.ca = v;
    else if (k == "--trust-name")
      opt.trust_names.push_back(v);
    else if (k == "--idle-ms")
      opt.idle_ms = std::stoi(v);
    else if (k == "--count")
      opt.count = std::stoi(v);
    else if (k == "--t1")
      opt.timers.t1 = std::chrono::milliseconds(std::stoi(v));
    else if (k == "--t2")
      opt.timers.t2 = std::chrono::milliseconds(std::stoi(v));
    else if (k == "--t4")
      opt.timers.t4 = std::chrono::milliseconds(std::stoi(v));
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  cfg.load<caf::io::middleman>();
  caf::actor_system sys{cfg};

  sip_service_config sc;
  sc.udp = opt.udp;
  sc.tcp = opt.tcp;
  sc.policy.served_domains = opt.domains;
  sc.trusted_peers = opt.trust;
  sc.outbound_proxy = opt.proxy;
  sc.timers = opt.timers;
  sc.tls = opt.tls;
  sc.trusted_certificate_names = opt.trust_names;
  sc.dns.servers = opt.dns;
  sc.dns.timeout = std::chrono::milliseconds(300);
  sc.dns.tries = 2;
  if (opt.idle_ms > 0) sc.tcp_idle_timeout = std::chrono::milliseconds(opt.idle_ms);
  if (!opt.cert.empty()) {
    tls::context_config tc;
    tc.identities.push_back(tls::identity{{"localhost"}, opt.cert, opt.key});
    tc.ca_file = opt.ca;
    std::string err;
    sc.tls_context = tls::tls_context::create(tc, err);
    if (!sc.tls_context) {
      std::fprintf(stderr, "tls: %s\n", err.c_str());
      return 1;
    }
  }
  sip_service svc;
  auto h = sys.spawn(handler, opt, &svc);
  svc = start_sip_service(sys, sc, h);
  if (!svc.ok()) {
    std::fprintf(stderr, "start failed: %s\n", svc.error.c_str());
    return 1;
  }
  std::string line = "READY";
  if (!svc.udp_ports.empty()) line += " udp=" + std::to_string(svc.udp_ports[0]);
  if (!svc.tcp_ports.empty()) line += " tcp=" + std::to_string(svc.tcp_ports[0]);
  if (!svc.tls_ports.empty()) line += " tls=" + std::to_string(svc.tls_ports[0]);
  std::string host = !opt.udp.empty()  ? opt.udp[0].host
                     : opt.tcp.empty() ? "127.0.0.1"
                                       : opt.tcp[0].host;
  std::uint16_t cport = !svc.udp_ports.empty()  ? svc.udp_ports[0]
                        : svc.tcp_ports.empty() ? 5060
                                                : svc.tcp_ports[0];
  caf::anon_send(h, contact_atom::value,
                 "<sip:harness@" + host + ":" + std::to_string(cport) + ">");
  say(line);
  if (opt.mode == "originate") {
    originate(sys, svc, opt);
  } else if (opt.mode == "invite-cancel") {
    invite_then_cancel(sys, svc, opt);
  } else {
    int sig = 0;
    sigwait(&sigs, &sig);
  }
  stop_sip_service(svc);
  caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  return 0;
}
