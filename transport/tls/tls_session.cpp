#include "transport/tls/tls_session.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "transport/tls/internal/openssl_handles.hpp"

namespace fedgate::tls {
namespace {

using internal::openssl_errors;

// Read granularity: one TLS record holds at most 16 KiB of plaintext (RFC 8446 §5.1).
constexpr std::size_t read_chunk = 16 * 1024;

}  // namespace

tls_session::tls_session(SSL* ssl, role r) : ssl_(ssl) {
  SSL_set_bio(ssl_, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
  if (r == role::client) {
    SSL_set_connect_state(ssl_);
  } else {
    SSL_set_accept_state(ssl_);
  }
}

tls_session::~tls_session() {
  SSL_free(ssl_);
}

std::unique_ptr<tls_session> tls_session::client(const tls_context& ctx, std::string server_name,
                                                 std::string_view alpn) {
  SSL* ssl = SSL_new(ctx.for_server_name(server_name));
  if (!ssl) return nullptr;
  SSL_set_tlsext_host_name(ssl, server_name.c_str());
  if (!alpn.empty() && alpn.size() < 256) {
    std::string wire(1, static_cast<char>(alpn.size()));
    wire += alpn;
    SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned>(wire.size()));
  }
  return std::unique_ptr<tls_session>(new tls_session(ssl, role::client));
}

std::unique_ptr<tls_session> tls_session::server(const tls_context& ctx) {
  SSL* ssl = SSL_new(ctx.default_context());
  if (!ssl) return nullptr;
  return std::unique_ptr<tls_session>(new tls_session(ssl, role::server));
}

bool tls_session::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
  return false;
}

void tls_session::start() {
  std::string ignored;
  drive(ignored);
}

bool tls_session::consume(std::string_view ciphertext, std::string& plaintext) {
  if (!error_.empty()) return false;
  if (!ciphertext.empty() &&
      BIO_write(SSL_get_rbio(ssl_), ciphertext.data(), static_cast<int>(ciphertext.size())) <= 0) {
    return fail("cannot buffer received TLS bytes");
  }
  return drive(plaintext);
}

bool tls_session::drive(std::string& plaintext) {
  if (!established_) {
    int r = SSL_do_handshake(ssl_);
    if (r != 1) {
      int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return true;
      std::string why = openssl_errors();
      return fail("TLS handshake failed: " + (why.empty() ? std::string("peer closed") : why));
    }
    on_established();
  }
  for (;;) {
    std::size_t old = plaintext.size();
    plaintext.resize(old + read_chunk);
    int n = SSL_read(ssl_, plaintext.data() + old, static_cast<int>(read_chunk));
    plaintext.resize(old + static_cast<std::size_t>(n > 0 ? n : 0));
    if (n > 0) continue;
    int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_WANT_READ) break;
    if (e == SSL_ERROR_ZERO_RETURN) {
      peer_closed_ = true;
      break;
    }
    return fail("TLS read failed: " + openssl_errors());
  }
  flush_pending();
  return true;
}

void tls_session::on_established() {
  established_ = true;
  if (X509* cert = SSL_get1_peer_certificate(ssl_)) {
    peer_.presented = true;
    long v = SSL_get_verify_result(ssl_);
    peer_.chain_valid = v == X509_V_OK;
    if (!peer_.chain_valid) peer_.chain_error = X509_verify_cert_error_string(v);
    char buf[512];
    X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
    peer_.subject = buf;
    X509_free(cert);
  }
}

void tls_session::write(std::string_view data) {
  pending_.append(data);
  if (established_) flush_pending();
}

void tls_session::flush_pending() {
  std::size_t done = 0;
  while (done < pending_.size()) {
    int n = SSL_write(ssl_, pending_.data() + done, static_cast<int>(pending_.size() - done));
    if (n <= 0) break;  // memory BIOs grow, so this only happens on a broken session
    done += static_cast<std::size_t>(n);
  }
  pending_.erase(0, done);
}

void tls_session::close() {
  if (established_) SSL_shutdown(ssl_);
}

bool tls_session::has_output() const {
  return BIO_ctrl_pending(SSL_get_wbio(ssl_)) > 0;
}

std::string tls_session::take_output() {
  BIO* w = SSL_get_wbio(ssl_);
  std::string out(BIO_ctrl_pending(w), '\0');
  if (!out.empty()) {
    int n = BIO_read(w, out.data(), static_cast<int>(out.size()));
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  }
  return out;
}

std::string tls_session::check_peer_name(std::string_view domain) const {
  X509* cert = SSL_get0_peer_certificate(ssl_);
  if (!cert) return "the peer presented no certificate";
  // RFC 6125 §6.4.4: with DNS-IDs present the CN is not consulted; we never consult it, as
  // XMPP and SIP certificates have carried SANs for over a decade. §6.4.3: a wildcard is only
  // a complete left-most label and matches exactly one label.
  unsigned flags = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
  int r = X509_check_host(cert, domain.data(), domain.size(), flags, nullptr);
  if (r == 1) return "";
  if (r < 0) return "name check failed: " + openssl_errors();
  return "certificate (" + peer_.subject + ") is not valid for " + std::string(domain) +
         " (no matching DNS name in subjectAltName)";
}

std::string tls_session::server_name() const {
  const char* n = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
  return n ? n : "";
}

std::string tls_session::protocol() const {
  return SSL_get_version(ssl_);
}

std::string tls_session::cipher() const {
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl_);
  return c ? SSL_CIPHER_get_name(c) : "";
}

}  // namespace fedgate::tls
