//! Helpers shared by the integration tests.
#![allow(dead_code)]

use raidai_formats::records::*;
use raidai_formats::{Col, Encounter, FileKind, Record, TextEncoding};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Copies the files of `from` into `to`; `rename` may give each a new name.
pub fn copy_set(from: &Path, to: &Path, rename: impl Fn(&str) -> String) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::copy(&p, to.join(rename(&name))).unwrap();
    }
}

/// Re-encodes every file of `dir` (UTF-8) into windows-874, in place.
pub fn to_cp874(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let mut out = Vec::new();
        assert_eq!(TextEncoding::Windows874.encode_into(&text, &mut out), 0);
        std::fs::write(&p, out).unwrap();
    }
}

/// Rewrites one line (1-based) of a file in place, keeping its line ending style.
pub fn edit_line(path: &Path, line: usize, f: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    lines[line - 1] = f(&lines[line - 1]);
    std::fs::write(path, lines.join("\r\n")).unwrap();
}

pub fn append_line(path: &Path, line: &str) {
    let mut text = std::fs::read_to_string(path).unwrap();
    text.push_str("\r\n");
    text.push_str(line);
    std::fs::write(path, text).unwrap();
}

pub fn remove_line(path: &Path, line: usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<&str> = text.split("\r\n").collect();
    lines.remove(line - 1);
    std::fs::write(path, lines.join("\r\n")).unwrap();
}

/// Replaces field `col` (0-based) of line `line`.
pub fn set_field(path: &Path, line: usize, col: usize, value: &str) {
    edit_line(path, line, |l| {
        let mut f: Vec<&str> = l.split('|').collect();
        f[col] = value;
        f.join("|")
    });
}

fn rec<R: Record>(out: &mut String, r: &R) {
    let mut s = String::new();
    let _ = write!(out, "  {}", R::KIND);
    for col in Col::ALL {
        if !R::KIND.knows(*col) {
            continue;
        }
        s.clear();
        r.write_col(*col, &mut s);
        if !s.is_empty() {
            let _ = write!(out, " {col}={s}");
        }
    }
    out.push('\n');
}

fn all<R: Record>(out: &mut String, rs: &[R]) {
    rs.iter().for_each(|r| rec(out, r));
}

/// A stable text form of encounters for golden files: every non-blank column of every record.
pub fn dump(encounters: &[Encounter]) -> String {
    let mut out = String::new();
    for e in encounters {
        let by_item: Vec<String> = e
            .charges_by_item()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let _ = writeln!(
            out,
            "{} total={} paid={} claimable={} authen={} inscl={} by_item=[{}]",
            e.key(),
            e.total(),
            e.paid(),
            e.claimable(),
            e.authen_code().unwrap_or("-"),
            e.right().inscl.as_str(),
            by_item.join(" ")
        );
        match e {
            Encounter::Visit(v) => {
                rec(&mut out, &v.opd);
                rec(&mut out, &v.patient);
                rec(&mut out, &v.right);
                all(&mut out, &v.diagnoses);
                all(&mut out, &v.procedures);
                all(&mut out, &v.refers);
                all(&mut out, &v.bills);
                all(&mut out, &v.charges);
                all(&mut out, &v.drugs);
                all(&mut out, &v.items);
                all(&mut out, &v.accidents);
                all(&mut out, &v.labs);
            }
            Encounter::Admission(a) => {
                rec(&mut out, &a.ipd);
                rec(&mut out, &a.patient);
                rec(&mut out, &a.right);
                all(&mut out, &a.diagnoses);
                all(&mut out, &a.procedures);
                all(&mut out, &a.refers);
                all(&mut out, &a.leaves);
                all(&mut out, &a.bills);
                all(&mut out, &a.charges);
                all(&mut out, &a.drugs);
                all(&mut out, &a.items);
                all(&mut out, &a.accidents);
            }
        }
    }
    out
}

/// Compares with `tests/golden/<name>.txt`; `UPDATE_GOLDEN=1` rewrites it instead.
pub fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}; run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(actual, expected, "golden {name} differs");
}

pub fn unique_patients(encounters: &[Encounter]) -> Vec<PatRecord> {
    let mut seen = std::collections::HashSet::new();
    encounters
        .iter()
        .filter(|e| seen.insert(e.hn().as_str().to_string()))
        .map(|e| e.patient().clone())
        .collect()
}

pub fn kind_of_file(name: &str) -> FileKind {
    FileKind::from_file_name(name).unwrap().unwrap()
}
