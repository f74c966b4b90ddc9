#include "transport/tls/certificate_files.hpp"

#include <ctime>

#include <openssl/pem.h>

#include "transport/tls/internal/openssl_handles.hpp"

namespace fedgate::tls {
namespace {

using internal::bio_ptr;
using internal::openssl_errors;
using internal::pkey_ptr;
using internal::x509_ptr;

x509_ptr load_certificate(const std::filesystem::path& file) {
  bio_ptr bio(BIO_new_file(file.c_str(), "r"));
  if (!bio) return nullptr;
  return x509_ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

std::optional<certificate_info> read_certificate_info(const std::filesystem::path& certificate) {
  x509_ptr cert = load_certificate(certificate);
  if (!cert) {
    ERR_clear_error();
    return std::nullopt;
  }
  certificate_info info;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type != GEN_DNS) continue;
    const ASN1_IA5STRING* s = n->d.dNSName;
    info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                static_cast<std::size_t>(ASN1_STRING_length(s)));
  }
  GENERAL_NAMES_free(names);
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) == 1) {
    info.not_after = std::chrono::system_clock::from_time_t(timegm(&tm));
  }
  return info;
}

std::optional<std::string> check_certificate_pair(const std::filesystem::path& certificate,
                                                  const std::filesystem::path& key) {
  x509_ptr cert = load_certificate(certificate);
  if (!cert) {
    return "cannot load a PEM certificate from \"" + certificate.string() +
           "\": " + openssl_errors();
  }
  bio_ptr kbio(BIO_new_file(key.c_str(), "r"));
  pkey_ptr pkey(kbio ? PEM_read_bio_PrivateKey(kbio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!pkey) {
    return "cannot load a PEM private key from \"" + key.string() + "\": " + openssl_errors();
  }
  if (X509_check_private_key(cert.get(), pkey.get()) != 1) {
    ERR_clear_error();
    return "the key in \"" + key.string() + "\" does not belong to the certificate in \"" +
           certificate.string() + "\"";
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) <= 0) {
    return "the certificate in \"" + certificate.string() + "\" has expired";
  }
  return std::nullopt;
}

std::optional<std::string> check_ca_bundle(const std::filesystem::path& bundle) {
  if (!load_certificate(bundle)) {
    return "no PEM certificate in CA bundle \"" + bundle.string() + "\": " + openssl_errors();
  }
  return std::nullopt;
}

}  // namespace fedgate::tls
