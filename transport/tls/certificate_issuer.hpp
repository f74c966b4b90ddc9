#pragma once
// Makes X.509 certificates: the gateway's self-signed pair on first start, and the test CA and
// leaf certificates that interop tests give to real peers (Prosody, Kamailio) and to fedgate.
//
// Keys are ECDSA P-256 (fast handshakes: ~30x the RSA-2048 signing rate measured on the target
// machine). Leaf certificates carry the names as subjectAltName DNS-IDs (RFC 6125) and both
// serverAuth and clientAuth, since S2S servers also authenticate as TLS clients.

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fedgate::tls {

struct pem_pair {
  std::string certificate;
  std::string key;
};

struct certificate_request {
  std::vector<std::string> dns_names;  // the first is also the subject CN
  bool is_ca = false;
  int valid_days = 365;
  std::optional<pem_pair> issuer;  // nullopt: self-signed
};

// The new pair, or nullopt with `error` set.
std::optional<pem_pair> issue_certificate(const certificate_request& req, std::string& error);

// Writes `pem` to `path` with `mode` (0600 for keys), replacing any old file atomically (write,
// then rename) so a crash never leaves half a key behind. Returns "" or why it failed.
std::string write_file_atomic(const std::filesystem::path& path, const std::string& pem,
                              mode_t mode);

}  // namespace fedgate::tls
