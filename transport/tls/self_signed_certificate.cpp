#include "transport/tls/self_signed_certificate.hpp"

#include <algorithm>
#include <chrono>

#include "transport/tls/certificate_files.hpp"
#include "transport/tls/certificate_issuer.hpp"

namespace fedgate::tls {
namespace {

constexpr auto min_remaining = std::chrono::hours(24 * 30);

bool still_good(const std::filesystem::path& cert, const std::filesystem::path& key,
                const std::vector<std::string>& domains) {
  std::error_code ec;
  if (!std::filesystem::exists(cert, ec) || !std::filesystem::exists(key, ec)) return false;
  if (check_certificate_pair(cert, key)) return false;
  auto info = read_certificate_info(cert);
  if (!info || info->not_after < std::chrono::system_clock::now() + min_remaining) return false;
  return std::all_of(domains.begin(), domains.end(), [&](const std::string& d) {
    return std::find(info->dns_names.begin(), info->dns_names.end(), d) != info->dns_names.end();
  });
}

}  // namespace

self_signed_result ensure_self_signed_certificate(const std::filesystem::path& dir,
                                                  const std::vector<std::string>& domains,
                                                  int valid_days) {
  self_signed_result r;
  r.certificate = dir / "selfsigned.crt";
  r.key = dir / "selfsigned.key";
  if (domains.empty()) {
    r.error = "no domain to put in the certificate";
    return r;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    r.error = "cannot create \"" + dir.string() + "\": " + ec.message();
    return r;
  }
  if (still_good(r.certificate, r.key, domains)) return r;

  std::string error;
  auto pair = issue_certificate({domains, false, valid_days, std::nullopt}, error);
  if (!pair) {
    r.error = error;
    return r;
  }
  if (r.error = write_file_atomic(r.key, pair->key, 0600); !r.error.empty()) return r;
  if (r.error = write_file_atomic(r.certificate, pair->certificate, 0644); !r.error.empty())
    return r;
  r.generated = true;
  return r;
}

}  // namespace fedgate::tls
