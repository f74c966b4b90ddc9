#!/usr/bin/python3
"""A scripted XMPP client (slixmpp) logged into the test's Prosody, for fedgate's interop tests.

  --send-to JID --body TEXT       send one chat message once online
  --expect-from JID --expect-body TEXT
                                  wait for a message from JID whose body contains TEXT
  --expect-error COND             wait for a type='error' message with that stanza error
                                  condition ("any" accepts every condition)
  --ping JID                      send an XEP-0199 ping to JID and expect a result
Prints "ONLINE" once the session is up, one line per message received, and a final
"RESULT OK|FAIL: why"; exits 0 only on success. Every wait is bounded by --timeout.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "support", "python"))
from scripted_client import ScriptedClient, add_common_arguments, run  # noqa: E402


class Client(ScriptedClient):
    def __init__(self, a):
        super().__init__(a)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("message_error", self.on_message)

    async def on_start(self, _):
        self.send_presence()
        print("ONLINE", flush=True)
        if self.a.ping:
            try:
                await self["xep_0199"].send_ping(self.a.ping, timeout=20)
                self.finish(True, f"pong from {self.a.ping}")
            except Exception as e:  # IqError (error reply) or IqTimeout
                self.finish(False, f"ping {self.a.ping} failed: {e!r}")
            return
        if self.a.send_to:
            self.send_message(mto=self.a.send_to, mbody=self.a.body, mtype="chat")
            print(f"SENT to={self.a.send_to}", flush=True)
            if not (self.a.expect_from or self.a.expect_error):
                self.finish(True, "sent")

    def on_message(self, msg):
        if msg["type"] == "error":
            cond = msg["error"]["condition"]
            print(f"GOT error from={msg['from']} condition={cond} text={msg['error']['text']!r}",
                  flush=True)
            if self.a.expect_error:
                self.finish(self.a.expect_error in ("any", cond), f"bounce {cond}")
            else:
                self.finish(False, f"unexpected bounce {cond}")
            return
        print(f"GOT message from={msg['from']} body={msg['body']!r}", flush=True)
        if (self.a.expect_from and msg["from"].bare == self.a.expect_from
                and self.a.expect_body in msg["body"]):
            self.finish(True, f"message from {self.a.expect_from}")


def main():
    ap = argparse.ArgumentParser()
    add_common_arguments(ap, timeout=30.0)
    ap.add_argument("--no-tls", action="store_true")
    ap.add_argument("--send-to")
    ap.add_argument("--body", default="hello")
    ap.add_argument("--expect-from")
    ap.add_argument("--expect-body", default="")
    ap.add_argument("--expect-error")
    ap.add_argument("--ping")
    a = ap.parse_args()
    run(Client, a, tls=not a.no_tls)


if __name__ == "__main__":
    main()
