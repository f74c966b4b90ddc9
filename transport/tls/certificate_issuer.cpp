#include "transport/tls/certificate_issuer.hpp"

#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>

#include "transport/tls/internal/openssl_handles.hpp"

namespace fedgate::tls {
namespace {

using internal::bio_ptr;
using internal::openssl_errors;
using internal::pkey_ptr;
using internal::x509_ptr;

bool add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

template <class T, class Write>
std::string to_pem(T* object, Write write) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  write(bio.get(), object);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

bio_ptr read_only(const std::string& pem) {
  return bio_ptr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

}  // namespace

std::optional<pem_pair> issue_certificate(const certificate_request& req, std::string& error) {
  if (req.dns_names.empty()) {
    error = "no name to put in the certificate";
    return std::nullopt;
  }
  x509_ptr issuer_cert;
  pkey_ptr issuer_key;
  if (req.issuer) {
    issuer_cert.reset(
        PEM_read_bio_X509(read_only(req.issuer->certificate).get(), nullptr, nullptr, nullptr));
    issuer_key.reset(
        PEM_read_bio_PrivateKey(read_only(req.issuer->key).get(), nullptr, nullptr, nullptr));
    if (!issuer_cert || !issuer_key) {
      error = "cannot read the issuer: " + openssl_errors();
      return std::nullopt;
    }
  }
  pkey_ptr key(EVP_EC_gen("P-256"));
  x509_ptr cert(X509_new());
  if (!key || !cert) {
    error = "key generation failed: " + openssl_errors();
    return std::nullopt;
  }
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // positive, as RFC 5280 §4.1.2.2 requires
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_set_version(cert.get(), 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(req.valid_days) * 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("fedgate"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(req.dns_names.front().c_str()),
                             -1, -1, 0);
  X509* issuer = issuer_cert ? issuer_cert.get() : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));

  bool ok = true;
  if (req.is_ca) {
    ok = add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE") &&
         add_extension(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign") &&
         add_extension(cert.get(), issuer, NID_subject_key_identifier, "hash");
  } else {
    std::string san;
    for (const auto& d : req.dns_names)
      san += (san.empty() ? "DNS:" : ",DNS:") + d;
    ok = add_extension(cert.get(), issuer, NID_subject_alt_name, san.c_str()) &&
         add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE") &&
         add_extension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature") &&
         add_extension(cert.get(), issuer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  if (ok && issuer_cert) {
    ok = add_extension(cert.get(), issuer, NID_authority_key_identifier, "keyid");
  }
  EVP_PKEY* signer = issuer_key ? issuer_key.get() : key.get();
  if (!ok || X509_sign(cert.get(), signer, EVP_sha256()) <= 0) {
    error = "certificate generation failed: " + openssl_errors();
    return std::nullopt;
  }
  return pem_pair{to_pem(cert.get(), PEM_write_bio_X509),
                  to_pem(key.get(), [](BIO* b, EVP_PKEY* k) {
                    return PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
                  })};
}

std::string write_file_atomic(const std::filesystem::path& path, const std::string& pem,
                              mode_t mode) {
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

}  // namespace fedgate::tls
