#pragma once
// Shared TLS settings for many sessions: our certificates (one per local domain, chosen by SNI on
// inbound connections), the CA bundle used to verify peers, and the protocol floor (TLS 1.2).
//
// Why one context for both roles: on S2S links a server is a TLS client on its outbound streams and
// a TLS server on inbound ones, and presents the same certificate either way (RFC 6120 §13.7.1).
// Peer verification never aborts the handshake here: whether an unverified peer may still use
// dialback, or must be refused, is partner policy, decided above this layer from the result that
// tls_session::peer() reports.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;

namespace fedgate::tls {

struct identity {
  std::vector<std::string> domains;  // names this certificate is presented for (SNI match)
  std::filesystem::path certificate;
  std::filesystem::path key;
};

struct context_config {
  std::vector<identity> identities;  // the first is the default when SNI names none of them
  std::filesystem::path ca_file;     // empty: the system trust store
};

class tls_context {
 public:
  // nullptr with `error` set when a file cannot be loaded.
  static std::shared_ptr<tls_context> create(const context_config& cfg, std::string& error);
  ~tls_context();
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  // The context for a server name (SNI), falling back to the default identity's.
  SSL_CTX* for_server_name(std::string_view name) const;
  SSL_CTX* default_context() const { return contexts_.front().ctx; }

 private:
  tls_context() = default;
  struct entry {
    std::vector<std::string> domains;
    SSL_CTX* ctx = nullptr;
  };
  std::vector<entry> contexts_;
};

}  // namespace fedgate::tls
