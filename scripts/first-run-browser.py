#!/usr/bin/env python3
"""Browser test of the first-run setup, in headless Chromium, from an empty SQLite database.

Usage: scripts/first-run-browser.py RAIDAI_BINARY OUT_DIR
(needs `pip install selenium`, Debian chromium and chromium-driver). Migrates a new database, adds
the admin, serves it, then as the admin: sees what is missing, chooses province 44, imports the
units (the XLSX template downloaded from the page, then a CSV), imports users, and signs in as the
new provincial user. Saves one PNG per step in OUT_DIR and exits non-zero on any failed check.
"""
import os
import re
import subprocess
import sys
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from walk import chromium, fresh_database, serve, sign_in

binary, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
work, db, run = fresh_database(binary, "first-run", "fresh.db")
port = 18093
base = f"http://127.0.0.1:{port}"

run("db", "migrate")
run("user", "add", "--username", "admin", "--role", "admin", "--password", "first-admin-pass")
server = serve(binary, db, port, stderr=subprocess.DEVNULL)


def browser():
    return chromium(f"{work}/profile")


def shot(d, name):
    h = d.execute_script("return document.body.scrollHeight")
    d.set_window_size(1400, min(max(h, 800), 4000) + 200)
    d.save_screenshot(os.path.join(out, name + ".png"))
    d.set_window_size(1400, 1000)
    print("screenshot", name, "·", d.title)


def check(cond, what):
    if not cond:
        print("FAILED:", what)
        server.terminate()
        sys.exit(1)
    print("ok:", what)


def has(d, text, timeout=10):
    """Waits for `text` on the page (a submit navigates asynchronously)."""
    try:
        WebDriverWait(d, timeout).until(lambda drv: text in drv.page_source)
        return True
    except Exception:
        return False


def upload(d, page, path):
    d.get(base + page)
    d.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(path)
    d.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()


d = browser()
try:
    sign_in(d, base, "admin", "first-admin-pass")
    d.get(base + "/province")
    check("ยังตั้งค่าระบบไม่ครบ" in d.page_source, "province page says setup is not finished")
    shot(d, "01_province_missing")
    d.find_element(By.LINK_TEXT, "ไปที่หน้าตั้งค่า").click()
    shot(d, "02_setup_empty")
    Select(d.find_element(By.NAME, "province_code")).select_by_value("44")
    d.find_element(By.CSS_SELECTOR, "#province button[type=submit]").click()
    check(has(d, "โกสุมพิสัย"), "province 44 brings its districts")
    shot(d, "03_setup_province")

    # The XLSX template, as the page offers it, imported as it is (its two example rows).
    cookie = d.get_cookie("raidai_session")["value"]
    req = urllib.request.Request(base + "/setup/units-template.xlsx",
                                 headers={"Cookie": f"raidai_session={cookie}"})
    xlsx = os.path.join(work, "units-template.xlsx")
    with open(xlsx, "wb") as f:
        f.write(urllib.request.urlopen(req).read())
    upload(d, "/units/import", xlsx)
    check(has(d, "นำเข้าเรียบร้อย"), "the XLSX template imports")
    bad = os.path.join(work, "units-bad.csv")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds\n"
                "10707,โรงพยาบาลมหาสารคาม,rpt,4401,,M1,0,580\n"
                "03799,รพ.สต.ผิดอำเภอ,rpst,4499,10707,,0,0\n")
    upload(d, "/units/import", bad)
    check(has(d, "ไม่พบอำเภอที่ระบุ"), "a bad line is named")
    shot(d, "04_units_error")
    good = os.path.join(work, "units.csv")
    with open(good, "w", encoding="utf-8") as f:
        f.write("hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds\n"
                "10707,โรงพยาบาลมหาสารคาม,rpt,4401,,M1,0,580\n"
                "03701,รพ.สต.บ้านแก่งเลิงจาน,rpst,4401,10707,,0,0\n")
    upload(d, "/units/import", good)
    check(has(d, "นำเข้าเรียบร้อย") and "03701" in urllib.request.urlopen(urllib.request.Request(base + "/api/v1/units", headers={"Cookie": f"raidai_session={cookie}"})).read().decode(), "units imported")
    shot(d, "05_units_imported")

    users = os.path.join(work, "users.csv")
    with open(users, "w", encoding="utf-8") as f:
        f.write("username,display_name,role,scope_code,password\n"
                "pho.fin,งานการเงิน สสจ.มหาสารคาม,province,44,province-pass-1\n"
                "dho.kosum,สสอ.โกสุมพิสัย,district,4403,\n"
                "rev.11001,งานจัดเก็บรายได้ รพ.,unit_revenue,11001,\n")
    upload(d, "/setup", users)
    check(has(d, "สร้างผู้ใช้แล้ว"), "users imported")
    generated = re.findall(r"<code>([A-Za-z0-9]{16})</code>", d.page_source)
    check(len(generated) == 2, "two generated passwords shown")
    shot(d, "06_users_created")
    d.get(base + "/setup")
    check("ตั้งค่าครบแล้ว" in d.page_source and generated[0] not in d.page_source,
          "setup complete, passwords not shown again")
    shot(d, "07_setup_complete")
    d.get(base + "/province")
    check("ยังตั้งค่าระบบไม่ครบ" not in d.page_source, "province page no longer warns")
    shot(d, "08_province_done")
finally:
    d.quit()

d = browser()
try:
    sign_in(d, base, "dho.kosum", generated[0])
    d.get(base + "/units")
    check(has(d, "11001") and "10707" not in d.page_source, "district user sees its district")
    shot(d, "09_district_units")
finally:
    d.quit()
    server.terminate()
print("first-run browser test passed")
