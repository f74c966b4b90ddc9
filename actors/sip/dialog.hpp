#pragma once
// Dialog state (RFC 3261 §12) as plain data that its owner keeps: the session actor for INVITE,
// the presence actor for SUBSCRIBE/NOTIFY (RFC 6665 §4.1.2.4). The transaction layer never
// holds dialogs; it only follows the Route headers these functions write (next_hop_uri()).
//
//   dialog_as_uac()       from the request we sent and its 2xx (§12.1.2: route set = the
//                         response's Record-Route reversed, remote target = its Contact);
//   dialog_from_notify()  the subscriber's dialog from the SUBSCRIBE it sent and the NOTIFY it
//                         received (RFC 6665 §4.1.2.4: the NOTIFY plays the 2xx's part, but it
//                         is a request we receive, so its Record-Route is taken in order);
//   dialog_as_uas()       from a dialog-creating request we received (§12.1.1: Record-Route in
//                         order, remote target = its Contact) and the To tag we answer with;
//   next_request()        the next in-dialog request (§12.2.1.1: Request-URI, Route, loose and
//                         strict routing, CSeq + 1, From/To with tags, Call-ID);
//   accept_remote_cseq()  §12.2.2: an in-dialog request with a lower CSeq gets 500;
//   next_hop_uri()        §8.1.2 / §16.12: where a request with Route headers goes first.
//
// Not here: dialog matching tables, target refresh on re-INVITE/UPDATE (call
// refresh_remote_target()), session timers, forking (one dialog per 2xx is the caller's loop).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/sip/error.hpp"
#include "codecs/sip/message.hpp"
#include "codecs/sip/serializer.hpp"

namespace fedgate::sip_layer {

struct dialog {
  std::string call_id;
  std::string local_tag, remote_tag;
  std::string local_uri, remote_uri;  // the From/To addresses (name-addr, without tag)
  std::uint32_t local_cseq = 0;       // last CSeq we sent (0: none yet, §12.1.1)
  std::optional<std::uint32_t> remote_cseq;
  std::string remote_target;           // URI from the peer's Contact
  std::vector<std::string> route_set;  // URIs (addr-spec), in the order of our Route headers
  bool secure = false;                 // sips Request-URI (§12.1.1, §12.1.2)
};

/// The UAC's dialog from `request` (INVITE/SUBSCRIBE we sent) and a 101-299 `response` with a
/// To tag. Error (400 + reason) if the response cannot create a dialog.
sip::result<dialog> dialog_as_uac(const sip::message& request, const sip::message& response);

/// The subscriber's dialog from the SUBSCRIBE it sent and the NOTIFY that arrived first.
sip::result<dialog> dialog_from_notify(const sip::message& subscribe, const sip::message& notify);

/// The UAS's dialog from a dialog-creating request it received and the To tag it answers with.
sip::result<dialog> dialog_as_uas(const sip::message& request, std::string_view local_tag);

/// The next request in `d` (increments d.local_cseq, except for ACK, which reuses the INVITE's
/// CSeq number, §13.2.2.4). The builder has Request-URI, Route, From, To, Call-ID, CSeq and
/// Max-Forwards; add Contact, Event, body... and hand it to the layer without a next hop.
sip::message_builder next_request(dialog& d, std::string_view method);

/// §12.2.2: false (answer 500) when `request`'s CSeq is lower than the last one seen;
/// otherwise records it.
bool accept_remote_cseq(dialog& d, const sip::message& request);

/// Target refresh (§12.2.1.2, §12.2.2): the remote target becomes the message's Contact.
void refresh_remote_target(dialog& d, const sip::message& m);

/// Where the next request of `d` is sent (§8.1.2, §12.2.1.1): the first URI of the route set
/// (a loose router, or the strict router that next_request() put in the Request-URI); empty
/// when the route set is empty (the remote target, routed like any request). Put it in
/// outgoing_request::target_uri.
std::string next_hop_uri(const dialog& d);

/// The same from a request alone, as the layer does when no target_uri is given: the first
/// Route URI if it has `lr`, else the Request-URI. A message cannot show a strict route set
/// whose second entry is loose (the first Route then has `lr`): dialogs use the overload above.
std::string next_hop_uri(const sip::message& request);

}  // namespace fedgate::sip_layer
