#!/usr/bin/python3
"""An XMPP user (slixmpp, logged into the test's Prosody) for fedgate's end-to-end IM tests.

  --send-file FILE     once online, send every line of FILE as a raw stanza (c2s namespace),
                       in order; "{to}" in a line is replaced by --to
  --expect N           wait until N stanzas of kind message (errors included) arrived
  --until-error        stop at the first error stanza (with --expect: whichever comes first)
  --reply TEXT         answer every non-error message with a chat message TEXT to its sender,
                       in the same thread
  --ack-receipts       answer every XEP-0184 <request/> with <received id=.../> (same thread)
Prints "ONLINE" once the session is up, "SENT n" after sending, one "GOT <json>" line per
message received (from, type, id, bodies {lang: text}, subject, thread, state, received,
request, error {condition, text}), and "RESULT OK|FAIL: why". Exits 0 when what was expected
arrived within --timeout (every wait is bounded).
"""
import argparse
import json
import os
import sys

import slixmpp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support",
                                "python"))
from scripted_client import ScriptedClient, add_common_arguments, run  # noqa: E402

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CHATSTATES = "http://jabber.org/protocol/chatstates"
RECEIPTS = "urn:xmpp:receipts"
STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"


def describe(msg, default_lang):
    x = msg.xml
    out = {"from": str(msg["from"]), "type": msg["type"], "id": msg["id"], "bodies": {},
           "subject": None, "thread": None, "state": None, "received": None,
           "request": False, "error": None}
    lang = x.get(XML_LANG, default_lang) or ""
    for child in x:
        tag = child.tag
        ns, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if name == "body" and ns in ("jabber:client", ""):
            out["bodies"][child.get(XML_LANG, lang)] = child.text or ""
        elif name == "subject" and ns in ("jabber:client", ""):
            out["subject"] = child.text or ""
        elif name == "thread" and ns in ("jabber:client", ""):
            out["thread"] = child.text or ""
        elif ns == CHATSTATES:
            out["state"] = name
        elif ns == RECEIPTS and name == "received":
            out["received"] = child.get("id")
        elif ns == RECEIPTS and name == "request":
            out["request"] = True
        elif name == "error":
            cond, text = None, ""
            for e in child:
                ens, _, ename = e.tag[1:].partition("}")
                if ens == STANZAS and ename == "text":
                    text = e.text or ""
                elif ens == STANZAS:
                    cond = ename
            out["error"] = {"condition": cond, "text": text}
    return out


class Client(ScriptedClient):
    def __init__(self, a):
        super().__init__(a)
        self.got = 0
        # Raw handler: every <message/>, whatever slixmpp's plugins would make of it.
        self.register_handler(slixmpp.xmlstream.handler.Callback(
            "all messages", slixmpp.xmlstream.matcher.MatchXPath("{jabber:client}message"),
            self.on_message))

    def timeout_reason(self):
        return f"timeout after {self.a.timeout}s with {self.got} messages"

    async def on_start(self, _):
        self.send_presence()
        print("ONLINE", flush=True)
        if self.a.send_file:
            n = 0
            with open(self.a.send_file, encoding="utf-8") as f:
                for line in f:
                    line = line.rstrip("\n")
                    if line:
                        self.send_raw(line.replace("{to}", self.a.to or ""))
                        n += 1
            print(f"SENT {n}", flush=True)
        if not self.a.expect and not self.a.until_error:
            # Nothing to wait for but the stanzas leaving: a ping round trip to our own server
            # proves Prosody read everything before it.
            try:
                await self.plugin["xep_0199"].send_ping(self.boundjid.domain, timeout=20)
            except Exception:
                pass
            self.finish(True, "sent")

    def on_message(self, msg):
        d = describe(msg, "")
        print("GOT " + json.dumps(d, ensure_ascii=False), flush=True)
        if self.a.reply and d["type"] != "error" and d["bodies"]:
            r = self.make_message(mto=msg["from"], mbody=self.a.reply, mtype="chat")
            if d["thread"]:
                r["thread"] = d["thread"]
            r.send()
            print("REPLIED", flush=True)
        if self.a.ack_receipts and d["request"] and d["id"]:
            thread = f"<thread>{d['thread']}</thread>" if d["thread"] else ""
            self.send_raw(f"<message to='{msg['from']}' type='chat' id='ack-{d['id']}'>"
                          f"<received xmlns='{RECEIPTS}' id='{d['id']}'/>{thread}</message>")
            print("ACKED", flush=True)
        self.got += 1
        if self.a.until_error and d["type"] == "error":
            self.finish(True, "error received")
        elif self.a.expect and self.got >= self.a.expect:
            self.finish(True, f"{self.got} messages")


def main():
    ap = argparse.ArgumentParser()
    add_common_arguments(ap, timeout=60.0)
    ap.add_argument("--send-file")
    ap.add_argument("--to")
    ap.add_argument("--expect", type=int, default=0)
    ap.add_argument("--until-error", action="store_true")
    ap.add_argument("--reply")
    ap.add_argument("--ack-receipts", action="store_true")
    run(Client, ap.parse_args())


if __name__ == "__main__":
    main()
