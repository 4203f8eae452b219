//! Return lines kept compact between reading and the upload's sorted pass. As parsed, a REP
//! line takes about 470 bytes (ten strings, each its own allocation); a year of a hospital's
//! REP lines (about a million) would not fit the import's memory. Here a file's strings share
//! one buffer and a line takes about 140 bytes.

use raidai_returns::{Outcome, RepLine, StmLine};

use super::candidate_keys;

/// Text fields of a line, in the order they are laid out in the buffer.
const FIELDS: usize = 8;
const TRAN_ID: usize = 0;
const REP_NO: usize = 1;
const HN: usize = 2;
const SEQ_NO: usize = 3;
const INVOICE_NO: usize = 4;
const AN: usize = 5;
const PID: usize = 6;
const ERROR_CODES: usize = 7;

/// The lines of one return file.
#[derive(Debug, Default)]
pub struct StagedLines {
    text: String,
    lines: Vec<Staged>,
}

#[derive(Debug, Clone, Copy)]
struct Staged {
    row: u32,
    /// Where the line's text starts in the buffer, and where each of its fields ends.
    start: u32,
    ends: [u32; FIELDS],
    date_in: Option<i64>,
    claimed: i64,
    /// REP: the expected payment; STM: the amount paid.
    amount: i64,
    ip: bool,
    late: bool,
    outcome: Outcome,
}

/// One line, read back from its file's buffer.
#[derive(Debug, Clone, Copy)]
pub struct LineRef<'a> {
    pub row: u32,
    pub tran_id: &'a str,
    pub rep_no: &'a str,
    pub hn: &'a str,
    pub seq_no: &'a str,
    pub invoice_no: &'a str,
    pub an: &'a str,
    pub pid: &'a str,
    /// Comma-separated.
    pub error_codes: &'a str,
    pub date_in: Option<i64>,
    pub claimed: i64,
    pub amount: i64,
    pub ip: bool,
    pub late: bool,
    /// REP only (a statement line is `Accepted`).
    pub outcome: Outcome,
}

impl StagedLines {
    pub fn from_rep(lines: Vec<RepLine>) -> Self {
        let mut out = Self::with_capacity(lines.len());
        for l in lines {
            let codes = l.error_codes.join(",");
            out.push(
                [
                    &l.tran_id,
                    &l.rep_no,
                    &l.hn,
                    &l.seq_no,
                    &l.invoice_no,
                    &l.an,
                    &l.pid,
                    &codes,
                ],
                Staged {
                    row: l.row,
                    start: 0,
                    ends: [0; FIELDS],
                    date_in: l.date_in,
                    claimed: l.claimed.0,
                    amount: l.expected.0,
                    ip: l.ip,
                    late: l.late,
                    outcome: l.outcome,
                },
            );
        }
        out.text.shrink_to_fit();
        out
    }

    /// A statement's lines (`ip`: the statement is for admissions).
    pub fn from_stm(lines: Vec<StmLine>, ip: bool) -> Self {
        let mut out = Self::with_capacity(lines.len());
        for l in lines {
            out.push(
                [
                    &l.tran_id, &l.rep_no, &l.hn, &l.seq_no, "", &l.an, &l.pid, "",
                ],
                Staged {
                    row: l.row,
                    start: 0,
                    ends: [0; FIELDS],
                    date_in: l.date_in,
                    claimed: l.claimed.0,
                    amount: l.paid.0,
                    ip,
                    late: false,
                    outcome: Outcome::Accepted,
                },
            );
        }
        out.text.shrink_to_fit();
        out
    }

    fn with_capacity(lines: usize) -> Self {
        Self {
            text: String::with_capacity(lines * 64),
            lines: Vec::with_capacity(lines),
        }
    }

    fn push(&mut self, fields: [&str; FIELDS], mut line: Staged) {
        line.start = offset(self.text.len());
        for (i, f) in fields.iter().enumerate() {
            self.text.push_str(f);
            line.ends[i] = offset(self.text.len());
        }
        self.lines.push(line);
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn line(&self, i: usize) -> LineRef<'_> {
        let l = &self.lines[i];
        let field = |f: usize| {
            let from = if f == 0 { l.start } else { l.ends[f - 1] };
            &self.text[from as usize..l.ends[f] as usize]
        };
        LineRef {
            row: l.row,
            tran_id: field(TRAN_ID),
            rep_no: field(REP_NO),
            hn: field(HN),
            seq_no: field(SEQ_NO),
            invoice_no: field(INVOICE_NO),
            an: field(AN),
            pid: field(PID),
            error_codes: field(ERROR_CODES),
            date_in: l.date_in,
            claimed: l.claimed,
            amount: l.amount,
            ip: l.ip,
            late: l.late,
            outcome: l.outcome,
        }
    }
}

/// A buffer offset: a return file is read from an upload of at most 64 MiB, so its text is far
/// below 4 GiB.
fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("a return file's text is under 4 GiB")
}

impl<'a> LineRef<'a> {
    /// The visit keys the line could have, best first (see [`candidate_keys`]).
    pub fn keys(&self) -> Vec<String> {
        candidate_keys(self.hn, self.seq_no, self.invoice_no, self.an, self.ip)
    }

    /// The line's first key in parts (`I` + AN, or `O` + HN + SEQ NO / INVOICE NO), without
    /// building it: the order of the upload's pass. Lines with no key come first.
    pub fn sort_key(self) -> (u8, &'a str, &'a str) {
        if self.ip || !self.an.is_empty() {
            if self.an.is_empty() {
                (0, "", "")
            } else {
                (b'I', self.an, "")
            }
        } else if self.hn.is_empty() {
            (0, "", "")
        } else if !self.seq_no.is_empty() {
            (b'O', self.hn, self.seq_no)
        } else if !self.invoice_no.is_empty() {
            (b'O', self.hn, self.invoice_no)
        } else {
            (0, "", "")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raidai_domain::money::Satang;

    fn rep(row: u32, hn: &str, seq: &str, an: &str, codes: &[&str]) -> RepLine {
        RepLine {
            row,
            rep_no: format!("R{row}"),
            tran_id: format!("T{row}"),
            hn: hn.into(),
            an: an.into(),
            pid: "1100000000001".into(),
            ip: !an.is_empty(),
            date_in: Some(20261001),
            date_out: None,
            claimed: Satang(12_345),
            expected: Satang(10_000),
            late: row % 2 == 0,
            error_codes: codes.iter().map(|c| c.to_string()).collect(),
            outcome: Outcome::Corrective,
            fund: "UCS".into(),
            seq_no: seq.into(),
            invoice_no: String::new(),
        }
    }

    #[test]
    fn rep_lines_read_back_as_parsed() {
        let lines = vec![
            rep(7, "HN1", "S1", "", &["C438", "998"]),
            rep(8, "", "", "", &[]),
            rep(9, "HN3", "", "AN9", &["D01"]),
        ];
        let staged = StagedLines::from_rep(lines.clone());
        assert_eq!(staged.len(), 3);
        for (i, l) in lines.iter().enumerate() {
            let s = staged.line(i);
            assert_eq!(s.row, l.row);
            assert_eq!(s.tran_id, l.tran_id);
            assert_eq!(s.rep_no, l.rep_no);
            assert_eq!(s.hn, l.hn);
            assert_eq!(s.seq_no, l.seq_no);
            assert_eq!(s.invoice_no, l.invoice_no);
            assert_eq!(s.an, l.an);
            assert_eq!(s.pid, l.pid);
            assert_eq!(s.error_codes, l.error_codes.join(","));
            assert_eq!(s.date_in, l.date_in);
            assert_eq!((s.claimed, s.amount), (l.claimed.0, l.expected.0));
            assert_eq!((s.ip, s.late, s.outcome), (l.ip, l.late, l.outcome));
            assert_eq!(
                s.keys(),
                candidate_keys(&l.hn, &l.seq_no, &l.invoice_no, &l.an, l.ip)
            );
        }
    }

    #[test]
    fn sort_key_is_the_first_candidate_key_in_parts() {
        let staged = StagedLines::from_rep(vec![
            rep(1, "HN1", "S1", "", &[]),
            rep(2, "HN1", "", "AN2", &[]),
            rep(3, "", "S3", "", &[]),
        ]);
        for i in 0..3 {
            let l = staged.line(i);
            let (p, a, b) = l.sort_key();
            let joined = match p {
                0 => None,
                b'I' => Some(format!("I{a}")),
                _ => Some(format!("O{a}/{b}")),
            };
            assert_eq!(joined, l.keys().first().cloned(), "line {i}");
        }
    }
}
