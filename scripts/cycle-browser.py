#!/usr/bin/env python3
"""Browser walk-through of the claim cycle in headless Chromium, on the demo.

Usage: scripts/cycle-browser.py RAIDAI_BINARY OUT_DIR
(needs `pip install selenium`, Debian chromium and chromium-driver). Seeds the demo (which runs a
year of batches, REP and Statements per unit) and serves it; as rev.11001: the batch list and a
batch, the returns and one REP's lines, a month's REP and Statement files uploaded together (a
new batch and its synthetic returns made with the CLI on the served database), the C / Deny worklist (writes one Deny off with a reason),
aging; as pho: the province roll-up. Saves one PNG per step; exits non-zero on a failed check.
"""
import os
import subprocess
import sys

from selenium.webdriver.common.by import By

from walk import Walk

binary, out = sys.argv[1], sys.argv[2]
w = Walk(binary, out, "cycle", 18096, ready_s=600, max_height=3000)
base, server, work = w.base, w.server, w.work
browser, shot, login, check, body = w.browser, w.shot, w.login, w.check, Walk.body


try:
    d = browser("rev")
    login(d, "rev.11001", "raidai-demo")
    d.get(base + "/units/11001/claims/batches")
    b = body(d)
    check("สร้างชุดข้อมูลเบิก" in b, "batch list with the build form")
    shot(d, "batches")
    d.find_element(By.CSS_SELECTOR, "table a[href*='/claims/batches/']").click()
    check("INS.txt" in body(d), "batch detail lists its files")
    shot(d, "batch")
    d.get(base + "/units/11001/claims/returns")
    check("REP" in body(d) and "STM" in body(d), "returns listed")
    shot(d, "returns")
    d.find_element(By.CSS_SELECTOR, "table a[href*='/claims/returns/']").click()
    shot(d, "return_lines")
    # A new batch and its returns, then every file in one upload (REPs first, then statements).
    db = f"sqlite://{work}/raidai-demo.db"
    made = subprocess.run([binary, "claim", "batch", "--unit", "11001", "--fund", "UC,OFC,LGO,SSS",
                           "--from", "20251001", "--to", "20260930", "--include-blocked",
                           "--out", f"{work}/batch.zip", "--database", db],
                          check=True, capture_output=True, text=True)
    no = made.stdout.split("batch ", 1)[1].split()[0]  # "batch N of unit …"
    ret = f"{work}/returns"
    gen = subprocess.run([binary, "claim", "gen-returns", "--unit", "11001", "--batch", no,
                          "--seed", "7", "--out", ret, "--database", db],
                         check=True, capture_output=True, text=True)
    files = sorted(os.path.join(ret, f) for f in os.listdir(ret))
    check(len(files) >= 4, f"{len(files)} return files generated")
    d.get(base + "/units/11001/claims/returns")
    d.find_element(By.CSS_SELECTOR, "input[type=file][name=file]").send_keys("\n".join(files))
    d.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()
    b = body(d)
    check(all(os.path.basename(f) in b for f in files) and "ไม่ได้นำเข้า" not in b,
          "every uploaded file imported and listed")
    shot(d, "returns_multi")
    d.get(base + "/units/11001/claims/worklist")
    b = body(d)
    check("Deny" in b or "ติด C" in b, "worklist has C / Deny")
    shot(d, "worklist")
    d.get(base + "/units/11001/claims/aging")
    check("ระยะเวลาเก็บหนี้" in body(d), "aging and collection period")
    shot(d, "aging")
    d.get(base + "/units/11001/claims/aging")
    d.quit()
    p = browser("pho")
    login(p, "pho", "raidai-demo")
    p.get(base + "/claims/cycle")
    check("ผลการเบิกจ่ายรายหน่วย" in body(p), "province roll-up")
    shot(p, "rollup")
    p.get(base + "/lang/en")
    p.get(base + "/claims/cycle")
    shot(p, "rollup_en")
    p.quit()
finally:
    server.terminate()
