#pragma once
// One TLS connection as a byte-in/byte-out layer over OpenSSL memory BIOs: it never touches a
// socket, so it runs in a codec actor on the worker pool (not on CAF's single I/O thread), and it
// can start in the middle of a cleartext stream (STARTTLS, RFC 6120 §5) or at the first byte
// (XEP-0368 direct TLS, SIP over TLS).
//
//   network bytes ──consume()──► plaintext        plaintext ──write()──► take_output() ──► network

#include <memory>
#include <string>
#include <string_view>

#include "transport/tls/tls_context.hpp"

typedef struct ssl_st SSL;

namespace fedgate::tls {

// What we learned about the peer's certificate. Filled once the handshake completes.
struct peer_certificate {
  bool presented = false;
  bool chain_valid = false;  // verified against the CA bundle
  std::string chain_error;   // OpenSSL's reason when not valid
  std::string subject;       // for logs
};

class tls_session {
 public:
  enum class role { client, server };

  // A client sends `server_name` as SNI (RFC 6066) and is expected to check the peer against it.
  // `alpn`, when not empty, is offered as the one ALPN protocol (RFC 7301), e.g. "xmpp-server"
  // for XEP-0368 direct TLS.
  static std::unique_ptr<tls_session> client(const tls_context& ctx, std::string server_name,
                                             std::string_view alpn = {});
  static std::unique_ptr<tls_session> server(const tls_context& ctx);
  ~tls_session();
  tls_session(const tls_session&) = delete;
  tls_session& operator=(const tls_session&) = delete;

  // Feeds bytes received from the network; decrypted application bytes are appended to
  // `plaintext`. Returns false on a fatal error (see error()); take_output() may then hold an
  // alert worth sending before closing.
  bool consume(std::string_view ciphertext, std::string& plaintext);

  // Queues application bytes; they are encrypted as soon as the handshake allows.
  void write(std::string_view plaintext);

  // Starts the handshake (a client's ClientHello). Servers start on their first consume().
  void start();

  // Sends close_notify.
  void close();

  // Moves out the bytes to send to the network.
  std::string take_output();
  bool has_output() const;

  bool established() const { return established_; }
  bool peer_closed() const { return peer_closed_; }
  const std::string& error() const { return error_; }
  const peer_certificate& peer() const { return peer_; }

  // RFC 6125 §6.4 check of the peer certificate against `domain`: DNS-IDs in subjectAltName only
  // (no CN fallback), a wildcard only as the whole left-most label. Empty string when it
  // matches, otherwise why not.
  std::string check_peer_name(std::string_view domain) const;

  std::string server_name() const;  // SNI: the name a client asked for (server role)
  std::string protocol() const;     // "TLSv1.3"
  std::string cipher() const;

 private:
  tls_session(SSL* ssl, role r);
  bool drive(std::string& plaintext);
  bool fail(std::string why);
  void flush_pending();
  void on_established();

  SSL* ssl_;
  bool established_ = false;
  bool peer_closed_ = false;
  std::string pending_;  // application bytes written before the handshake finished
  std::string error_;
  peer_certificate peer_;
};

}  // namespace fedgate::tls
