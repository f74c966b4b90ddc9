// libFuzzer target for the XMPP stream framer and serializer. Checks, with __builtin_trap():
//  - feeding the input whole, in chunks derived from the input, and byte by byte gives the same
//    events (whitespace runs merged) and the same error condition;
//  - every element the framer yields serializes (with the stream's declarations in scope), the
//    result re-parses to one equivalent element, and serializing that again gives the same bytes.
// The first input byte picks the chunk sizes and whether a standard stream header is prepended
// (so the fuzzer spends its time on stanzas).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/xmpp/names.hpp"
#include "codecs/xmpp/serializer.hpp"
#include "codecs/xmpp/stream_framer.hpp"
#include "tests/codecs/xmpp/event_recorder.hpp"

namespace {

using namespace fedgate::xmpp;

constexpr std::string_view standard_header =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
    "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
    "from='a.example' to='b.example' version='1.0'>";

limits fuzz_limits() {
  limits l;
  l.max_stanza_bytes = 8192;
  l.max_depth = 16;
  l.max_attributes = 16;
  l.max_attribute_value_bytes = 1024;
  l.max_text_bytes = 2048;
  l.max_name_bytes = 64;
  return l;
}

// Escaping can grow an element up to 6x ("'" -> "&apos;"): the re-parse gets room for that.
limits reparse_limits() {
  limits l = fuzz_limits();
  l.max_stanza_bytes *= 8;
  l.max_header_bytes *= 8;
  l.max_attribute_value_bytes *= 8;
  l.max_text_bytes *= 8;
  return l;
}

struct single_element : stream_handler {
  int opens = 0, closes = 0, errors = 0;
  std::vector<pugi::xml_document> docs;
  void on_stream_open(const stream_header&) override { ++opens; }
  void on_element(pugi::xml_document& d) override { docs.push_back(std::move(d)); }
  void on_whitespace(std::size_t) override {}
  void on_stream_close() override { ++closes; }
  void on_error(const stream_error&) override { ++errors; }
};

void check_round_trip(const stream_header& header, pugi::xml_node top) {
  std::string wire;
  if (!write_stream_header(wire, header)) __builtin_trap();
  std::string element;
  if (!write_element(element, top, header.declarations)) __builtin_trap();
  wire += element;
  single_element again;
  stream_framer f{again, reparse_limits()};
  if (f.consume(wire) != wire.size()) __builtin_trap();
  if (again.opens != 1 || again.errors != 0 || again.docs.size() != 1) __builtin_trap();
  auto back = again.docs[0].document_element();
  if (!equivalent(top, back)) __builtin_trap();
  std::string second;
  if (!write_element(second, back, header.declarations) || second != element) __builtin_trap();
}

struct checking_recorder : test::event_recorder {
  bool round_trip = false;
  void on_element(pugi::xml_document& doc) override {
    test::event_recorder::on_element(doc);
    if (round_trip) check_round_trip(framer->header(), doc.document_element());
  }
};

std::vector<std::string> run(std::string_view input, const std::vector<std::size_t>& chunks,
                             bool round_trip) {
  checking_recorder rec;
  stream_framer f{rec, fuzz_limits()};
  rec.framer = &f;
  rec.round_trip = round_trip;
  std::size_t pos = 0, k = 0;
  while (pos < input.size()) {
    std::size_t n = chunks.empty() ? input.size() : chunks[k++ % chunks.size()];
    auto part = input.substr(pos, n);
    std::size_t used = f.consume(part);
    if (used > part.size()) __builtin_trap();
    if (used < part.size()) {
      // Only a close or an error stops consumption early (no callback calls stop()).
      if (f.current_state() == stream_framer::state::open) __builtin_trap();
      break;
    }
    pos += n;
  }
  // Error text may differ with chunking when two limits are crossed by the same byte; the
  // condition may not. The recorder already keeps only the condition.
  return rec.events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  std::string input;
  if (mode & 1) input = standard_header;
  input.append(reinterpret_cast<const char*>(data + 1), size - 1);

  auto whole = run(input, {}, true);
  std::vector<std::size_t> pattern{static_cast<std::size_t>((mode >> 1) % 7 + 1),
                                   static_cast<std::size_t>((mode >> 4) % 13 + 2), 1, 64};
  if (run(input, pattern, false) != whole) __builtin_trap();
  if (input.size() <= 4096 && run(input, {1}, false) != whole) __builtin_trap();
  return 0;
}
