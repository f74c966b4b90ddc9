#pragma once
// fedgate-bench --scenario xmpp-peer: the XMPP side only, for a benchmark whose SIP side is an
// external tool (SIPp, in bench/compare). It serves
//   * S2S (the project's S2S service, STARTTLS + dialback) for the bench's XMPP domains, with the
//     gateway's XMPP domain as partner: fedgate federates with it;
//   * an XEP-0114 component listener (component_listener.hpp): Kamailio's xmpp module connects
//     to it;
// and feeds what arrives on both into one sink that counts message stanzas whose body carries
// SIPp's marker "run=R seq=N t=<sec>.<usec>", de-duplicates by N and measures latency from t
// (wall clock); R is the step, so a late message of an earlier step is not counted. It also sends
// such messages, paced, over either stream (XMPP -> SIP loads; the SIP UAS logs them). It is driven
// by one-line commands on stdin and answers each with one JSON line on stdout
// (bench/compare/README.md lists them).

namespace fedgate::bench {

// True when argv selects --scenario xmpp-peer.
bool is_external_sip_scenario(int argc, char** argv);

// Runs it; returns the exit code.
int external_sip_main(int argc, char** argv);

}  // namespace fedgate::bench
