#pragma once
// The transaction table's observer (transaction_table.hpp) that counts into the Prometheus
// families of docs/operations.md: fedgate_sip_transactions_total, fedgate_sip_retransmissions_
// total, fedgate_sip_transaction_timeouts_total and the fedgate_sip_transactions gauge.
//
// Each transaction shard owns one (declared before its table, so it outlives it) and passes it
// to its table; the table tells it of each event once, where the event is decided. It keeps no
// state and looks the process-wide families up on every call (one atomic load), so building it
// before metrics::install() does not build the families with default options.

#include <string_view>

#include "actors/sip/transaction_table.hpp"
#include "metrics/labels.hpp"

namespace fedgate::sip_layer {

/// The bounded `method` label of a request method (RFC 3261 §7.1: methods are case-sensitive).
/// INVITE, ACK, BYE, CANCEL and every other method are `other`.
metrics::sip_method method_label(std::string_view method) noexcept;

class transaction_metrics final : public transaction_observer {
 public:
  void active_changed(txn_role r, std::int64_t delta) override;
  void completed(txn_role r, std::string_view method, int status_code) override;
  void retransmitted(txn_role r, std::string_view method) override;
  void timed_out(txn_role r, std::string_view method) override;
};

}  // namespace fedgate::sip_layer
