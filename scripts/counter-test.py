#!/usr/bin/env python3
"""The counter page in a real browser, through pcscd.

Headless Chromium (Debian's chromium and chromium-driver) driven by Selenium opens `cccd counter`,
which serves a vpcd reader of the test bench (scripts/testbed.sh up --empty). The virtual card is
put on the reader and taken off by starting and stopping `cccd sim` in the bench's namespace, by PID.

States checked, each with a screenshot in .build/screenshots/counter-*.png:
  waiting for a card; the CAN form; GENUINE with the photo and the name in Vietnamese; the screen
  cleared when the card leaves; a wrong CAN; a card pulled mid-read (the error, never the previous
  holder); a tampered card (NOT GENUINE).
Also: the page's token and Host checks, and that the counter's log holds neither the CAN nor a name.

Usage: scripts/counter-test.py BIN_DIR WORK_DIR   (run by scripts/counter-test.sh)
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

BIN, WORK = sys.argv[1], sys.argv[2]
NS = os.environ.get("CCCD_TESTBED_NS", "cccd-testbed")
SHOTS = ".build/screenshots"
CAN = "001234"
NAME = "Trần Thị Ngọc Ánh"
os.makedirs(SHOTS, exist_ok=True)
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


class Card:
    """`cccd sim` in the bench's namespace: the card on the reader until stopped."""

    def __init__(self, image, *extra):
        self.log = open(os.path.join(WORK, "sim.log"), "a")
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", NS, os.path.join(BIN, "cccd"), "sim", "--vpcd", "127.0.0.1:35963", "--card", image, *extra],
            stdout=self.log, stderr=self.log)

    def remove(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def wait_for(driver, predicate, what, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if predicate():
                return True
        except Exception:
            pass
        time.sleep(0.1)
    check(False, "timed out waiting for " + what + " (state " + state(driver) + ")")
    return False


def state(driver):
    return driver.find_element(By.TAG_NAME, "body").get_attribute("data-state") or ""


def shot(driver, name):
    path = os.path.join(SHOTS, "counter-" + name + ".png")
    driver.save_screenshot(path)
    print("     screenshot " + path, flush=True)


def page_text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def type_key(driver, can):
    field = driver.find_element(By.ID, "can")
    field.clear()
    field.send_keys(can)
    driver.find_element(By.ID, "read").click()


# The counter, on a free loopback port.
counter_log = open(os.path.join(WORK, "counter.log"), "w")
counter = subprocess.Popen(
    [os.path.join(BIN, "cccd"), "counter", "--listen", "127.0.0.1:0", "--lang", "vi", "--reader", "Virtual PCD 00 00",
     "--trust", "TestVectors/pki/csca.pem"],
    stdout=subprocess.PIPE, stderr=counter_log, text=True)
line = counter.stdout.readline()
match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
if not match:
    counter.kill()
    sys.exit("the counter did not start: " + line + open(os.path.join(WORK, "counter.log")).read())
port = match.group(1)
url = "http://127.0.0.1:" + port + "/"
print("counter at " + url + " (pid " + str(counter.pid) + ")", flush=True)

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1500", "--lang=vi-VN",
                 "--user-data-dir=" + os.path.join(WORK, "profile")]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
card = None
try:
    driver.get(url)
    wait_for(driver, lambda: state(driver) == "waiting", "the waiting screen")
    check("Đặt thẻ CCCD lên đầu đọc" in page_text(driver), "waiting: asks for the card, in Vietnamese")
    check("Virtual PCD 00 00" in page_text(driver), "waiting: lists the readers")
    shot(driver, "1-waiting")

    # 1. Genuine: the card on the reader, the CAN typed, the verdict with the photo and the name.
    card = Card(os.path.join(WORK, "specimen"))
    wait_for(driver, lambda: state(driver) == "card", "the CAN form")
    check(driver.find_element(By.ID, "can").is_displayed(), "card: the CAN field is shown")
    shot(driver, "2-card")
    type_key(driver, CAN)
    wait_for(driver, lambda: state(driver) == "result", "the verdict")
    banner = driver.find_element(By.ID, "verdict")
    check("genuine" in banner.get_attribute("class").split(), "genuine: the banner is the genuine one")
    check("THẺ HỢP LỆ" in banner.text, "genuine: the verdict in Vietnamese (" + banner.text.splitlines()[0] + ")")
    photo = driver.find_element(By.ID, "photo")
    check(driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", photo) == 120,
          "genuine: the photo is shown (120 px wide)")
    fields = driver.find_element(By.ID, "fields").text
    check(NAME in fields and "Họ, chữ đệm và tên" in fields, "genuine: the name under its Vietnamese label (as the card prints it)")
    check("Số định danh cá nhân" in fields and "079195001234" in fields, "genuine: the personal ID under its label")
    check(driver.find_element(By.ID, "can").get_attribute("value") == "", "genuine: the CAN is gone from the form")
    report_link = driver.find_element(By.ID, "save")
    check(report_link.get_attribute("href").startswith("blob:"), "genuine: the report is offered from memory (blob:)")
    shot(driver, "3-genuine")

    # 2. The card leaves: the screen clears, nothing about the holder stays in the page.
    card.remove()
    wait_for(driver, lambda: state(driver) == "waiting", "the cleared screen")
    check(NAME not in driver.page_source and "079195001234" not in driver.page_source, "removed: no holder data left in the page")
    check(len(driver.find_elements(By.ID, "photo")) == 0, "removed: the photo is gone")
    shot(driver, "4-cleared")

    # 3. A wrong CAN.
    card = Card(os.path.join(WORK, "specimen"))
    wait_for(driver, lambda: state(driver) == "card", "the CAN form (wrong CAN)")
    type_key(driver, "999999")
    wait_for(driver, lambda: state(driver) == "failed", "the wrong-CAN error")
    failure = driver.find_element(By.ID, "failure").text
    check("thẻ từ chối khóa truy cập" in failure, "wrong CAN: the card refused the key, in Vietnamese")
    check("kiểm tra số CAN" in failure, "wrong CAN: what to do")
    shot(driver, "5-wrong-can")
    card.remove()
    wait_for(driver, lambda: not driver.find_element(By.ID, "try-again").is_displayed(), "the error without a card")

    # 4. Read once (the holder shown), then a card pulled out mid-read: the error, never the previous holder.
    card = Card(os.path.join(WORK, "specimen"))
    wait_for(driver, lambda: state(driver) == "card", "the CAN form (before the pulled card)")
    type_key(driver, CAN)
    wait_for(driver, lambda: state(driver) == "result", "the verdict before the pulled card")
    card.remove()
    wait_for(driver, lambda: state(driver) == "waiting", "the cleared screen before the pulled card")
    card = Card(os.path.join(WORK, "specimen"), "--remove-after", "40")
    wait_for(driver, lambda: state(driver) == "card", "the CAN form (pulled card)")
    type_key(driver, CAN)
    wait_for(driver, lambda: state(driver) == "failed", "the pulled-card error")
    failure = driver.find_element(By.ID, "failure").text
    check("thẻ đã rời đầu đọc" in failure, "pulled: the card left the reader, in Vietnamese")
    check(NAME not in driver.page_source and len(driver.find_elements(By.ID, "photo")) == 0,
          "pulled: the previous holder is not shown")
    shot(driver, "6-pulled")
    card.remove()
    # The desk looks at the readers five times a second: let it see the card go before the next one.
    wait_for(driver, lambda: not driver.find_element(By.ID, "try-again").is_displayed(), "the error without a card (pulled)")

    # 5. A tampered card: DG1 changed after signing.
    card = Card(os.path.join(WORK, "tampered"))
    wait_for(driver, lambda: state(driver) == "card", "the CAN form (tampered)")
    type_key(driver, CAN)
    wait_for(driver, lambda: state(driver) == "result", "the tampered card's verdict")
    banner = driver.find_element(By.ID, "verdict")
    check("not-genuine" in banner.get_attribute("class").split(), "tampered: the banner is the not-genuine one")
    check("KHÔNG HỢP LỆ" in banner.text, "tampered: NOT GENUINE in Vietnamese")
    shot(driver, "7-not-genuine")
    card.remove()
    wait_for(driver, lambda: state(driver) == "waiting", "the cleared screen after the tampered card")
    card = None

    # The guards: no token, a wrong token, another Host (DNS rebinding).
    def post(path, headers):
        request = urllib.request.Request(url + path.lstrip("/"), data=b'{"can":"001234"}', headers=headers, method="POST")
        try:
            return urllib.request.urlopen(request, timeout=5).status
        except urllib.error.HTTPError as e:
            return e.code
    check(post("/read", {"Content-Type": "application/json"}) == 403, "a read without the page's token is refused (403)")
    check(post("/read", {"X-Counter-Token": "0" * 64}) == 403, "a read with a wrong token is refused (403)")
    check(post("/clear", {"Host": "evil.example:" + port}) == 421, "another Host is refused (421)")
    headers = urllib.request.urlopen(url, timeout=5).headers
    check(headers.get("Cache-Control") == "no-store", "pages are not cached (Cache-Control: no-store)")
finally:
    if card:
        card.remove()
    driver.quit()
    counter.send_signal(signal.SIGTERM)
    try:
        counter.wait(timeout=10)
    except subprocess.TimeoutExpired:
        counter.kill()
        check(False, "the counter stops on SIGTERM")
    counter_log.close()

log = open(os.path.join(WORK, "counter.log"), encoding="utf-8").read()
print("counter log:\n" + log, flush=True)
check(CAN not in log and "999999" not in log, "the counter's log holds no CAN")
check(NAME not in log and "079195001234" not in log and "TRAN" not in log, "the counter's log holds no holder data")
if failures:
    sys.exit("counter test: %d failure(s): %s" % (len(failures), "; ".join(failures)))
print("counter test: every state passed")
