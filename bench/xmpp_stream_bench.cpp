// XMPP codec throughput: framing + parsing a long stream of typical stanzas fed in 4 KiB chunks
// (as a socket read would deliver them), serializing a stanza, and parsing/normalising JIDs.
// Reports stanzas/s (items) and bytes/s. Run from a Release build:
//   build-rel/bench/xmpp_stream_bench --benchmark_repetitions=3
//   --benchmark_report_aggregates_only=true

#include <cstddef>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>

#include "codecs/xmpp/jid.hpp"
#include "codecs/xmpp/serializer.hpp"
#include "codecs/xmpp/stream_framer.hpp"

namespace {

using namespace fedgate::xmpp;

constexpr std::string_view header =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
    "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
    "from='capulet.example' to='montague.example' id='c2s-5f0d1e' version='1.0' xml:lang='en'>";

// A chat message with body, thread, a chat state (XEP-0085) and a receipt request (XEP-0184).
constexpr std::string_view message =
    "<message from='juliet@capulet.example/balcony' to='romeo@montague.example' type='chat' "
    "id='a1b2c3d4-e5f6-4789-abcd-ef0123456789' xml:lang='en'><body>Art thou not Romeo, and a "
    "Montague? Neither, fair saint, if either thee &amp; dislike.</body>"
    "<thread>e0ffe42b28561960c6b12b944a092794b9683a38</thread>"
    "<active xmlns='http://jabber.org/protocol/chatstates'/>"
    "<request xmlns='urn:xmpp:receipts'/></message>";

// Presence with show, status, priority and entity capabilities (XEP-0115).
constexpr std::string_view presence =
    "<presence from='juliet@capulet.example/balcony' to='romeo@montague.example' id='p-12345'>"
    "<show>away</show><status>Out on the balcony, back soon</status><priority>5</priority>"
    "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://conversations.im' "
    "ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>";

// Counts elements and touches one attribute, as a router would.
struct counting_handler : stream_handler {
  std::size_t elements = 0;
  std::size_t to_bytes = 0;
  void on_stream_open(const stream_header&) override {}
  void on_element(pugi::xml_document& doc) override {
    ++elements;
    to_bytes += std::string_view{doc.document_element().attribute("to").value()}.size();
  }
  void on_whitespace(std::size_t) override {}
  void on_stream_close() override {}
  void on_error(const stream_error&) override {}
};

void frame_stream(benchmark::State& state, std::string_view stanza) {
  constexpr std::size_t stanzas = 1000;
  constexpr std::size_t chunk = 4096;
  std::string body;
  for (std::size_t i = 0; i < stanzas; ++i)
    body += stanza;
  counting_handler h;
  stream_framer f{h};
  for (auto _ : state) {
    f.reset();
    f.consume(header);
    for (std::size_t pos = 0; pos < body.size(); pos += chunk)
      f.consume(std::string_view{body}.substr(pos, chunk));
  }
  if (h.elements != stanzas * static_cast<std::size_t>(state.iterations()))
    state.SkipWithError("framer lost stanzas");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * stanzas));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["stanza_bytes"] = static_cast<double>(stanza.size());
}

void BM_frame_message_stream(benchmark::State& state) {
  frame_stream(state, message);
}
void BM_frame_presence_stream(benchmark::State& state) {
  frame_stream(state, presence);
}

void serialize(benchmark::State& state, std::string_view stanza) {
  struct keep : counting_handler {
    pugi::xml_document doc;
    void on_element(pugi::xml_document& d) override { doc = std::move(d); }
  } h;
  stream_framer f{h};
  f.consume(header);
  f.consume(stanza);
  auto top = h.doc.document_element();
  std::string out;
  std::size_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    if (!write_element(out, top, f.header().declarations)) state.SkipWithError("refused");
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_serialize_message(benchmark::State& state) {
  serialize(state, message);
}
void BM_serialize_presence(benchmark::State& state) {
  serialize(state, presence);
}

void parse_jid(benchmark::State& state, std::string_view text) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto j = jid::parse(text);
    if (!j) state.SkipWithError("invalid");
    bytes += text.size();
    benchmark::DoNotOptimize(j);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_jid_parse_ascii(benchmark::State& state) {
  parse_jid(state, "Juliet@Capulet.Example/balcony");
}
void BM_jid_parse_unicode(benchmark::State& state) {
  // Non-ASCII localpart (ICU path) and an IDN domain (libidn2 path).
  parse_jid(state,
            "\xCE\xA3\xCF\x89\xCE\xBA\xCF\x81\xCE\xAC\xCF\x84\xCE\xB7\xCF\x82@B\xC3\xBC"
            "cher.example/r\xC3\xA9sum\xC3\xA9");
}

BENCHMARK(BM_frame_message_stream);
BENCHMARK(BM_frame_presence_stream);
BENCHMARK(BM_serialize_message);
BENCHMARK(BM_serialize_presence);
BENCHMARK(BM_jid_parse_ascii);
BENCHMARK(BM_jid_parse_unicode);

}  // namespace
