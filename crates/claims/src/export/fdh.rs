//! The FDH upload rules (DOMAIN §1.3) checked on a written set of files.

use raidai_domain::periods::date_of;
use raidai_formats::{Col, FileKind};
use std::collections::{BTreeMap, HashSet};

/// One file of a set, split into lines and fields (bytes: `|` is one byte in windows-874 and
/// UTF-8 alike, and every field the rules look at is ASCII).
struct Parsed<'a> {
    name: &'a str,
    cols: Vec<Option<Col>>,
    /// (line number, fields)
    lines: Vec<(usize, Vec<&'a [u8]>)>,
}

impl Parsed<'_> {
    fn has(&self, col: Col) -> bool {
        self.cols.contains(&Some(col))
    }
    fn get<'f>(&self, fields: &'f [&[u8]], col: Col) -> &'f str {
        self.cols
            .iter()
            .position(|c| *c == Some(col))
            .and_then(|i| fields.get(i))
            .and_then(|f| std::str::from_utf8(f).ok())
            .map(str::trim)
            .unwrap_or("")
    }
}

fn parse_file<'a>(name: &'a str, bytes: &'a [u8]) -> Parsed<'a> {
    let mut lines = bytes
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate();
    let cols = lines
        .next()
        .map(|(_, h)| {
            h.split(|b| *b == b'|')
                .map(|n| Col::from_header(&String::from_utf8_lossy(n)))
                .collect()
        })
        .unwrap_or_default();
    Parsed {
        name,
        cols,
        lines: lines
            .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
            .map(|(i, l)| (i + 1, l.split(|b| *b == b'|').collect()))
            .collect(),
    }
}

const DATE_COLS: &[Col] = &[
    Col::DATEIN,
    Col::DATEEXP,
    Col::DOB,
    Col::DATEOPD,
    Col::REFERDATE,
    Col::DATEDX,
    Col::DATEADM,
    Col::DATEDSC,
    Col::DATEOUT,
    Col::DATE,
    Col::AEDATE,
    Col::DALERT,
    Col::LMP,
    Col::DATE_SERV,
    Col::DATESERV,
];
const TIME_COLS: &[Col] = &[
    Col::TIMEOPD,
    Col::TIMEADM,
    Col::TIMEDSC,
    Col::TIMEIN,
    Col::TIMEOUT,
    Col::AETIME,
    Col::TALERT,
];

/// `YYYYMMDD` in the Christian Era, a calendar date.
fn date_ok(s: &str) -> bool {
    s.len() == 8
        && s.bytes().all(|b| b.is_ascii_digit())
        && s[..4]
            .parse::<i64>()
            .is_ok_and(|y| (1800..=2400).contains(&y))
        && s.parse::<i64>().ok().and_then(date_of).is_some()
}

/// `HHMM`.
fn time_ok(s: &str) -> bool {
    s.len() == 4
        && s.bytes().all(|b| b.is_ascii_digit())
        && s[..2].parse::<u32>().is_ok_and(|h| h < 24)
        && s[2..].parse::<u32>().is_ok_and(|m| m < 60)
}

/// The FDH upload rules of DOMAIN §1.3 checked on a set of files (name, bytes), for unit
/// `hcode`; one message per problem (none: FDH would not reject the set on these rules).
/// Messages name files, lines, HN/SEQ/AN and codes, never a name or a citizen ID.
///
/// * INS, PAT and CHT are present, and OPD or IPD; ORF/ODX/OOP come with OPD and
///   IRF/IDX/IOP/LVD with IPD;
/// * every line has as many fields as its header;
/// * HN is present in INS, PAT, OPD, ORF, ODX, OOP, IPD, CHT, CHA, AER, ADP, DRU and LAB; SEQ or
///   AN in INS, CHT, CHA, AER, ADP and DRU; SEQ in OPD/ORF/ODX/OOP/LAB; AN in
///   IPD/IRF/IDX/IOP/LVD;
/// * no HN twice in PAT; (HN, SEQ) unique in OPD; (HN, AN) unique in IPD;
/// * every HN of INS is in PAT; every HN of the other files is in INS; every HN+SEQ or HN+AN
///   of a line is in INS; every AN of IRF/IDX/IOP/LVD is in IPD; every visit and admission has
///   a CHT line;
/// * dates are `YYYYMMDD` (CE) and times `HHMM`;
/// * HCODE of PAT, DRU and LAB is `hcode`.
pub fn fdh_check(files: &[(String, Vec<u8>)], hcode: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut by_kind: BTreeMap<FileKind, Parsed<'_>> = BTreeMap::new();
    for (name, bytes) in files {
        match FileKind::from_file_name(name) {
            Some(Ok(kind)) => match by_kind.entry(kind) {
                std::collections::btree_map::Entry::Occupied(_) => {
                    out.push(format!("{kind} is given twice ({name})"));
                }
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(parse_file(name, bytes));
                }
            },
            _ => out.push(format!("{name} is not one of the 16 files")),
        }
    }
    use FileKind as K;
    for k in [K::Ins, K::Pat, K::Cht] {
        if !by_kind.contains_key(&k) {
            out.push(format!("{k}.txt is missing (mandatory)"));
        }
    }
    let (has_opd, has_ipd) = (by_kind.contains_key(&K::Opd), by_kind.contains_key(&K::Ipd));
    if !has_opd && !has_ipd {
        out.push("neither OPD.txt nor IPD.txt is present".into());
    }
    for k in by_kind.keys() {
        if k.requires_opd() && !has_opd {
            out.push(format!("{k}.txt needs OPD.txt, which is missing"));
        }
        if k.requires_ipd() && !has_ipd {
            out.push(format!("{k}.txt needs IPD.txt, which is missing"));
        }
    }

    // Keys of PAT, INS, IPD and CHT first: every line is checked against them.
    let mut pat_hns: HashSet<&str> = HashSet::new();
    let mut ins_hns: HashSet<&str> = HashSet::new();
    // (HN, SEQ) of visits and (HN, AN) of admissions, in INS and in CHT.
    let mut ins_keys: HashSet<(&str, &str)> = HashSet::new();
    let mut cht_keys: HashSet<(&str, &str)> = HashSet::new();
    let mut ipd_ans: HashSet<&str> = HashSet::new();
    for (kind, p) in &by_kind {
        if p.cols.iter().all(Option::is_none) {
            out.push(format!("{}: no header line", p.name));
            continue;
        }
        let width = p.cols.len();
        for (line, fields) in &p.lines {
            let at = format!("{} line {line}", p.name);
            if fields.len() != width {
                out.push(format!(
                    "{at}: {} fields, the header has {width}",
                    fields.len()
                ));
                continue;
            }
            let hn = p.get(fields, Col::HN);
            let seq = p.get(fields, Col::SEQ);
            let an = p.get(fields, Col::AN);
            let needs_hn = !matches!(kind, K::Irf | K::Idx | K::Iop | K::Lvd);
            if needs_hn && hn.is_empty() {
                out.push(format!("{at}: HN is blank"));
            }
            match kind {
                K::Ins | K::Cht | K::Cha | K::Aer | K::Adp | K::Dru
                    if seq.is_empty() && an.is_empty() =>
                {
                    out.push(format!("{at}: neither SEQ nor AN"));
                }
                K::Opd | K::Orf | K::Odx | K::Oop | K::Lab if seq.is_empty() => {
                    out.push(format!("{at}: SEQ is blank"));
                }
                K::Ipd | K::Irf | K::Idx | K::Iop | K::Lvd if an.is_empty() => {
                    out.push(format!("{at}: AN is blank"));
                }
                _ => {}
            }
            for col in DATE_COLS.iter().filter(|c| p.has(**c)) {
                let v = p.get(fields, *col);
                if !v.is_empty() && !date_ok(v) {
                    // A birth date is personal: named, not shown.
                    let shown = if *col == Col::DOB {
                        String::new()
                    } else {
                        format!(" {v:?}")
                    };
                    out.push(format!("{at}: {col}{shown} is not a YYYYMMDD (CE) date"));
                }
            }
            for col in TIME_COLS.iter().filter(|c| p.has(**c)) {
                let v = p.get(fields, *col);
                if !v.is_empty() && !time_ok(v) {
                    out.push(format!("{at}: {col} {v:?} is not an HHMM time"));
                }
            }
            if matches!(kind, K::Pat | K::Dru | K::Lab) {
                let h = p.get(fields, Col::HCODE);
                if h != hcode {
                    out.push(format!("{at}: HCODE {h:?} is not the unit's {hcode}"));
                }
            }
            match kind {
                K::Pat if !hn.is_empty() && !pat_hns.insert(hn) => {
                    out.push(format!("{at}: HN {hn} is twice in PAT"));
                }
                K::Ins => {
                    ins_hns.insert(hn);
                    for k in [seq, an].into_iter().filter(|k| !k.is_empty()) {
                        ins_keys.insert((hn, k));
                    }
                }
                K::Cht => {
                    cht_keys.insert((hn, if an.is_empty() { seq } else { an }));
                }
                K::Ipd => {
                    ipd_ans.insert(an);
                }
                _ => {}
            }
        }
    }

    let mut opd_keys: HashSet<(&str, &str)> = HashSet::new();
    let mut ipd_keys: HashSet<(&str, &str)> = HashSet::new();
    for (kind, p) in &by_kind {
        let width = p.cols.len();
        if p.cols.iter().all(Option::is_none) {
            continue;
        }
        for (line, fields) in p.lines.iter().filter(|(_, f)| f.len() == width) {
            let at = format!("{} line {line}", p.name);
            let hn = p.get(fields, Col::HN);
            let seq = p.get(fields, Col::SEQ);
            let an = p.get(fields, Col::AN);
            // The line's visit: HN+AN for an admission, else HN+SEQ.
            let key = if an.is_empty() { seq } else { an };
            let unlinked = match kind {
                K::Pat => None,
                K::Ins => (!pat_hns.contains(hn)).then(|| format!("HN {hn} of INS is not in PAT")),
                K::Irf | K::Idx | K::Iop | K::Lvd => (!an.is_empty() && !ipd_ans.contains(an))
                    .then(|| format!("AN {an} is not in IPD")),
                _ if hn.is_empty() => None,
                _ if !ins_hns.contains(hn) => Some(format!("HN {hn} is not in INS")),
                _ if !key.is_empty() && !ins_keys.contains(&(hn, key)) => {
                    Some(format!("HN {hn} with SEQ/AN {key} is not in INS"))
                }
                _ => None,
            };
            if let Some(u) = unlinked {
                out.push(format!("{at}: {u}"));
            }
            match kind {
                K::Opd => {
                    if !opd_keys.insert((hn, seq)) {
                        out.push(format!("{at}: HN {hn} SEQ {seq} is twice in OPD"));
                    }
                    if !cht_keys.contains(&(hn, seq)) {
                        out.push(format!("{at}: HN {hn} SEQ {seq} has no CHT line"));
                    }
                }
                K::Ipd => {
                    if !ipd_keys.insert((hn, an)) {
                        out.push(format!("{at}: HN {hn} AN {an} is twice in IPD"));
                    }
                    if !cht_keys.contains(&(hn, an)) {
                        out.push(format!("{at}: HN {hn} AN {an} has no CHT line"));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert!(date_ok("20260719") && !date_ok("25690719") && !date_ok("20260230"));
        assert!(!date_ok("2026071") && !date_ok("2026-07-1"));
        assert!(time_ok("0000") && time_ok("2359") && !time_ok("2400") && !time_ok("17:05"));
    }
}
