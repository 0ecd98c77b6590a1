"""Shared by the station and center tests: a `cccd station` process whose output lines are collected
as they come, waited on, and fed IDs as a barcode scanner would."""
import subprocess
import threading


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
