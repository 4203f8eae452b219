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
import sys

from selenium.webdriver.common.by import By

from walk import Walk

binary, out = sys.argv[1], sys.argv[2]
w = Walk(binary, out, "periods", 18094, ready_s=300, max_height=4000)
base, server, work = w.base, w.server, w.work
browser, shot, login, check, body = w.browser, w.shot, w.login, w.check, Walk.body


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
