#include "actors/sip/transaction_metrics.hpp"

#include "metrics/families.hpp"

namespace fedgate::sip_layer {
namespace {

metrics::role role_of(txn_role r) {
  return r == txn_role::client ? metrics::role::client : metrics::role::server;
}

}  // namespace

metrics::sip_method method_label(std::string_view method) noexcept {
  using metrics::sip_method;
  switch (method.size()) {
    case 6:
      if (method == "NOTIFY") return sip_method::notify;
      break;
    case 7:
      if (method == "MESSAGE") return sip_method::message;
      if (method == "PUBLISH") return sip_method::publish;
      if (method == "OPTIONS") return sip_method::options;
      break;
    case 9:
      if (method == "SUBSCRIBE") return sip_method::subscribe;
      break;
    default:
      break;
  }
  return sip_method::other;
}

void transaction_metrics::active_changed(txn_role, std::int64_t delta) {
  metrics::sip_transactions().active_add(static_cast<double>(delta));
}

void transaction_metrics::completed(txn_role r, std::string_view method, int status_code) {
  metrics::sip_transactions().completed(role_of(r), method_label(method), status_code);
}

void transaction_metrics::retransmitted(txn_role r, std::string_view method) {
  metrics::sip_transactions().retransmitted(role_of(r), method_label(method));
}

void transaction_metrics::timed_out(txn_role r, std::string_view method) {
  metrics::sip_transactions().timed_out(role_of(r), method_label(method));
}

}  // namespace fedgate::sip_layer
