#include "tests/support/test_pki.hpp"

#include <stdexcept>

namespace fedgate::testing {
namespace {

pem_files write(const std::filesystem::path& dir, const std::string& stem,
                const tls::pem_pair& pair) {
  pem_files f{dir / (stem + ".crt"), dir / (stem + ".key")};
  std::string e = tls::write_file_atomic(f.certificate, pair.certificate, 0644);
  if (e.empty()) e = tls::write_file_atomic(f.key, pair.key, 0600);
  if (!e.empty()) throw std::runtime_error(e);
  return f;
}

}  // namespace

test_pki::test_pki(std::filesystem::path dir, const std::string& ca_name) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  std::string error;
  auto ca = tls::issue_certificate({{ca_name}, true, 30, std::nullopt}, error);
  if (!ca) throw std::runtime_error(error);
  ca_ = *ca;
  ca_files_ = write(dir_, ca_name, ca_);
}

pem_files test_pki::issue(const std::string& stem, const std::vector<std::string>& names) const {
  std::string error;
  auto leaf = tls::issue_certificate({names, false, 30, ca_}, error);
  if (!leaf) throw std::runtime_error(error);
  return write(dir_, stem, *leaf);
}

}  // namespace fedgate::testing
