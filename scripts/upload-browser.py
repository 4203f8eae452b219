#!/usr/bin/env python3
"""Browser test of a large 16-file upload, in headless Chromium.

Usage: scripts/upload-browser.py RAIDAI_BINARY ZIP OUT_DIR
(needs `pip install selenium`, Debian chromium and chromium-driver). Sets up a fresh SQLite
installation (province 44, unit 11001, user rev.11001), serves it, uploads ZIP through the import
page, watches the upload progress and then the import job's progress to the end, and reports the
server's peak memory (VmHWM). Saves screenshots in OUT_DIR; exits non-zero on a failed check.
"""
import os
import sys
import time

from selenium.webdriver.common.by import By

from walk import chromium, fresh_database, serve, sign_in

binary, zip_path, out = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
work, db, run = fresh_database(binary, "upload", "upload.db")
port = 18094
base = f"http://127.0.0.1:{port}"

run("db", "migrate")
run("setup", "province", "44")
units = os.path.join(work, "units.csv")
with open(units, "w", encoding="utf-8") as f:
    f.write("hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds\n"
            "11001,โรงพยาบาลโกสุมพิสัย,rpch,4403,,F1,0,120\n")
run("units", "import", units)
run("user", "add", "--username", "rev.11001", "--role", "unit_revenue", "--scope", "11001",
    "--password", "revenue-pass-1")
server = serve(binary, db, port, stderr=open(os.path.join(work, "server.log"), "w"),
               env={**os.environ, "RAIDAI_LOG": "info,sqlx=warn"})


def peak_rss_mb():
    with open(f"/proc/{server.pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return -1


def fail(what):
    print("FAILED:", what)
    server.terminate()
    sys.exit(1)


d = chromium(f"{work}/profile")
try:
    sign_in(d, base, "rev.11001", "revenue-pass-1")
    d.get(base + "/units/11001/claims")
    size_mb = os.path.getsize(zip_path) / 1e6
    print(f"uploading {size_mb:.1f} MB")
    # A hospital LAN, not loopback: 100 Mbit/s up, so the upload's own progress bar is seen.
    d.set_network_conditions(offline=False, latency=2, download_throughput=12_500_000,
                             upload_throughput=12_500_000)
    d.find_element(By.CSS_SELECTOR, "input[name=files]").send_keys(zip_path)
    started = time.time()
    d.find_element(By.CSS_SELECTOR, "form[data-upload-progress] button[type=submit]").click()
    seen_upload, shot_upload = set(), False
    while "/claims/jobs/" not in d.current_url:
        if time.time() - started > 600:
            fail("upload did not finish in 10 minutes")
        try:
            txt = d.find_element(By.CSS_SELECTOR, ".upload-status span").text
        except Exception:
            txt = ""
        if txt:
            seen_upload.add(txt.split("%")[0])
            pct = int(txt.split("%")[0].split()[-1]) if "%" in txt else 0
            if not shot_upload and 20 <= pct <= 80:
                d.save_screenshot(os.path.join(out, "upload_progress.png"))
                shot_upload = True
        time.sleep(0.2)
    upload_s = time.time() - started
    print(f"upload done in {upload_s:.1f} s; progress states seen: {len(seen_upload)}")
    phases, shot_job = set(), False
    while True:
        state = d.find_element(By.CSS_SELECTOR, ".job").get_attribute("data-state")
        phases.add(d.find_element(By.CSS_SELECTOR, ".job p").text)
        if state == "running" and not shot_job and "บันทึกและตั้งลูกหนี้" in d.page_source:
            d.save_screenshot(os.path.join(out, "job_running.png"))
            shot_job = True
        if state in ("done", "failed"):
            break
        if time.time() - started > 1800:
            fail("import did not finish in 30 minutes")
        time.sleep(1)
        d.refresh()
    total_s = time.time() - started
    d.save_screenshot(os.path.join(out, "job_done.png"))
    print("job", state, f"after {total_s:.1f} s; phases seen:", sorted(phases))
    print("server peak RSS (VmHWM):", peak_rss_mb(), "MB")
    if state != "done":
        fail("job failed: " + d.find_element(By.CSS_SELECTOR, ".job").text)
    d.find_element(By.LINK_TEXT, "ดูผลการนำเข้า").click()
    d.save_screenshot(os.path.join(out, "import_detail.png"))
finally:
    d.quit()
    server.terminate()
print("large-upload browser test passed")
