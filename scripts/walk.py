"""Shared set-up of the browser walk-throughs: the demo served from a new folder, headless
Chromium, full-page screenshots, sign-in and checks that stop the walk on the first failure."""
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


class Walk:
    def __init__(self, binary, out, name, port, ready_s=300, max_height=3000):
        os.makedirs(out, exist_ok=True)
        self.out = out
        self.max_height = max_height
        self.work = tempfile.mkdtemp(prefix=f"raidai-{name}-")
        self.base = f"http://127.0.0.1:{port}"
        self.server = subprocess.Popen(
            [binary, "demo", "--data-dir", self.work, "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + ready_s
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz")
                break
            except OSError:
                time.sleep(0.25)

    def browser(self, name):
        o = webdriver.ChromeOptions()
        o.binary_location = "/usr/bin/chromium"
        for f in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1000", f"--user-data-dir={self.work}/profile-{name}"]:
            o.add_argument(f)
        return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)

    def shot(self, d, name):
        h = d.execute_script("return document.body.scrollHeight")
        d.set_window_size(1400, min(max(h, 800), self.max_height) + 200)
        d.save_screenshot(os.path.join(self.out, name + ".png"))

    def login(self, d, user, password):
        d.get(self.base + "/login")
        d.find_element(By.NAME, "username").send_keys(user)
        d.find_element(By.NAME, "password").send_keys(password)
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        for _ in range(200):  # the next page must have loaded (and the cookie be set) first
            if "/login" not in d.current_url:
                break
            time.sleep(0.05)

    def check(self, cond, what):
        if not cond:
            print("FAILED:", what)
            self.server.terminate()
            sys.exit(1)
        print("ok:", what)

    @staticmethod
    def body(d):
        return d.find_element(By.TAG_NAME, "body").text
