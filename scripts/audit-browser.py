#!/usr/bin/env python3
"""Browser walk-through of the Data Audit and the Authen page, in headless Chromium, on the demo.

Usage: scripts/audit-browser.py RAIDAI_BINARY OUT_DIR
(needs `pip install selenium`, Debian chromium and chromium-driver). Seeds the demo and serves
it; as rev.11001: the worklist, filtered to one rule, a visit with findings (accepts one with a
reason), the Authen page; as pho: the province's clean-visit and Authen coverage page and the
rule catalogue. Saves one PNG per step and exits non-zero on any failed check.
"""
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

binary, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
work = tempfile.mkdtemp(prefix="raidai-audit-")
port = 18095
base = f"http://127.0.0.1:{port}"
server = subprocess.Popen([binary, "demo", "--data-dir", work, "--bind", f"127.0.0.1:{port}"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(1200):
    try:
        urllib.request.urlopen(base + "/healthz")
        break
    except OSError:
        time.sleep(0.25)


def browser(name):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for f in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--window-size=1400,1000", f"--user-data-dir={work}/profile-{name}"]:
        o.add_argument(f)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def shot(d, name):
    h = d.execute_script("return document.body.scrollHeight")
    d.set_window_size(1400, min(max(h, 800), 3000) + 200)
    d.save_screenshot(os.path.join(out, name + ".png"))


def login(d, user, password):
    d.get(base + "/login")
    d.find_element(By.NAME, "username").send_keys(user)
    d.find_element(By.NAME, "password").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def check(cond, what):
    if not cond:
        print("FAILED:", what)
        server.terminate()
        sys.exit(1)
    print("ok:", what)


def body(d):
    return d.find_element(By.TAG_NAME, "body").text


try:
    d = browser("rev")
    login(d, "rev.11001", "raidai-demo")
    d.get(base + "/units/11001/audit")
    b = body(d)
    check("ตรวจสอบข้อมูลก่อนส่งเบิก" in b and "AUTH01" in b, "worklist with AUTH01")
    shot(d, "worklist")
    d.get(base + "/units/11001/audit?rule=AUTH01")
    d.find_element(By.CSS_SELECTOR, "table a[href*='/visits/']").click()
    b = body(d)
    check("ข้อตรวจพบของรายการนี้" in b and "AUTH01" in b, "visit page lists its findings")
    shot(d, "visit_findings")
    form = d.find_elements(By.CSS_SELECTOR, "form[action$='/audit/accept']")[0]
    form.find_element(By.NAME, "reason").send_keys("ผู้ป่วยยืนยันตัวตนด้วยบัตรแล้ว รอรหัสจาก สปสช.")
    form.find_element(By.TAG_NAME, "button").click()
    check("ยอมรับแล้ว" in body(d), "finding accepted with a reason")
    d.get(base + "/units/11001/authen")
    check("ตรวจสอบ Authen Code กับ สปสช." in body(d), "Authen page")
    shot(d, "authen")
    d.quit()

    p = browser("pho")
    login(p, "pho", "raidai-demo")
    years = None
    p.get(base + "/claims/audit")
    opts = p.find_elements(By.CSS_SELECTOR, "select[name=fy] option")
    p.get(base + "/claims/audit?fy=" + opts[1].get_attribute("value"))
    b = body(p)
    check("คุณภาพข้อมูลก่อนส่งเบิกรายหน่วย" in b and "11001" in b, "province clean rate and Authen coverage")
    shot(p, "province_audit")
    p.get(base + "/claims/audit-rules")
    check("LATE01" in body(p) and "998" in body(p), "rule catalogue")
    shot(p, "rules")
    p.quit()
finally:
    server.terminate()
print("all checks passed")
