#pragma once
// A self-signed certificate for the gateway's own domains, generated into the state directory on
// first start, so the shipped default config runs TLS without an operator providing files.
//
// It is for trying fedgate out and for tests: partners that verify certificates (as they should)
// will not accept it; production configs name a CA-issued certificate instead. The pair is reused
// across restarts while it still covers every configured domain and is valid for 30 more days.

#include <filesystem>
#include <string>
#include <vector>

namespace fedgate::tls {

struct self_signed_result {
  std::filesystem::path certificate;
  std::filesystem::path key;
  bool generated = false;  // false: an existing pair was still good and was reused
  std::string error;       // non-empty on failure
};

// Ensures `dir`/selfsigned.crt and `dir`/selfsigned.key exist, cover `domains` (as DNS names in
// subjectAltName) and are valid for at least 30 days; generates an ECDSA P-256 pair when not.
// The key file is created owner-only (0600).
self_signed_result ensure_self_signed_certificate(const std::filesystem::path& dir,
                                                  const std::vector<std::string>& domains,
                                                  int valid_days = 365);

}  // namespace fedgate::tls
