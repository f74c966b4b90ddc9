#include "transport/tls/self_signed_certificate.hpp"

#include <algorithm>
#include <chrono>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>

#include "transport/tls/certificate_files.hpp"
#include "transport/tls/internal/openssl_handles.hpp"

namespace fedgate::tls {
namespace {

using internal::bio_ptr;
using internal::openssl_errors;
using internal::pkey_ptr;
using internal::x509_ptr;

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

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// Writes `pem` to `path` with `mode`, replacing the file atomically (write then rename), so a
// crash never leaves half a key behind.
std::string write_file(const std::filesystem::path& path, const std::string& pem, mode_t mode) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return "cannot create \"" + tmp.string() + "\"";
  std::size_t done = 0;
  while (done < pem.size()) {
    ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
    if (n <= 0) {
      ::close(fd);
      return "cannot write \"" + tmp.string() + "\"";
    }
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, mode);
  ::close(fd);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return "cannot rename \"" + tmp.string() + "\": " + ec.message();
  return "";
}

std::string to_pem(X509* cert) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string to_pem(EVP_PKEY* key) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
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

  pkey_ptr key(EVP_EC_gen("P-256"));
  x509_ptr cert(X509_new());
  if (!key || !cert) {
    r.error = "key generation failed: " + openssl_errors();
    return r;
  }
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // positive, as RFC 5280 §4.1.2.2 requires
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_set_version(cert.get(), 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(valid_days) * 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("fedgate self-signed"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(domains.front().c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san;
  for (const auto& d : domains)
    san += (san.empty() ? "DNS:" : ",DNS:") + d;
  // Servers authenticate as TLS clients too on S2S links (RFC 6120 §13.7.1), hence clientAuth.
  bool ok = add_extension(cert.get(), NID_subject_alt_name, san.c_str()) &&
            add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
            add_extension(cert.get(), NID_key_usage, "critical,digitalSignature") &&
            add_extension(cert.get(), NID_ext_key_usage, "serverAuth,clientAuth") &&
            X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) {
    r.error = "certificate generation failed: " + openssl_errors();
    return r;
  }
  if (r.error = write_file(r.key, to_pem(key.get()), 0600); !r.error.empty()) return r;
  if (r.error = write_file(r.certificate, to_pem(cert.get()), 0644); !r.error.empty()) return r;
  r.generated = true;
  return r;
}

}  // namespace fedgate::tls
