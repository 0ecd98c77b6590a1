#!/usr/bin/env python3
"""The station's dashboard in a real browser: `cccd station --dashboard` on the PC/SC bench (both
vpcd slots), headless Chromium through Selenium. Three cards pass, a tampered one fails; the page must
show each reader's state and card (record ID), the counts, the failure reason and the last failure,
and no holder's name. Screenshots: .build/screenshots/dashboard-*.png.

Usage: scripts/dashboard-test.py   (run by scripts/dashboard-test.sh, which brings up the bench)
"""
import json, os, re, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stationlib  # noqa: E402
from stationlib import StationProcess  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

BIN = os.environ["CCCD_BIN"]
NS = os.environ.get("CCCD_TESTBED_NS", "cccd-testbed")
SLOTS = [("Virtual PCD 00 00", 35963), ("Virtual PCD 00 01", 35964)]
work = tempfile.mkdtemp(prefix="cccd-dashboard-")
os.makedirs(".build/screenshots", exist_ok=True)
failures = []
STARTED = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def run(*args):
    return subprocess.run([os.path.join(BIN, args[0])] + list(args[1:]), capture_output=True, text=True)


def wait_for(predicate, what, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if predicate():
                return True
        except Exception:
            pass
        time.sleep(0.1)
    check(False, "timed out waiting for " + what)
    return False


def main():
    assert run("cccd", "pki", "init", "--out", f"{work}/pki").returncode == 0
    run("cccd", "specimen", "--out", f"{work}/spec")
    run("cccd-read", "--simulated", f"{work}/spec", "--photo", f"{work}/face.jpg")
    example = json.loads(run("cccd", "perso", "--example-record").stdout)
    ids, names = [], []
    with open(f"{work}/batch.jsonl", "w") as batch:
        for i in range(4):
            r = dict(example)
            r["personalID"] = "0794%02d%06d" % (i, 400000 + i)
            r["fullName"] = ["Phạm Thị Hồng", "Lý Văn Cường", "Đoàn Minh Châu", "Tạ Quốc Bảo"][i]
            r["photo"] = None
            json.dump(r, open(f"{work}/r{i}.json", "w"), ensure_ascii=False)
            batch.write(json.dumps(r, ensure_ascii=False) + "\n")
            ids.append(r["personalID"])
            names.append(r["fullName"])
            made = run("cccd", "perso", "--record", f"{work}/r{i}.json", "--photo", f"{work}/face.jpg", "--pki", f"{work}/pki",
                       "--out", f"{work}/card{i}")
            assert made.returncode == 0, made.stderr
    # Card 3 changed after signing: DG1's MRZ no longer matches its hash.
    with open(f"{work}/card3/DG1", "r+b") as dg1:
        dg1.seek(20)
        dg1.write(b"X")

    station = StationProcess(
        [os.path.join(BIN, "cccd"), "station", "--records", f"{work}/batch.jsonl", "--trust", f"{work}/pki/csca.pem",
         "--db", f"{work}/audit.db", "--dashboard", "127.0.0.1:0", "--lang", "vi", "--station", "qa-1"], started=STARTED)
    at = station.wait_for(lambda l: l.startswith("dashboard: open "), 20)
    assert at is not None, "no dashboard line: " + "\n".join(l for l in station.lines if l)
    url = re.search(r"http://\S+", station.lines[at]).group(0)
    print("dashboard at " + url, flush=True)

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900", f"--user-data-dir={work}/profile"]:
        options.add_argument(a)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(url)
        state = lambda reader: driver.find_element(By.CSS_SELECTOR, f'tr[data-reader="{reader}"]').get_attribute("class")
        wait_for(lambda: state(SLOTS[0][0]) == "waiting" and state(SLOTS[1][0]) == "waiting", "both readers waiting")
        check("chờ thẻ" in driver.find_element(By.ID, "readers").text, "readers: waiting, in Vietnamese")
        driver.save_screenshot(".build/screenshots/dashboard-1-waiting.png")

        def insert(slot, i):
            reader, port = slot
            mark = len(station.lines)
            station.scan(ids[i])
            sim = subprocess.Popen(["ip", "netns", "exec", NS, os.path.join(BIN, "cccd"), "sim", "--vpcd", f"127.0.0.1:{port}",
                                    "--card", f"{work}/card{i}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            STARTED.append(sim)
            # "READER: ID lần N: …" (the station speaks the dashboard's language, Vietnamese).
            done = station.wait_for(lambda l: l.startswith(f"{reader}: {ids[i]} lần "), 60, mark)
            check(done is not None, f"card {i} read on {reader}")
            return sim

        sims = [insert(SLOTS[0], 0), insert(SLOTS[1], 1)]
        wait_for(lambda: driver.find_element(By.ID, "passed").text == "2", "two passed")
        check(state(SLOTS[0][0]) == "passed" and ids[0] in driver.find_element(By.ID, "readers").text, "reader 0: passed, with the card's record ID")
        for sim in sims:
            sim.send_signal(signal.SIGKILL)
            sim.wait()
        wait_for(lambda: state(SLOTS[0][0]) == "waiting", "reader 0 waiting again after the card left")
        sims = [insert(SLOTS[0], 2), insert(SLOTS[1], 3)]
        wait_for(lambda: driver.find_element(By.ID, "failed").text == "1", "one failed")
        check(driver.find_element(By.ID, "passed").text == "3" and driver.find_element(By.ID, "total").text == "4", "counts: 3 passed of 4")
        check(state(SLOTS[1][0]) == "failed", "reader 1: failed")
        reasons = driver.find_element(By.ID, "reasons").text
        check("pa.dg-mismatch" in reasons, "failure reasons: pa.dg-mismatch counted (" + reasons.replace("\n", " | ") + ")")
        last = driver.find_element(By.ID, "failures").text
        check(ids[3] in last and "pa.dg-mismatch" in last, "last failures: the record ID and the reason")
        per_minute = driver.find_element(By.ID, "per-minute").text
        check(per_minute == "4", f"cards in the last minute: 4 ({per_minute})")
        source = driver.page_source
        check(not any(n in source for n in names), "no holder name on the page")
        driver.save_screenshot(".build/screenshots/dashboard-2-failure.png")
        for sim in sims:
            sim.send_signal(signal.SIGKILL)
            sim.wait()
    finally:
        driver.quit()
    station.proc.send_signal(signal.SIGTERM)
    try:
        station.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        check(False, "the station stops on SIGTERM")
    if failures:
        sys.exit("dashboard test: %d failure(s)" % len(failures))
    print("dashboard test passed", flush=True)


if __name__ == "__main__":
    stationlib.run_test(main, STARTED, work)
