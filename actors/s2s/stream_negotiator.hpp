#pragma once
// The protocol of one server-to-server XMPP stream, without I/O: RFC 6120 stream set-up (headers,
// features, STARTTLS §5, SASL EXTERNAL §6 / XEP-0178), Server Dialback (XEP-0220) in all three
// roles, stream errors (§4.9), and the addressing checks on stanzas once authenticated (§8.1,
// §13.7.1.2: every stanza's from/to must match a domain pair authenticated on this stream).
//
// It sits between the stream framer (it is the framer's handler) and its owner, the stream actor,
// which supplies TLS and sockets. Nothing here blocks or waits: a step that needs the outside world
// (start TLS, ask the authoritative server to verify a dialback key) is a call on stream_owner,
// and the answer comes back as a method call. That is what lets the unit tests drive it with the
// captured Prosody transcripts and no network.
//
// Policy (which partner may use which method) is an input: the negotiator asks
// `settings.policy_for(domain)` and explains every refusal in the close reason, because operators
// debug federation from those log lines.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "app/config.hpp"
#include "codecs/xmpp/stream_framer.hpp"

namespace fedgate::s2s {

enum class stream_role {
  initiating,  // we connected: we send stanzas on it (RFC 6120 streams are one-way)
  receiving,   // the peer connected: we receive stanzas on it
};

enum class auth_method { sasl_external, dialback };
std::string_view to_string(auth_method m);

// What policy says about one remote domain.
struct partner_policy {
  bool allowed = false;  // false: refused (not on the allowlist, or denied)
  std::string refusal;   // why, when not allowed
  app::negotiation tls = app::negotiation::required;
  app::negotiation sasl_external = app::negotiation::optional;
  bool dialback = true;
};

// What TLS told us about the peer (see transport/tls/tls_session.hpp).
struct tls_peer {
  bool chain_valid = false;
  std::string chain_error;
  // RFC 6125 check against a domain: "" when the certificate is valid for it, else why not.
  std::function<std::string(std::string_view domain)> check_name;
};

struct stream_settings {
  stream_role role = stream_role::initiating;
  // Initiating: the pair this stream is for. Receiving: filled in from the peer's header.
  std::string local_domain;
  std::string remote_domain;
  // Receiving: our id for the stream (random, from the actor). Dialback keys bind to it.
  std::string stream_id;
  // Initiating only: a stream opened just to ask the authoritative server to verify keys
  // (XEP-0220 §2.3); it sends its queued db:verify once set up and never authenticates.
  bool verify_only = false;
  std::string dialback_secret;
  std::function<bool(std::string_view domain)> is_local_domain;
  std::function<partner_policy(std::string_view domain)> policy_for;
  xmpp::limits limits;
};

// A dialback key the receiving side must have checked by the originating domain's authoritative
// server (XEP-0220 §2.1.2).
struct verify_request {
  std::string originating;  // the remote domain claiming to be itself
  std::string receiving;    // our domain
  std::string stream_id;    // our stream id the key is bound to
  std::string key;
};

// The answer an authoritative server gave to a db:verify (on a verify_only stream).
struct verify_answer {
  std::string originating;
  std::string receiving;
  std::string stream_id;
  bool valid = false;
};

// Why a stream failed before authentication, for operators' metrics (one label each).
enum class failure_kind {
  other,
  tls_required,  // policy needs TLS and the peer did not offer or accept it
  tls_handshake,
  certificate,   // the peer certificate is untrusted or names another domain (RFC 6125)
  sasl,          // SASL EXTERNAL refused or unavailable
  dialback,      // a dialback key was rejected or not confirmed
  policy,        // the domain or method is not allowed
  timeout,       // not authenticated in time
  stream_error,  // the peer ended the stream with an error
  malformed,     // the peer sent bad XML or a bad stream
};

struct close_reason {
  bool by_peer = false;                                   // the peer closed or sent a stream error
  std::optional<xmpp::stream_error_condition> condition;  // sent (by us) or received
  std::string text;                                       // for logs
  bool during_negotiation = false;                        // closed before authentication
  failure_kind kind = failure_kind::other;                // why, when during_negotiation
};

// What the negotiator asks of its owner. All calls happen inside consume()/the method called.
class stream_owner {
 public:
  virtual ~stream_owner() = default;
  // Bytes to send (plaintext: the owner encrypts them once TLS is on).
  virtual void write(std::string bytes) = 0;
  // Switch to TLS now: bytes written after this call go through TLS; the owner calls
  // tls_established() (or tls_failed()) when the handshake ends.
  virtual void start_tls() = 0;
  virtual void authenticated(const std::string& local, const std::string& remote,
                             auth_method method) = 0;
  // Receiving role: have this key verified; answer with dialback_verified().
  virtual void verify_key(const verify_request& request) = 0;
  // Initiating verify_only role: the authoritative server's answer.
  virtual void verify_answered(const verify_answer& answer) = 0;
  // An inbound stanza whose addressing was checked against the authenticated pairs.
  virtual void stanza(pugi::xml_document& doc, const std::string& local,
                      const std::string& remote) = 0;
  // The stream is over (both directions); the owner closes the connection.
  virtual void closed(const close_reason& why) = 0;
};

class stream_negotiator : private xmpp::stream_handler {
 public:
  enum class phase {
    idle,            // initiating: before open()
    await_header,    // waiting for the peer's stream header
    await_features,  // initiating: header received, waiting for <stream:features/>
    await_proceed,   // initiating: sent <starttls/>
    tls_handshake,   // the owner is doing the TLS handshake
    await_sasl,      // initiating: sent <auth/>
    await_dialback,  // initiating: sent <db:result/>
    open,            // receiving: header and features sent; or initiating verify_only ready
    authenticated,   // initiating: stanzas may be sent
    closed,
  };

  stream_negotiator(stream_settings settings, stream_owner& owner);

  // Initiating: sends our stream header. Receiving: nothing (the peer speaks first).
  void open();

  // Plaintext bytes from the peer. Returns how many were consumed: all, unless the negotiator
  // asked for TLS mid-chunk (the rest are TLS bytes for the owner) or the stream ended.
  std::size_t consume(std::string_view bytes);

  void tls_established(tls_peer peer);
  void tls_failed(const std::string& why);

  // Receiving role: the authoritative server's verdict on a key from verify_key().
  void dialback_verified(const std::string& originating, const std::string& receiving, bool valid);

  // Initiating role, once authenticated: writes the stanza. The caller (partner_domain) picks the
  // stream by the stanza's from-domain and the service by its to-domain, so the pair matches.
  // False when the stream cannot carry it (not authenticated, or closed).
  bool send_stanza(pugi::xml_node stanza);
  // Queues a db:verify (sent as soon as the stream is ready for it).
  void send_verify(const verify_request& request);

  // Sends a whitespace keepalive (RFC 6120 §4.6.1) when the stream is open.
  void keepalive();

  // Closes from our side: a stream error when `condition` is set, then </stream:stream>.
  void close(std::optional<xmpp::stream_error_condition> condition, std::string text,
             failure_kind kind = failure_kind::other);

  phase current_phase() const { return phase_; }
  stream_role role() const { return settings_.role; }
  bool is_authenticated(std::string_view local, std::string_view remote) const;
  const std::string& local_domain() const { return settings_.local_domain; }
  const std::string& remote_domain() const { return settings_.remote_domain; }
  const std::string& stream_id() const { return settings_.stream_id; }
  const std::string& peer_stream_id() const { return peer_stream_id_; }
  bool tls_active() const { return tls_done_; }
  std::optional<auth_method> method() const { return method_; }

 private:
  // xmpp::stream_handler
  void on_stream_open(const xmpp::stream_header& header) override;
  void on_element(pugi::xml_document& doc) override;
  void on_whitespace(std::size_t) override {}
  void on_stream_close() override;
  void on_error(const xmpp::stream_error& error) override;

  // initiating
  void send_header();
  void on_features(pugi::xml_node features);
  void choose_authentication(pugi::xml_node features);
  void start_dialback();
  void flush_verifies();
  // receiving
  void accept_header(const xmpp::stream_header& header);
  void send_features();
  void on_starttls();
  void on_sasl_auth(pugi::xml_node auth);
  void on_db_result(pugi::xml_node result);
  void on_inbound_stanza(pugi::xml_document& doc);
  // both
  void on_db_verify(pugi::xml_node verify);
  void on_db_result_answer(pugi::xml_node result);
  void fail(xmpp::stream_error_condition condition, std::string text,
            failure_kind kind = failure_kind::other);
  void finish(close_reason why);
  void restart_stream();
  void write_element(pugi::xml_node element);
  partner_policy policy(std::string_view domain) const;
  // Why the peer's certificate is not acceptable for `domain` ("" when it is).
  std::string peer_problem(std::string_view domain) const;
  bool any_authenticated() const;

  stream_settings settings_;
  stream_owner& owner_;
  xmpp::stream_framer framer_;
  phase phase_ = phase::idle;
  bool tls_done_ = false;
  bool sasl_done_ = false;
  bool sasl_failed_ = false;
  std::optional<auth_method> method_;
  std::optional<tls_peer> peer_;
  std::string peer_stream_id_;
  xmpp::namespace_bindings peer_scope_;  // declarations on the peer's header
  xmpp::namespace_bindings our_scope_;   // declarations on our header
  // Receiving: authenticated (local, remote) pairs, and pairs waiting for verification.
  std::set<std::pair<std::string, std::string>> pairs_;
  std::set<std::pair<std::string, std::string>> pending_;
  std::vector<verify_request> queued_verifies_;
  bool closed_sent_ = false;
  bool header_sent_ = false;
  bool restart_pending_ = false;  // reset the framer once it returns (SASL success)
  std::string last_refusal_;      // why the last SASL attempt was refused, for the close log
};

}  // namespace fedgate::s2s
