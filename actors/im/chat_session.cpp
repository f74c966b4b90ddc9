#include "actors/im/chat_session.hpp"

namespace fedgate::im {
namespace {

bool has_message_media_line(std::string_view sdp) {
  // Lines end with CRLF (RFC 4566 §5) but LF alone is tolerated, as most parsers do.
  std::size_t pos = 0;
  while (pos < sdp.size()) {
    auto end = sdp.find('\n', pos);
    auto line = sdp.substr(pos, end == std::string_view::npos ? sdp.npos : end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // m=<media> <port> <proto> <fmt>: media "message", proto "sip" (the SfB IM session form).
    if (line.rfind("m=message ", 0) == 0) {
      auto proto_start = line.find(' ', 10);
      if (proto_start != std::string_view::npos) {
        auto proto = line.substr(proto_start + 1);
        auto proto_end = proto.find(' ');
        if (proto.substr(0, proto_end) == "sip") return true;
      }
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return false;
}

bool is_ipv6(std::string_view host) {
  return host.find(':') != std::string_view::npos;
}

}  // namespace

bool offers_im_session(const sip::message& request) {
  auto type = request.content_type();
  if (!type) return false;
  // application/sdp alone, or inside a multipart body (SfB sometimes sends multipart/alternative
  // with SDP parts): the media line is what counts.
  if (type->is("application", "sdp")) return has_message_media_line(request.body());
  if (type->is("multipart", "alternative") || type->is("multipart", "mixed")) {
    return has_message_media_line(request.body());
  }
  return false;
}

std::string im_session_sdp(const sip_contact& contact) {
  std::string ip = is_ipv6(contact.host) ? "IP6 " : "IP4 ";
  return "v=0\r\n"
         "o=fedgate 1 1 IN " +
         ip + contact.host +
         "\r\n"
         "s=fedgate\r\n"
         "c=IN " +
         ip + contact.host +
         "\r\n"
         "t=0 0\r\n"
         "m=message " +
         std::to_string(contact.port) +
         " sip null\r\n"
         "a=accept-types:text/plain\r\n";
}

std::string contact_header(std::string_view user, const sip_contact& contact) {
  std::string host = is_ipv6(contact.host) ? "[" + contact.host + "]" : contact.host;
  return "<sip:" + std::string(user) + "@" + host + ":" + std::to_string(contact.port) +
         ";transport=" + contact.transport + ">";
}

sip::message_builder session_invite(const mapping::sip_request_parts& p, std::string_view from_tag,
                                    std::string_view call_id, const std::string& contact,
                                    const sip_contact& where) {
  auto b = sip::message_builder::request("INVITE", p.request_uri);
  b.header("From", "<" + p.from_uri + ">;tag=" + std::string(from_tag));
  b.header("To", "<" + p.to_uri + ">");
  b.header("Call-ID", call_id);
  b.header("CSeq", "1 INVITE");
  b.header("Max-Forwards", "70");
  b.header("Contact", contact);
  b.body("application/sdp", im_session_sdp(where));
  return b;
}

sip::message_builder in_dialog_message(sip_layer::dialog& d, const mapping::sip_request_parts& p) {
  auto b = sip_layer::next_request(d, "MESSAGE");
  for (const auto& [name, value] : p.headers)
    b.header(name, value);
  if (!p.content_type.empty()) b.body(p.content_type, p.body);
  return b;
}

bool refuses_sessions(int status) {
  return status == 405 || status == 415 || status == 488 || status == 501 || status == 606;
}

}  // namespace fedgate::im
