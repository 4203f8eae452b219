#!/usr/bin/env python3
"""What SQLite alone takes for the writes of a year of REP + STM returns (issue 12's benchmark),
done in the form most favourable to it: no application code in the loop, the lines already in
a table, every line of a kind applied set-based in one transaction in key order.

    scripts/cycle-floor.py SETUP_DB SCRATCH_DB [REP_LINES STM_LINES] [--bare]

SETUP_DB is a database after `raidai claim bench-setup` (12 batches sent, no return yet); it is
copied to SCRATCH_DB first. The REP lines are the sent claims (each one accepted, with a
TRAN_ID and the amount the fund will pay); the STM lines pay the first STM_LINES of them in key
order, each settled by two journal lines (cash debit, receivable credit), as `claim bench`
does with the generated files (939,188 and 835,331 lines). Staging the lines (what reading the
workbooks gives) is timed apart; the timed part is what the database must do with them.
With --bare, the indexes the pages read but the matching does not (a visit's return lines, claims
by status and by open amount, the journal by date and by posting date) are dropped first: the
floor of a schema that served no page.
"""
import shutil
import sqlite3
import sys
import time

bare = "--bare" in sys.argv
args = [a for a in sys.argv[1:] if a != "--bare"]
src, dst = args[0], args[1]
rep_n = int(args[2]) if len(args) > 2 else 939_188
stm_n = int(args[3]) if len(args) > 3 else 835_331
for suffix in ("", "-wal", "-shm"):
    try:
        shutil.copy(src + suffix, dst + suffix)
    except FileNotFoundError:
        pass
db = sqlite3.connect(dst, isolation_level=None)
# As the application's import connection sets them (store/src/lib.rs, sqlite_raw.rs).
for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -32768",
               "temp_store = FILE", "wal_autocheckpoint = 0", "foreign_keys = ON"):
    db.execute("PRAGMA " + pragma)
if bare:
    for index in ("claim_return_lines_vkey", "claim_status_status", "claim_status_open",
                  "claim_journal_acct", "claim_journal_post"):
        db.execute(f"DROP INDEX {index}")
    print("bare: the pages' indexes dropped")
(hcode,) = db.execute("SELECT hcode FROM claim_status GROUP BY hcode ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
(last_no,) = db.execute("SELECT COALESCE(MAX(no), 0) FROM claim_imports WHERE hcode = ?", (hcode,)).fetchone()


# CROSS JOIN keeps the lines as the outer loop (SQLite's planner would otherwise walk the unit's
# visits and look each up in the unindexed line table).
def timed(label, sql, *args):
    t = time.time()
    cur = db.execute(sql, args)
    took = time.time() - t
    print(f"  {label}: {took:.1f} s ({cur.rowcount if cur.rowcount >= 0 else '-'} rows)")
    return took


def store_lines(staged, return_no, note, outcome):
    """Every staged line stored as a return line of return `return_no`."""
    timed("lines stored", f"""
    INSERT INTO claim_return_lines (hcode, return_no, row_no, vkey, match_note, tran_id, rep_no, hn,
        seq_no, an, date_in, outcome, error_codes, late, claimed, amount)
    SELECT ?, {return_no}, row_no, vkey, '{note}', tran_id, '680100001', hn, seq, an, date_serv,
        '{outcome}', '', 0, expected, expected FROM {staged}""", hcode)


t0 = time.time()
db.execute("""CREATE TEMP TABLE rep_in AS
    SELECT cs.vkey, v.hn, v.seq, v.an, v.cid, v.date_serv, 'T' || cs.vkey AS tran_id,
           ROW_NUMBER() OVER (ORDER BY cs.vkey) + 7 AS row_no, v.fund_amount AS expected
    FROM claim_status cs JOIN claim_visits v ON v.hcode = cs.hcode AND v.vkey = cs.vkey
    WHERE cs.hcode = ? ORDER BY cs.vkey LIMIT ?""", (hcode, rep_n))
db.execute("""CREATE TEMP TABLE stm_in AS SELECT * FROM rep_in ORDER BY vkey LIMIT ?""", (stm_n,))
print(f"staging the lines (stands for reading the workbooks): {time.time() - t0:.1f} s")

print("REP, one transaction:")
t = time.time()
db.execute("BEGIN")
timed("match: every line's visit read, citizen ID and date confirmed", """
    SELECT COUNT(*) FROM rep_in r CROSS JOIN claim_visits v ON v.hcode = ? AND v.vkey = r.vkey
    LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.tran_id = r.tran_id
    WHERE v.cid = r.cid AND v.date_serv = r.date_serv""", hcode)
store_lines("rep_in", 1000, "hn_seq", "accepted")
timed("claims set", """
    UPDATE claim_status SET tran_id = r.tran_id, status = 'accepted', rep_no = '680100001',
        expected = r.expected, rep_date = 20260115, updated_at = 1, work = ''
    FROM rep_in r WHERE claim_status.hcode = ? AND claim_status.vkey = r.vkey""", hcode)
c = time.time()
db.execute("COMMIT")
print(f"  commit: {time.time() - c:.1f} s")
rep = time.time() - t
print(f"REP total: {rep:.1f} s")

print("STM, one transaction:")
t = time.time()
db.execute("BEGIN")
timed("match: by TRAN_ID, visit read", """
    SELECT COUNT(*) FROM stm_in s CROSS JOIN claim_status cs ON cs.hcode = ? AND cs.tran_id = s.tran_id
    CROSS JOIN claim_visits v ON v.hcode = cs.hcode AND v.vkey = cs.vkey WHERE v.cid = s.cid""", hcode)
store_lines("stm_in", 1001, "tran_id", "matched")
timed("claims settled", """
    UPDATE claim_status SET received = received + s.expected, cleared = cleared + s.expected,
        open_amount = open_amount - s.expected, stm_status = 'matched',
        journal_refs = ? || ':' || (2 * (s.row_no - 7) - 1) || ':2', updated_at = 2
    FROM stm_in s WHERE claim_status.hcode = ? AND claim_status.vkey = s.vkey""",
      str(last_no + 1), hcode)
# Numbered in service-date order, so the journal's key and its (date, account) index both grow
# at their ends instead of taking lines at random places.
timed("journal lines (two a payment)", """
    INSERT INTO claim_journal (hcode, import_no, n, vkey, ver, line_no, kind, date_serv, post_date,
        fy, account, fund, debit, credit)
    SELECT ?, ?, ROW_NUMBER() OVER (ORDER BY s.date_serv, s.vkey, k.i), s.vkey, 1,
        k.i + 1, 'settle', s.date_serv, 20261204,
        2027, CASE k.i WHEN 0 THEN '1102050101.103' ELSE '1102050101.201' END, 'UC',
        CASE k.i WHEN 0 THEN s.expected ELSE 0 END, CASE k.i WHEN 1 THEN s.expected ELSE 0 END
    FROM stm_in s CROSS JOIN (SELECT 0 AS i UNION ALL SELECT 1) k ORDER BY s.date_serv, s.vkey, k.i""",
      hcode, last_no + 1)
c = time.time()
db.execute("COMMIT")
print(f"  commit: {time.time() - c:.1f} s")
stm = time.time() - t
print(f"STM total: {stm:.1f} s")
print(f"RESULT floor {rep + stm:.1f} s for {rep_n:,} REP + {stm_n:,} STM lines (REP {rep:.1f} s, STM {stm:.1f} s)")
