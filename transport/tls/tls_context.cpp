#include "transport/tls/tls_context.hpp"

#include <openssl/ssl.h>

#include "transport/tls/internal/openssl_handles.hpp"

namespace fedgate::tls {
namespace {

using internal::openssl_errors;

// Verification is recorded, never fatal, at this layer (see the header): the handshake completes
// and tls_session::peer() reports the outcome for policy to judge.
int record_only(int /*preverify_ok*/, X509_STORE_CTX* /*store*/) {
  return 1;
}

int select_by_sni(SSL* ssl, int* /*alert*/, void* arg) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name) SSL_set_SSL_CTX(ssl, static_cast<tls_context*>(arg)->for_server_name(name));
  return SSL_TLSEXT_ERR_OK;
}

SSL_CTX* make_ctx(const identity* id, const std::filesystem::path& ca_file, std::string& error) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  if (!ctx) {
    error = "SSL_CTX_new: " + openssl_errors();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, record_only);
  int ca_ok = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                              : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  if (ca_ok != 1) {
    error = "cannot load CA bundle \"" + ca_file.string() + "\": " + openssl_errors();
    SSL_CTX_free(ctx);
    return nullptr;
  }
  if (id) {
    if (SSL_CTX_use_certificate_chain_file(ctx, id->certificate.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, id->key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      error = "cannot load certificate \"" + id->certificate.string() + "\" with key \"" +
              id->key.string() + "\": " + openssl_errors();
      SSL_CTX_free(ctx);
      return nullptr;
    }
  }
  return ctx;
}

bool matches(const std::string& pattern, std::string_view name) {
  if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
    auto dot = name.find('.');
    return dot != std::string_view::npos && name.substr(dot) == std::string_view(pattern).substr(1);
  }
  return pattern == name;
}

}  // namespace

std::shared_ptr<tls_context> tls_context::create(const context_config& cfg, std::string& error) {
  std::shared_ptr<tls_context> self(new tls_context());
  if (cfg.identities.empty()) {
    // A client-only context (tests, or peers that need no certificate of ours).
    SSL_CTX* ctx = make_ctx(nullptr, cfg.ca_file, error);
    if (!ctx) return nullptr;
    self->contexts_.push_back({{}, ctx});
  }
  for (const auto& id : cfg.identities) {
    SSL_CTX* ctx = make_ctx(&id, cfg.ca_file, error);
    if (!ctx) return nullptr;
    self->contexts_.push_back({id.domains, ctx});
  }
  for (auto& e : self->contexts_) {
    SSL_CTX_set_tlsext_servername_callback(e.ctx, select_by_sni);
    SSL_CTX_set_tlsext_servername_arg(e.ctx, self.get());
  }
  return self;
}

tls_context::~tls_context() {
  for (auto& e : contexts_)
    SSL_CTX_free(e.ctx);
}

SSL_CTX* tls_context::for_server_name(std::string_view name) const {
  for (const auto& e : contexts_) {
    for (const auto& d : e.domains) {
      if (matches(d, name)) return e.ctx;
    }
  }
  return contexts_.front().ctx;
}

}  // namespace fedgate::tls
