// libFuzzer target for codecs/sip: the datagram parser, the stream framer (whole input vs the
// input split at a position derived from it), the serializer round trip, and the answers to
// rejected requests (make_error_response: nullopt or a response that parses, by construction and
// not only thanks to its final check). Invariants are checked with __builtin_trap() so they hold
// in release builds too.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/sip/error_response.hpp"
#include "codecs/sip/internal/error_response.hpp"
#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"
#include "codecs/sip/stream_framer.hpp"

namespace {

using namespace fedgate::sip;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_error(const error& e) {
  check(e.status == 400 || e.status == 505 || e.status == 513);
  check(!e.reason.empty() && e.reason.find_first_of("\r\n") == std::string::npos);
}

// Touches every accessor (they must not fail on a parsed message) and checks the round trip.
void check_message(const message& m, const limits& lim) {
  if (m.is_request()) {
    check(m.request_uri_parsed().scheme_text.size() > 0);
    check(m.cseq().method == m.method());
  } else {
    check(m.status_code() >= 100 && m.status_code() <= 699);
  }
  check(!m.vias().empty());
  check(m.top_via().host == m.vias().front().host);
  (void)m.from().tag();
  (void)m.to().address;
  (void)m.contacts();
  (void)m.routes();
  (void)m.record_routes();
  (void)m.content_type();
  (void)m.max_forwards();
  check(m.call_id().size() > 0);
  for (std::size_t i = 0; i < m.header_count(); ++i) {
    auto f = m.header_at(i);
    check(f.value.find_first_of("\r\n") == std::string_view::npos);
  }

  std::string once = serialize(m);
  limits roomy = lim;
  roomy.max_message_bytes += 64;  // an added Content-Length may push it over
  roomy.max_headers += 1;
  auto again = parse_datagram(once, roomy);
  check(again.ok());
  check(serialize(*again) == once);
  check(again->body() == m.body());
  check(again->method() == m.method());
  check(again->status_code() == m.status_code());
  check(again->call_id() == m.call_id());
  check(again->vias().size() == m.vias().size());
  check(parse_stream_message(once, roomy).ok());

  auto response = make_response(m, 200, {}, "fuzz").build(roomy);
  if (m.is_request()) check(response.ok());

  // The typed values kept at parse time survive a copy (re-derived over the copy's buffer) and a
  // move, and equal a fresh parse of the same bytes.
  auto copy = std::make_unique<message>(m);
  message moved(std::move(*copy));
  copy.reset();
  check(moved.raw() == m.raw());
  check(moved.via_list().size() == m.via_list().size());
  for (std::size_t i = 0; i < moved.via_list().size(); ++i) {
    check(moved.via_list()[i].branch == m.via_list()[i].branch);
    check(moved.via_list()[i].host == m.via_list()[i].host);
  }
  check(moved.from().uri_text == m.from().uri_text);
  check(moved.to().tag() == m.to().tag());
  check(moved.contact_list().size() == m.contact_list().size());
  check(moved.route_list().size() == m.route_list().size());
  check(moved.record_route_list().size() == m.record_route_list().size());
  check(moved.content_type().has_value() == m.content_type().has_value());
}

// Every rejected input: the best-effort answer is nullopt or a response that parses under the
// same limits, with the error's status, a To tag and no body, and serializes back unchanged.
void check_error_response(std::string_view input, const error& e, const limits& lim) {
  auto assembled = internal::assemble_error_response(input, e, {}, lim);
  auto out = make_error_response(input, e, {}, lim);
  check(assembled.has_value() == out.has_value());  // the final check never had to step in
  if (!out) return;
  check(*assembled == *out);
  check(out->size() <= lim.max_message_bytes);
  auto r = parse_datagram(*out, lim);
  check(r.ok());
  check(r->is_response());
  check(r->status_code() == e.status);
  check(!r->to().tag().empty());
  check(r->body().empty());
  check(serialize(*r) == *out);
}

struct framed {
  std::vector<std::string> good;
  std::size_t bad = 0;
  bool fatal = false;
  std::vector<keepalive_kind> keepalives;
};

framed run_framer(std::string_view data, std::size_t cut, const limits& lim, keepalive_side side) {
  framed out;
  stream_framer f(
      {[&out](message&& m) { out.good.push_back(serialize(m)); },
       [&out](keepalive_kind k) { out.keepalives.push_back(k); },
       [&out](const error& e) {
         check_error(e);
         ++out.bad;
       },
       [&lim](const error& e, std::string_view bytes) { check_error_response(bytes, e, lim); }},
      lim, side);
  auto first = f.consume(data.substr(0, cut));
  if (first.ok()) {
    auto second = f.consume(data.substr(cut));
    out.fatal = !second.ok();
    if (!second.ok()) {
      check_error(*second.fatal);
      check(second.fatal_bytes.size() <= lim.max_message_bytes);
      check_error_response(second.fatal_bytes, *second.fatal, lim);
    }
  } else {
    check_error(*first.fatal);
    check_error_response(first.fatal_bytes, *first.fatal, lim);
    out.fatal = true;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  limits lim;
  if (size > 0 && (data[0] & 1) != 0) {  // small limits half of the time
    lim.max_message_bytes = 1024;
    lim.max_headers = 12;
    lim.max_header_line_bytes = 200;
    lim.max_start_line_bytes = 100;
  }

  auto m = parse_datagram(input, lim);
  if (m) {
    check_message(*m, lim);
  } else {
    check_error(m.err());
    check_error_response(input, m.err(), lim);
  }

  std::size_t sum = 0;
  for (std::size_t i = 0; i < size; ++i)
    sum += data[i];
  std::size_t cut = size == 0 ? 0 : sum % (size + 1);
  // The side that sends pings reports a split ping as two pongs (documented); the answering side
  // must report the same keepalives however the stream is cut.
  keepalive_side side =
      (sum & 2) != 0 ? keepalive_side::answers_pings : keepalive_side::sends_pings;
  framed whole = run_framer(input, size, lim, side);
  framed split = run_framer(input, cut, lim, side);
  check(whole.good == split.good);
  check(whole.bad == split.bad);
  check(whole.fatal == split.fatal);
  if (side == keepalive_side::answers_pings && !whole.fatal)
    check(whole.keepalives == split.keepalives);
  for (const auto& bytes : whole.good) {
    auto again = parse_stream_message(bytes, limits{});
    check(again.ok());
  }
  return 0;
}
