"""What the Mininet scripts (mininet-pingall, mininet-plane, two-domains) share: a remote
controller that cannot hang the run, pinging, reading flows, moving a host from one switch to
another as a cable is moved, and ending a run that is told to stop with the network taken down."""
import signal
import socket
import subprocess
import sys
import time

from mininet.log import warn
from mininet.node import RemoteController

PING_INTERVAL = 0.02


class Unit(RemoteController):
    """A unit as Mininet's remote controller. Mininet checks a remote controller's port by
    running `echo A | telnet -e A IP PORT` in a shell and reading its output, and telnet prints
    what the unit sends first: its OpenFlow HELLO, whose first byte (1, the version) Mininet
    takes for the start of a process-id marker, and then it reads the shell for the rest of a
    marker forever. Whether telnet prints the HELLO before it quits is a race, so now and then
    a run hung before its first step. The port is checked here with a socket instead."""

    def checkListening(self):
        try:
            with socket.create_connection((self.ip, self.port), timeout=2):
                pass
        except OSError as error:
            warn(f"Unable to contact the remote controller at {self.ip}:{self.port}: {error}\n")


def flows(switch):
    """The switch's flows, one `ovs-ofctl dump-flows` line each."""
    out = subprocess.run(["ovs-ofctl", "-O", "OpenFlow10", "dump-flows", switch.name],
                         capture_output=True, text=True, check=False).stdout
    return [line.strip() for line in out.splitlines() if "actions=" in line]


def ping_loss(source, target, count=5):
    """Percentage of `count` pings, 100 ms apart, that got no reply."""
    output = source.cmd(f"ping -n -c {count} -i 0.1 -W 1 {target.IP()}")
    for line in output.splitlines():
        if "packet loss" in line:
            return float(line.split("%")[0].split()[-1])
    return 100.0


def start_pinging(host, target):
    """Pings every 20 ms, each reply stamped with its arrival time (-D)."""
    return host.popen(["ping", "-D", "-n", "-i", str(PING_INTERVAL), "-W", "1", target.IP()],
                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop_pinging(process):
    """The replies' arrival times, and how many requests went unanswered."""
    process.send_signal(2)
    output = process.communicate(timeout=10)[0]
    replies = []
    for line in output.splitlines():
        if "bytes from" in line and line.startswith("["):
            replies.append(float(line[1:line.index("]")]))
    transmitted = received = 0
    for line in output.splitlines():
        if "packets transmitted" in line:
            parts = line.split(",")
            transmitted = int(parts[0].split()[0])
            received = int(parts[1].split()[0])
    return replies, transmitted - received


def _gaps(replies, since):
    """The gaps between replies that end after `since` and are over one and a half intervals,
    as (the reply before, the reply that ended it); the first may start before `since`."""
    before = [t for t in replies if t < since]
    previous = before[-1] if before else since
    for t in (t for t in replies if t >= since):
        if t - previous > 1.5 * PING_INTERVAL:
            yield previous, t
        previous = t


def recovery(replies, changed_at):
    """Milliseconds from the change to the reply that ended the longest gap it caused (the gap
    that ends after it, and is over one and a half intervals); 0 if replies kept coming; None if
    none came back. The longest, not the first: under a stream, replies may already come
    irregularly before the change."""
    if not any(t >= changed_at for t in replies):
        return None
    longest, ended = 0, None
    for previous, t in _gaps(replies, changed_at):
        if t - previous > longest:
            longest, ended = t - previous, t
    return 0.0 if ended is None else round((ended - changed_at) * 1000, 1)


def gaps(replies, since):
    """Every gap `recovery` chose from, as [its start, its length] in milliseconds from `since`
    (the first may start before it)."""
    return [[round((previous - since) * 1000, 1), round((t - previous) * 1000, 1)]
            for previous, t in _gaps(replies, since)]


def move(net, host, switch):
    """Unplugs `host` from its switch and plugs it into `switch`, keeping its addresses, with
    TX checksum offload off on its new interface (the userspace datapath fills in no checksums)."""
    ip, mac = host.IP(), host.MAC()
    prefix = host.defaultIntf().prefixLen
    old = net.linksBetween(host, next(n for n in net.switches if host.connectionsTo(n)))[0]
    old_switch_intf = old.intf2 if old.intf1.node is host else old.intf1
    old_switch_intf.node.detach(old_switch_intf)
    net.delLink(old)
    link = net.addLink(host, switch)
    switch.attach(link.intf2)
    # Its own MAC before its address: a new interface comes up with a random MAC, and an ARP
    # request sent with it would teach the other hosts a MAC that is gone a moment later.
    host.setMAC(mac, intf=link.intf1)
    host.setIP(ip, prefixLen=prefix, intf=link.intf1)
    host.setDefaultRoute(f"dev {link.intf1.name}")
    host.cmd(f"ethtool -K {link.intf1.name} tx off")


def stop_network_on_sigterm():
    """SIGTERM (a test's time limit, an operator) ends the run through the script's `finally`,
    which stops the network: killed outright, Mininet would leave its interfaces and bridges
    behind, and the next run could not create them."""
    def on_sigterm(number, frame):
        raise SystemExit(128 + number)
    signal.signal(signal.SIGTERM, on_sigterm)


def stage(name):
    """Says on stderr which step the run is at, so that a run stopped for its time limit shows
    where it was."""
    print(f"{time.strftime('%H:%M:%S')} {name}", file=sys.stderr, flush=True)
