#!/usr/bin/env python3
"""Browser walk-through of the Data Audit and the Authen page, in headless Chromium, on the demo.

Usage: scripts/audit-browser.py RAIDAI_BINARY OUT_DIR
(needs `pip install selenium`, Debian chromium and chromium-driver). Seeds the demo and serves
it; as rev.11001: the worklist, filtered to one rule, a visit with findings (accepts one with a
reason), the Authen page; as pho: the province's clean-visit and Authen coverage page and the
rule catalogue. Saves one PNG per step and exits non-zero on any failed check.
"""
import sys

from selenium.webdriver.common.by import By

from walk import Walk

binary, out = sys.argv[1], sys.argv[2]
w = Walk(binary, out, "audit", 18095, ready_s=300, max_height=3000)
base, server, work = w.base, w.server, w.work
browser, shot, login, check, body = w.browser, w.shot, w.login, w.check, Walk.body


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
