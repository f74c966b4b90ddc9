"""What the tests' scripted XMPP clients share (slixmpp, logged into the test's Prosody).

Each client (tests/e2e/im_client.py, tests/e2e/presence_client.py,
tests/interop/xmpp/xmpp_client.py) subclasses ScriptedClient for what it does once online and
calls run() from its main(). The contract with the C++ tests is the same for all: "ONLINE" once
the session is up, a last line "RESULT OK|FAIL: why", exit status 0 only on success, and every
wait bounded by --timeout.
"""
import asyncio
import logging
import sys

import slixmpp


class ScriptedClient(slixmpp.ClientXMPP):
    """A client whose script ends by calling finish(ok, why); the first call counts."""

    def __init__(self, a):
        super().__init__(a.jid, a.password)
        self.a = a
        self.finished = asyncio.get_event_loop().create_future()
        self.ca_certs = a.ca
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("failed_auth", lambda *_: self.finish(False, "auth failed"))

    def finish(self, ok, why):
        if not self.finished.done():
            self.finished.set_result((ok, why))

    async def on_start(self, _):
        raise NotImplementedError

    def timeout_reason(self):
        """Why the run failed when --timeout passed first (clients add what they counted)."""
        return f"timeout after {self.a.timeout}s"


def add_common_arguments(ap, timeout):
    """The arguments every client takes: who it is, where Prosody is, how long it may take."""
    ap.add_argument("--jid", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--timeout", type=float, default=timeout)
    ap.add_argument("--debug", action="store_true")


def run(make_client, a, plugins=("xep_0199",), tls=True):
    """Connects to Prosody on loopback, waits for the client's finish() or --timeout, logs out
    (bounded), prints RESULT and exits with its status. `tls=False` logs in without STARTTLS."""
    logging.basicConfig(level=logging.DEBUG if a.debug else logging.ERROR,
                        format="%(levelname)s %(name)s %(message)s")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    c = make_client(a)
    for p in plugins:
        c.register_plugin(p)
    if not tls:
        c.enable_starttls = False
        c.enable_direct_tls = False
        c["feature_mechanisms"].unencrypted_plain = True
    c.connect(address=("127.0.0.1", a.port), force_starttls=tls, disable_starttls=not tls)
    try:
        ok, why = loop.run_until_complete(asyncio.wait_for(c.finished, a.timeout))
    except asyncio.TimeoutError:
        ok, why = False, c.timeout_reason()
    c.disconnect()
    try:
        loop.run_until_complete(asyncio.wait_for(c.disconnected, 3))
    except Exception:
        pass
    print(f"RESULT {'OK' if ok else 'FAIL'}: {why}", flush=True)
    sys.exit(0 if ok else 1)
