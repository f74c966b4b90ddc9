#pragma once
// Turns the TLS part of the config into usable certificate files.
//
// check: verifies every configured certificate/key pair and CA bundle with OpenSSL (used by
//   `fedgate check-config` and at start-up), reporting problems as config errors at their keys.
// prepare: additionally generates the self-signed pair into the state directory for any side
//   whose certificate is left empty (the shipped default config).

#include <memory>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "transport/tls/tls_context.hpp"

namespace fedgate::app {

std::vector<config_error> check_tls_files(const config& cfg);

// Fills empty certificate/key paths of `cfg` with the generated self-signed pair. Returns the
// errors (none on success).
std::vector<config_error> prepare_tls_files(config& cfg);

// The TLS context of the XMPP side: each [[domains]] entry with its own certificate is offered
// for its domain (SNI), xmpp.certificate for the others and when a peer names none. Call after
// prepare_tls_files(). nullptr with `error` set on failure.
std::shared_ptr<tls::tls_context> make_xmpp_tls_context(const config& cfg, std::string& error);

}  // namespace fedgate::app
