#pragma once
// What the presence actor tests share with the IM tests (tests/actors/im/im_test_support.hpp:
// the router with fake S2S and SIP-shard actors) plus the presence traffic: SIP requests with
// the headers presence needs, presence stanzas and PIDF bodies.

#include <string>
#include <utility>
#include <vector>

#include "actors/presence/memory_subscription_store.hpp"
#include "tests/actors/im/im_test_support.hpp"

namespace fedgate::presence::testing {

using namespace fedgate::im::testing;

// A SIP request with tags and extra headers, as a peer would send it.
inline std::string presence_request(const std::string& method, const std::string& request_uri,
                                    const std::string& from_uri, const std::string& from_tag,
                                    const std::string& to_uri, const std::string& to_tag,
                                    const std::string& call_id, int cseq, const std::string& branch,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    const std::string& body = {},
                                    const std::string& content_type = "application/pidf+xml") {
  std::string r = method + " " + request_uri + " SIP/2.0\r\n";
  r += "Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bK" + branch + "\r\n";
  r += "Max-Forwards: 70\r\n";
  r += "From: <" + from_uri + ">;tag=" + from_tag + "\r\n";
  r += "To: <" + to_uri + ">" + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n";
  r += "Call-ID: " + call_id + "\r\n";
  r += "CSeq: " + std::to_string(cseq) + " " + method + "\r\n";
  r += "Contact: <sip:peer@192.0.2.5:5060>\r\n";
  for (const auto& [name, value] : headers)
    r += name + ": " + value + "\r\n";
  if (!body.empty()) r += "Content-Type: " + content_type + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

// A PIDF document for `entity`: open or closed, with an optional RPID activity and note.
inline std::string pidf(const std::string& entity, bool open, const std::string& activity = {},
                        const std::string& note = {}) {
  std::string x =
      "<?xml version='1.0' encoding='UTF-8'?>"
      "<presence xmlns='urn:ietf:params:xml:ns:pidf' "
      "xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model' "
      "xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' entity='" +
      entity + "'><tuple id='t1'><status><basic>" + (open ? "open" : "closed") +
      "</basic></status></tuple>";
  if (!activity.empty() || !note.empty()) {
    x += "<dm:person id='p1'>";
    if (!activity.empty()) x += "<rpid:activities><rpid:" + activity + "/></rpid:activities>";
    if (!note.empty()) x += "<dm:note>" + note + "</dm:note>";
    x += "</dm:person>";
  }
  return x + "</presence>";
}

// A presence stanza from romeo (full JID) to alice, as the S2S layer hands it over.
inline s2s::stanza romeo_presence(const std::string& type, const std::string& children = {},
                                  const std::string& from = romeo_full) {
  std::string xml = "<presence from='" + from + "' to='" + alice_jid + "'";
  if (!type.empty()) xml += " type='" + type + "'";
  xml += children.empty() ? "/>" : ">" + children + "</presence>";
  return s2s::stanza{xml, from, alice_jid, "presence", type, ""};
}

// The config the presence tests run with: a memory store they can look into, short windows.
inline im::im_config presence_config(std::shared_ptr<subscription_store> store,
                                     authorisation a = authorisation::automatic) {
  auto cfg = test_config();
  cfg.presence.default_authorisation = a;
  cfg.presence.store = std::move(store);
  cfg.presence.coalesce_window = std::chrono::milliseconds(0);
  cfg.presence.watcher_min_expires = std::chrono::seconds(60);
  cfg.presence.watcher_max_expires = std::chrono::seconds(3600);
  cfg.presence.resubscribe_backoff = std::chrono::seconds(3600);  // no retries mid-test
  return cfg;
}

}  // namespace fedgate::presence::testing
