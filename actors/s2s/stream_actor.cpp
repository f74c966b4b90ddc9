#include "actors/s2s/stream_actor.hpp"

#include <caf/all.hpp>

#include "actors/s2s/messages.hpp"
#include "actors/s2s/stanza_metrics.hpp"
#include "codecs/xmpp/names.hpp"
#include "codecs/xmpp/serializer.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"
#include "transport/tcp/messages.hpp"
#include "transport/tls/tls_session.hpp"

namespace fedgate::s2s {
namespace {

using namespace fedgate::transport;

struct stream_state : stream_owner {
  static inline const char* name = "s2s_stream";

  caf::event_based_actor* self = nullptr;
  stream_actor_config cfg;
  std::unique_ptr<stream_negotiator> negotiator;
  std::unique_ptr<tls::tls_session> tls;
  bool tls_reported = false;
  caf::actor broker;
  connection_info conn;
  std::string pending;  // written before the broker attached
  bool finished = false;
  std::chrono::steady_clock::time_point last_stanza = std::chrono::steady_clock::now();
  metrics::actor_count_guard counted{metrics::actors(), metrics::actor_type::s2s_stream};
  std::optional<metrics::s2s_stream_tracker> tracker;

  metrics::direction dir() const {
    return initiating() ? metrics::direction::out : metrics::direction::in;
  }
  metrics::partner_id partner_id() const { return metrics::partner(negotiator->remote_domain()); }

  void count_failure(failure_kind kind) {
    static constexpr metrics::negotiation_failure map[] = {
        metrics::negotiation_failure::other,         metrics::negotiation_failure::tls_required,
        metrics::negotiation_failure::tls_handshake, metrics::negotiation_failure::certificate,
        metrics::negotiation_failure::sasl,          metrics::negotiation_failure::dialback,
        metrics::negotiation_failure::policy,        metrics::negotiation_failure::timeout,
        metrics::negotiation_failure::stream_error,  metrics::negotiation_failure::other};
    metrics::negotiation_failures().inc(partner_id(), dir(), map[static_cast<int>(kind)]);
  }

  bool initiating() const { return cfg.settings.role == stream_role::initiating; }

  std::string stream_label() const {
    return negotiator->stream_id().empty() ? negotiator->peer_stream_id() : negotiator->stream_id();
  }

  void send_raw(std::string bytes) {
    if (bytes.empty()) return;
    if (!broker) {
      pending += bytes;
      return;
    }
    self->send(broker, tcp_write_atom::value, std::move(bytes));
  }

  void flush_tls() {
    if (tls && tls->has_output()) send_raw(tls->take_output());
  }

  // stream_owner
  void write(std::string bytes) override {
    if (tls) {
      tls->write(bytes);
      flush_tls();
    } else {
      send_raw(std::move(bytes));
    }
  }

  void start_tls() override {
    tls = initiating() ? tls::tls_session::client(*cfg.tls, negotiator->remote_domain(),
                                                  cfg.direct_tls ? "xmpp-server" : "")
                       : tls::tls_session::server(*cfg.tls);
    if (initiating()) {
      tls->start();
      flush_tls();
    }
  }

  void authenticated(const std::string& local, const std::string& remote,
                     auth_method method) override {
    if (!initiating()) tracker->set_partner(metrics::partner(remote));
    tracker->update(metrics::stream_state::established,
                    method == auth_method::sasl_external ? metrics::stream_auth::sasl_external
                                                         : metrics::stream_auth::dialback,
                    tls != nullptr);
    log::info("s2s stream authenticated", {{"partner", remote},
                                           {"local", local},
                                           {"stream", stream_label()},
                                           {"direction", initiating() ? "out" : "in"},
                                           {"auth", to_string(method)},
                                           {"tls", tls ? tls->protocol() : std::string("none")}});
    caf::actor to = initiating() ? cfg.partner : cfg.service;
    self->send(to, stream_up_atom::value, caf::actor_cast<caf::actor>(self), local, remote,
               std::string(to_string(method)), initiating());
  }

  void verify_key(const verify_request& r) override {
    self->send(cfg.service, verify_atom::value, r.originating, r.receiving, r.stream_id, r.key,
               caf::actor_cast<caf::actor>(self));
  }

  void verify_answered(const verify_answer& a) override {
    self->send(cfg.partner, verify_answer_atom::value, a.originating, a.receiving, a.stream_id,
               a.valid);
  }

  void stanza(pugi::xml_document& doc, const std::string&, const std::string&) override {
    last_stanza = std::chrono::steady_clock::now();
    pugi::xml_node el = doc.document_element();
    if (answer_ping(el)) return;
    s2s::stanza s;
    s.from = el.attribute("from").value();
    s.to = el.attribute("to").value();
    s.kind = std::string(xmpp::split_qname(el.name()).second);
    s.type = el.attribute("type").value();
    s.id = el.attribute("id").value();
    xmpp::namespace_bindings scope{{"", std::string(xmpp::ns::server)}};
    if (!xmpp::write_element(s.xml, el, scope)) {
      log::warn("s2s stanza could not be re-serialized; dropped with an error to the peer",
                {{"partner", negotiator->remote_domain()}, {"stream", stream_label()}});
      negotiator->close(xmpp::stream_error_condition::invalid_xml, "stanza not serializable");
      return;
    }
    self->send(cfg.sink, inbound_atom::value, std::move(s));
  }

  // XEP-0199 §4.2: a server-to-server ping addressed to one of our domains is answered here,
  // by the gateway itself, rather than routed to a user.
  bool answer_ping(pugi::xml_node iq) {
    if (std::string_view(iq.name()) != "iq" ||
        std::string_view(iq.attribute("type").value()) != "get") {
      return false;
    }
    pugi::xml_node ping = iq.first_child();
    auto name = ping ? xmpp::resolve_name(ping) : std::nullopt;
    std::string to = iq.attribute("to").value();
    if (!name || !name->is("urn:xmpp:ping", "ping") ||
        to.find_first_of("@/") != std::string::npos) {
      return false;
    }
    s2s::stanza reply{"",   to,       iq.attribute("from").value(),
                      "iq", "result", iq.attribute("id").value()};
    reply.xml = "<iq type='result'";
    for (auto [attr, value] : {std::pair{"from", reply.from}, {"to", reply.to}, {"id", reply.id}}) {
      reply.xml += std::string(" ") + attr + "='";
      xmpp::append_escaped_attribute(reply.xml, value);
      reply.xml += "'";
    }
    reply.xml += "/>";
    metrics::xmpp_stanzas().inc(metrics::direction::in, metrics::stanza_kind::iq,
                                metrics::outcome::delivered);
    self->send(cfg.service, deliver_atom::value, std::move(reply));
    return true;
  }

  void closed(const close_reason& why) override {
    if (finished) return;
    finished = true;
    std::string condition = why.condition ? std::string(xmpp::to_string(*why.condition)) : "";
    // A verification stream (XEP-0220 §2.3) never authenticates; closing it when its answers
    // are in is its normal end, not a failed negotiation.
    bool failed =
        why.during_negotiation && !(cfg.settings.verify_only && !why.condition && !why.by_peer);
    if (failed) count_failure(why.kind);
    log::write(failed ? log::level::warn : log::level::info,
               failed ? "s2s negotiation failed"
                      : (cfg.settings.verify_only ? "s2s verification stream closed"
                                                  : "s2s stream closed"),
               {{"partner", negotiator->remote_domain()},
                {"local", negotiator->local_domain()},
                {"stream", stream_label()},
                {"direction", initiating() ? "out" : "in"},
                {"peer", conn.peer_address + ":" + std::to_string(conn.peer_port)},
                {"by", why.by_peer ? "peer" : "us"},
                {"condition", condition},
                {"reason", why.text}});
    flush_tls();
    if (broker) self->send(broker, tcp_close_atom::value);
    report_down(why.text, false, failed);
    self->quit();
  }

  void report_down(const std::string& reason, bool not_found, bool during_negotiation) {
    caf::actor to = initiating() ? cfg.partner : cfg.service;
    if (to) {
      self->send(to, stream_down_atom::value, caf::actor_cast<caf::actor>(self),
                 negotiator->remote_domain(), reason, not_found, during_negotiation);
    }
  }

  void on_bytes(const std::string& bytes) {
    if (!tls) {
      std::size_t used = negotiator->consume(bytes);
      if (used >= bytes.size() || !tls) return;
      on_bytes(bytes.substr(used));  // the rest belongs to the TLS handshake
      return;
    }
    std::string plain;
    bool ok = tls->consume(bytes, plain);
    flush_tls();
    if (!ok) {
      metrics::tls_handshakes().inc(metrics::protocol::xmpp,
                                    initiating() ? metrics::role::client : metrics::role::server,
                                    metrics::tls_result::failure);
      negotiator->tls_failed(tls->error());
      return;
    }
    if (tls->established() && !tls_reported) {
      tls_reported = true;
      metrics::tls_handshakes().inc(metrics::protocol::xmpp,
                                    initiating() ? metrics::role::client : metrics::role::server,
                                    metrics::tls_result::success);
      const auto& p = tls->peer();
      tls::tls_session* session = tls.get();
      negotiator->tls_established(tls_peer{
          p.chain_valid, p.presented ? p.chain_error : std::string("no certificate presented"),
          [session](std::string_view d) { return session->check_peer_name(d); }});
    }
    if (!plain.empty()) negotiator->consume(plain);
    if (tls->peer_closed() && !finished) {
      negotiator->close(std::nullopt, "TLS closed by peer");
    }
  }
};

caf::behavior stream_behavior(caf::stateful_actor<stream_state>* self, stream_actor_config cfg) {
  auto& st = self->state;
  st.self = self;
  st.cfg = std::move(cfg);
  st.negotiator = std::make_unique<stream_negotiator>(st.cfg.settings, st);
  st.tracker.emplace(metrics::s2s_streams(),
                     st.initiating() ? st.partner_id() : metrics::other_partner, st.dir());
  // The broker is monitored: if it dies without a tcp_closed, the stream is over too.
  self->set_down_handler([=](const caf::down_msg&) {
    auto& s = self->state;
    s.broker = nullptr;
    if (!s.finished) {
      s.finished = true;
      s.report_down("connection broker stopped", false, !s.negotiator->method());
    }
    self->quit();
  });
  self->delayed_send(self, st.cfg.establish_timeout, establish_timeout_atom::value);
  return {
      [=](tcp_attach_atom, caf::actor broker, const connection_info& info) {
        auto& s = self->state;
        s.broker = broker;
        s.conn = info;
        self->monitor(broker);
        if (!s.pending.empty()) self->send(broker, tcp_write_atom::value, std::move(s.pending));
        s.pending.clear();
        if (s.cfg.direct_tls) {
          // XEP-0368: the handshake comes first; the initiating side sends its stream header
          // once TLS is up (the negotiator does that in tls_established()).
          if (!s.initiating()) s.negotiator->open();
          s.start_tls();
        } else {
          s.negotiator->open();
        }
        self->delayed_send(self, std::min(s.cfg.keepalive_interval, s.cfg.idle_timeout),
                           keepalive_atom::value);
      },
      [=](tcp_data_atom, const std::string& bytes) { self->state.on_bytes(bytes); },
      [=](tcp_closed_atom, const std::string& why) {
        auto& s = self->state;
        s.broker = nullptr;
        if (!s.finished) {
          s.finished = true;
          log::write(s.negotiator->method() ? log::level::info : log::level::warn,
                     "s2s connection lost",
                     {{"partner", s.negotiator->remote_domain()},
                      {"stream", s.stream_label()},
                      {"reason", why}});
          s.report_down(why, false, !s.negotiator->method());
        }
        self->quit();
      },
      [=](tcp_failed_atom, const std::string& why) {
        auto& s = self->state;
        s.finished = true;
        metrics::negotiation_failures().inc(s.partner_id(), metrics::direction::out,
                                            why.find("cannot resolve") != std::string::npos
                                                ? metrics::negotiation_failure::dns
                                                : metrics::negotiation_failure::connect);
        log::warn("s2s connect failed",
                  {{"partner", s.negotiator->remote_domain()}, {"reason", why}});
        s.report_down(why, true, true);
        self->quit();
      },
      [=](send_atom, const stanza& st_) {
        auto& s = self->state;
        if (s.negotiator->current_phase() == stream_negotiator::phase::authenticated) {
          s.last_stanza = std::chrono::steady_clock::now();
          s.write(st_.xml);
          metrics::xmpp_stanzas().inc(metrics::direction::out, kind_of(st_),
                                      metrics::outcome::delivered);
          if (st_.on_written) self->send(st_.on_written, written_atom::value, st_.id, st_.to);
        } else {
          // The partner only sends after stream_up; a race with a closing stream ends here:
          // hand it back so it is queued for the next stream or bounced, never lost.
          self->send(s.cfg.partner, deliver_atom::value, st_);
        }
      },
      [=](verify_atom, const std::string& originating, const std::string& receiving,
          const std::string& stream_id, const std::string& key) {
        self->state.negotiator->send_verify(verify_request{originating, receiving, stream_id, key});
      },
      [=](verified_atom, const std::string& originating, const std::string& receiving, bool valid) {
        self->state.negotiator->dialback_verified(originating, receiving, valid);
      },
      [=](establish_timeout_atom) {
        auto& s = self->state;
        if (!s.negotiator->method()) {
          s.negotiator->close(xmpp::stream_error_condition::connection_timeout,
                              "stream not authenticated within " +
                                  std::to_string(s.cfg.establish_timeout.count()) + " ms",
                              failure_kind::timeout);
        }
      },
      [=](keepalive_atom) {
        auto& s = self->state;
        auto idle = std::chrono::steady_clock::now() - s.last_stanza;
        if (idle >= s.cfg.idle_timeout) {
          s.negotiator->close(std::nullopt,
                              "idle for " + std::to_string(s.cfg.idle_timeout.count()) + " ms");
          return;
        }
        if (s.initiating()) s.negotiator->keepalive();
        self->delayed_send(self, std::min(s.cfg.keepalive_interval, s.cfg.idle_timeout),
                           keepalive_atom::value);
      },
      [=](limit_atom, const std::string& why) {
        self->state.negotiator->close(xmpp::stream_error_condition::policy_violation, why);
      },
      [=](close_atom) { self->state.negotiator->close(std::nullopt, "no more work"); },
      [=](shutdown_atom) {
        self->state.negotiator->close(xmpp::stream_error_condition::system_shutdown,
                                      "gateway shutting down");
      },
  };
}

}  // namespace

caf::actor spawn_stream_actor(caf::actor_system& sys, stream_actor_config cfg) {
  return sys.spawn(stream_behavior, std::move(cfg));
}

}  // namespace fedgate::s2s
