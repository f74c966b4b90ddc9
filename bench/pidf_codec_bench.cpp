// Throughput of the PIDF codec (codecs/pidf) on a typical presence NOTIFY body: one tuple, basic
// open, an RPID activity under dm:person, a note with xml:lang (~500 bytes, as Kamailio's
// presence server or Asterisk send). Reports documents/s (items) and bytes/s.
#include <string>

#include <benchmark/benchmark.h>

#include "codecs/pidf/parser.hpp"
#include "codecs/pidf/serializer.hpp"

namespace {

const std::string& typical_body() {
  static const std::string body =
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
  return body;
}

void bm_parse_typical(benchmark::State& state) {
  const std::string& body = typical_body();
  for (auto _ : state) {
    auto doc = fedgate::pidf::parse(body);
    if (!doc.ok()) state.SkipWithError(doc.error().message.c_str());
    benchmark::DoNotOptimize(doc);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(bm_parse_typical);

void bm_serialize_typical(benchmark::State& state) {
  const auto doc = fedgate::pidf::parse(typical_body());
  if (!doc.ok()) {
    state.SkipWithError(doc.error().message.c_str());
    return;
  }
  std::int64_t bytes = 0;
  for (auto _ : state) {
    auto text = fedgate::pidf::serialize(doc.value());
    bytes += static_cast<std::int64_t>(text.value().size());
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.counters["body_bytes"] =
      static_cast<double>(fedgate::pidf::serialize(doc.value()).value().size());
}
BENCHMARK(bm_serialize_typical);

}  // namespace
