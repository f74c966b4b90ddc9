#include "app/state_files.hpp"

#include <fstream>
#include <sstream>

#include <openssl/rand.h>

#include "transport/tls/certificate_issuer.hpp"

namespace fedgate::app {

std::optional<std::string> load_or_create_secret(const std::filesystem::path& path,
                                                 std::string& error) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path);
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32) return secret;
    error = "\"" + path.string() + "\" holds no usable secret (delete it to generate a new one)";
    return std::nullopt;
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    error = "no randomness for a new secret";
    return std::nullopt;
  }
  static const char digits[] = "0123456789abcdef";
  std::string secret;
  for (unsigned char b : bytes) {
    secret += digits[b >> 4];
    secret += digits[b & 15];
  }
  // Same atomic, owner-only write as keys.
  error = tls::write_file_atomic(path, secret + "\n", 0600);
  if (!error.empty()) return std::nullopt;
  return secret;
}

std::optional<std::string> dialback_secret(const config& cfg, std::string& error) {
  if (!cfg.xmpp.dialback_secret.empty()) return cfg.xmpp.dialback_secret;
  return load_or_create_secret(cfg.general.state_dir / "dialback.secret", error);
}

}  // namespace fedgate::app
