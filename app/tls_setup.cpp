#include "app/tls_setup.hpp"

#include "metrics/log.hpp"
#include "transport/tls/certificate_files.hpp"
#include "transport/tls/self_signed_certificate.hpp"

namespace fedgate::app {
namespace {

void check_side(const tls_files& files, const std::string& prefix,
                std::vector<config_error>& errors) {
  if (!files.certificate.empty() && !files.key.empty()) {
    if (auto why = tls::check_certificate_pair(files.certificate, files.key)) {
      errors.push_back(config_error{prefix + ".certificate", 0, 0, *why});
    }
  }
  if (!files.ca_file.empty()) {
    if (auto why = tls::check_ca_bundle(files.ca_file)) {
      errors.push_back(config_error{prefix + ".ca_file", 0, 0, *why});
    }
  }
}

std::vector<std::string> own_domains(const config& cfg) {
  std::vector<std::string> out;
  for (const auto& d : cfg.domains) {
    out.push_back(d.xmpp);
    if (d.sip != d.xmpp) out.push_back(d.sip);
  }
  return out;
}

}  // namespace

std::vector<config_error> check_tls_files(const config& cfg) {
  std::vector<config_error> errors;
  check_side(cfg.xmpp.tls, "xmpp", errors);
  check_side(cfg.sip.tls, "sip", errors);
  for (std::size_t i = 0; i < cfg.domains.size(); ++i) {
    const auto& d = cfg.domains[i];
    check_side(tls_files{d.certificate, d.key, {}}, "domains[" + std::to_string(i) + "]", errors);
  }
  return errors;
}

std::shared_ptr<tls::tls_context> make_xmpp_tls_context(const config& cfg, std::string& error) {
  tls::context_config tc;
  tls::identity fallback{{}, cfg.xmpp.tls.certificate, cfg.xmpp.tls.key};
  std::vector<tls::identity> own;
  for (const auto& d : cfg.domains) {
    if (d.certificate.empty()) {
      fallback.domains.push_back(d.xmpp);
    } else {
      own.push_back({{d.xmpp}, d.certificate, d.key});
    }
  }
  tc.identities.push_back(std::move(fallback));  // the first is the default (no SNI)
  tc.identities.insert(tc.identities.end(), own.begin(), own.end());
  tc.ca_file = cfg.xmpp.tls.ca_file;
  return tls::tls_context::create(tc, error);
}

std::vector<config_error> prepare_tls_files(config& cfg) {
  std::vector<config_error> errors = check_tls_files(cfg);
  if (!errors.empty()) return errors;
  bool need_generated = cfg.xmpp.tls.certificate.empty() || cfg.sip.tls.certificate.empty();
  if (!need_generated) return errors;
  auto r = tls::ensure_self_signed_certificate(cfg.general.state_dir / "tls", own_domains(cfg));
  if (!r.error.empty()) {
    errors.push_back(config_error{"general.state_dir", 0, 0, r.error});
    return errors;
  }
  log::write(r.generated ? log::level::warn : log::level::info,
             r.generated ? "generated a self-signed certificate; partners that verify "
                           "certificates will refuse it until a CA-issued one is configured"
                         : "using the self-signed certificate from the state directory",
             {{"certificate", r.certificate.string()}, {"key", r.key.string()}});
  for (tls_files* side : {&cfg.xmpp.tls, &cfg.sip.tls}) {
    if (side->certificate.empty()) {
      side->certificate = r.certificate;
      side->key = r.key;
    }
  }
  return errors;
}

}  // namespace fedgate::app
