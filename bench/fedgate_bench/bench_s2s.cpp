#include "bench/fedgate_bench/bench_s2s.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "transport/tls/certificate_issuer.hpp"

namespace fedgate::bench_s2s {

std::shared_ptr<tls::tls_context> self_signed_context(const std::vector<std::string>& domains,
                                                      std::string& error) {
  auto pem = tls::issue_certificate({domains, false, 30, std::nullopt}, error);
  if (!pem) return nullptr;
  // tls_context loads from files: write the pair to a private directory, load, remove it.
  char tmpl[] = "/tmp/fedgate-bench-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    error = "mkdtemp failed";
    return nullptr;
  }
  std::filesystem::path dir = tmpl;
  tls::write_file_atomic(dir / "bench.crt", pem->certificate, 0600);
  tls::write_file_atomic(dir / "bench.key", pem->key, 0600);
  auto ctx = tls::tls_context::create(
      {{tls::identity{domains, dir / "bench.crt", dir / "bench.key"}}, {}}, error);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return ctx;
}

app::xmpp_config bench_xmpp_config(std::vector<app::endpoint> listen, std::string peer_domain,
                                   app::endpoint peer) {
  app::xmpp_config x;
  x.listen = std::move(listen);
  x.direct_tls_listen.clear();
  app::partner_config p;
  p.domain = std::move(peer_domain);
  p.routes = {std::move(peer)};
  p.max_connections = 64;
  x.partners = {p};
  x.backoff_initial_ms = 200;
  x.backoff_max_ms = 2000;
  x.connect_timeout_ms = 5000;
  x.queue_max = 1000000;
  x.queue_timeout_ms = 60000;
  return x;
}

}  // namespace fedgate::bench_s2s
