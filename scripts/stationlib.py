"""Shared by the station, center and soak tests: a PC/SC bench of its own (pcscd in private network
and mount namespaces, two vpcd slots), and a `cccd station` process whose output lines are collected
as they come, waited on, and fed IDs as a barcode scanner would."""
import os
import subprocess
import threading
import time


class Bench:
    """pcscd in its own network namespace (vpcd's ports) and mount namespace (its socket bound to
    `run_dir`, so several pcscd do not share /run/pcscd); clients reach it with `env`
    (PCSCLITE_CSOCK_NAME). Cards are `cccd sim` processes in the namespace. Every process goes to
    `started`, for the caller to stop by PID."""

    def __init__(self, ns, run_dir, bin_dir, started):
        self.ns, self.run_dir, self.bin, self.started = ns, run_dir, bin_dir, started
        os.makedirs(run_dir, exist_ok=True)
        os.chmod(run_dir, 0o755)
        os.makedirs("/run/pcscd", exist_ok=True)
        # A namespace of this name left by a run that was killed: ours by name, so it goes.
        subprocess.run(["ip", "netns", "delete", ns], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "add", ns], check=True)
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        self.env = dict(os.environ, PCSCLITE_CSOCK_NAME=f"{run_dir}/pcscd.comm")
        self.start_pcscd()

    def start_pcscd(self):
        self.pcscd = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "unshare", "--mount", "--propagation", "private", "sh", "-c",
             f"mount --bind {self.run_dir} /run/pcscd && exec pcscd -f"],
            stdout=subprocess.DEVNULL, stderr=open(f"{self.run_dir}/pcscd.log", "a"))
        self.started.append(self.pcscd)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if "Virtual PCD 00 01" in self.list_readers():
                return
            time.sleep(0.2)
        raise SystemExit(f"{self.ns}: pcscd's vpcd readers did not appear")

    def stop_pcscd(self):
        """Stops pcscd (its readers vanish for every client), by PID."""
        self.pcscd.terminate()
        try:
            self.pcscd.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.pcscd.kill()
            self.pcscd.wait()
        try:
            os.unlink(f"{self.run_dir}/pcscd.comm")
        except FileNotFoundError:
            pass

    def list_readers(self):
        return subprocess.run([os.path.join(self.bin, "cccd-read"), "--list-readers"], capture_output=True, text=True,
                              env=self.env).stdout

    def insert(self, port, card, *extra):
        sim = subprocess.Popen(["ip", "netns", "exec", self.ns, os.path.join(self.bin, "cccd"), "sim", "--vpcd",
                                f"127.0.0.1:{port}", "--card", card, *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.started.append(sim)
        return sim

    def wait_until_empty(self, reader, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if f"{reader} (no card" in self.list_readers():
                return True
            time.sleep(0.05)
        return False

    def delete(self):
        subprocess.run(["ip", "netns", "delete", self.ns])


class StationProcess:
    """`cccd station` (ARGS) in scanner mode; ready once it says it is watching its readers."""

    def __init__(self, args, env=None, started=None, ready_timeout=20):
        self.lines = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1, env=env)
        if started is not None:
            started.append(self.proc)
        threading.Thread(target=self._collect, daemon=True).start()
        if self.wait_for(lambda l: l.startswith("station: watching"), ready_timeout) is None:
            raise SystemExit("the station did not start: " + "\n".join(l for l in self.lines if l))

    def _collect(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)
            self.cond.notify_all()

    def wait_for(self, predicate, timeout, start=0):
        """The index of the first line from `start` on that satisfies `predicate`; None on timeout or exit."""
        import time
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(start, len(self.lines)):
                    if self.lines[i] is not None and predicate(self.lines[i]):
                        return i
                if None in self.lines[start:]:
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def scan(self, personal_id):
        self.proc.stdin.write(personal_id + "\n")
        self.proc.stdin.flush()


def run_test(main, started, work, namespaces=()):
    """Runs `main`, then whatever happened (an exception, SIGTERM from timeout(1) or CI) stops every
    process in `started` by PID, deletes `namespaces` and the folder `work`."""
    import shutil
    import signal
    import sys
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    try:
        main()
    finally:
        for p in started:
            if p.poll() is None:
                p.kill()
                p.wait()
        for ns in namespaces:
            subprocess.run(["ip", "netns", "delete", ns], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
