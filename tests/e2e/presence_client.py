#!/usr/bin/python3
"""An XMPP user (slixmpp, logged into the test's Prosody) for fedgate's presence e2e tests.

Driven line by line through standard input (the test writes, the client answers on stdout):
  SEND <raw stanza>    send it as is (c2s namespace)
  PING                 a ping round trip to our own server, then "PONG <n>" (n counts pings):
                       Prosody has read every stanza sent before it
  QUIT                 disconnect and exit 0
Prints "ONLINE" once the session is up (after its initial presence), one
"PRES {json}" line per <presence/> received (from, type, show, status; "available" for no
type, sorted keys), and "RESULT OK|FAIL: why". slixmpp answers no subscription request by
itself and asks for none (auto_authorize None, auto_subscribe False): the test decides.
  --subscribe JID      once online, send <presence type='subscribe' to=JID/>
  --no-presence        log in without sending initial presence
Exits 1 after --timeout seconds (every wait is bounded).
"""
import argparse
import asyncio
import json
import logging
import sys

import slixmpp


def describe(pres):
    x = pres.xml
    out = {"from": str(pres["from"]), "type": x.get("type") or "available", "show": "",
           "status": ""}
    for child in x:
        tag = child.tag
        name = tag.partition("}")[2] if tag.startswith("{") else tag
        if name == "show":
            out["show"] = child.text or ""
        elif name == "status" and not out["status"]:
            out["status"] = child.text or ""
    return out


class Client(slixmpp.ClientXMPP):
    def __init__(self, a):
        super().__init__(a.jid, a.password)
        self.a = a
        self.pings = 0
        self.finished = asyncio.get_event_loop().create_future()
        self.ca_certs = a.ca
        self.auto_authorize = None
        self.auto_subscribe = False
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("failed_auth", lambda *_: self.finish(False, "auth failed"))
        self.register_handler(slixmpp.xmlstream.handler.Callback(
            "all presence", slixmpp.xmlstream.matcher.MatchXPath("{jabber:client}presence"),
            self.on_presence))

    def finish(self, ok, why):
        if not self.finished.done():
            self.finished.set_result((ok, why))

    async def on_start(self, _):
        # The roster first: Prosody hands subscription stanzas only to "interested" resources.
        try:
            await self.get_roster(timeout=20)
        except Exception as e:
            print(f"ROSTER FAILED {e}", flush=True)
        if not self.a.no_presence:
            self.send_presence()
        if self.a.subscribe:
            self.send_raw(f"<presence type='subscribe' to='{self.a.subscribe}'/>")
        print("ONLINE", flush=True)
        asyncio.get_event_loop().add_reader(sys.stdin.fileno(), self.on_stdin)

    def on_stdin(self):
        line = sys.stdin.readline()
        if not line:
            asyncio.get_event_loop().remove_reader(sys.stdin.fileno())
            return
        line = line.rstrip("\n")
        if line.startswith("SEND "):
            self.send_raw(line[5:])
        elif line == "PING":
            asyncio.ensure_future(self.ping())
        elif line == "QUIT":
            self.finish(True, "quit")

    async def ping(self):
        try:
            await self.plugin["xep_0199"].send_ping(self.boundjid.domain, timeout=20)
        except Exception as e:
            print(f"PING FAILED {e}", flush=True)
        self.pings += 1
        print(f"PONG {self.pings}", flush=True)

    def on_presence(self, pres):
        print("PRES " + json.dumps(describe(pres), ensure_ascii=False, sort_keys=True),
              flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jid", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--subscribe")
    ap.add_argument("--no-presence", action="store_true")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--debug", action="store_true")
    a = ap.parse_args()
    logging.basicConfig(level=logging.DEBUG if a.debug else logging.ERROR,
                        format="%(levelname)s %(name)s %(message)s")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    c = Client(a)
    c.register_plugin("xep_0199")
    c.connect(address=("127.0.0.1", a.port), force_starttls=True)
    try:
        ok, why = loop.run_until_complete(asyncio.wait_for(c.finished, a.timeout))
    except asyncio.TimeoutError:
        ok, why = False, f"timeout after {a.timeout}s"
    c.disconnect()
    try:
        loop.run_until_complete(asyncio.wait_for(c.disconnected, 3))
    except Exception:
        pass
    print(f"RESULT {'OK' if ok else 'FAIL'}: {why}", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
