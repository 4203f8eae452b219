#!/usr/bin/env python3
"""Signs in to a running raidai as each demo user, walks every page reachable by links
(GET only, no downloads, no sign-out) and saves each page's HTML, so two builds serving the
same demo data can be compared page by page: `crawl-pages.py BASE_URL OUT_DIR`."""
import hashlib, os, re, sys, urllib.parse, urllib.request, http.cookiejar

base, out = sys.argv[1].rstrip('/'), sys.argv[2]
USERS = ["admin", "pho", "dho.kosum", "head.11001", "rev.11001", "rev.03726"]
SKIP = re.compile(r'/logout|\.(xlsx|zip|csv|pdf|txt)$|/download|/export|/static/|/api/')
# Per-request values that differ between two runs of the same data.
VOLATILE = [re.compile(p) for p in [
    r'name="csrf[^"]*" value="[^"]*"', r'csrf[_-]token"? content="[^"]*"',
    r'\?v=[0-9a-f]+', r'\d{2}:\d{2}(:\d{2})?', r'nonce="[^"]*"',
    r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}']]
UUID = VOLATILE[-1]

def walk(user, limit=1500):
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    pw = "raidai-admin" if user == "admin" else "raidai-demo"
    data = urllib.parse.urlencode({"username": user, "password": pw}).encode()
    op.open(base + "/login", data)
    seen, todo = set(), ["/"]
    while todo and len(seen) < limit:
        path = todo.pop(0)
        if path in seen or SKIP.search(path.split('?')[0]):
            continue
        seen.add(path)
        try:
            r = op.open(base + path)
            status, ctype, body = r.status, r.headers.get("content-type", ""), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, body = e.code, e.headers.get("content-type", ""), e.read()
        if "html" not in ctype:
            continue
        text = body.decode("utf-8", "replace")
        for v in VOLATILE:
            text = v.sub("", text)
        key = UUID.sub("", path)
        name = f"{user}/" + hashlib.sha1(key.encode()).hexdigest()[:16] + ".html"
        os.makedirs(os.path.join(out, user), exist_ok=True)
        with open(os.path.join(out, name), "w") as f:
            f.write(f"<!-- {status} {key} -->\n" + text)
        for href in re.findall(r'href="(/[^"#]*)"', text):
            href = href.replace("&amp;", "&")
            if href not in seen:
                todo.append(href)
    return len(seen)

for u in USERS:
    print(u, walk(u))
