#include "actors/sip/dialog.hpp"

namespace fedgate::sip_layer {
namespace {

// The From/To value without its tag parameter (other header parameters kept).
std::string without_tag(const sip::name_addr& na) {
  std::string out = std::string(na.display_name);
  if (!out.empty()) out += ' ';
  out += "<" + std::string(na.uri_text) + ">";
  std::string_view params = na.params;
  std::size_t pos = 0;
  while (pos < params.size()) {
    auto next = params.find(';', pos + 1);
    if (next == std::string_view::npos) next = params.size();
    std::string_view p = params.substr(pos, next - pos);  // ";name=value"
    std::string_view name =
        p.substr(1, p.find('=') == std::string_view::npos ? p.npos : p.find('=') - 1);
    bool is_tag = name.size() == 3 && (name[0] | 0x20) == 't' && (name[1] | 0x20) == 'a' &&
                  (name[2] | 0x20) == 'g';
    if (!is_tag) out += std::string(p);
    pos = next;
  }
  return out;
}

bool has_lr(std::string_view uri_text) {
  auto u = sip::parse_uri(uri_text);
  return u.ok() && u->param("lr").has_value();
}

// A Request-URI must not carry URI headers or a method parameter (§19.1.1 table).
std::string as_request_uri(std::string_view uri_text) {
  auto q = uri_text.find('?');
  return std::string(uri_text.substr(0, q));
}

sip::error no_dialog(std::string why) {
  return sip::bad_request(std::move(why));
}

}  // namespace

sip::result<dialog> dialog_as_uac(const sip::message& request, const sip::message& response) {
  if (!response.is_response() || response.status_code() < 101 || response.status_code() > 299) {
    return no_dialog("only a 101-299 response creates a dialog");
  }
  if (response.to().tag().empty()) return no_dialog("response without To tag");
  if (response.contact_list().empty()) return no_dialog("response without Contact");
  dialog d;
  d.call_id = std::string(request.call_id());
  d.local_tag = std::string(request.from().tag());
  d.remote_tag = std::string(response.to().tag());
  d.local_uri = without_tag(request.from());
  d.remote_uri = without_tag(request.to());
  d.local_cseq = request.cseq().number;
  d.remote_target = std::string(response.contact_list().front().uri_text);
  const auto& rr = response.record_route_list();
  for (auto it = rr.rbegin(); it != rr.rend(); ++it)
    d.route_set.emplace_back(it->uri_text);  // §12.1.2: reverse order
  d.secure = request.request_uri_parsed().scheme == sip::uri_scheme::sips;
  return d;
}

sip::result<dialog> dialog_from_notify(const sip::message& subscribe, const sip::message& notify) {
  if (!notify.is_request() || notify.method() != "NOTIFY") return no_dialog("not a NOTIFY");
  if (notify.call_id() != subscribe.call_id()) return no_dialog("Call-ID differs");
  if (notify.to().tag() != subscribe.from().tag()) return no_dialog("To tag is not ours");
  if (notify.from().tag().empty()) return no_dialog("NOTIFY without From tag");
  if (notify.contact_list().empty()) return no_dialog("NOTIFY without Contact");
  dialog d;
  d.call_id = std::string(subscribe.call_id());
  d.local_tag = std::string(subscribe.from().tag());
  d.remote_tag = std::string(notify.from().tag());
  d.local_uri = without_tag(subscribe.from());
  d.remote_uri = without_tag(subscribe.to());
  d.local_cseq = subscribe.cseq().number;
  d.remote_cseq = notify.cseq().number;
  d.remote_target = std::string(notify.contact_list().front().uri_text);
  for (const auto& r : notify.record_route_list())
    d.route_set.emplace_back(r.uri_text);  // a request we receive: in order (§12.1.1)
  d.secure = subscribe.request_uri_parsed().scheme == sip::uri_scheme::sips;
  return d;
}

sip::result<dialog> dialog_as_uas(const sip::message& request, std::string_view local_tag) {
  if (!request.is_request()) return no_dialog("not a request");
  if (local_tag.empty()) return no_dialog("empty local tag");
  if (request.contact_list().empty()) return no_dialog("request without Contact");
  dialog d;
  d.call_id = std::string(request.call_id());
  d.local_tag = std::string(local_tag);
  d.remote_tag = std::string(request.from().tag());
  d.local_uri = without_tag(request.to());
  d.remote_uri = without_tag(request.from());
  d.remote_cseq = request.cseq().number;
  d.remote_target = std::string(request.contact_list().front().uri_text);
  for (const auto& r : request.record_route_list())
    d.route_set.emplace_back(r.uri_text);  // §12.1.1: in order
  d.secure = request.request_uri_parsed().scheme == sip::uri_scheme::sips;
  return d;
}

sip::message_builder next_request(dialog& d, std::string_view method) {
  if (method != "ACK" && method != "CANCEL") ++d.local_cseq;
  std::string ruri;
  std::vector<std::string> routes;
  if (d.route_set.empty()) {
    ruri = d.remote_target;  // §12.2.1.1: no Route header
  } else if (has_lr(d.route_set.front())) {
    ruri = d.remote_target;  // loose routing: Route = the route set
    routes = d.route_set;
  } else {
    // Strict routing: the first route becomes the Request-URI, the remote target goes last.
    ruri = as_request_uri(d.route_set.front());
    routes.assign(d.route_set.begin() + 1, d.route_set.end());
    routes.push_back(d.remote_target);
  }
  auto b = sip::message_builder::request(method, ruri);
  if (!routes.empty()) {
    std::string value;
    for (const auto& r : routes)
      value += (value.empty() ? "<" : ", <") + r + ">";
    b.header(sip::header_id::route, value);
  }
  b.header(sip::header_id::from, d.local_uri + ";tag=" + d.local_tag);
  b.header(sip::header_id::to,
           d.remote_tag.empty() ? d.remote_uri : d.remote_uri + ";tag=" + d.remote_tag);
  b.header(sip::header_id::call_id, d.call_id);
  b.header(sip::header_id::cseq, std::to_string(d.local_cseq) + " " + std::string(method));
  b.header(sip::header_id::max_forwards, "70");
  return b;
}

bool accept_remote_cseq(dialog& d, const sip::message& request) {
  auto n = request.cseq().number;
  if (d.remote_cseq && n < *d.remote_cseq) return false;
  d.remote_cseq = n;
  return true;
}

void refresh_remote_target(dialog& d, const sip::message& m) {
  if (!m.contact_list().empty()) d.remote_target = std::string(m.contact_list().front().uri_text);
}

std::string next_hop_uri(const dialog& d) {
  return d.route_set.empty() ? std::string() : as_request_uri(d.route_set.front());
}

std::string next_hop_uri(const sip::message& request) {
  const auto& routes = request.route_list();
  if (routes.empty()) return {};
  if (routes.front().address.param("lr")) return std::string(routes.front().uri_text);
  return std::string(request.request_uri());
}

}  // namespace fedgate::sip_layer
