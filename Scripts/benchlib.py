"""What the benchmark scripts (Scripts/bench, bench-dispatch, bench-units) share, so that each
script is only a description of what it measures.

    args = benchlib.arguments(__doc__, duration=10, rounds=3, json=True).parse_args()
    work = benchlib.workdir()                        # removed at exit, kept when the run fails
    unit = benchlib.Unit("tier1", uid=11, tier=1, services=[...], upstream=[other_unit])
    process = unit.start(echelon, work)              # or benchlib.start(name, argv, log, stdout)
    benchlib.wait_port(unit.switch_port, process)    # fails naming the port and the process
    result = benchlib.run_json("echelon-bench", [...])
    process.cpu_seconds(), process.rss_kib()         # from /proc/PID
    unit.admin("status")                             # GET /status from the unit's admin API, as JSON
    benchlib.stop()                                  # every process still running, by PID
    benchlib.median(values), benchlib.spread(values)
    benchlib.run(main)                               # the entry point: errors, cleanup, exit status

Every process is started here, remembered by its PID and stopped by that PID (SIGTERM, then
SIGKILL after a grace period), at the end, on an error and on SIGTERM/SIGHUP/SIGINT: a
benchmark never leaves a unit behind, and never stops a process it did not start (no pkill).
Standard library only.
"""
import argparse
import atexit
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

PROG = os.path.basename(sys.argv[0])
HOST = "127.0.0.1"
GRACE = 5.0  # seconds between SIGTERM and SIGKILL

_running = []  # every Process started and not yet reaped, in start order
_taken = set()  # ports handed out in this run
_work = None  # this run's folder
_starting = False  # inside start(): a signal waits until the new process is remembered
_deferred = None  # the signal that came meanwhile


class BenchError(Exception):
    """A benchmark cannot go on; `run` prints the message after the script's name and exits 1."""


def fail(message):
    raise BenchError(message)


# Ports


def free_port():
    """A free loopback port below the kernel's ephemeral range, so that no unit's outgoing
    connection (a unit dialling its upstream) can take it between now and the moment the unit
    binds it; never the same port twice in one run."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            ephemeral = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral = 32768
    low, high = 20000, max(ephemeral, 20100)
    for _ in range(10000):
        port = random.randrange(low, high)
        if port in _taken:
            continue
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
        _taken.add(port)
        return port
    fail(f"no free port in {low}-{high - 1} on {HOST}")


def wait_port(port, process=None, timeout=30.0):
    """Returns once something accepts connections on the loopback port; fails naming the port
    and the process that should listen there if it exits first or the time runs out (generous:
    on a 2-core machine busy compiling, a unit has taken more than 10 s to start)."""
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex((HOST, port)) == 0:
                return
        if process is not None and not process.running():
            fail(f"{process} exited with status {process.popen.returncode} before listening on {HOST}:{port}"
                 f"{process.log_tail()}")
        if time.monotonic() > deadline:
            who = f" (waiting for {process})" if process is not None else ""
            fail(f"nothing listens on {HOST}:{port} after {timeout:g} s{who}"
                 f"{process.log_tail() if process is not None else ''}")
        time.sleep(0.1)


# Processes


class Process:
    """A process this script started, known by its PID. Its standard error (and its standard
    output, unless `stdout` names a file of its own) goes to `log`, or to ours when log is None:
    a child never writes to a pipe nobody reads."""

    def __init__(self, name, argv, log=None, stdout=None):
        self.name, self.log, self.stdout = name, log, stdout
        err = open(log, "ab") if log else None
        out = open(stdout, "wb") if stdout else err
        try:
            self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        except OSError as error:
            fail(f"cannot start {name} ({argv[0]}): {error.strerror}")
        finally:
            for f in {err, out} - {None}:
                f.close()
        self.pid = self.popen.pid
        _running.append(self)

    def __str__(self):
        return f"{self.name} (pid {self.pid})"

    def running(self):
        return self.popen.poll() is None

    def wait(self, check=True):
        """Waits for it to end; with check, a non-zero status is an error naming it."""
        status = self.popen.wait()
        _forget(self)
        if check and status != 0:
            fail(f"{self} exited with status {status}{self.log_tail()}")
        return status

    def output(self):
        """What it wrote to its own `stdout` file."""
        with open(self.stdout) as f:
            return f.read()

    def kill(self):
        """SIGKILL, as a crash would end it, and reaps it."""
        if self.running():
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait()
        _forget(self)

    def cpu_seconds(self):
        """User plus system CPU it has used so far, from /proc/PID/stat (fields 14 and 15)."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self):
        """Its resident memory now, from /proc/PID/status (VmRSS, in KiB)."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        fail(f"{self} has no VmRSS in /proc/{self.pid}/status")

    def log_tail(self, lines=10):
        """The end of its log, for an error message."""
        if not self.log:
            return ""
        try:
            with open(self.log, errors="replace") as f:
                tail = f.read().splitlines()[-lines:]
        except OSError:
            return ""
        return f"; the end of {self.log}:\n  " + "\n  ".join(tail) if tail else f"; {self.log} is empty"


def _forget(process):
    if process in _running:
        _running.remove(process)


def start(name, argv, log=None, stdout=None):
    """Starts argv as a Process, remembered for `stop`. A signal that arrives meanwhile ends the
    run only once the process is remembered: Popen waits for the child's exec, and a child
    forked but not yet remembered would be left running."""
    global _starting
    _starting = True
    try:
        return Process(name, [str(a) for a in argv], log, stdout)
    finally:
        _starting = False
        if _deferred is not None:
            raise SystemExit(128 + _deferred)


def stop(processes=None, grace=GRACE):
    """Stops the given processes (every one still running when None), each by its PID: SIGTERM
    to all of them at once, then SIGKILL to any not gone after `grace` seconds; reaps them."""
    processes = list(_running if processes is None else processes)
    for process in processes:
        if process.running():
            process.popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.popen.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            process.popen.send_signal(signal.SIGKILL)
            process.popen.wait()
        _forget(process)


def run_command(name, argv, check=True, log=True):
    """Runs a command to its end; returns its exit status and what it printed. Its standard
    error goes to NAME.log in this run's folder, or to ours when log is False."""
    work = workdir()
    process = start(name, argv, log=os.path.join(work, f"{name}.log") if log else None,
                    stdout=os.path.join(work, f"{name}.out"))
    return process.wait(check), process.output()


def run_json(name, argv):
    """Runs a command to its end and returns the JSON it prints (echelon-bench --json)."""
    _, output = run_command(name, argv)
    try:
        return json.loads(output)
    except json.JSONDecodeError:
        fail(f"{name} printed no JSON: {output[:200]!r}")


def binary(bin_dir, name):
    """BIN_DIR/NAME, which must be an executable (a release build's products)."""
    path = os.path.join(bin_dir, name)
    if not os.access(path, os.X_OK):
        fail(f"no executable {path} (build it: swift build -c release --product {name})")
    return path


# Units


class Unit:
    """One unit's configuration file (topology.json, docs/configuration.md), with loopback ports of
    its own for switches, units and the admin API. `upstream` and `peers` are other Units. With
    `pki` (a folder that `echelon certs init` made), unit channels are mutual TLS with the unit's
    certificate from there (issued by `start` when missing); without, plain TCP. A unit's file
    lists the units below it (those created with it upstream), so create every unit of a plane
    before starting any."""

    def __init__(self, name, uid, tier, services=(), upstream=(), peers=(), pki=None):
        self.name, self.uid, self.tier = name, uid, tier
        self.services, self.upstream, self.peers = list(services), list(upstream), list(peers)
        self.pki = pki
        self.switch_port, self.unit_port, self.admin_port = free_port(), free_port(), free_port()
        self.below = []
        for unit in self.upstream:
            unit.below.append(self)

    def config(self):
        units = {"listen": f"{HOST}:{self.unit_port}"}
        for key, others in (("upstream", self.upstream), ("peers", self.peers)):
            if others:
                units[key] = [{"name": u.name, "host": HOST, "port": u.unit_port, "uid": u.uid} for u in others]
        if self.below:
            units["downstream"] = [{"name": u.name, "uid": u.uid} for u in self.below]
        if self.pki:
            units["tls"] = {"certificate": os.path.join(self.pki, f"unit-{self.uid}.pem"),
                            "key": os.path.join(self.pki, f"unit-{self.uid}-key.pem"),
                            "ca": os.path.join(self.pki, "ca.pem")}
        else:
            units["plaintext"] = True
        return {"uid": self.uid, "name": self.name, "tier": self.tier,
                "switches": {"listen": f"{HOST}:{self.switch_port}"}, "units": units,
                "admin": {"listen": f"{HOST}:{self.admin_port}"}, "services": self.services}

    def start(self, echelon, folder):
        """Writes folder/NAME.json and starts `echelon run --config` on it, logging to
        folder/NAME.log. Does not wait: callers wait for the port they need."""
        path = os.path.join(folder, f"{self.name}.json")
        if self.pki and not os.path.exists(os.path.join(self.pki, f"unit-{self.uid}.pem")):
            subprocess.run([echelon, "certs", "issue", str(self.uid), "--dir", self.pki, "--name", self.name],
                           check=True, stdout=subprocess.DEVNULL)
        with open(path, "w") as f:
            json.dump(self.config(), f, indent=1)
        return start(self.name, [echelon, "run", "--config", path, "--log-level", "error"],
                     log=os.path.join(folder, f"{self.name}.log"))

    @property
    def admin_address(self):
        """host:port of its admin API, as echelon-bench --admin and echelon --unit take it."""
        return f"{HOST}:{self.admin_port}"

    def admin(self, path, timeout=10.0):
        """GET /PATH from its admin API, decoded from JSON; fails naming the unit and the path
        when it cannot be read."""
        try:
            with urllib.request.urlopen(f"http://{self.admin_address}/{path}", timeout=timeout) as answer:
                return json.load(answer)
        except (OSError, ValueError) as error:
            fail(f"cannot read /{path} from {self.name}'s admin API at {self.admin_address}: {error}")


# Rounds and figures


def in_rounds(rounds, layouts, measure, progress=True):
    """Measures every layout once per round, one after another, so each round's layouts see the
    same minutes of a shared machine, whose other load moves a figure between minutes. Returns one {layout: measure(layout)} per round."""
    runs = []
    for r in range(1, rounds + 1):
        run = {}
        for layout in layouts:
            if progress:
                say(f"round {r} of {rounds}: {layout}")
            run[layout] = measure(layout)
        runs.append(run)
    return runs


def median(values):
    return statistics.median(list(values))


def spread(values):
    """(lowest, highest): printed beside a median so a reader sees how far the rounds agree."""
    values = list(values)
    return min(values), max(values)


# Output and arguments


def say(message):
    """Progress, on standard error, so standard output holds only the figures."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def print_json(value):
    print(json.dumps(value), flush=True)


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
        return value
    return parse


def arguments(doc, bin_dir="BIN_DIR", bin_help="the release build's products (swift build -c release --show-bin-path)",
              duration=None, rounds=None, json=False):
    """The common command line: BIN_DIR first (optional when bin_dir ends in '?'), then
    --duration S and --rounds N when given defaults, and --json. Scripts add their own."""
    parser = argparse.ArgumentParser(prog=PROG, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if bin_dir:
        optional = bin_dir.endswith("?")
        parser.add_argument("bin_dir", metavar=bin_dir.rstrip("?"), nargs="?" if optional else None, help=bin_help)
    if duration is not None:
        parser.add_argument("--duration", type=_positive(float), default=duration, metavar="S",
                            help=f"seconds measured per run (default {duration:g})")
    if rounds is not None:
        parser.add_argument("--rounds", type=_positive(int), default=rounds, metavar="N",
                            help=f"rounds, each measuring every layout once; figures are medians over them (default {rounds})")
    if json:
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    return parser


# The run


def workdir():
    """This run's folder for configurations, logs and outputs: removed at exit, kept (and named)
    when the run fails, for its logs."""
    global _work
    if _work is None:
        _work = tempfile.mkdtemp(prefix=f"echelon-{PROG}.")
    return _work


def _on_signal(number, frame):
    """SIGTERM, SIGHUP and SIGINT end the run through `run`'s cleanup (exit status 128 + N)."""
    global _deferred
    if _starting:
        _deferred = number
    else:
        raise SystemExit(128 + number)


def run(main):
    """The scripts' entry point: raises the open-file limit (1,000 emulated switches), stops
    every process it started however the run ends, and exits with main's status (1 on a
    BenchError, after printing it)."""
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        if signal.getsignal(number) is not signal.SIG_IGN:  # nohup's SIGHUP stays ignored
            signal.signal(number, _on_signal)
    atexit.register(stop)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 8192 if hard == resource.RLIM_INFINITY else min(8192, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    status = 1
    try:
        status = main() or 0
    except BenchError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
    except SystemExit as exit:  # a signal (see _on_signal)
        status = exit.code if isinstance(exit.code, int) else 1
    finally:
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(number, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
        stop()
        if _work is not None:
            if status == 0:
                shutil.rmtree(_work, ignore_errors=True)
            else:
                print(f"{PROG}: logs kept in {_work}", file=sys.stderr)
    sys.exit(status)
