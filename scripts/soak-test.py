#!/usr/bin/env python3
"""A day at the station: one `cccd station` over CARDS insertions (default 10,000) on both vpcd slots of
a bench of its own, with faults mixed in: cards pulled out mid-read (then put back), slow chips, and
pcscd restarted (every reader vanishes and returns) every quarter of the run.

Every SAMPLE cards (default 500) the station's resident memory, open file descriptors and threads are
sampled from /proc and printed as a table; they must stay flat after warm-up. Every insertion the
station finished must have exactly one audit row (none lost, none counted twice), and the chain must
verify (`cccd audit verify`).

The cards: RECORDS personalized cards (default 40), each inserted many times (a new attempt each time).
Usage: scripts/soak-test.py   (run by scripts/soak-test.sh as root; CARDS=400 SAMPLE=100 for CI)
"""
import json, os, signal, sqlite3, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stationlib  # noqa: E402
from stationlib import StationProcess  # noqa: E402

BIN = os.environ["CCCD_BIN"]
CARDS = int(os.environ.get("CARDS", "10000"))
SAMPLE = int(os.environ.get("SAMPLE", "500"))
RECORDS = int(os.environ.get("RECORDS", "40"))
SLOTS = [("Virtual PCD 00 00", 35963), ("Virtual PCD 00 01", 35964)]
work = tempfile.mkdtemp(prefix="cccd-soak-")
STARTED = []
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message, flush=True)


def run(*args):
    return subprocess.run([os.path.join(BIN, args[0])] + list(args[1:]), capture_output=True, text=True)


def proc_status(pid):
    fields = {}
    for line in open(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    rss_mb = int(fields["VmRSS"].split()[0]) / 1024
    threads = int(fields["Threads"])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss_mb, fds, threads


def main():
    assert run("cccd", "pki", "init", "--out", f"{work}/pki").returncode == 0
    run("cccd", "specimen", "--out", f"{work}/spec")
    run("cccd-read", "--simulated", f"{work}/spec", "--photo", f"{work}/face.jpg")
    example = json.loads(run("cccd", "perso", "--example-record").stdout)
    ids = []
    with open(f"{work}/batch.jsonl", "w") as batch:
        for i in range(RECORDS):
            r = dict(example)
            r["personalID"] = "0795%02d%06d" % (i % 100, 500000 + i)
            r["photo"] = None
            json.dump(r, open(f"{work}/r{i}.json", "w"), ensure_ascii=False)
            batch.write(json.dumps(r, ensure_ascii=False) + "\n")
            ids.append(r["personalID"])
            made = run("cccd", "perso", "--record", f"{work}/r{i}.json", "--photo", f"{work}/face.jpg", "--pki", f"{work}/pki",
                       "--out", f"{work}/card{i}")
            assert made.returncode == 0, made.stderr
    bench = stationlib.Bench(f"cccd-soak-{os.getpid()}", f"{work}/bench", BIN, STARTED)
    try:
        soak(bench, ids)
    finally:
        bench.delete()


def soak(bench, ids):
    station = StationProcess(
        [os.path.join(BIN, "cccd"), "station", "--records", f"{work}/batch.jsonl", "--trust", f"{work}/pki/csca.pem",
         "--db", f"{work}/audit.db", "--cards", str(CARDS), "--station", "soak", "--lang", "en"], env=bench.env, started=STARTED)
    pid = station.proc.pid
    lock = threading.Lock()
    state = {"next": 0, "finished": 0, "pulled": 0, "slow": 0, "pcscd": 0, "paused": False, "busy": 0}
    pause = threading.Condition(lock)
    scan_lock = threading.Lock()
    samples = []
    restarts = {CARDS * q // 4 for q in (1, 2, 3)} if CARDS >= 40 else set()
    start = time.monotonic()

    def insert(slot, n):
        """Insertion n (card n % RECORDS) in `slot`; returns True when the station logged it."""
        reader, port = slot
        i = n % RECORDS
        extra = []
        fault = None
        if n % 97 == 13:
            extra, fault = ["--remove-after", "30"], "pulled"
        elif n % 89 == 7:
            extra, fault = ["--hostile", "select:slow", "--hostile-delay", "0.5"], "slow"
        # One operator scans and inserts at a time: the scanner is shared, and the station gives the
        # next scanned ID to the next card it sees.
        with scan_lock:
            mark = len(station.lines)
            station.scan(ids[i])
            sim = bench.insert(port, f"{work}/card{i}", *extra)
            picked = station.wait_for(lambda l: l == f"{reader}: reading {ids[i]}", 60, mark)
        done = picked is not None and station.wait_for(lambda l: l.startswith(f"{reader}: {ids[i]} attempt "), 60, picked) is not None
        sim.send_signal(signal.SIGKILL)
        sim.wait()
        if not bench.wait_until_empty(reader):
            check(False, f"{reader} still shows a card after insertion {n}")
        with lock:
            if fault and done:
                state[fault] += 1
        return done

    def operator(slot):
        while True:
            with pause:
                while state["paused"]:
                    pause.wait()
                if state["next"] >= CARDS:
                    return
                n = state["next"]
                state["next"] += 1
                state["busy"] += 1
            ok = insert(slot, n)
            with pause:
                state["busy"] -= 1
                pause.notify_all()
                if ok:
                    state["finished"] += 1
                else:
                    check(False, f"insertion {n} in {slot[0]}: no row")
                finished = state["finished"]
            if ok and finished % SAMPLE == 0 and finished < CARDS:
                rss, fds, threads = proc_status(pid)
                samples.append((finished, rss, fds, threads, time.monotonic() - start))
                print(f"soak: {finished:6d} cards  rss {rss:6.1f} MB  fds {fds:3d}  threads {threads:3d}  {time.monotonic() - start:7.1f} s", flush=True)
            if ok and finished in restarts:
                restarts.discard(finished)
                with pause:
                    state["paused"] = True
                    while state["busy"]:
                        pause.wait()
                bench.stop_pcscd()
                time.sleep(1)
                bench.start_pcscd()
                state["pcscd"] += 1
                print(f"soak: pcscd restarted after {finished} cards (every reader gone and back)", flush=True)
                with pause:
                    state["paused"] = False
                    pause.notify_all()

    workers = [threading.Thread(target=operator, args=(slot,)) for slot in SLOTS]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - start
    end = station.wait_for(lambda l: l.startswith("summary:"), 60)
    try:
        station.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        check(False, "the station did not stop after --cards")
        station.proc.kill()

    db = sqlite3.connect(f"{work}/audit.db")
    rows = db.execute("SELECT COUNT(*) FROM audit_rows").fetchone()[0]
    keys = db.execute("SELECT COUNT(DISTINCT seq) FROM audit_rows").fetchone()[0]
    errors = db.execute("SELECT COUNT(*) FROM audit_rows WHERE verdict = 'error'").fetchone()[0]
    genuine = db.execute("SELECT COUNT(*) FROM audit_rows WHERE verdict = 'genuine'").fetchone()[0]
    other = rows - errors - genuine
    db.close()
    logged = sum(1 for l in station.lines if l and " attempt " in l)
    check(rows == state["finished"] == logged, f"{rows} audit rows, {state['finished']} insertions finished, {logged} logged lines")
    check(keys == rows, f"{rows - keys} rows counted twice")
    check(other == 0, f"{other} cards neither genuine nor a read error")
    verified = run("cccd", "audit", "verify", "--db", f"{work}/audit.db")
    check(verified.returncode == 0, "audit verify: " + verified.stdout + verified.stderr)
    check(state["pcscd"] == len({CARDS * q // 4 for q in (1, 2, 3)}) if CARDS >= 40 else True, "pcscd was not restarted")
    check(state["pulled"] > 0 and state["slow"] > 0, "no pulled card or no slow chip")

    print("soak: table (cards, resident MB, open fds, threads, seconds)", flush=True)
    print("| cards | RSS (MB) | fds | threads | seconds |", flush=True)
    print("|---:|---:|---:|---:|---:|", flush=True)
    for n, rss, fds, threads, t in samples:
        print(f"| {n} | {rss:.1f} | {fds} | {threads} | {t:.0f} |", flush=True)
    if len(samples) >= 3:
        base = samples[1]   # after warm-up
        last = samples[-1]
        check(last[1] - base[1] < max(10.0, base[1] * 0.15), f"resident memory grew from {base[1]:.1f} to {last[1]:.1f} MB")
        check(abs(last[2] - base[2]) <= 3, f"open file descriptors went from {base[2]} to {last[2]}")
        check(abs(last[3] - base[3]) <= 2, f"threads went from {base[3]} to {last[3]}")
    print(f"soak: {state['finished']} insertions in {elapsed:.0f} s ({state['finished'] * 60 / elapsed:.1f} per minute): "
          f"{genuine} genuine, {errors} read errors (of {state['pulled']} cards pulled mid-read), {state['slow']} slow chips, "
          f"pcscd restarted {state['pcscd']} times; {rows} audit rows, none twice; chain intact", flush=True)
    if failures:
        sys.exit(f"soak: {len(failures)} failure(s)")
    print("soak test passed", flush=True)


if __name__ == "__main__":
    stationlib.run_test(main, STARTED, work)
