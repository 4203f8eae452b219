//! Direct SQLite calls for the bulk INSERTs of an import (visits, journal lines, findings) and
//! the full read of a unit's visits by a re-audit.
//!
//! Through sqlx's `Any` driver every bound value was converted twice and copied into SQLite
//! (`SQLITE_TRANSIENT`), and each batch crossed to sqlx's worker thread: on the 1M-visit
//! benchmark that cost more CPU than SQLite's own B-tree work. Here one prepared single-row
//! INSERT is stepped per row with values bound in place (`SQLITE_STATIC`: SQLite reads them
//! during the step only), on the import's own connection and transaction.

use libsqlite3_sys as ffi;
use std::ffi::{CStr, CString, c_int};
use std::ptr::NonNull;

/// A value to bind: borrowed text or an integer.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Val<'a> {
    Text(&'a str),
    Int(i64),
}

/// A prepared statement on a locked connection handle; finalized on drop.
pub(crate) struct Stmt {
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
}

fn error(db: *mut ffi::sqlite3, code: c_int, what: &str) -> sqlx::Error {
    // SAFETY: `db` is a live handle; sqlite3_errmsg returns a NUL-terminated string owned by it.
    let msg = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) }
        .to_string_lossy()
        .into_owned();
    sqlx::Error::Protocol(format!("sqlite {what} failed ({code}): {msg}"))
}

impl Stmt {
    /// Prepares `sql` on `db`, which the caller holds locked for the statement's whole life.
    pub fn prepare(db: NonNull<ffi::sqlite3>, sql: &str) -> Result<Stmt, sqlx::Error> {
        let db = db.as_ptr();
        let text = CString::new(sql).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: valid handle and NUL-terminated text; `stmt` receives the new statement.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(db, text.as_ptr(), -1, &mut stmt, std::ptr::null_mut())
        };
        if rc != ffi::SQLITE_OK || stmt.is_null() {
            return Err(error(db, rc, "prepare"));
        }
        Ok(Stmt { db, stmt })
    }

    /// Binds `vals` to parameters 1.. (text without a copy: SQLITE_STATIC).
    fn bind(&mut self, vals: &[Val<'_>]) -> Result<(), sqlx::Error> {
        for (i, v) in vals.iter().enumerate() {
            let idx = i as c_int + 1;
            // SAFETY: `self.stmt` is a live statement; text pointers stay valid until the
            // caller's steps have finished (SQLITE_STATIC: `vals` outlives them in `run` and
            // `query`), which is the only time SQLite reads them.
            let rc = unsafe {
                match *v {
                    Val::Text(s) => ffi::sqlite3_bind_text64(
                        self.stmt,
                        idx,
                        s.as_ptr().cast(),
                        s.len() as u64,
                        ffi::SQLITE_STATIC(),
                        ffi::SQLITE_UTF8 as u8,
                    ),
                    Val::Int(n) => ffi::sqlite3_bind_int64(self.stmt, idx, n),
                }
            };
            if rc != ffi::SQLITE_OK {
                return Err(error(self.db, rc, "bind"));
            }
        }
        Ok(())
    }

    /// Binds `vals` to parameters 1.. and runs the statement once.
    pub fn run(&mut self, vals: &[Val<'_>]) -> Result<(), sqlx::Error> {
        self.bind(vals)?;
        // SAFETY: live statement, all parameters bound.
        let rc = unsafe { ffi::sqlite3_step(self.stmt) };
        let out = if rc == ffi::SQLITE_DONE {
            Ok(())
        } else {
            Err(error(self.db, rc, "insert"))
        };
        // SAFETY: live statement. Reset for the next row. The borrowed text pointers stay bound
        // but are never read again: the next run rebinds every parameter before stepping.
        unsafe {
            ffi::sqlite3_reset(self.stmt);
        }
        out
    }
}

/// The current row of a stepped query: columns by index, borrowed until the next step.
pub(crate) struct RawRow {
    stmt: *mut ffi::sqlite3_stmt,
}

impl RawRow {
    pub fn int(&self, i: c_int) -> i64 {
        // SAFETY: the statement has a row (SQLITE_ROW) while this value lives.
        unsafe { ffi::sqlite3_column_int64(self.stmt, i) }
    }

    /// The column as text ('' for NULL; invalid UTF-8 replaced).
    pub fn text(&self, i: c_int) -> String {
        // SAFETY: as above; the pointer and length describe the column's bytes until the next
        // step, and they are copied out here.
        unsafe {
            let p = ffi::sqlite3_column_text(self.stmt, i);
            if p.is_null() {
                return String::new();
            }
            let n = ffi::sqlite3_column_bytes(self.stmt, i) as usize;
            String::from_utf8_lossy(std::slice::from_raw_parts(p, n)).into_owned()
        }
    }
}

impl Stmt {
    /// Binds `vals` and calls `f` on every row of the result.
    pub fn query(
        &mut self,
        vals: &[Val<'_>],
        mut f: impl FnMut(&RawRow),
    ) -> Result<(), sqlx::Error> {
        self.bind(vals)?;
        let out = loop {
            // SAFETY: live statement, parameters bound.
            let rc = unsafe { ffi::sqlite3_step(self.stmt) };
            if rc == ffi::SQLITE_ROW {
                f(&RawRow { stmt: self.stmt });
            } else if rc == ffi::SQLITE_DONE {
                break Ok(());
            } else {
                break Err(error(self.db, rc, "query"));
            }
        };
        // SAFETY: live statement; reset so it may be run again.
        unsafe {
            ffi::sqlite3_reset(self.stmt);
        }
        out
    }
}

impl Stmt {
    /// The result columns' names, in order.
    pub fn column_names(&self) -> Vec<String> {
        // SAFETY: live statement; sqlite3_column_name returns NUL-terminated text owned by it,
        // copied out here.
        unsafe {
            (0..ffi::sqlite3_column_count(self.stmt))
                .map(|i| {
                    let p = ffi::sqlite3_column_name(self.stmt, i);
                    if p.is_null() {
                        String::new()
                    } else {
                        CStr::from_ptr(p).to_string_lossy().into_owned()
                    }
                })
                .collect()
        }
    }
}

/// A native row read by column name (the statement's names, looked up once per statement), so
/// one row decoder serves sqlx rows and native ones.
pub(crate) struct NamedRow<'a> {
    pub row: &'a RawRow,
    pub names: &'a [String],
}

impl NamedRow<'_> {
    fn index(&self, col: &str) -> Result<c_int, sqlx::Error> {
        self.names
            .iter()
            .position(|n| n == col)
            .map(|i| i as c_int)
            .ok_or_else(|| sqlx::Error::ColumnNotFound(col.to_string()))
    }
}

impl crate::sql::Cols for NamedRow<'_> {
    fn s(&self, col: &str) -> Result<String, sqlx::Error> {
        Ok(self.row.text(self.index(col)?))
    }
    fn i(&self, col: &str) -> Result<i64, sqlx::Error> {
        Ok(self.row.int(self.index(col)?))
    }
}

impl Drop for Stmt {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared on `db` and is finalized exactly once.
        unsafe {
            ffi::sqlite3_finalize(self.stmt);
        }
    }
}

/// `INSERT OR ROLLBACK INTO table (cols) VALUES (?, …)` with one placeholder per column: a
/// constraint failure ends the whole import transaction, as any failure does.
pub(crate) fn insert_sql(table: &str, cols: &str, n: usize) -> String {
    let mut s = format!("INSERT OR ROLLBACK INTO {table} ({cols}) VALUES (");
    for i in 0..n {
        s.push_str(if i == 0 { "?" } else { ", ?" });
    }
    s.push(')');
    s
}
