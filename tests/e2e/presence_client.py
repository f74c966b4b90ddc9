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
import os
import sys

import slixmpp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support",
                                "python"))
from scripted_client import ScriptedClient, add_common_arguments, run  # noqa: E402


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


class Client(ScriptedClient):
    def __init__(self, a):
        super().__init__(a)
        self.pings = 0
        self.auto_authorize = None
        self.auto_subscribe = False
        self.register_handler(slixmpp.xmlstream.handler.Callback(
            "all presence", slixmpp.xmlstream.matcher.MatchXPath("{jabber:client}presence"),
            self.on_presence))

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
    add_common_arguments(ap, timeout=120.0)
    ap.add_argument("--subscribe")
    ap.add_argument("--no-presence", action="store_true")
    run(Client, ap.parse_args())


if __name__ == "__main__":
    main()
