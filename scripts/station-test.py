#!/usr/bin/env python3
"""The QA station on a bench of readers, end to end through pcscd and vpcd.

Personalizes N cards (default 40) from generated records with Vietnamese names and long addresses,
then runs `cccd station` (scanner mode) on both vpcd slots while two "operators" scan an ID and
insert the matching virtual card into their slot, in a random order, concurrently. Half way through
the batch the station is killed (SIGKILL) while it reads a card, restarted, and the interrupted card
inserted again. Checks: every record ends genuine; the audit log holds exactly one row per insertion
the station finished (and never a row for anything else); the rows written before the kill are
intact; the hash chain verifies (`cccd audit verify`). Prints perso time per card and station throughput in cards per minute.

Run by scripts/station-test.sh (which brings up an empty test bench); needs root for the namespace.
"""
import json, os, random, signal, sqlite3, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stationlib  # noqa: E402
from stationlib import StationProcess  # noqa: E402

BIN = os.environ["CCCD_BIN"]
NS = os.environ["CCCD_TESTBED_NS"]
COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 40
SEED = int(os.environ.get("STATION_SEED", time.time_ns() % 100000))
SLOTS = [("Virtual PCD 00 00", 35963), ("Virtual PCD 00 01", 35964)]
TIMEOUT = 60  # seconds for any one card; the whole run is bounded by COUNT * TIMEOUT

work = tempfile.mkdtemp(prefix="cccd-station-")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message, flush=True)


def run(*args, **kw):
    return subprocess.run([os.path.join(BIN, args[0])] + list(args[1:]), capture_output=True, text=True, **kw)


def setup():
    assert run("cccd", "pki", "init", "--out", f"{work}/pki").returncode == 0
    assert run("cccd", "specimen", "--out", f"{work}/spec").returncode == 0
    run("cccd-read", "--simulated", f"{work}/spec", "--photo", f"{work}/face.jpg")
    example = json.loads(run("cccd", "perso", "--example-record").stdout)
    surnames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
    given = ["Thị Hồng Nhung", "Văn Đức", "Quốc Đạt", "Thị Bích Ngọc", "Minh Khôi", "Thị Ánh Tuyết", "Hữu Phước"]
    ids = []
    with open(f"{work}/batch.jsonl", "w") as batch:
        for i in range(COUNT):
            r = dict(example)
            r["personalID"] = "0791%02d%06d" % (i % 100, 200000 + i)
            r["fullName"] = surnames[i % len(surnames)] + " " + given[i % len(given)]
            r["placeOfResidence"] = ("Tổ dân phố số %d, Phường Hòa Khánh Bắc, Quận Liên Chiểu, Thành phố Đà Nẵng, "
                                     "gần chợ Hòa Khánh và trường Đại học Bách khoa" % (i + 1))
            r["photo"] = None
            json.dump(r, open(f"{work}/r{i}.json", "w"), ensure_ascii=False)
            batch.write(json.dumps(r, ensure_ascii=False) + "\n")
            ids.append(r["personalID"])
    start = time.monotonic()
    for i in range(COUNT):
        made = run("cccd", "perso", "--record", f"{work}/r{i}.json", "--photo", f"{work}/face.jpg",
                   "--pki", f"{work}/pki", "--out", f"{work}/card{i}")
        assert made.returncode == 0, made.stderr
    return ids, (time.monotonic() - start) / COUNT


def Station():
    """`cccd station` in scanner mode on this bench's audit file."""
    return StationProcess(
        [os.path.join(BIN, "cccd"), "station", "--records", f"{work}/batch.jsonl", "--trust", f"{work}/pki/csca.pem",
         "--db", f"{work}/audit.db"], started=STARTED, ready_timeout=15)


def insert_card(port, i):
    """Card i in the vpcd slot at `port`: a `cccd sim` in the bench's namespace, until it is killed."""
    sim = subprocess.Popen(["ip", "netns", "exec", NS, os.path.join(BIN, "cccd"), "sim", "--vpcd", f"127.0.0.1:{port}",
                            "--card", f"{work}/card{i}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    STARTED.append(sim)
    return sim


def wait_until_empty(reader):
    """Until pcscd shows no card in `reader` (a card pulled out takes pcscd a moment to notice)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        listing = run("cccd-read", "--list-readers").stdout
        if f"{reader} (no card" in listing:
            return True
        time.sleep(0.05)
    check(False, f"{reader} still shows a card 10 s after it was pulled out")
    return False


def rows():
    db = sqlite3.connect(f"{work}/audit.db")
    try:
        return db.execute("select seq, record_id, attempt, reader, verdict, reasons from audit_rows order by seq").fetchall()
    finally:
        db.close()


def main():
    ids, perso_seconds = setup()
    print(f"perso: {COUNT} cards, {perso_seconds * 1000:.0f} ms per card", flush=True)
    order = list(range(COUNT))
    random.Random(SEED).shuffle(order)
    print(f"insertion order (seed {SEED}): {order}", flush=True)

    queue = list(order)
    scan_lock = threading.Lock()   # one operator scans and inserts at a time: the scanner is shared
    state = {"station": Station(), "finished": 0, "paused": False}
    pause = threading.Condition()
    insertions = []                # (card index, reader) for every finished insertion

    def insert(slot, i):
        """Scan card i's ID, insert it in `slot`, wait for the station's row, remove it. Returns True
        when the station finished it."""
        reader, port = slot
        station = state["station"]
        mark = len(station.lines)
        with scan_lock:
            station.scan(ids[i])
            sim = insert_card(port, i)
            picked = station.wait_for(lambda l: l == f"{reader}: reading {ids[i]}", TIMEOUT, mark)
        done = picked is not None and station.wait_for(
            lambda l: l.startswith(f"{reader}: {ids[i]} attempt "), TIMEOUT, picked) is not None
        sim.send_signal(signal.SIGKILL)
        sim.wait()
        wait_until_empty(reader)
        return done

    def operator(slot):
        while True:
            with pause:
                while state["paused"]:
                    pause.wait()
                if not queue:
                    return
                i = queue.pop(0)
            if insert(slot, i):
                with pause:
                    insertions.append((i, slot[0]))
                    state["finished"] += 1
            else:
                check(False, f"card {i} ({ids[i]}) in {slot[0]}: no row from the station")
                return

    start = time.monotonic()
    # First half, both slots at once.
    half = COUNT // 2
    queue, rest = queue[:half], queue[half:]
    workers = [threading.Thread(target=operator, args=(slot,)) for slot in SLOTS]
    for w in workers: w.start()
    for w in workers: w.join()
    before = rows()
    check(len(before) == len(insertions), f"{len(before)} rows for {len(insertions)} insertions before the kill")

    # Kill the station while it reads the next card; restart; insert that card again.
    victim = rest[0]
    station = state["station"]
    mark = len(station.lines)
    station.scan(ids[victim])
    sim = insert_card(SLOTS[0][1], victim)
    check(station.wait_for(lambda l: l.endswith(f"reading {ids[victim]}"), TIMEOUT, mark) is not None,
          "the station did not start reading the card it was killed on")
    station.proc.send_signal(signal.SIGKILL)
    station.proc.wait()
    sim.send_signal(signal.SIGKILL)
    sim.wait()
    wait_until_empty(SLOTS[0][0])
    after_kill = rows()
    check(after_kill[:len(before)] == before, "rows written before the kill changed")
    check(len(after_kill) in (len(before), len(before) + 1), "the killed read left more than one row")
    if len(after_kill) == len(before) + 1:
        insertions.append((victim, SLOTS[0][0]))  # it finished in the instant before the kill

    glitches = [l for l in station.lines if l and ("reading again" in l or "retrying" in l)]
    state["station"] = Station()
    queue[:] = rest
    workers = [threading.Thread(target=operator, args=(slot,)) for slot in SLOTS]
    for w in workers: w.start()
    for w in workers: w.join()
    elapsed = time.monotonic() - start
    end = state["station"].wait_for(lambda l: l.startswith("summary:"), 30)
    try:
        state["station"].proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        check(False, "the station did not end when every record had passed")
        state["station"].proc.kill()
    summary = state["station"].lines[end] if end is not None else "(no summary)"

    final = rows()
    check(final[:len(before)] == before, "rows written before the kill changed after the restart")
    check(len(final) == len(insertions), f"{len(final)} rows for {len(insertions)} finished insertions")
    by_id = {}
    for row in final:
        by_id.setdefault(row[1], []).append(row)
    check(set(by_id) == set(ids), f"{len(set(ids) - set(by_id))} records without a row")
    for pid, rs in by_id.items():
        check([r[2] for r in rs] == list(range(1, len(rs) + 1)), f"{pid}: attempts {[r[2] for r in rs]}")
        check(rs[-1][4] == "genuine", f"{pid}: {rs[-1][4]} {rs[-1][5]}")
    check(all(r[5] == "" for r in final if r[4] == "genuine"), "a genuine row gives reasons")
    readers = {r[3] for r in final}
    check(len(readers) == 2, f"rows from readers {sorted(readers)}, not both slots")
    check(summary.startswith(f"summary: {COUNT} passed, 0 failed, 0 pending"), summary)
    verified = run("cccd", "audit", "verify", "--db", f"{work}/audit.db")
    check(verified.returncode == 0 and "every chain intact" in verified.stdout, "audit verify: " + verified.stdout + verified.stderr)
    print(f"station: {len(final)} rows for {len(insertions)} insertions of {COUNT} cards on {len(SLOTS)} slots, "
          f"killed once mid-read and restarted; {summary}", flush=True)
    print(f"station: {COUNT} cards in {elapsed:.1f} s = {COUNT * 60 / elapsed:.1f} cards per minute "
          f"(two slots, each card scanned, inserted, read, verified, logged and removed)", flush=True)
    glitches += [l for l in state["station"].lines if l and ("reading again" in l or "retrying" in l)]
    for line in glitches:
        print("station said: " + line, flush=True)
    if failures:
        print(f"{len(failures)} station check(s) failed", flush=True)
        sys.exit(1)
    print("station test passed", flush=True)


STARTED = []  # every process this script starts, killed by PID at the end whatever happens


if __name__ == "__main__":
    stationlib.run_test(main, STARTED, work)
