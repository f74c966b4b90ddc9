// Feeds real Prosody S2S transcripts (data/prosody-s2s/*.jsonl) through the stream framer and
// checks the exact event sequence of every connection's Prosody -> peer byte stream. Each stream is
// fed three ways (chunks as captured, byte by byte, each stream segment whole) and all three must
// agree. The stream restarts (reset()) when the layer changes (STARTTLS) and after SASL <success/>.

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "codecs/xmpp/stream_framer.hpp"
#include "tests/codecs/xmpp/event_recorder.hpp"
#include "tests/support/prosody_transcript.hpp"

namespace fedgate::xmpp {
namespace {

using chunk = testing::transcript_chunk;

std::vector<chunk> load(const std::string& scenario) {
  auto chunks = testing::load_prosody_transcript(scenario);
  EXPECT_FALSE(chunks.empty()) << scenario;
  return chunks;
}

enum class mode { captured, byte_by_byte, whole };

// Events of every connection's Prosody -> peer stream, as "CONN event", grouped by connection in
// order of first appearance ("reset" marks a stream restart).
std::vector<std::string> run(const std::vector<chunk>& chunks, mode how) {
  struct conn_state {
    test::event_recorder rec;
    std::unique_ptr<stream_framer> framer;
    std::string layer;
    std::string pending;  // mode::whole: bytes of the current stream segment
  };
  std::map<std::string, conn_state> conns;
  std::vector<std::string> order;
  auto flush = [&](conn_state& c) {
    if (c.pending.empty()) return;
    EXPECT_EQ(c.framer->consume(c.pending), c.pending.size());
    c.pending.clear();
  };
  auto restart = [&](conn_state& c) {
    flush(c);
    c.framer->reset();
    c.rec.events.push_back("reset");
  };
  for (const auto& ch : chunks) {
    auto& c = conns[ch.conn];
    if (!c.framer) {
      c.framer = std::make_unique<stream_framer>(c.rec);
      order.push_back(ch.conn);
    }
    if (ch.from == "prosody") {
      if (!c.layer.empty() && c.layer != ch.layer) restart(c);
      c.layer = ch.layer;
      if (how == mode::whole) {
        c.pending += ch.data;
      } else if (how == mode::captured) {
        EXPECT_EQ(c.framer->consume(ch.data), ch.data.size());
      } else {
        for (char b : ch.data)
          EXPECT_EQ(c.framer->consume(std::string_view{&b, 1}), 1u);
      }
    }
    // RFC 6120 §6.4.6: after SASL success both sides restart the stream.
    if (ch.data.find("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'") != std::string::npos)
      restart(c);
  }
  std::vector<std::string> out;
  for (auto& name : order) {
    auto& c = conns[name];
    flush(c);
    for (auto& e : c.rec.events)
      out.push_back(name + " " + e);
  }
  return out;
}

void check_scenario(const std::string& scenario, const std::vector<std::string>& expected) {
  auto chunks = load(scenario);
  ASSERT_FALSE(chunks.empty());
  auto captured = run(chunks, mode::captured);
  if (std::getenv("FEDGATE_DUMP_EVENTS")) {
    for (auto& e : captured)
      std::cout << "      \"" << e << "\",\n";
  }
  EXPECT_EQ(captured, expected);
  EXPECT_EQ(run(chunks, mode::byte_by_byte), captured);
  EXPECT_EQ(run(chunks, mode::whole), captured);
}

}  // namespace
}  // namespace fedgate::xmpp

namespace fedgate::xmpp {
namespace {
TEST(xmpp_stream_framer_transcript, DialbackIn) {
  check_scenario(
      "dialback-in",
      {
          "OUT1 open from=xmpp.test to=sip.test id=8168548d-4250-4ef4-a485-764a8ab88008 "
          "version=1.0 lang=en ns=jabber:server xmlns=jabber:server "
          "xmlns:db=jabber:server:dialback xmlns:stream=http://etherx.jabber.org/streams decl",
          "OUT1 elem {http://etherx.jabber.org/streams}features "
          "[{urn:ietf:params:xml:ns:xmpp-tls}starttls [{urn:ietf:params:xml:ns:xmpp-tls}required]; "
          "{urn:xmpp:features:dialback}dialback]",
          "OUT1 elem {urn:ietf:params:xml:ns:xmpp-tls}proceed",
          "OUT1 reset",
          "OUT1 open from=xmpp.test to=sip.test id=b0961012-fd2f-4b4b-b482-ca8b1c145ec6 "
          "version=1.0 lang=en ns=jabber:server xmlns=jabber:server "
          "xmlns:db=jabber:server:dialback xmlns:stream=http://etherx.jabber.org/streams decl",
          "OUT1 elem {http://etherx.jabber.org/streams}features "
          "[{urn:xmpp:features:dialback}dialback]",
          "OUT1 elem {jabber:server:dialback}result from=xmpp.test "
          "id=b0961012-fd2f-4b4b-b482-ca8b1c145ec6 to=sip.test type=valid "
          "text='4615d5cf04b84d29f75429c8097f2d22d69f114e9b2c262f5427a94ba1d7f947'",
          "OUT1 close",
          "IN2 open from=xmpp.test to=sip.test id= version=1.0 lang=en ns=jabber:server "
          "xmlns=jabber:server xmlns:db=jabber:server:dialback "
          "xmlns:stream=http://etherx.jabber.org/streams decl",
          "IN2 elem {urn:ietf:params:xml:ns:xmpp-tls}starttls",
          "IN2 reset",
          "IN2 open from=xmpp.test to=sip.test id= version=1.0 lang=en ns=jabber:server "
          "xmlns=jabber:server xmlns:db=jabber:server:dialback "
          "xmlns:stream=http://etherx.jabber.org/streams decl",
          "IN2 elem {jabber:server:dialback}result from=xmpp.test to=sip.test "
          "text='e5db9d6c5cfbffb465c234d7966020b0537b187e9ecfdd9b73a88e9d94122ae5'",
          "IN2 elem {jabber:server:dialback}verify from=xmpp.test "
          "id=b0961012-fd2f-4b4b-b482-ca8b1c145ec6 to=sip.test "
          "text='4615d5cf04b84d29f75429c8097f2d22d69f114e9b2c262f5427a94ba1d7f947'",
          "IN2 close",
          "OUT3 open from=xmpp.test to=sip.test id=38e4b0ef-9c08-4db4-988c-1271b421049c "
          "version=1.0 lang=en ns=jabber:server xmlns=jabber:server "
          "xmlns:db=jabber:server:dialback xmlns:stream=http://etherx.jabber.org/streams decl",
          "OUT3 elem {http://etherx.jabber.org/streams}features "
          "[{urn:ietf:params:xml:ns:xmpp-tls}starttls [{urn:ietf:params:xml:ns:xmpp-tls}required]; "
          "{urn:xmpp:features:dialback}dialback]",
          "OUT3 elem {urn:ietf:params:xml:ns:xmpp-tls}proceed",
          "OUT3 reset",
          "OUT3 open from=xmpp.test to=sip.test id=76c7ba7b-602d-4e5f-8296-615e268e4b00 "
          "version=1.0 lang=en ns=jabber:server xmlns=jabber:server "
          "xmlns:db=jabber:server:dialback xmlns:stream=http://etherx.jabber.org/streams decl",
          "OUT3 elem {http://etherx.jabber.org/streams}features "
          "[{urn:xmpp:features:dialback}dialback]",
          "OUT3 elem {jabber:server:dialback}verify from=xmpp.test "
          "id=757ed1b310374fb692506a30764b251f to=sip.test type=valid "
          "text='e5db9d6c5cfbffb465c234d7966020b0537b187e9ecfdd9b73a88e9d94122ae5'",
          "OUT3 close",
      });
}
TEST(xmpp_stream_framer_transcript, DialbackOut) {
  check_scenario(
      "dialback-out",
      {
          "IN1 open from=xmpp.test to=sip.test id= version=1.0 lang=en ns=jabber:server "
          "xmlns:stream=http://etherx.jabber.org/streams xmlns=jabber:server "
          "xmlns:db=jabber:server:dialback decl",
          "IN1 elem {urn:ietf:params:xml:ns:xmpp-tls}starttls",
          "IN1 reset",
          "IN1 open from=xmpp.test to=sip.test id= version=1.0 lang=en ns=jabber:server "
          "xmlns:stream=http://etherx.jabber.org/streams xmlns=jabber:server "
          "xmlns:db=jabber:server:dialback decl",
          "IN1 elem {jabber:server:dialback}result from=xmpp.test to=sip.test "
          "text='cd10cf7138da50223df56ee13ac2016e21b6d0f31b1c0daa88a07e51c1d06dbc'",
          "IN1 elem {jabber:server}message from=alice@xmpp.test/DdobmgegNbC4 "
          "id=f5cd9500eb5a45f7b60bb0e6cff91e70 to=someone@sip.test type=chat "
          "{http://www.w3.org/XML/1998/namespace}lang=en [{jabber:server}body text='hello sip.test "
          "from alice [dialback-out 13601]']",
          "IN1 ws 4",
          "IN1 close",
          "OUT2 open from=xmpp.test to=sip.test id=1b501fe4-6357-4a7e-90f1-29579082e372 "
          "version=1.0 lang=en ns=jabber:server xmlns:stream=http://etherx.jabber.org/streams "
          "xmlns=jabber:server xmlns:db=jabber:server:dialback decl",
          "OUT2 elem {http://etherx.jabber.org/streams}features "
          "[{urn:ietf:params:xml:ns:xmpp-tls}starttls [{urn:ietf:params:xml:ns:xmpp-tls}required]; "
          "{urn:xmpp:features:dialback}dialback]",
          "OUT2 elem {urn:ietf:params:xml:ns:xmpp-tls}proceed",
          "OUT2 reset",
          "OUT2 open from=xmpp.test to=sip.test id=92886098-919e-4063-a0ff-72bb46af3070 "
          "version=1.0 lang=en ns=jabber:server xmlns:stream=http://etherx.jabber.org/streams "
          "xmlns=jabber:server xmlns:db=jabber:server:dialback decl",
          "OUT2 elem {http://etherx.jabber.org/streams}features "
          "[{urn:xmpp:features:dialback}dialback]",
          "OUT2 elem {jabber:server:dialback}verify from=xmpp.test "
          "id=f6007ac56731456ab33517456ba35254 to=sip.test type=valid "
          "text='cd10cf7138da50223df56ee13ac2016e21b6d0f31b1c0daa88a07e51c1d06dbc'",
          "OUT2 close",
      });
}
TEST(xmpp_stream_framer_transcript, SecureExternalIn) {
  check_scenario(
      "secure-external-in",
      {
          "OUT1 open from=xmpp.test to=sip.test id=0c805e83-de4e-48ff-b421-87e01ec7e11c "
          "version=1.0 lang=en ns=jabber:server xmlns:stream=http://etherx.jabber.org/streams "
          "xmlns=jabber:server xmlns:db=jabber:server:dialback decl",
          "OUT1 elem {http://etherx.jabber.org/streams}features "
          "[{urn:xmpp:features:dialback}dialback; {urn:ietf:params:xml:ns:xmpp-tls}starttls "
          "[{urn:ietf:params:xml:ns:xmpp-tls}required]]",
          "OUT1 elem {urn:ietf:params:xml:ns:xmpp-tls}proceed",
          "OUT1 reset",
          "OUT1 open from=xmpp.test to=sip.test id=ae20c090-5161-4053-b851-723cf2a01642 "
          "version=1.0 lang=en ns=jabber:server xmlns:stream=http://etherx.jabber.org/streams "
          "xmlns=jabber:server xmlns:db=jabber:server:dialback decl",
          "OUT1 elem {http://etherx.jabber.org/streams}features "
          "[{urn:xmpp:features:dialback}dialback; {urn:ietf:params:xml:ns:xmpp-sasl}mechanisms "
          "[{urn:ietf:params:xml:ns:xmpp-sasl}mechanism text='EXTERNAL']]",
          "OUT1 elem {urn:ietf:params:xml:ns:xmpp-sasl}success",
          "OUT1 reset",
          "OUT1 open from=xmpp.test to=sip.test id=ae336521-2dc1-4b2e-ac03-e9dca7e9cfe0 "
          "version=1.0 lang=en ns=jabber:server xmlns:stream=http://etherx.jabber.org/streams "
          "xmlns=jabber:server xmlns:db=jabber:server:dialback decl",
          "OUT1 elem {http://etherx.jabber.org/streams}features "
          "[{urn:xmpp:features:dialback}dialback; {http://jabber.org/protocol/caps}c hash=sha-1 "
          "node=http://prosody.im ver=wBr6DNC6Vxj+iDPS/AmhkECMTr8=]",
          "OUT1 close",
      });
}
TEST(xmpp_stream_framer_transcript, SecureExternalOut) {
  check_scenario(
      "secure-external-out",
      {
          "IN1 open from=xmpp.test to=sip.test id= version=1.0 lang=en ns=jabber:server "
          "xmlns:stream=http://etherx.jabber.org/streams xmlns:db=jabber:server:dialback "
          "xmlns=jabber:server decl",
          "IN1 elem {urn:ietf:params:xml:ns:xmpp-tls}starttls",
          "IN1 reset",
          "IN1 open from=xmpp.test to=sip.test id= version=1.0 lang=en ns=jabber:server "
          "xmlns:stream=http://etherx.jabber.org/streams xmlns:db=jabber:server:dialback "
          "xmlns=jabber:server decl",
          "IN1 elem {urn:ietf:params:xml:ns:xmpp-sasl}auth mechanism=EXTERNAL text='eG1wcC50ZXN0'",
          "IN1 reset",
          "IN1 open from=xmpp.test to=sip.test id= version=1.0 lang=en ns=jabber:server "
          "xmlns:stream=http://etherx.jabber.org/streams xmlns:db=jabber:server:dialback "
          "xmlns=jabber:server decl",
          "IN1 elem {jabber:server}message from=alice@xmpp.test/a13u8q9SEN0_ "
          "id=caa622e3c75045f3a5161493929e768e to=someone@sip.test type=chat "
          "{http://www.w3.org/XML/1998/namespace}lang=en [{jabber:server}body text='hello sip.test "
          "from alice [secure-external-out 13601]']",
          "IN1 close",
      });
}
TEST(xmpp_stream_framer_transcript, SecureRejectIn) {
  check_scenario(
      "secure-reject-in",
      {
          "OUT1 open from=xmpp.test to=sip.test id=4f78a240-a8af-48d1-b139-42799cb91591 "
          "version=1.0 lang=en ns=jabber:server xmlns=jabber:server "
          "xmlns:stream=http://etherx.jabber.org/streams xmlns:db=jabber:server:dialback decl",
          "OUT1 elem {http://etherx.jabber.org/streams}features "
          "[{urn:ietf:params:xml:ns:xmpp-tls}starttls [{urn:ietf:params:xml:ns:xmpp-tls}required]; "
          "{urn:xmpp:features:dialback}dialback]",
          "OUT1 elem {urn:ietf:params:xml:ns:xmpp-tls}proceed",
          "OUT1 reset",
          "OUT1 open from=xmpp.test to=sip.test id=c57536a7-5f62-4210-b94e-14a31a152ce9 "
          "version=1.0 lang=en ns=jabber:server xmlns=jabber:server "
          "xmlns:stream=http://etherx.jabber.org/streams xmlns:db=jabber:server:dialback decl",
          "OUT1 elem {http://etherx.jabber.org/streams}error "
          "[{urn:ietf:params:xml:ns:xmpp-streams}not-authorized; "
          "{urn:ietf:params:xml:ns:xmpp-streams}text text='Your server's certificate is not "
          "trusted']",
          "OUT1 close",
      });
}
TEST(xmpp_stream_framer_transcript, SecureRejectOut) {
  check_scenario("secure-reject-out",
                 {
                     "IN1 open from=xmpp.test to=sip.test id= version=1.0 lang=en ns=jabber:server "
                     "xmlns:stream=http://etherx.jabber.org/streams xmlns=jabber:server "
                     "xmlns:db=jabber:server:dialback decl",
                     "IN1 elem {urn:ietf:params:xml:ns:xmpp-tls}starttls",
                     "IN1 reset",
                     "IN1 open from=xmpp.test to=sip.test id= version=1.0 lang=en ns=jabber:server "
                     "xmlns:stream=http://etherx.jabber.org/streams xmlns=jabber:server "
                     "xmlns:db=jabber:server:dialback decl",
                     "IN1 elem {http://etherx.jabber.org/streams}error "
                     "[{urn:ietf:params:xml:ns:xmpp-streams}not-authorized; "
                     "{urn:ietf:params:xml:ns:xmpp-streams}text text='Your server's certificate is "
                     "not trusted']",
                     "IN1 close",
                 });
}
}  // namespace
}  // namespace fedgate::xmpp
