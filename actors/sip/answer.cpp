#include "actors/sip/answer.hpp"

#include "actors/sip/tokens.hpp"
#include "actors/sip/transaction_metrics.hpp"
#include "metrics/families.hpp"

namespace fedgate::sip_layer {

void count_request(metrics::direction d, std::string_view method, int status) {
  if (status == 0) status = 408;
  if (status >= 200 && status < 300) {
    metrics::sip_requests().inc(d, method_label(method), metrics::outcome::delivered);
  } else {
    metrics::sip_requests().bounced(d, method_label(method), status);
  }
}

void answer_with(const incoming_request& in, sip::message_builder& response, int status) {
  if (auto m = response.build(); m.ok()) respond(in, std::move(m).value());
  count_request(metrics::direction::in, in.request.method(), status);
}

void answer(const incoming_request& in, int status, std::string_view reason,
            const std::function<void(sip::message_builder&)>& extra) {
  auto b = sip::make_response(in.request, status, reason, random_token());
  if (extra) extra(b);
  answer_with(in, b, status);
}

}  // namespace fedgate::sip_layer
