#!/usr/bin/env python3
"""Build crates/domain/data/geography.tsv (Thai provinces and districts) from the npm package
@bilions/thailand-address 2.0.1 (licence ISC, as declared in its package.json).

Usage:
    mkdir -p /tmp/geo && cd /tmp/geo && npm pack @bilions/thailand-address@2.0.1
    tar xzf bilions-thailand-address-2.0.1.tgz        # gives ./package/
    python3 scripts/geography-from-npm.py /tmp/geo/package [--out PATH] [--raw]

PACKAGE_DIR is the extracted tarball's `package/` folder (or the folder that holds it).
--out  defaults to crates/domain/data/geography.tsv next to this script's repository.
--raw  writes the package's values as they are (only the mechanical clean-up below), without
       the FIXES table; the checks that the raw data fails are then reported, not fatal.

Python 3.11, standard library only. See crates/domain/data/geography.SOURCE.md.

What it does:
  * reads dist/address/provinces.js and dist/address/districts.js (CommonJS modules whose
    exported value is a JSON array literal) and ignores sub_districts.js;
  * province: code (2 digits), name_in_thai, name_in_english;
    district: code (4 digits), province (via province_id -> the province's code),
    name_in_thai, name_in_english;
  * mechanical clean-up: strips a leading "เขต" / "อำเภอ" / "กิ่งอำเภอ" from Thai names
    (the package writes Bangkok's khet as "เขต พระนคร"), collapses runs of white space;
  * drops non-current district rows if any: a name marked with "*" or a district number
    (last two digits) above 50, the pattern DOPA-derived lists use for abolished districts and
    sub-area entries (e.g. 1081, 2081). This package version has none (0 rows dropped);
  * applies FIXES: each corrects one field of one row, and first checks that the package still
    holds the old value (so a new package version fails loudly instead of being silently
    patched). Sources for each fix are in geography.SOURCE.md;
  * checks the result and writes the TSV: header `kind code parent name_th name_en`,
    provinces by code, then districts by code, UTF-8, LF line ends.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

PACKAGE_NAME = "@bilions/thailand-address"
PACKAGE_VERSION = "2.0.1"

# (kind, code in the package, field, value in the package, corrected value, why)
FIXES: list[tuple[str, str, str, str, str, str]] = [
    # --- code ---
    ("district", "4026", "code", "4026", "4029",
     "DOPA code of Wiang Kao (Khon Kaen) is 4029; 4026-4028 are unused"),
    # --- Thai names ---
    ("district", "3801", "name_th", "บึงกาฬ", "เมืองบึงกาฬ", "official name is อำเภอเมืองบึงกาฬ"),
    ("district", "4906", "name_th", "ว่านใหญ่", "หว้านใหญ่", "official spelling"),
    ("district", "9310", "name_th", "ป่าพยอม", "ป่าพะยอม", "official spelling"),
    ("district", "9508", "name_th", "กรงปีนัง", "กรงปินัง", "official spelling"),
    # --- English: the package gives another district's name ---
    ("district", "3117", "name_en", "Non Din Daeng", "Non Suwan", "name of 3120"),
    ("district", "3801", "name_en", "Bueng Kan", "Mueang Bueng Kan", "capital district"),
    ("district", "4106", "name_en", "Nong Saeng", "Nong Han", "name of 4121"),
    ("district", "4904", "name_en", "Don Tan", "Dong Luang", "name of 4903"),
    ("district", "5402", "name_en", "Mueang Phrae", "Rong Kwang", "name of 5401"),
    ("district", "5602", "name_en", "Mueang Phayao", "Chun", "name of 5601"),
    ("district", "5603", "name_en", "Mueang Phayao", "Chiang Kham", "name of 5601"),
    ("district", "5604", "name_en", "Mueang Phayao", "Chiang Muan", "name of 5601"),
    ("district", "5605", "name_en", "Mueang Phayao", "Dok Kham Tai", "name of 5601"),
    ("district", "5606", "name_en", "Mueang Phayao", "Pong", "name of 5601"),
    ("district", "5607", "name_en", "Mueang Phayao", "Mae Chai", "name of 5601"),
    ("district", "5608", "name_en", "Mueang Phayao", "Phu Sang", "name of 5601"),
    ("district", "5609", "name_en", "Mueang Phayao", "Phu Kamyao", "name of 5601"),
    ("district", "8419", "name_en", "Chai Buri", "Vibhavadi", "name of 8418"),
    ("district", "9603", "name_en", "Tak Bai", "Bacho", "name of 9602"),
    # --- English: misspellings ---
    ("district", "2409", "name_en", "Pleang Yao", "Plaeng Yao", "misspelling"),
    ("district", "3029", "name_en", "Lamtaman Chai", "Lam Thamenchai", "misspelling"),
    ("district", "3410", "name_en", "Boontharik", "Buntharik", "RTGS spelling"),
    ("district", "4020", "name_en", "Phu Phaman", "Phu Pha Man", "misspelling"),
    ("district", "6010", "name_en", "Phayuha Hkiri", "Phayuha Khiri", "misspelling"),
    ("district", "6014", "name_en", "Mae Pern", "Mae Poen", "RTGS spelling"),
    ("district", "6608", "name_en", "Tap Khlo", "Thap Khlo", "misspelling"),
    ("district", "7201", "name_en", "Mueang Saphan Buri", "Mueang Suphan Buri", "misspelling"),
    ("district", "8503", "name_en", "Papoe", "Kapoe", "misspelling"),
    ("district", "9001", "name_en", "Muaeng Songkhla", "Mueang Songkhla", "misspelling"),
    ("district", "1913", "name_en", "Chaloem Phra Kiet", "Chaloem Phra Kiat", "RTGS spelling"),
    ("district", "3032", "name_en", "Chaloem Phra Kiet", "Chaloem Phra Kiat", "RTGS spelling"),
    ("district", "3123", "name_en", "Chaloem Phra Kiet", "Chaloem Phra Kiat", "RTGS spelling"),
    ("district", "5515", "name_en", "Chaloem Phra Kiet", "Chaloem Phra Kiat", "RTGS spelling"),
    ("district", "8023", "name_en", "Chaloem Phra Kiet", "Chaloem Phra Kiat", "RTGS spelling"),
    ("province", "11", "name_en", "Samut Prakarn", "Samut Prakan",
     "RTGS spelling, as in the package's own 1101 Mueang Samut Prakan"),
    # --- English: Bangkok khet, to the BMA's own romanisation ---
    ("district", "1008", "name_en", "Pom Prap Sattruphai", "Pom Prap Sattru Phai", "BMA name"),
    ("district", "1012", "name_en", "Yannawa", "Yan Nawa", "BMA name"),
    ("district", "1027", "name_en", "Bung Kum", "Bueng Kum", "BMA name"),
    ("district", "1028", "name_en", "Sa Thon", "Sathon", "BMA name"),
    ("district", "1029", "name_en", "Bang Su", "Bang Sue", "BMA name"),
    ("district", "1037", "name_en", "Rat Thewi", "Ratchathewi", "BMA name"),
    ("district", "1043", "name_en", "Khanna Yao", "Khan Na Yao", "BMA name"),
    ("district", "1045", "name_en", "Wang Thong Lang", "Wang Thonglang", "BMA name"),
    ("district", "1049", "name_en", "Thung Khu", "Thung Khru", "BMA name"),
    # --- English: capitalisation ---
    ("province", "27", "name_en", "Sa kaeo", "Sa Kaeo", "capitalisation"),
    ("district", "1302", "name_en", "khlong Luang", "Khlong Luang", "capitalisation"),
    ("district", "4705", "name_en", "Phanh khon", "Phang Khon", "misspelling, capitalisation"),
    ("district", "4707", "name_en", "Nikhom Nam un", "Nikhom Nam Un", "capitalisation"),
    ("district", "5203", "name_en", "Ko kha", "Ko Kha", "capitalisation"),
    ("district", "6711", "name_en", "Khao kho", "Khao Kho", "capitalisation"),
    ("district", "7301", "name_en", "mueang Nakhon Pathom", "Mueang Nakhon Pathom", "capitalisation"),
]

TH_PREFIXES = ("กิ่งอำเภอ", "อำเภอ", "เขต")

# Districts of one province whose RTGS names really are the same:
# 1404 บางไทร and 1413 บางซ้าย are both "Bang Sai".
SAME_EN_NAME = {("14", "bang sai")}


def load_js_array(path: Path) -> list[dict]:
    """The exported value of a tsc-built CommonJS module `exports.x = [ ...JSON... ];`."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r"exports\.\w+\s*=\s*\[", text)
    if not m:
        sys.exit(f"{path}: no `exports.NAME = [` found")
    body = text[m.end() - 1 : text.rindex("]") + 1]
    return json.loads(body)


def clean_ws(s: str) -> str:
    return " ".join(s.split())


def clean_th(s: str) -> str:
    s = clean_ws(s)
    for p in TH_PREFIXES:
        if s.startswith(p):
            s = s[len(p):].strip()
            break
    return s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("package_dir", type=Path)
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).resolve().parent.parent / "crates/domain/data/geography.tsv")
    ap.add_argument("--raw", action="store_true", help="do not apply FIXES")
    a = ap.parse_args()

    pkg = a.package_dir
    if (pkg / "package" / "package.json").is_file():
        pkg = pkg / "package"
    meta = json.loads((pkg / "package.json").read_text(encoding="utf-8"))
    if (meta.get("name"), meta.get("version")) != (PACKAGE_NAME, PACKAGE_VERSION):
        print(f"warning: expected {PACKAGE_NAME}@{PACKAGE_VERSION}, got "
              f"{meta.get('name')}@{meta.get('version')}", file=sys.stderr)

    raw_p = load_js_array(pkg / "dist/address/provinces.js")
    raw_d = load_js_array(pkg / "dist/address/districts.js")

    provinces: dict[str, dict] = {}
    by_id: dict[int, str] = {}
    for p in raw_p:
        code = f"{int(p['code']):02d}"
        by_id[p["id"]] = code
        provinces[code] = {"code": code, "name_th": clean_th(p["name_in_thai"]),
                           "name_en": clean_ws(p["name_in_english"])}

    districts: dict[str, dict] = {}
    dropped = []
    for d in raw_d:
        code = f"{int(d['code']):04d}"
        parent = by_id[d["province_id"]]
        row = {"code": code, "parent": parent, "name_th": clean_th(d["name_in_thai"]),
               "name_en": clean_ws(d["name_in_english"])}
        if "*" in d["name_in_thai"] or int(code[2:]) > 50:
            dropped.append(row)
            continue
        if code in districts:
            sys.exit(f"duplicate district code {code} in the package")
        districts[code] = row
    print(f"dropped {len(dropped)} non-current district rows"
          + "".join(f"\n  {r['code']} {r['name_th']}" for r in dropped), file=sys.stderr)

    if not a.raw:
        for kind, code, field, old, new, _why in FIXES:
            table = provinces if kind == "province" else districts
            row = table.get(code)
            if row is None:
                sys.exit(f"fix {kind} {code}: row not in the package")
            if row[field] != old:
                sys.exit(f"fix {kind} {code} {field}: package has {row[field]!r}, expected {old!r}")
            row[field] = new
            if field == "code":
                del table[code]
                if new in table:
                    sys.exit(f"fix {kind} {code}: new code {new} already present")
                table[new] = row
        print(f"applied {len(FIXES)} fixes", file=sys.stderr)

    problems = check(provinces, districts)
    for msg in problems:
        print(("warning: " if a.raw else "error: ") + msg, file=sys.stderr)
    if problems and not a.raw:
        return 1

    a.out.parent.mkdir(parents=True, exist_ok=True)
    with a.out.open("w", encoding="utf-8", newline="\n") as f:
        f.write("kind\tcode\tparent\tname_th\tname_en\n")
        for c in sorted(provinces):
            p = provinces[c]
            f.write(f"province\t{c}\t\t{p['name_th']}\t{p['name_en']}\n")
        for c in sorted(districts):
            d = districts[c]
            f.write(f"district\t{c}\t{d['parent']}\t{d['name_th']}\t{d['name_en']}\n")
    print(f"wrote {a.out}: {len(provinces)} provinces, {len(districts)} districts", file=sys.stderr)
    return 0


def check(provinces: dict[str, dict], districts: dict[str, dict]) -> list[str]:
    out = []
    if len(provinces) != 77:
        out.append(f"{len(provinces)} provinces, expected 77")
    for c, p in provinces.items():
        if not re.fullmatch(r"[1-9][0-9]", c):
            out.append(f"province code {c!r} is not 2 digits")
    per: dict[str, list[str]] = {c: [] for c in provinces}
    for c, d in districts.items():
        if not re.fullmatch(r"[1-9][0-9][0-9]{2}", c):
            out.append(f"district code {c!r} is not 4 digits")
        if d["parent"] not in provinces or not c.startswith(d["parent"]):
            out.append(f"district {c} does not start with its province code {d['parent']}")
        per.setdefault(d["parent"], []).append(c)
    for kind, table in (("province", provinces), ("district", districts)):
        for c, r in table.items():
            for f in ("name_th", "name_en"):
                v = r[f]
                if not v or any(ch in v for ch in "\t\r\n") or v != v.strip():
                    out.append(f"{kind} {c} {f} {v!r} is empty or has tab/newline/edge space")
            if r["name_th"].startswith(TH_PREFIXES):
                out.append(f"{kind} {c} name_th still has a prefix: {r['name_th']}")
            if not re.search(r"[\u0e00-\u0e7f]", r["name_th"]):
                out.append(f"{kind} {c} name_th is not Thai: {r['name_th']!r}")
            if not re.fullmatch(r"[A-Z][a-z]*(?:(?: [A-Z]|-[A-Za-z])[a-z]*)*", r["name_en"]):
                out.append(f"{kind} {c} name_en looks odd: {r['name_en']!r}")
    for pc, codes in per.items():
        if not codes:
            out.append(f"province {pc} has no districts")
    names = {}
    for c, d in districts.items():
        key = (d["parent"], d["name_en"].lower())
        if key in names and key not in SAME_EN_NAME:
            out.append(f"districts {names[key]} and {c} share the English name {d['name_en']!r}")
        names[key] = c
        key_th = (d["parent"], d["name_th"])
        if key_th in names:
            out.append(f"districts {names[key_th]} and {c} share the Thai name {d['name_th']!r}")
        names[key_th] = c
    bkk = sorted(per.get("10", []))
    if bkk != [f"10{i:02d}" for i in range(1, 51)]:
        out.append(f"Bangkok has {len(bkk)} khet, expected 1001..1050")
    if len(per.get("44", [])) != 13:
        out.append(f"Maha Sarakham (44) has {len(per.get('44', []))} districts, expected 13")
    if len(districts) != 928:
        out.append(f"{len(districts)} districts, expected 928 (878 amphoe + 50 khet)")
    return out


if __name__ == "__main__":
    sys.exit(main())
