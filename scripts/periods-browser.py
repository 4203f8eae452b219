#!/usr/bin/env python3
"""Browser walk-through of posting dates, periods and the import reconciliation, in headless
Chromium, on the demo province.

Usage: scripts/periods-browser.py RAIDAI_BINARY OUT_DIR
(needs `pip install selenium`, Debian chromium and chromium-driver). Seeds the demo into a new
folder and serves it; as head.11001: opens the periods page (the demo closed ten months), closes
the next month that has ended, reads the import page's reconciliation and the receivables page by
posting and by service date; as the admin: the province's periods page, reopening a month with a
reason. Saves one PNG per step in OUT_DIR and exits non-zero on any failed check.
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
work = tempfile.mkdtemp(prefix="raidai-periods-")
port = 18094
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
    d.set_window_size(1400, min(max(h, 800), 4000) + 200)
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


try:
    d = browser("head")
    login(d, "head.11001", "raidai-demo")
    d.get(base + "/units/11001/claims/periods")
    # The demo seeds the previous fiscal year; choose it.
    years = d.find_elements(By.CSS_SELECTOR, "select[name=fy] option")
    fy = years[1].get_attribute("value")
    d.get(base + f"/units/11001/claims/periods?fy={fy}")
    body = d.find_element(By.TAG_NAME, "body").text
    check(body.count("ปิดงวดแล้ว") >= 10, "ten closed months shown")
    buttons = d.find_elements(By.CSS_SELECTOR, "form[action$='/periods/close'] button")
    check(len(buttons) == 2, "the two open months of that year can be closed")
    buttons[0].click()
    body = d.find_element(By.TAG_NAME, "body").text
    check(body.count("ปิดงวดแล้ว") >= 12, "the month is closed (flash and state)")
    shot(d, "unit_periods")

    d.get(base + "/units/11001/claims")
    d.find_element(By.CSS_SELECTOR, "table a[href*='/claims/imports/']").click()
    body = d.find_element(By.TAG_NAME, "body").text
    check("กระทบยอดค่ารักษา" in body and "ยอดรวมตรงกัน" in body, "import reconciles")
    shot(d, "import_recon")

    d.get(base + f"/units/11001/receivables?fy={fy}&basis=service")
    check("สถิติบริการ" in d.find_element(By.TAG_NAME, "body").text, "service basis says so")
    shot(d, "receivables_service")
    d.get(base + "/units/11001/claims/unposted")
    body = d.find_element(By.TAG_NAME, "body").text
    check("ผู้ป่วยในที่ยังไม่จำหน่าย" in body, "admissions in hospital listed")
    shot(d, "unposted_in_hospital")
    d.quit()

    a = browser("admin")
    login(a, "admin", "raidai-admin")
    a.get(base + f"/claims/periods?fy={fy}")
    body = a.find_element(By.TAG_NAME, "body").text
    check("งวดบัญชีของทุกหน่วย" in body and "11001" in body, "province periods page")
    shot(a, "province_periods")
    a.get(base + f"/units/11001/claims/periods?fy={fy}")
    form = a.find_elements(By.CSS_SELECTOR, "form[action$='/periods/reopen']")[-1]
    form.find_element(By.NAME, "reason").send_keys("แก้ไขรายการตกหล่น")
    form.find_element(By.TAG_NAME, "button").click()
    check("เปิดงวดใหม่แล้ว" in a.find_element(By.TAG_NAME, "body").text, "admin reopened a month")
    shot(a, "unit_reopened")
    a.get(base + "/units/11001/claims/periods?fy=" + fy + "&lang=en")
    a.quit()
finally:
    server.terminate()
print("all checks passed")
