#!/usr/bin/env python3
"""Browser check of the pages that read the read models, in headless Chromium.

Usage: scripts/pages-browser.py BASE_URL OUT_DIR
(a server already running on a province such as `raidai bench pages` builds; needs selenium,
Debian chromium and chromium-driver). As rev.11001: the visit list pages forward by its keyset
cursor and back to the first page, the receivables page; as pho: the province roll-ups. Saves one
PNG per step; exits non-zero on a failed check.
"""
import os
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

base, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
work = tempfile.mkdtemp(prefix="raidai-pages-")


def browser(name):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for f in ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--window-size=1400,1000", f"--user-data-dir={work}/profile-{name}"]:
        o.add_argument(f)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def shot(d, name):
    h = d.execute_script("return document.body.scrollHeight")
    d.set_window_size(1400, min(max(h, 800), 2400) + 200)
    d.save_screenshot(os.path.join(out, name + ".png"))


def login(d, user, password):
    d.get(base + "/login")
    d.find_element(By.NAME, "username").send_keys(user)
    d.find_element(By.NAME, "password").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def check(cond, what):
    if not cond:
        print("FAILED:", what)
        sys.exit(1)
    print("ok:", what)


def body(d):
    return d.find_element(By.TAG_NAME, "body").text


d = browser("rev")
login(d, "rev.11001", "raidai-demo")
d.get(base + "/units/11001/visits")
b = body(d)
check("แสดงรายการที่ 1–100" in b, "first page of visits, rows 1–100")
shot(d, "visits-first")
first_rows = [e.text for e in d.find_elements(By.CSS_SELECTOR, "table tbody tr")][:3]
d.find_element(By.LINK_TEXT, "ถัดไป").click()
b = body(d)
check("แสดงรายการที่ 101–200" in b, "next page by the keyset cursor, rows 101–200")
second_rows = [e.text for e in d.find_elements(By.CSS_SELECTOR, "table tbody tr")][:3]
check(first_rows != second_rows, "the second page shows other visits")
shot(d, "visits-next")
d.find_element(By.LINK_TEXT, "หน้าแรก").click()
check("แสดงรายการที่ 1–100" in body(d), "back to the first page")
d.get(base + "/units/11001/receivables")
check("รายการบันทึก (สุทธิ)" in body(d), "receivables with net entries")
shot(d, "receivables")
d.quit()

p = browser("pho")
login(p, "pho", "raidai-demo")
p.get(base + "/claims/rollup")
check("11001" in body(p), "province roll-up lists the units")
shot(p, "rollup")
p.get(base + "/claims/cycle")
shot(p, "cycle")
p.quit()
print("done")
