#pragma once
// A throwaway PKI for tests: a CA and leaf certificates for chosen names, written as PEM files
// into a folder. Interop tests hand these to real peers (Prosody, Kamailio) and to fedgate, so
// certificate verification is exercised for real, never switched off.

#include <filesystem>
#include <string>
#include <vector>

#include "transport/tls/certificate_issuer.hpp"

namespace fedgate::testing {

struct pem_files {
  std::filesystem::path certificate;
  std::filesystem::path key;
};

class test_pki {
 public:
  // Creates `dir`/<ca_name>.crt/.key. Throws std::runtime_error on failure (tests only).
  test_pki(std::filesystem::path dir, const std::string& ca_name = "test-ca");

  const std::filesystem::path& ca_certificate() const { return ca_files_.certificate; }

  // A leaf for `names` signed by this CA, written as `dir`/<stem>.crt/.key.
  pem_files issue(const std::string& stem, const std::vector<std::string>& names) const;

 private:
  std::filesystem::path dir_;
  tls::pem_pair ca_;
  pem_files ca_files_;
};

}  // namespace fedgate::testing
