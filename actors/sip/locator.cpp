#include "actors/sip/locator.hpp"

#include <memory>

#include "codecs/sip/uri.hpp"
#include "transport/dns/resolver.hpp"

namespace fedgate::sip_layer {
namespace {

std::uint16_t default_port(transport_kind t) {
  return t == transport_kind::tls ? 5061 : 5060;
}

srv_candidate candidate(transport_kind t) {
  switch (t) {
    case transport_kind::tls:
      return {"_sips._tcp", t, 5061};
    case transport_kind::tcp:
      return {"_sip._tcp", t, 5060};
    case transport_kind::udp:
      break;
  }
  return {"_sip._udp", transport_kind::udp, 5060};
}

void add_hops(std::vector<peer>& out, transport_kind t, std::uint16_t port,
              const std::vector<std::string>& addresses) {
  for (const auto& a : addresses) {
    peer p;
    p.transport = t;
    p.address = a;
    p.port = port;
    out.push_back(std::move(p));
  }
}

void host_step(dns::resolver& r, const locate_plan& plan,
               const std::function<void(locate_result)>& done) {
  r.resolve_host(plan.host, [plan, done](dns::host_result h) {
    locate_result out;
    if (h.code != dns::status::ok) {
      out.error = "DNS " + plan.host + ": " + dns::to_string(h.code);
    } else {
      add_hops(out.hops, plan.host_transport, plan.host_port, h.addresses);
    }
    done(std::move(out));
  });
}

void srv_step(dns::resolver& r, std::shared_ptr<const locate_plan> plan, std::size_t i,
              std::function<void(locate_result)> done) {
  if (i >= plan->srv.size()) {
    host_step(r, *plan, done);
    return;
  }
  const auto& c = plan->srv[i];
  r.resolve_service(
      c.service, plan->host, c.default_port,
      [&r, plan, i, done, c](dns::service_result s) {
        if (s.service_unavailable && plan->srv.size() == 1) {
          done(
              locate_result{{}, "DNS " + c.service + "." + plan->host + ": service not available"});
          return;
        }
        if (s.code == dns::status::ok && !s.targets.empty()) {
          locate_result out;
          for (const auto& t : s.targets)
            add_hops(out.hops, c.transport, t.port, t.addresses);
          done(std::move(out));
          return;
        }
        srv_step(r, plan, i + 1, done);  // not found or failed: the next transport's SRV
      },
      /*fallback_to_host=*/false);
}

}  // namespace

locate_plan plan_locate(std::string_view uri_text, bool tls_available) {
  locate_plan plan;
  auto u = sip::parse_uri(uri_text);
  if (!u.ok() || !u->is_sip()) {
    plan.error = "not a SIP URI: " + std::string(uri_text);
    return plan;
  }
  bool sips = u->scheme == sip::uri_scheme::sips;
  std::string host(u->host);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  plan.host = host;
  plan.numeric = u->host_type == sip::host_kind::ipv4 || u->host_type == sip::host_kind::ipv6;
  std::optional<transport_kind> explicit_transport;
  if (auto t = u->param("transport")) {
    std::string v(*t);
    for (auto& ch : v)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (v == "udp" && !sips) explicit_transport = transport_kind::udp;
    if (v == "tcp") explicit_transport = sips ? transport_kind::tls : transport_kind::tcp;
    if (v == "tls") explicit_transport = transport_kind::tls;
    if (!explicit_transport) {
      plan.error = "transport not supported: " + v;
      return plan;
    }
  }
  transport_kind def = sips ? transport_kind::tls : transport_kind::udp;
  plan.host_transport = explicit_transport.value_or(def);
  if (plan.host_transport == transport_kind::tls && !tls_available) {
    plan.error = "TLS needed for " + std::string(uri_text) + " but not configured";
    return plan;
  }
  plan.host_port = u->port.value_or(default_port(plan.host_transport));
  if (plan.numeric || u->port) return plan;  // §4.2: no SRV with a numeric host or a port
  if (explicit_transport) {
    plan.srv.push_back(candidate(*explicit_transport));
  } else if (sips) {
    plan.srv.push_back(candidate(transport_kind::tls));
  } else {
    if (tls_available) plan.srv.push_back(candidate(transport_kind::tls));
    plan.srv.push_back(candidate(transport_kind::tcp));
    plan.srv.push_back(candidate(transport_kind::udp));
  }
  return plan;
}

std::optional<locate_result> locate_without_dns(const locate_plan& plan) {
  if (!plan.error.empty()) return locate_result{{}, plan.error};
  if (!plan.numeric) return std::nullopt;
  locate_result out;
  add_hops(out.hops, plan.host_transport, plan.host_port, {plan.host});
  return out;
}

void locate(dns::resolver& resolver, const locate_plan& plan,
            std::function<void(locate_result)> done) {
  if (auto now = locate_without_dns(plan)) {
    done(std::move(*now));
    return;
  }
  if (plan.srv.empty()) {
    host_step(resolver, plan, done);
    return;
  }
  srv_step(resolver, std::make_shared<const locate_plan>(plan), 0, std::move(done));
}

}  // namespace fedgate::sip_layer
