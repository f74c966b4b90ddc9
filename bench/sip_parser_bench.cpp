// Throughput of the SIP codec (codecs/sip) against GNU oSIP (libosipparser2) on two typical
// messages: a MESSAGE as a SfB/Kamailio-like proxy relays it (2 Vias, Record-Route, ~300-byte
// body) and a presence NOTIFY with a PIDF body. Reports messages/s (items) and bytes/s.
//
// Fairness: oSIP parses Via, From, To, CSeq, Call-ID, Contact, Route, Record-Route, Content-Type
// and Content-Length into structures while parsing. fedgate's parse validates the same headers;
// the fedgate "consumer" benchmark additionally reads them all back through the typed accessors
// (every Via, From, To with tag, CSeq, Call-ID, Record-Route, Contact, Content-Type, body), which
// is what the gateway does with each message.
#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>
#include <osipparser2/osip_parser.h>

#include "codecs/sip/parser.hpp"
#include "codecs/sip/serializer.hpp"

namespace {

using namespace fedgate::sip;

const std::string& proxied_message() {
  static const std::string m = [] {
    std::string body =
        "Hi Bob, this is Alice from the SIP side of the federation. The gateway turns this "
        "MESSAGE into an XMPP <message/> stanza. Lorem ipsum dolor sit amet, consectetur "
        "adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. "
        "Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip.";
    return "MESSAGE sip:bob@xmpp.example.org SIP/2.0\r\n"
           "Via: SIP/2.0/TLS 192.0.2.20:5061;branch=z9hG4bK7c2a.91e3f2b0a0b3c1d2e3f4a5b6c7d8e9f0.0"
           ";i=1a2b\r\n"
           "Via: SIP/2.0/TLS 198.51.100.7:49872;received=198.51.100.7;rport=49872;"
           "branch=z9hG4bK-524287-1---8f3b2c1d0e9a7b6c;ms-received-port=49872;ms-received-cid="
           "5A00\r\n"
           "Record-Route: <sip:192.0.2.20:5061;transport=tls;r2=on;lr;ftag=8a1b2c3d4e;nat=yes>\r\n"
           "Record-Route: "
           "<sip:proxy.example.com;transport=tls;r2=on;lr;ftag=8a1b2c3d4e;nat=yes>\r\n"
           "Max-Forwards: 69\r\n"
           "From: \"Alice Example\" <sip:alice@sip.example.com>;tag=8a1b2c3d4e;epid=4c2e9f1a7b\r\n"
           "To: <sip:bob@xmpp.example.org>\r\n"
           "Call-ID: 6f2d9c1e8b7a4f3e9d2c1b0a99887766@198.51.100.7\r\n"
           "CSeq: 2 MESSAGE\r\n"
           "Contact: <sip:alice@198.51.100.7:49872;transport=tls;ob>;+sip.instance=\"<urn:uuid:"
           "4b3c2d1e-0f9a-8b7c-6d5e-4f3a2b1c0d9e>\"\r\n"
           "User-Agent: UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)\r\n"
           "Supported: ms-dialog-route-set-update\r\n"
           "Content-Type: text/plain; charset=UTF-8\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return m;
}

const std::string& pidf_notify() {
  static const std::string m = [] {
    std::string body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
        "xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" "
        "xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"sip:alice@example.com\">\n"
        " <tuple id=\"t8a7f3c21\">\n"
        "  <status><basic>open</basic></status>\n"
        "  <contact priority=\"0.8\">sip:alice@192.0.2.10:5060;transport=tcp</contact>\n"
        "  <note xml:lang=\"en\">In a meeting until 3pm</note>\n"
        "  <timestamp>2024-03-01T10:15:00Z</timestamp>\n"
        " </tuple>\n"
        " <dm:person id=\"p1d2e3\">\n"
        "  <rpid:activities><rpid:meeting/></rpid:activities>\n"
        " </dm:person>\n"
        "</presence>\n";
    return "NOTIFY sip:carol@203.0.113.5:5060;transport=tcp SIP/2.0\r\n"
           "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2f1e.0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5\r\n"
           "Max-Forwards: 70\r\n"
           "From: <sip:alice@example.com>;tag=a5e3f1c2d4\r\n"
           "To: <sip:carol@xmpp.example.org>;tag=f4c1b7f2\r\n"
           "Call-ID: 5c2a1c0d-7d6e-4a55-9b1e-3f2a6c7d8e9f@203.0.113.5\r\n"
           "CSeq: 12 NOTIFY\r\n"
           "Contact: <sip:192.0.2.10:5060;transport=tcp>\r\n"
           "Event: presence\r\n"
           "Subscription-State: active;expires=3540\r\n"
           "User-Agent: kamailio (5.6.3 (x86_64/linux))\r\n"
           "Content-Type: application/pidf+xml\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return m;
}

const std::string& input(int which) {
  return which == 0 ? proxied_message() : pidf_notify();
}

void report(benchmark::State& state, const std::string& bytes) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
  state.SetLabel(state.range(0) == 0 ? "MESSAGE" : "NOTIFY+PIDF");
}

// Parse only (the parse validates Via/From/To/CSeq/Call-ID/Content-Length/Contact/RR/CT).
void fedgate_parse(benchmark::State& state) {
  const std::string& bytes = input(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto m = parse_datagram(bytes);
    if (!m) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(m);
  }
  report(state, bytes);
}

// Parse, then read back everything a consumer needs through the typed accessors.
void fedgate_parse_and_read(benchmark::State& state) {
  const std::string& bytes = input(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto m = parse_datagram(bytes);
    if (!m) state.SkipWithError("parse failed");
    auto vias = m->vias();
    auto from = m->from();
    auto to = m->to();
    auto rr = m->record_routes();
    auto contacts = m->contacts();
    benchmark::DoNotOptimize(vias.data());
    benchmark::DoNotOptimize(from.tag());
    benchmark::DoNotOptimize(to.address.host);
    benchmark::DoNotOptimize(m->cseq());
    benchmark::DoNotOptimize(m->call_id());
    benchmark::DoNotOptimize(m->content_type());
    benchmark::DoNotOptimize(rr.data());
    benchmark::DoNotOptimize(contacts.data());
    benchmark::DoNotOptimize(m->body());
  }
  report(state, bytes);
}

void osip_parse(benchmark::State& state) {
  static const int init = parser_init();
  (void)init;
  const std::string& bytes = input(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    osip_message_t* sip = nullptr;
    osip_message_init(&sip);
    if (osip_message_parse(sip, bytes.data(), bytes.size()) != 0)
      state.SkipWithError("osip parse failed");
    benchmark::DoNotOptimize(sip);
    osip_message_free(sip);
  }
  report(state, bytes);
}

void fedgate_serialize(benchmark::State& state) {
  const std::string& bytes = input(static_cast<int>(state.range(0)));
  auto m = parse_datagram(bytes);
  for (auto _ : state) {
    std::string out = serialize(*m);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, bytes);
}

void osip_serialize(benchmark::State& state) {
  static const int init = parser_init();
  (void)init;
  const std::string& bytes = input(static_cast<int>(state.range(0)));
  osip_message_t* sip = nullptr;
  osip_message_init(&sip);
  osip_message_parse(sip, bytes.data(), bytes.size());
  for (auto _ : state) {
    osip_message_force_update(sip);  // serialize from the structure, not the cached input
    char* out = nullptr;
    std::size_t len = 0;
    if (osip_message_to_str(sip, &out, &len) != 0) state.SkipWithError("osip to_str failed");
    benchmark::DoNotOptimize(out);
    osip_free(out);
  }
  osip_message_free(sip);
  report(state, bytes);
}

// A 200 OK to the request (RFC 3261 §8.2.6), built and serialized.
void fedgate_make_response(benchmark::State& state) {
  const std::string& bytes = input(static_cast<int>(state.range(0)));
  auto m = parse_datagram(bytes);
  for (auto _ : state) {
    auto out = make_response(*m, 200, {}, "9f8e7d6c").serialize();
    benchmark::DoNotOptimize(out->data());
  }
  report(state, bytes);
}

BENCHMARK(fedgate_parse)->Arg(0)->Arg(1);
BENCHMARK(fedgate_parse_and_read)->Arg(0)->Arg(1);
BENCHMARK(osip_parse)->Arg(0)->Arg(1);
BENCHMARK(fedgate_serialize)->Arg(0)->Arg(1);
BENCHMARK(osip_serialize)->Arg(0)->Arg(1);
BENCHMARK(fedgate_make_response)->Arg(0)->Arg(1);

}  // namespace
