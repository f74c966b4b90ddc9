#include "actors/s2s/stream_negotiator.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "actors/s2s/dialback_key.hpp"
#include "codecs/xmpp/jid.hpp"
#include "codecs/xmpp/names.hpp"
#include "codecs/xmpp/serializer.hpp"

namespace fedgate::s2s {
namespace {

using xmpp::stream_error_condition;
namespace ns = xmpp::ns;

std::string random_stream_id() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  static const char digits[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += digits[b >> 4];
    id += digits[b & 15];
  }
  return id;
}

std::string base64(std::string_view s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> unbase64(std::string_view s) {
  if (s.size() % 4 != 0) return std::nullopt;
  std::string out(3 * s.size() / 4 + 1, '\0');
  int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (!s.empty() && s.back() == '=') --len;
  if (s.size() > 1 && s[s.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string attr(pugi::xml_node n, const char* name) {
  return n.attribute(name).value();
}

// Domain of a JID attribute; nullopt when absent or not a JID.
std::optional<std::string> domain_of(pugi::xml_node n, const char* name) {
  pugi::xml_attribute a = n.attribute(name);
  if (!a) return std::nullopt;
  auto j = xmpp::jid::parse(a.value());
  if (!j) return std::nullopt;
  return j->domain();
}

void append_attr(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "='";
  xmpp::append_escaped_attribute(out, value);
  out += '\'';
}

std::string child_text(pugi::xml_node n) {
  return n.text().get();
}

bool has_child(pugi::xml_node parent, std::string_view ns_uri, std::string_view local) {
  for (pugi::xml_node c : parent.children()) {
    auto name = xmpp::resolve_name(c);
    if (name && name->is(ns_uri, local)) return true;
  }
  return false;
}

}  // namespace

std::string_view to_string(auth_method m) {
  return m == auth_method::sasl_external ? "sasl" : "dialback";
}

stream_negotiator::stream_negotiator(stream_settings settings, stream_owner& owner)
    : settings_(std::move(settings)), owner_(owner), framer_(*this, settings_.limits) {}

partner_policy stream_negotiator::policy(std::string_view domain) const {
  if (settings_.policy_for) return settings_.policy_for(domain);
  partner_policy p;
  p.allowed = true;
  return p;
}

void stream_negotiator::open() {
  if (settings_.role == stream_role::initiating) send_header();
  phase_ = phase::await_header;
}

void stream_negotiator::send_header() {
  bool initiating = settings_.role == stream_role::initiating;
  if (!initiating) settings_.stream_id = random_stream_id();
  auto header =
      xmpp::make_stream_header(ns::server, settings_.local_domain, settings_.remote_domain,
                               initiating ? std::string_view{} : settings_.stream_id, true);
  std::string out;
  header.xml_declaration = true;
  xmpp::write_stream_header(out, header);
  our_scope_ = header.declarations;
  header_sent_ = true;
  owner_.write(std::move(out));
}

std::size_t stream_negotiator::consume(std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size() && phase_ != phase::closed) {
    std::size_t n = framer_.consume(bytes.substr(done));
    done += n;
    if (restart_pending_) {
      restart_pending_ = false;
      framer_.reset();
      continue;
    }
    if (phase_ == phase::tls_handshake || n == 0) break;
  }
  return phase_ == phase::closed ? bytes.size() : done;
}

void stream_negotiator::restart_stream() {
  framer_.stop();
  restart_pending_ = true;
}

// ---------------------------------------------------------------------------------------------
// Stream headers

void stream_negotiator::on_stream_open(const xmpp::stream_header& header) {
  if (header.content_namespace != ns::server) {
    fail(stream_error_condition::invalid_namespace,
         "content namespace must be jabber:server, got \"" + header.content_namespace + "\"");
    return;
  }
  peer_scope_ = header.declarations;
  if (settings_.role == stream_role::receiving) {
    accept_header(header);
    return;
  }
  peer_stream_id_ = header.id;
  if (header.version.empty() || header.version[0] == '0') {
    // A pre-RFC 6120 server: no features will come (XEP-0220 §2.4.1); dialback only.
    choose_authentication(pugi::xml_node());
    return;
  }
  phase_ = phase::await_features;
}

void stream_negotiator::accept_header(const xmpp::stream_header& header) {
  std::string to = lower(header.to);
  std::string from = lower(header.from);
  bool restart = !settings_.local_domain.empty();
  if (restart && (to != settings_.local_domain || from != settings_.remote_domain)) {
    settings_.local_domain = to;
    send_header();
    fail(stream_error_condition::improper_addressing,
         "from/to changed on stream restart (RFC 6120 §4.7.1)");
    return;
  }
  settings_.local_domain = to;
  settings_.remote_domain = from;
  if (to.empty() || !settings_.is_local_domain || !settings_.is_local_domain(to)) {
    send_header();
    fail(stream_error_condition::host_unknown,
         to.empty() ? "stream header has no 'to'" : "we do not serve \"" + to + "\"");
    return;
  }
  if (!from.empty()) {
    if (settings_.is_local_domain(from)) {
      send_header();
      fail(stream_error_condition::invalid_from, "\"" + from + "\" is one of our own domains");
      return;
    }
    partner_policy p = policy(from);
    if (!p.allowed) {
      send_header();
      fail(stream_error_condition::policy_violation, p.refusal, failure_kind::policy);
      return;
    }
  }
  send_header();
  phase_ = phase::open;
  if (!header.version.empty() && header.version[0] != '0') send_features();
}

void stream_negotiator::send_features() {
  partner_policy p = policy(settings_.remote_domain);
  std::string f = "<stream:features>";
  bool offered = false;
  if (sasl_done_) {
    // Authenticated: nothing more to negotiate (RFC 6120 §6.4.6 requires features anyway).
  } else if (!tls_done_) {
    if (p.tls != app::negotiation::never) {
      f += "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>";
      if (p.tls == app::negotiation::required) f += "<required/>";
      f += "</starttls>";
      offered = true;
    }
    if (p.dialback && p.tls != app::negotiation::required &&
        p.sasl_external != app::negotiation::required) {
      f += "<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>";
      offered = true;
    }
  } else {
    std::string cert_problem = peer_problem(settings_.remote_domain);
    if (p.sasl_external != app::negotiation::never && cert_problem.empty()) {
      f += "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism>"
           "</mechanisms>";
      offered = true;
    }
    if (p.dialback && p.sasl_external != app::negotiation::required) {
      f += "<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>";
      offered = true;
    }
    if (!offered) {
      fail(stream_error_condition::not_authorized,
           "SASL EXTERNAL is required for " + settings_.remote_domain +
               " but its certificate is not acceptable: " + cert_problem,
           failure_kind::certificate);
      return;
    }
  }
  if (!offered && !sasl_done_) {
    fail(stream_error_condition::policy_violation,
         "no way to authenticate " + settings_.remote_domain + " under its policy",
         failure_kind::policy);
    return;
  }
  f += "</stream:features>";
  owner_.write(std::move(f));
}

std::string stream_negotiator::peer_problem(std::string_view domain) const {
  if (!peer_) return "no TLS";
  if (!peer_->chain_valid) {
    return "certificate not trusted (" +
           (peer_->chain_error.empty() ? std::string("none presented") : peer_->chain_error) + ")";
  }
  if (domain.empty()) return "no domain to check the certificate against";
  return peer_->check_name ? peer_->check_name(domain) : std::string("no name check");
}

// ---------------------------------------------------------------------------------------------
// Elements

void stream_negotiator::on_element(pugi::xml_document& doc) {
  pugi::xml_node el = doc.document_element();
  auto name = xmpp::resolve_name(el);
  if (!name) {
    fail(stream_error_condition::bad_namespace_prefix,
         "undeclared prefix on <" + std::string(el.name()) + ">");
    return;
  }
  bool initiating = settings_.role == stream_role::initiating;
  if (name->is(ns::streams, "error")) {
    auto e = xmpp::parse_stream_error(el);
    if (!closed_sent_) owner_.write(std::string(xmpp::stream_close_tag));
    closed_sent_ = true;
    finish(close_reason{true, e ? std::optional(e->condition) : std::nullopt,
                        e ? e->text : std::string(), !any_authenticated(),
                        failure_kind::stream_error});
    return;
  }
  if (name->is(ns::dialback, "verify")) {
    if (el.attribute("type")) {
      owner_.verify_answered(verify_answer{lower(attr(el, "from")), lower(attr(el, "to")),
                                           attr(el, "id"), attr(el, "type") == "valid"});
    } else {
      on_db_verify(el);
    }
    return;
  }
  if (initiating) {
    if (name->is(ns::streams, "features") && phase_ == phase::await_features) {
      on_features(el);
    } else if (name->is(ns::tls, "proceed") && phase_ == phase::await_proceed) {
      phase_ = phase::tls_handshake;
      framer_.stop();
      owner_.start_tls();
    } else if (name->is(ns::tls, "failure") && phase_ == phase::await_proceed) {
      fail(stream_error_condition::undefined_condition, "the peer refused STARTTLS",
           failure_kind::tls_required);
    } else if (name->is(ns::sasl, "success") && phase_ == phase::await_sasl) {
      sasl_done_ = true;
      method_ = auth_method::sasl_external;
      send_header();
      phase_ = phase::await_header;
      restart_stream();
    } else if (name->is(ns::sasl, "failure") && phase_ == phase::await_sasl) {
      sasl_failed_ = true;
      partner_policy p = policy(settings_.remote_domain);
      if (p.dialback && p.sasl_external != app::negotiation::required) {
        start_dialback();  // XEP-0178 §4: fall back to dialback
      } else {
        fail(stream_error_condition::not_authorized,
             settings_.remote_domain + " refused our SASL EXTERNAL and dialback is not allowed",
             failure_kind::sasl);
      }
    } else if (name->is(ns::dialback, "result") && phase_ == phase::await_dialback) {
      on_db_result_answer(el);
    } else if (name->ns == ns::server || name->ns == ns::client) {
      fail(stream_error_condition::unsupported_stanza_type,
           "stanza on our outbound stream (bidirectional streams are not negotiated)");
    } else {
      fail(stream_error_condition::unsupported_stanza_type,
           "unexpected <" + name->clark() + "> on an outbound stream");
    }
    return;
  }
  // receiving
  if (name->is(ns::tls, "starttls")) {
    on_starttls();
  } else if (name->is(ns::sasl, "auth")) {
    on_sasl_auth(el);
  } else if (name->is(ns::dialback, "result")) {
    on_db_result(el);
  } else if (name->ns == ns::server) {
    on_inbound_stanza(doc);
  } else {
    fail(stream_error_condition::unsupported_stanza_type,
         "unexpected <" + name->clark() + "> on an inbound stream");
  }
}

void stream_negotiator::on_stream_close() {
  if (!closed_sent_) owner_.write(std::string(xmpp::stream_close_tag));
  closed_sent_ = true;
  finish(close_reason{true, std::nullopt, "the peer closed the stream", !any_authenticated(),
                      failure_kind::stream_error});
}

void stream_negotiator::on_error(const xmpp::stream_error& error) {
  fail(error.condition, error.text, failure_kind::malformed);
}

// ---------------------------------------------------------------------------------------------
// Initiating side

void stream_negotiator::on_features(pugi::xml_node features) {
  partner_policy p = policy(settings_.remote_domain);
  bool starttls = false, tls_required = false;
  for (pugi::xml_node c : features.children()) {
    auto n = xmpp::resolve_name(c);
    if (n && n->is(ns::tls, "starttls")) {
      starttls = true;
      tls_required = has_child(c, ns::tls, "required");
    }
  }
  if (!tls_done_) {
    if (starttls && p.tls != app::negotiation::never) {
      owner_.write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      phase_ = phase::await_proceed;
      return;
    }
    if (p.tls == app::negotiation::required) {
      fail(stream_error_condition::policy_violation,
           "TLS is required for " + settings_.remote_domain + " but it does not offer STARTTLS",
           failure_kind::tls_required);
      return;
    }
    if (tls_required) {
      fail(stream_error_condition::policy_violation,
           settings_.remote_domain + " requires TLS but our policy for it is tls = \"never\"",
           failure_kind::tls_required);
      return;
    }
  }
  choose_authentication(features);
}

void stream_negotiator::choose_authentication(pugi::xml_node features) {
  partner_policy p = policy(settings_.remote_domain);
  if (settings_.verify_only) {
    phase_ = phase::open;
    flush_verifies();
    return;
  }
  if (sasl_done_) {
    phase_ = phase::authenticated;
    owner_.authenticated(settings_.local_domain, settings_.remote_domain,
                         auth_method::sasl_external);
    return;
  }
  bool external = false;
  for (pugi::xml_node c : features.children()) {
    auto n = xmpp::resolve_name(c);
    if (!n || !n->is(ns::sasl, "mechanisms")) continue;
    for (pugi::xml_node m : c.children()) {
      if (std::string_view(m.text().get()) == "EXTERNAL") external = true;
    }
  }
  if (external && tls_done_ && p.sasl_external != app::negotiation::never) {
    owner_.write("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>" +
                 base64(settings_.local_domain) + "</auth>");
    phase_ = phase::await_sasl;
    return;
  }
  if (p.sasl_external == app::negotiation::required) {
    fail(stream_error_condition::policy_violation,
         "SASL EXTERNAL is required for " + settings_.remote_domain +
             " but it was not offered (does " + settings_.remote_domain +
             " trust our certificate for " + settings_.local_domain + "?)",
         failure_kind::sasl);
    return;
  }
  if (!p.dialback) {
    fail(stream_error_condition::unsupported_feature,
         "no usable authentication method with " + settings_.remote_domain, failure_kind::policy);
    return;
  }
  start_dialback();
}

void stream_negotiator::start_dialback() {
  std::string key = dialback_key(settings_.dialback_secret, settings_.remote_domain,
                                 settings_.local_domain, peer_stream_id_);
  std::string out = "<db:result";
  append_attr(out, "from", settings_.local_domain);
  append_attr(out, "to", settings_.remote_domain);
  out += ">" + key + "</db:result>";
  owner_.write(std::move(out));
  phase_ = phase::await_dialback;
}

void stream_negotiator::on_db_result_answer(pugi::xml_node result) {
  std::string type = attr(result, "type");
  if (type == "valid") {
    method_ = auth_method::dialback;
    phase_ = phase::authenticated;
    owner_.authenticated(settings_.local_domain, settings_.remote_domain, auth_method::dialback);
    return;
  }
  fail(stream_error_condition::not_authorized,
       settings_.remote_domain + " rejected our dialback key (type='" + type + "')",
       failure_kind::dialback);
}

void stream_negotiator::send_verify(const verify_request& request) {
  queued_verifies_.push_back(request);
  if (phase_ == phase::open || phase_ == phase::authenticated) flush_verifies();
}

void stream_negotiator::flush_verifies() {
  for (const auto& r : queued_verifies_) {
    std::string out = "<db:verify";
    append_attr(out, "from", r.receiving);
    append_attr(out, "to", r.originating);
    append_attr(out, "id", r.stream_id);
    out += ">";
    xmpp::append_escaped_text(out, r.key);
    out += "</db:verify>";
    owner_.write(std::move(out));
  }
  queued_verifies_.clear();
}

bool stream_negotiator::send_stanza(pugi::xml_node stanza) {
  if (phase_ != phase::authenticated) return false;
  std::string out;
  if (!xmpp::write_element(out, stanza, our_scope_)) return false;
  owner_.write(std::move(out));
  return true;
}

// ---------------------------------------------------------------------------------------------
// Receiving side

void stream_negotiator::on_starttls() {
  partner_policy p = policy(settings_.remote_domain);
  if (tls_done_ || p.tls == app::negotiation::never) {
    owner_.write("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    if (!closed_sent_) owner_.write(std::string(xmpp::stream_close_tag));
    closed_sent_ = true;
    finish(close_reason{false, std::nullopt,
                        tls_done_ ? "STARTTLS on a TLS stream"
                                  : "TLS is not allowed for " + settings_.remote_domain,
                        true});
    return;
  }
  owner_.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  phase_ = phase::tls_handshake;
  framer_.stop();
  owner_.start_tls();
}

void stream_negotiator::on_sasl_auth(pugi::xml_node auth) {
  partner_policy p = policy(settings_.remote_domain);
  auto refuse = [&](const std::string& why) {
    owner_.write("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>");
    last_refusal_ = why;
  };
  if (attr(auth, "mechanism") != "EXTERNAL") return refuse("mechanism is not EXTERNAL");
  if (!tls_done_ || p.sasl_external == app::negotiation::never) {
    return refuse("SASL EXTERNAL not offered");
  }
  // XEP-0178 §3: the authorization identity is the originating domain, or empty ("=").
  std::string text = child_text(auth);
  std::string authzid = settings_.remote_domain;
  if (!text.empty() && text != "=") {
    auto decoded = unbase64(text);
    if (!decoded) return refuse("authzid is not base64");
    authzid = lower(*decoded);
  }
  if (authzid != settings_.remote_domain) {
    return refuse("authzid \"" + authzid + "\" is not the stream's domain");
  }
  if (std::string problem = peer_problem(authzid); !problem.empty()) return refuse(problem);
  owner_.write("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
  sasl_done_ = true;
  method_ = auth_method::sasl_external;
  pairs_.insert({settings_.local_domain, settings_.remote_domain});
  owner_.authenticated(settings_.local_domain, settings_.remote_domain, auth_method::sasl_external);
  phase_ = phase::await_header;
  restart_stream();
}

void stream_negotiator::on_db_result(pugi::xml_node result) {
  std::string from = lower(attr(result, "from"));
  std::string to = lower(attr(result, "to"));
  if (from.empty() || to.empty()) {
    fail(stream_error_condition::improper_addressing, "db:result without from or to");
    return;
  }
  if (!settings_.is_local_domain(to)) {
    fail(stream_error_condition::host_unknown,
         "db:result for \"" + to + "\", which we do not serve");
    return;
  }
  partner_policy p = policy(from);
  if (!p.allowed) {
    fail(stream_error_condition::policy_violation, p.refusal, failure_kind::policy);
    return;
  }
  if (!p.dialback) {
    fail(stream_error_condition::policy_violation, "dialback is not allowed for " + from,
         failure_kind::policy);
    return;
  }
  if (p.sasl_external == app::negotiation::required) {
    fail(stream_error_condition::not_authorized,
         "SASL EXTERNAL is required for " + from + ", dialback is not enough",
         failure_kind::policy);
    return;
  }
  if (p.tls == app::negotiation::required && !tls_done_) {
    fail(stream_error_condition::policy_violation,
         "TLS is required for " + from + " before dialback", failure_kind::tls_required);
    return;
  }
  if (pairs_.count({to, from})) return;  // already authenticated: ignore the repeat
  pending_.insert({to, from});
  owner_.verify_key(verify_request{from, to, settings_.stream_id, child_text(result)});
}

void stream_negotiator::dialback_verified(const std::string& originating,
                                          const std::string& receiving, bool valid) {
  if (phase_ == phase::closed || pending_.erase({receiving, originating}) == 0) return;
  std::string out = "<db:result";
  append_attr(out, "from", receiving);
  append_attr(out, "to", originating);
  append_attr(out, "type", valid ? "valid" : "invalid");
  out += "/>";
  owner_.write(std::move(out));
  if (valid) {
    pairs_.insert({receiving, originating});
    method_ = auth_method::dialback;
    owner_.authenticated(receiving, originating, auth_method::dialback);
  } else if (pairs_.empty()) {
    fail(stream_error_condition::not_authorized,
         "dialback key of " + originating + " was not confirmed by its authoritative server",
         failure_kind::dialback);
  }
}

void stream_negotiator::on_inbound_stanza(pugi::xml_document& doc) {
  pugi::xml_node el = doc.document_element();
  std::string_view kind = xmpp::split_qname(el.name()).second;
  if (kind != "message" && kind != "presence" && kind != "iq") {
    fail(stream_error_condition::unsupported_stanza_type,
         "<" + std::string(kind) + "> is not a stanza");
    return;
  }
  auto from = domain_of(el, "from");
  auto to = domain_of(el, "to");
  if (!from || !to) {
    fail(stream_error_condition::improper_addressing,
         "stanza without a valid 'from' and 'to' (RFC 6120 §8.1.1.1, §8.1.2.1)");
    return;
  }
  if (!settings_.is_local_domain(*to)) {
    fail(stream_error_condition::host_unknown, "stanza to \"" + *to + "\", which we do not serve");
    return;
  }
  if (!pairs_.count({*to, *from})) {
    fail(stream_error_condition::invalid_from, "stanza from \"" + *from + "\" to \"" + *to +
                                                   "\", a pair not authenticated on this stream");
    return;
  }
  owner_.stanza(doc, *to, *from);
}

// ---------------------------------------------------------------------------------------------
// Both sides

void stream_negotiator::on_db_verify(pugi::xml_node verify) {
  // We are the authoritative server for `to` (XEP-0220 §2.3): recompute the key we would have
  // sent as originating server `to` towards receiving server `from` on stream `id`.
  std::string from = lower(attr(verify, "from"));
  std::string to = lower(attr(verify, "to"));
  std::string id = attr(verify, "id");
  bool valid =
      settings_.is_local_domain && settings_.is_local_domain(to) && !id.empty() &&
      keys_equal(child_text(verify), dialback_key(settings_.dialback_secret, from, to, id));
  std::string out = "<db:verify";
  append_attr(out, "from", to);
  append_attr(out, "to", from);
  append_attr(out, "id", id);
  append_attr(out, "type", valid ? "valid" : "invalid");
  out += "/>";
  owner_.write(std::move(out));
}

void stream_negotiator::tls_established(tls_peer peer) {
  peer_ = std::move(peer);
  tls_done_ = true;
  framer_.reset();
  phase_ = phase::await_header;
  if (settings_.role == stream_role::initiating) {
    partner_policy p = policy(settings_.remote_domain);
    std::string problem = peer_problem(settings_.remote_domain);
    if (!problem.empty() && (p.sasl_external == app::negotiation::required || !p.dialback)) {
      fail(stream_error_condition::not_authorized,
           "certificate of " + settings_.remote_domain + " refused: " + problem,
           failure_kind::certificate);
      return;
    }
    send_header();
  }
}

void stream_negotiator::tls_failed(const std::string& why) {
  closed_sent_ = true;  // nothing more can be written on a broken TLS session
  finish(close_reason{false, std::nullopt,
                      "TLS failed with " + settings_.remote_domain + ": " + why, true,
                      failure_kind::tls_handshake});
}

void stream_negotiator::keepalive() {
  if (phase_ != phase::closed && phase_ != phase::tls_handshake && header_sent_) owner_.write(" ");
}

bool stream_negotiator::is_authenticated(std::string_view local, std::string_view remote) const {
  if (settings_.role == stream_role::initiating) {
    return phase_ == phase::authenticated && local == settings_.local_domain &&
           remote == settings_.remote_domain;
  }
  return pairs_.count({std::string(local), std::string(remote)}) > 0;
}

bool stream_negotiator::any_authenticated() const {
  return phase_ == phase::authenticated || !pairs_.empty();
}

void stream_negotiator::close(std::optional<stream_error_condition> condition, std::string text,
                              failure_kind kind) {
  if (phase_ == phase::closed) return;
  if (condition) {
    fail(*condition, std::move(text), kind);
    return;
  }
  if (!closed_sent_) owner_.write(std::string(xmpp::stream_close_tag));
  closed_sent_ = true;
  finish(close_reason{false, std::nullopt, std::move(text), !any_authenticated()});
}

void stream_negotiator::fail(stream_error_condition condition, std::string text,
                             failure_kind kind) {
  if (phase_ == phase::closed) return;
  if (!closed_sent_) {
    if (!header_sent_ && phase_ != phase::tls_handshake) send_header();
    std::string out;
    xmpp::write_stream_error(out, condition, text);
    out += xmpp::stream_close_tag;
    owner_.write(std::move(out));
    closed_sent_ = true;
  }
  finish(close_reason{false, condition, std::move(text), !any_authenticated(), kind});
}

void stream_negotiator::finish(close_reason why) {
  if (phase_ == phase::closed) return;
  phase_ = phase::closed;
  framer_.stop();
  if (why.text.empty() && !last_refusal_.empty()) why.text = last_refusal_;
  owner_.closed(why);
}

}  // namespace fedgate::s2s
