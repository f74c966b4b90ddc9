#pragma once
// The bench's XMPP servers, as both fedgate-bench entry points (its own scenarios and xmpp-peer
// for bench/compare) set them up: a self-signed certificate for the bench's domains, and an S2S
// configuration with one partner (the gateway under test) and limits no benchmark reaches.

#include <memory>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "transport/tls/tls_context.hpp"

namespace fedgate::bench_s2s {

/// A TLS context serving a fresh self-signed certificate for `domains`. The gateway cannot
/// verify it, so streams authenticate by dialback after STARTTLS, as with an unknown CA. Null
/// with `error` set when the certificate or the context cannot be made.
std::shared_ptr<tls::tls_context> self_signed_context(const std::vector<std::string>& domains,
                                                      std::string& error);

/// S2S settings for the bench's servers: listen on `listen` (no direct TLS), federate only with
/// `peer_domain` at `peer`; queues and timeouts large enough that the bench never hits them.
app::xmpp_config bench_xmpp_config(std::vector<app::endpoint> listen, std::string peer_domain,
                                   app::endpoint peer);

}  // namespace fedgate::bench_s2s
