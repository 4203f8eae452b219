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
from selenium.webdriver.support.ui import WebDriverWait


def chromium(profile):
    """Headless Chromium (Debian's, with its chromedriver) on the profile folder `profile`."""
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for f in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--window-size=1400,1000", f"--user-data-dir={profile}"]:
        o.add_argument(f)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def fresh_database(binary, name, db_file):
    """A new folder holding the SQLite database `db_file`: (folder, database URL, run), where
    run(*args) runs a raidai command on that database (output captured, raises on failure)."""
    work = tempfile.mkdtemp(prefix=f"raidai-{name}-")
    db = f"sqlite://{work}/{db_file}"

    def run(*args):
        subprocess.run([binary, *args, "--database", db], check=True, capture_output=True)

    return work, db, run


def serve(binary, db, port, **popen_args):
    """`raidai serve` on `db` at 127.0.0.1:`port`, once /healthz answers (waits about 10 s at most)."""
    server = subprocess.Popen([binary, "serve", "--database", db, "--bind", f"127.0.0.1:{port}"],
                              **popen_args)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz")
            break
        except OSError:
            time.sleep(0.1)
    return server


def sign_in(d, base, user, password):
    """Signs in through the login page and waits until it has moved on."""
    d.get(base + "/login")
    d.find_element(By.NAME, "username").send_keys(user)
    d.find_element(By.NAME, "password").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(d, 10).until(lambda drv: "/login" not in drv.current_url)


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
        return chromium(f"{self.work}/profile-{name}")

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
