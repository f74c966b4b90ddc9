#pragma once
// Answering a request that reached an actor (`incoming_request`), in one place for every actor
// that answers: the router, IM sessions and presence actors. Each answer
//   * carries a To tag (RFC 3261 §8.2.6.2: a UAS adds one to every final response; a random
//     token, since fedgate keeps no dialog for most of them), and
//   * is counted in fedgate_sip_requests_total{direction="in"} under the request's own method
//     (2xx: delivered, otherwise bounced with the status class), so the metric and the wire
//     always agree on what was answered (method labels: method_label() in transaction_metrics).

#include <functional>
#include <string_view>

#include "actors/sip/messages.hpp"
#include "codecs/sip/serializer.hpp"
#include "metrics/labels.hpp"

namespace fedgate::sip_layer {

/// Counts one request of `method` in direction `d` that ended with `status` (0 for no answer
/// counts as 408, as a transaction timeout would).
void count_request(metrics::direction d, std::string_view method, int status);

/// Answers `in` with `status` and a To tag; `extra` adds headers or a body before it is sent.
void answer(const incoming_request& in, int status, std::string_view reason = {},
            const std::function<void(sip::message_builder&)>& extra = {});

/// Sends a final response the caller built (from sip::make_response on `in.request`) and counts
/// it as answer() does.
void answer_with(const incoming_request& in, sip::message_builder& response, int status);

}  // namespace fedgate::sip_layer
