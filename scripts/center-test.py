#!/usr/bin/env python3
"""A personalization center in one test (the DSC's key in a SoftHSM2 token): STATIONS QA stations (default 4), each with its own pcscd and
two vpcd slots in its own network and mount namespaces, on one PostgreSQL audit.

CARDS cards (default 200) are personalized and spread over the stations; at every slot an "operator"
scans a card's ID and inserts it (a `cccd sim` in the station's namespace, stopped by PID). Mid-run
PostgreSQL is restarted once (the stations keep reading and journal their rows) and one station is
killed (SIGKILL) while it reads a card, restarted, and the card inserted again.

Checks: every record ends genuine; PostgreSQL holds exactly one row per insertion a station finished
(CARDS plus the retries), the same rows as the stations' journals; `cccd audit verify` passes, and
names the row after one is edited by hand and after one is deleted; `cccd audit report` counts match.
Prints cards per minute per station and in total, rows per second into PostgreSQL, and p50/p99 of
the insert-to-verdict time.

Usage: scripts/center-test.py URL PG_DIR   (run by scripts/center-test.sh, as root)
"""
import json, os, random, signal, sqlite3, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stationlib  # noqa: E402
from stationlib import StationProcess  # noqa: E402

BIN = os.environ["CCCD_BIN"]
URL, PG_DIR = sys.argv[1], sys.argv[2]
STATIONS = int(os.environ.get("STATIONS", "4"))
CARDS = int(os.environ.get("CARDS", "200"))
SEED = int(os.environ.get("CENTER_SEED", time.time_ns() % 100000))
SLOTS = [("Virtual PCD 00 00", 35963), ("Virtual PCD 00 01", 35964)]
TIMEOUT = 60
work = tempfile.mkdtemp(prefix="cccd-center-")
failures = []
STARTED = []       # every process started here, killed by PID at the end whatever happens
NAMESPACES = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message, flush=True)


def run(*args, env=None, **kw):
    return subprocess.run([os.path.join(BIN, args[0])] + list(args[1:]), capture_output=True, text=True,
                          env=env, **kw)


def psql(sql):
    out = subprocess.run(["psql", URL, "-At", "-c", sql], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def Bench(k):
    """Station k's readers: its own pcscd in its own namespaces (stationlib.Bench)."""
    bench = stationlib.Bench(f"cccd-center-{os.getpid()}-{k}", f"{work}/bench{k}", BIN, STARTED)
    NAMESPACES.append(bench.ns)
    return bench


def Station(k, bench):
    """`cccd station` for bench k, on the PostgreSQL audit through its own journal."""
    return StationProcess(
        [os.path.join(BIN, "cccd"), "station", "--records", f"{work}/batch{k}.jsonl", "--trust", f"{work}/pki/csca.pem",
         "--db", URL, "--journal", f"{work}/journal{k}.sqlite", "--station", f"station-{k}", "--operator", f"operator-{k}",
         "--batch", "center-test"], env=bench.env, started=STARTED)


HSM_URI = "pkcs11:token=center-dsc;object=dsc?module-path=/usr/lib/softhsm/libsofthsm2.so"


def setup():
    # The DSC's key lives in a SoftHSM2 token of this test; every EF.SOD is signed there.
    os.makedirs(f"{work}/tokens")
    with open(f"{work}/softhsm2.conf", "w") as conf:
        conf.write(f"directories.tokendir = {work}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = f"{work}/softhsm2.conf"
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "center-dsc", "--pin", "1357924", "--so-pin", "86420135"],
                   check=True, capture_output=True)
    with open(f"{work}/pin", "w") as pin:
        pin.write("1357924\n")
    made = run("cccd", "pki", "init", "--out", f"{work}/pki", "--pkcs11", HSM_URI, "--pin-file", f"{work}/pin")
    assert made.returncode == 0, made.stderr
    assert not os.path.exists(f"{work}/pki/dsc.key"), "a DSC key file was written"
    assert run("cccd", "specimen", "--out", f"{work}/spec").returncode == 0
    run("cccd-read", "--simulated", f"{work}/spec", "--photo", f"{work}/face.jpg")
    example = json.loads(run("cccd", "perso", "--example-record").stdout)
    ids = []
    batches = [open(f"{work}/batch{k}.jsonl", "w") for k in range(STATIONS)]
    for i in range(CARDS):
        r = dict(example)
        r["personalID"] = "0792%02d%06d" % (i % 100, 300000 + i)
        surnames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"]
        given = ["Văn An", "Thị Bình", "Quốc Cường", "Thị Dung", "Minh Đức", "Thị Hà", "Hữu Khang", "Thị Lan", "Đức Minh"]
        r["fullName"] = f"{surnames[i % len(surnames)]} {given[(i // len(surnames)) % len(given)]}"
        r["photo"] = None
        json.dump(r, open(f"{work}/r{i}.json", "w"), ensure_ascii=False)
        batches[i % STATIONS].write(json.dumps(r, ensure_ascii=False) + "\n")
        ids.append(r["personalID"])
    for b in batches:
        b.close()
    start = time.monotonic()
    for i in range(CARDS):
        made = run("cccd", "perso", "--record", f"{work}/r{i}.json", "--photo", f"{work}/face.jpg", "--pki", f"{work}/pki",
                   "--signer", HSM_URI, "--pin-file", f"{work}/pin", "--out", f"{work}/card{i}")
        assert made.returncode == 0, made.stderr
    return ids, (time.monotonic() - start) / CARDS


def main():
    ids, perso = setup()
    print(f"center: {CARDS} cards personalized, EF.SOD signed in a SoftHSM2 token, {perso * 1000:.0f} ms per card; "
          f"{STATIONS} stations x {len(SLOTS)} slots", flush=True)
    benches = [Bench(k) for k in range(STATIONS)]
    stations = [Station(k, benches[k]) for k in range(STATIONS)]
    queues = {k: [i for i in range(CARDS) if i % STATIONS == k] for k in range(STATIONS)}
    for k in queues:
        random.Random(SEED + k).shuffle(queues[k])
    lock = threading.Lock()
    finished = []              # (station, card) for every insertion a station finished
    done_count = [0]
    events = {"pg_restarted": False, "killed": False}
    scan_locks = {k: threading.Lock() for k in range(STATIONS)}
    # A station's operators pause (finishing the card in hand) while it is killed and restarted.
    pause = threading.Condition(lock)
    paused = {k: False for k in range(STATIONS)}
    busy = {k: 0 for k in range(STATIONS)}

    def insert(k, slot, i):
        reader, port = slot
        station = stations[k]
        with scan_locks[k]:
            mark = len(station.lines)
            station.scan(ids[i])
            sim = benches[k].insert(port, f"{work}/card{i}")
            picked = station.wait_for(lambda l: l == f"{reader}: reading {ids[i]}", TIMEOUT, mark)
        ok = picked is not None and station.wait_for(lambda l: l.startswith(f"{reader}: {ids[i]} attempt "), TIMEOUT, picked) is not None
        sim.send_signal(signal.SIGKILL)
        sim.wait()
        if not benches[k].wait_until_empty(reader):
            check(False, f"{benches[k].ns}: {reader} still shows a card 10 s after it was pulled out")
        return ok

    def operator(k, slot):
        while True:
            with pause:
                while paused[k]:
                    pause.wait()
                if not queues[k]:
                    return
                i = queues[k].pop(0)
                busy[k] += 1
            ok = insert(k, slot, i)
            with pause:
                busy[k] -= 1
                pause.notify_all()
            if ok:
                with lock:
                    finished.append((k, i))
                    done_count[0] += 1
                    n = done_count[0]
                if n == int(CARDS * 0.3) and not events["pg_restarted"]:
                    events["pg_restarted"] = True
                    # Down for 3 seconds while the operators go on: the stations journal their rows.
                    t = time.monotonic()
                    subprocess.run(["scripts/postgres.sh", "stop", PG_DIR], check=True, capture_output=True)
                    time.sleep(3)
                    port = open(f"{PG_DIR}/port").read().strip()
                    subprocess.run(["scripts/postgres.sh", "start", PG_DIR, port], check=True, capture_output=True)
                    print(f"center: PostgreSQL stopped after {n} cards and started again {time.monotonic() - t:.1f} s later", flush=True)
            else:
                check(False, f"station {k}: card {i} ({ids[i]}) in {slot[0]}: no row")
                with lock:
                    queues[k].insert(0, i)   # tried again below, after the kill's restart if that is what it was
                return

    start = time.monotonic()
    workers = [threading.Thread(target=operator, args=(k, slot)) for k in range(STATIONS) for slot in SLOTS]
    for w in workers:
        w.start()
    # One station killed while it reads: its operators pause, the card in the reader is the victim.
    victim_station = 1 % STATIONS
    while done_count[0] < int(CARDS * 0.55) and any(w.is_alive() for w in workers):
        time.sleep(0.1)
    with pause:
        paused[victim_station] = True
        while busy[victim_station]:
            pause.wait()
        victim = queues[victim_station].pop(0) if queues[victim_station] else None
    if victim is not None:
        with scan_locks[victim_station]:
            station = stations[victim_station]
            mark = len(station.lines)
            station.scan(ids[victim])
            sim = benches[victim_station].insert(SLOTS[0][1], f"{work}/card{victim}")
            check(station.wait_for(lambda l: l.endswith(f"reading {ids[victim]}"), TIMEOUT, mark) is not None,
                  "the station to kill did not start reading")
            station.proc.send_signal(signal.SIGKILL)
            station.proc.wait()
            logged = station.wait_for(lambda l: l.startswith(f"{SLOTS[0][0]}: {ids[victim]} attempt "), 0.1, mark) is not None
            sim.send_signal(signal.SIGKILL)
            sim.wait()
            check(benches[victim_station].wait_until_empty(SLOTS[0][0]), "the victim's reader did not empty")
            # What the journal holds decides whether the read was finished before the kill.
            stations[victim_station] = Station(victim_station, benches[victim_station])
            with pause:
                queues[victim_station].insert(0, victim)
                paused[victim_station] = False
                pause.notify_all()
            events["killed"] = True
            print(f"center: station-{victim_station} killed mid-read and restarted (row written before the kill: {logged})", flush=True)
    else:
        with pause:
            paused[victim_station] = False
            pause.notify_all()
    for w in workers:
        w.join()
    # Operators whose station died mid-insert gave up: finish their queues.
    rest = [threading.Thread(target=operator, args=(k, slot)) for k in range(STATIONS) for slot in SLOTS if queues[k]]
    for w in rest:
        w.start()
    for w in rest:
        w.join()
    elapsed = time.monotonic() - start
    summaries = []
    for k, s in enumerate(stations):
        end = s.wait_for(lambda l: l.startswith("summary:"), 60)
        summaries.append(s.lines[end] if end is not None else "(no summary)")
        try:
            s.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            check(False, f"station {k} did not end")
            s.proc.kill()
    for k, line in enumerate(summaries):
        check(line.startswith(f"summary: {len([i for i in range(CARDS) if i % STATIONS == k])} passed, 0 failed, 0 pending"),
              f"station {k}: {line}")

    # The audit: PostgreSQL against the journals, the chains, the report.
    total = int(psql("SELECT COUNT(*) FROM audit_rows"))
    records = int(psql("SELECT COUNT(DISTINCT record_id) FROM audit_rows"))
    genuine_last = int(psql("SELECT COUNT(*) FROM (SELECT DISTINCT ON (record_id) verdict FROM audit_rows "
                            "ORDER BY record_id, station, seq DESC) t WHERE verdict = 'genuine'"))
    journals = []
    for k in range(STATIONS):
        db = sqlite3.connect(f"{work}/journal{k}.sqlite")
        journals.append(db.execute("SELECT COUNT(*) FROM audit_rows").fetchone()[0])
        db.close()
    retries = total - CARDS
    check(records == CARDS, f"{records} records in the audit, {CARDS} cards")
    check(genuine_last == CARDS, f"{genuine_last} records end genuine of {CARDS}")
    check(total == sum(journals), f"{total} rows in PostgreSQL, {sum(journals)} in the journals")
    check(total >= CARDS, f"{total} rows for {CARDS} cards")
    journal_args = sum((["--journal", f"{work}/journal{k}.sqlite"] for k in range(STATIONS)), [])
    verified = run("cccd", "audit", "verify", "--db", URL, *journal_args)
    check(verified.returncode == 0 and "every chain intact" in verified.stdout, "audit verify: " + verified.stdout + verified.stderr)
    report = run("cccd", "audit", "report", "--db", URL, "--csv")
    check(report.returncode == 0, report.stderr)
    csv_rows = [l.split(",") for l in report.stdout.splitlines() if l.startswith("station,")]
    check(sum(int(r[2]) for r in csv_rows) == total, "the report's row count differs from the audit's")
    check(sum(int(r[3]) for r in csv_rows) == CARDS, "the report's record count differs")
    millis = sorted(int(x) for x in psql("SELECT millis FROM audit_rows WHERE verdict = 'genuine'").split())
    p50 = millis[len(millis) // 2]
    p99 = millis[min(len(millis) - 1, int(len(millis) * 0.99))]

    # Tampering: an edited row, then a deleted one, each named.
    psql("UPDATE audit_rows SET verdict = 'not-genuine' WHERE station = 'station-0' AND seq = 3")
    edited = run("cccd", "audit", "verify", "--db", URL)
    check(edited.returncode == 1 and "station station-0, row 3" in edited.stdout, "edited row not named: " + edited.stdout)
    psql("UPDATE audit_rows SET verdict = 'genuine' WHERE station = 'station-0' AND seq = 3")
    other = f"station-{STATIONS - 1}"
    last = psql(f"SELECT MAX(seq) FROM audit_rows WHERE station = '{other}'")
    psql(f"DELETE FROM audit_rows WHERE station = '{other}' AND seq = {last}")
    deleted = run("cccd", "audit", "verify", "--db", URL, *journal_args)
    check(deleted.returncode == 1 and f"station {other}, row {last}" in deleted.stdout, "deleted last row not named: " + deleted.stdout)
    psql("DELETE FROM audit_rows WHERE station = 'station-0' AND seq = 5")
    gap = run("cccd", "audit", "verify", "--db", URL)
    check(gap.returncode == 1 and "station station-0, row 6" in gap.stdout, "deleted middle row not named: " + gap.stdout)

    # Rows per second into PostgreSQL, in a database of its own (the bench writes a chain of its own).
    psql("CREATE DATABASE audit_bench")
    bench_url = URL.rsplit("/", 1)[0] + "/audit_bench"
    run("cccd", "audit", "migrate", "--db", bench_url)
    bench = run("cccd", "audit", "bench", "--db", bench_url, "--rows", "5000")
    check(bench.returncode == 0, bench.stderr)
    per_station = CARDS / STATIONS * 60 / elapsed
    print(f"center: {CARDS} cards on {STATIONS} stations in {elapsed:.1f} s: {CARDS * 60 / elapsed:.1f} cards per minute in total, "
          f"{per_station:.1f} per station; {total} rows ({retries} retries) in PostgreSQL = the journals' {sum(journals)}; "
          f"insert-to-verdict p50 {p50} ms, p99 {p99} ms; {bench.stdout.strip()}", flush=True)
    print("center: audit verify: " + verified.stdout.strip(), flush=True)
    print("center: edited row: " + edited.stdout.strip().splitlines()[0], flush=True)
    print("center: deleted last row: " + deleted.stdout.strip().splitlines()[0], flush=True)
    check(events["pg_restarted"], "PostgreSQL was not restarted")
    lost = [l for st in stations for l in st.lines if l and "central store unreachable" in l]
    back = [l for st in stations for l in st.lines if l and "central store back" in l]
    print(f"center: {len(lost)} station(s) said the audit was unreachable, {len(back)} that it was back", flush=True)
    check(len(lost) >= 1 and len(back) >= 1, "no station journaled rows while PostgreSQL was down")
    check(events["killed"], "no station was killed")
    if failures:
        print(f"{len(failures)} center check(s) failed", flush=True)
        sys.exit(1)
    print("center test passed", flush=True)


if __name__ == "__main__":
    stationlib.run_test(main, STARTED, work, NAMESPACES)
