"""What Scripts/chaos and Scripts/soak share: a two-tier plane with mutual TLS, load from
echelon-bench, a raw switch that joins and leaves, and readings through a unit's admin API and
/proc. Built on benchlib (processes, units, ports)."""
import json
import os
import socket
import struct
import time
import urllib.request

import benchlib

FORWARDING_HOSTED = {"service": "forwarding", "sid": 9, "action": "divert", "timeout": 1}


def descriptors(process):
    return len(os.listdir(f"/proc/{process.pid}/fd"))


def until(condition, timeout, step=0.02):
    """Seconds until condition() held, or None if it did not within timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    return None


def admin(unit, path):
    """GET /PATH from a unit's admin API, or None when it does not answer."""
    try:
        with urllib.request.urlopen(f"http://{unit.admin_address}/{path}", timeout=2) as answer:
            return json.load(answer)
    except (OSError, ValueError):
        return None


def has_route(unit, sid=9):
    routes = admin(unit, "routes") or []
    return any(route.get("sid") == sid for route in routes)


def switches(unit):
    return len(admin(unit, "switches") or [])


def pending(unit):
    listed = admin(unit, "pending")
    return None if listed is None else len(listed)


class Plane:
    """Tier 2 (forwarding, DIVERT) above tier 1 (nothing of its own), mutual TLS between them."""

    def __init__(self, echelon, work, pki):
        self.echelon, self.work = echelon, work
        self.tier2 = benchlib.Unit("tier2", uid=20, tier=2, services=[FORWARDING_HOSTED], pki=pki)
        self.tier1 = benchlib.Unit("tier1", uid=11, tier=1, upstream=[self.tier2], pki=pki)
        self.p2 = self.start2()
        self.p1 = self.tier1.start(echelon, work)
        benchlib.wait_port(self.tier1.switch_port, self.p1)
        if until(lambda: has_route(self.tier1), 15) is None:
            benchlib.fail("tier 1 never learned tier 2's service")

    def start2(self):
        process = self.tier2.start(self.echelon, self.work)
        benchlib.wait_port(self.tier2.unit_port, process)
        return process

    def stop(self):
        benchlib.stop([p for p in (self.p1, self.p2) if p.running()])


def load(bench, port, work, name, seconds, switches_count=16):
    """echelon-bench against PORT in the background (closed loop, window 32); its JSON at the end."""
    out = os.path.join(work, f"{name}.json")
    process = benchlib.start(f"echelon-bench-{name}", [bench, "--controller", f"127.0.0.1:{port}", "--mode",
                                                       "throughput", "--switches", switches_count, "--macs", 1000,
                                                       "--window", 32, "--duration", seconds, "--warmup", 1, "--json"],
                             log=os.path.join(work, f"{name}.log"), stdout=out)
    return process


def finished(process):
    process.wait(check=False)
    try:
        return json.loads(process.output())
    except (ValueError, OSError):
        return {}


def openflow(message_type, xid, body=b""):
    return struct.pack("!BBHI", 1, message_type, 8 + len(body), xid) + body


def churn_once(port, dpid):
    """One switch that says HELLO, answers FEATURES_REQUEST and leaves once the unit configures it."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(openflow(0, 1))
        buffered = b""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            data = s.recv(65536)
            if not data:
                return False
            buffered += data
            while len(buffered) >= 8:
                _, kind, length, xid = struct.unpack("!BBHI", buffered[:8])
                buffered = buffered[length:]
                if kind == 5:  # FEATURES_REQUEST
                    s.sendall(openflow(6, xid, struct.pack("!QIB3xII", dpid, 256, 254, 0xC7, 0xFFF)))
                elif kind == 2:  # ECHO_REQUEST
                    s.sendall(openflow(3, xid))
                elif kind == 9:  # SET_CONFIG: the unit has taken the switch in; leave
                    return True
        return False


def ms(seconds):
    return "never" if seconds is None else f"in {seconds * 1000:.0f} ms"
