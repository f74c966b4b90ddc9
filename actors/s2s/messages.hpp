#pragma once
// Messages between the S2S actors (stream actors, partner_domain actors, the s2s service) and the
// rest of the gateway (the stanza sink: the router once IM exists).
//
// Stanzas travel between actors as serialized XML in the jabber:server default namespace (no
// xmlns on the top element), with the addressing pulled out. Why text and not a parsed tree: a
// stanza is parsed once where it arrives and written as-is where it leaves, so the S2S hop costs
// no second parse, and text is what a cluster link would carry anyway.

#include <cstdint>
#include <string>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

namespace fedgate::s2s {

struct stanza {
  std::string xml;   // the whole element, in the jabber:server default namespace
  std::string from;  // JIDs as on the wire
  std::string to;
  std::string kind;  // message | presence | iq
  std::string type;  // the type attribute ("" when absent)
  std::string id;
  // Who wants to know when the stanza was written to an authenticated stream: it gets
  // (written_atom, id, to) from the stream actor that wrote it. Bounces still go to the sink.
  // The IM router uses it to answer a SIP MESSAGE only once its stanza left (RFC 7572 semantics
  // in docs/im.md). Invalid: nobody is told.
  caf::actor on_written = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stanza& x) {
  return f(caf::meta::type_name("s2s_stanza"), x.xml, x.from, x.to, x.kind, x.type, x.id,
           x.on_written);
}

// service/partner → stream: write this stanza (initiating streams only).
using send_atom = caf::atom_constant<caf::atom("s2s_send")>;
// anyone → service: deliver this stanza to its remote domain (bounced when that fails).
using deliver_atom = caf::atom_constant<caf::atom("s2s_deliv")>;
// stream → stanza::on_written: (written, id, to) the stanza was written to an authenticated stream.
using written_atom = caf::atom_constant<caf::atom("s2s_wrote")>;
// stream → sink: a stanza arrived on an authenticated inbound stream.
using inbound_atom = caf::atom_constant<caf::atom("s2s_in")>;
// stream → partner: (stream_up, stream, local, remote, method, initiating)
using stream_up_atom = caf::atom_constant<caf::atom("stream_up")>;
// stream → partner: (stream_down, stream, reason, not_found, during_negotiation)
using stream_down_atom = caf::atom_constant<caf::atom("stream_dn")>;
// receiving stream → service → partner: (verify, originating, receiving, stream_id, key, stream)
using verify_atom = caf::atom_constant<caf::atom("db_verify")>;
// partner → receiving stream: (verified, originating, receiving, valid)
using verified_atom = caf::atom_constant<caf::atom("db_verifd")>;
// verify stream → partner: (verify_answer, originating, receiving, stream_id, valid)
using verify_answer_atom = caf::atom_constant<caf::atom("db_answer")>;
// timers
using establish_timeout_atom = caf::atom_constant<caf::atom("est_tmo")>;
using keepalive_atom = caf::atom_constant<caf::atom("keepalive")>;
using queue_check_atom = caf::atom_constant<caf::atom("q_check")>;
using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;
// anyone → service/partner: report state (for ctl and tests)
using status_atom = caf::atom_constant<caf::atom("status")>;
// partner → stream: (limit, reason) close with policy-violation (a connection limit)
using limit_atom = caf::atom_constant<caf::atom("s2s_limit")>;
// partner → stream: close politely (</stream:stream>), e.g. a verify stream whose work is done
using close_atom = caf::atom_constant<caf::atom("s2s_close")>;
// service → stream / partner: close with system-shutdown
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
// anyone → service: stop accepting new streams (close the listeners); streams up stay and
// stanzas keep flowing (`fedgate ctl drain`)
using drain_atom = caf::atom_constant<caf::atom("s2s_drain")>;
// app → service: (reload, shared_ptr<const app::xmpp_config>) -> bool: the partners and the
// federation policy after a config reload (`fedgate ctl reload`); answered once applied.
using reload_atom = caf::atom_constant<caf::atom("s2s_reld")>;
// service → partner: (retire, still_allowed, reason) the partner left the config: close its
// streams politely; queued stanzas go back to the service (still_allowed, open federation) or
// bounce with forbidden; then stop.
using retire_atom = caf::atom_constant<caf::atom("s2s_retire")>;
// service → partner: (reconfigure, shared_ptr<const partner_domain_config>) new policy/routes
// for its next streams; streams up are left alone.
using reconfigure_atom = caf::atom_constant<caf::atom("s2s_reconf")>;

}  // namespace fedgate::s2s
