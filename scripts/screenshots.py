#!/usr/bin/env python3
"""Screenshots of raidai pages in headless Chromium, for a person to look at.

Usage: scripts/screenshots.py BASE_URL OUT_DIR  (needs `pip install selenium`, Debian chromium
and chromium-driver). Signs in as the demo users and saves one PNG per page.
"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, out = sys.argv[1].rstrip("/"), sys.argv[2]
os.makedirs(out, exist_ok=True)


def browser():
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for f in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--window-size=1400,1000", "--user-data-dir=/tmp/raidai-shots-profile"]:
        o.add_argument(f)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def login(d, user, pw):
    d.get(base + "/login")
    d.find_element(By.NAME, "username").send_keys(user)
    d.find_element(By.NAME, "password").send_keys(pw)
    d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(d, 10).until(lambda drv: "/login" not in drv.current_url)


def shot(d, path, name, full=True):
    d.get(base + path)
    if full:
        h = d.execute_script("return document.body.scrollHeight")
        d.set_window_size(1400, min(max(h, 800), 4000) + 200)  # headless viewport is shorter than the window
    d.save_screenshot(os.path.join(out, name + ".png"))
    d.set_window_size(1400, 1000)
    print(name, d.title)


pages = {
    None: [("/login", "login"), ("/no-such-page", "not_found")],
    ("pho", "raidai-demo"): [("/province", "province"), ("/units", "units"), ("/districts/4403", "district"),
                             ("/units/11001", "unit_hospital"), ("/governance", "governance_dashboard"),
                             ("/claims/rollup", "claims_rollup"), ("/claims/posting-map", "posting_map"),
                             ("/governance/inspections", "inspections"),
                             ("/governance/inspections/44/2569/1", "inspection_plan"),
                             ("/governance/inspections/44/2569/1/places/pho", "inspection_place_pho"),
                             ("/governance/inspections/44/2569/1/report", "inspection_report"),
                             ("/governance/pho/44/4p/2569/1", "pho_paper"),
                             ("/governance/pho/44/4p/2569/1/print", "pho_paper_print")],
    ("admin", "raidai-admin"): [("/admin/users", "users"), ("/admin/audit", "audit"), ("/units/new", "unit_new"),
                                ("/reference/accounts", "accounts")],
    ("rev.11001", "raidai-demo"): [("/units/11001/claims", "claims_imports"), ("/units/11001/visits", "visits"),
                                   ("/units/11001/receivables", "receivables"), ("/units/11001/finance", "finance"),
                                   ("/units/11001/assessments", "assessments"),
                                   ("/units/11001/assessments/2569/1/rc", "form_4s4c"),
                                   ("/units/11001/assessments/2569/1/rc/print", "form_4s4c_print"),
                                   ("/units/11001/assessments/2569/1/4p", "form_4p"), ("/units/11001/assessments/2569/1/4p/print", "form_4p_print"),
                                   ("/units/11001/planfin/2569", "planfin"),
                                   ("/units/11001/tps/2569/4", "tps"), ("/units/11001/tps/2567/1", "tps_no_data"),
                                   ("/units/11001/claims/worklist", "cdeny_worklist")],
    ("rev.03726", "raidai-demo"): [("/", "rpst_home"), ("/units/03701", "rpst_other_unit")],
}
for who, paths in pages.items():
    d = browser()
    try:
        if who:
            login(d, *who)
        for p, name in paths:
            shot(d, p, name)
    finally:
        d.quit()
