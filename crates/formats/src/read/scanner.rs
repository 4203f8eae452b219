//! Pass 1: the scanner that validates every line of every file and keeps the small indexes.

use super::*;

pub(super) struct LineCtx<'a> {
    pub(super) file: &'a str,
    pub(super) line: u64,
    pub(super) hn: &'a str,
    pub(super) seq: &'a str,
    pub(super) an: &'a str,
}

pub(super) struct Scanner<'s> {
    /// In the main scanner, the index being built; in a linking scanner, only this scanner's
    /// files, spans and report (the keys live in `shared`).
    pub(super) imp: Import,
    /// Linking scanners (files after OPD, IPD and PAT, read on parallel threads) look keys and
    /// HNs up here and keep what they learn in `states` and `tainted`, merged afterwards.
    pub(super) shared: Option<&'s Import>,
    pub(super) states: Vec<KeyState>,
    pub(super) tainted: Vec<u32>,
    pub(super) opts: &'s ReadOptions,
    pub(super) sink: Sink<'s>,
    pub(super) keybuf: Vec<u8>,
    /// Ordinal of the last key found (see [`Import::find`]).
    pub(super) last_ord: usize,
    pub(super) errs: FieldErrors,
    pub(super) all_tainted: bool,
}

/// Where rejects go: straight to the caller, or kept (in order) for a merge.
pub(super) enum Sink<'s> {
    Direct(&'s mut dyn FnMut(Reject)),
    Buffer(Vec<Reject>),
}

/// What a linking scanner found, to merge into the main scanner.
pub(super) struct Linked {
    pub(super) files: Vec<(FileKind, Vec<Reject>)>,
    pub(super) imp: Import,
    pub(super) states: Vec<KeyState>,
    pub(super) tainted: Vec<u32>,
    pub(super) all_tainted: bool,
}

pub(super) enum Resolved {
    /// The line carries no usable key.
    NoKey,
    Unknown,
    Found(usize),
}

impl<'s> Scanner<'s> {
    /// A scanner on a thread of its own: an empty index (or the shared one to link against),
    /// rejects kept for the merge.
    pub(super) fn buffered(opts: &'s ReadOptions, shared: Option<&'s Import>) -> Scanner<'s> {
        Scanner {
            imp: Import::empty(opts.batch_size, ImportReport::default()),
            shared,
            states: Vec::new(),
            tainted: Vec::new(),
            opts,
            sink: Sink::Buffer(Vec::new()),
            keybuf: Vec::with_capacity(64),
            last_ord: 0,
            errs: Vec::new(),
            all_tainted: false,
        }
    }

    /// The rejects kept so far (buffered scanners).
    pub(super) fn take_rejects(&mut self) -> Vec<Reject> {
        match &mut self.sink {
            Sink::Buffer(v) => std::mem::take(v),
            Sink::Direct(_) => Vec::new(),
        }
    }

    pub(super) fn emit(&mut self, r: Reject) {
        self.imp.report.rejects += 1;
        *self.imp.report.rejects_by_code.entry(r.code).or_insert(0) += 1;
        match &mut self.sink {
            Sink::Direct(f) => f(r),
            Sink::Buffer(v) => v.push(r),
        }
    }

    /// The index of keys and HNs: the shared one when linking.
    pub(super) fn index(&self) -> &Import {
        self.shared.unwrap_or(&self.imp)
    }

    /// The mutable state of encounter `ord` (flags, bill sums).
    pub(super) fn state(&mut self, ord: usize) -> &mut KeyState {
        match self.shared {
            None => &mut self.imp.keys[ord].st,
            Some(sh) => {
                // Allocated on the first write: a thread reading only DRU (say) writes nothing
                // unless a line is rejected.
                if self.states.is_empty() {
                    self.states = vec![KeyState::default(); sh.keys.len()];
                }
                &mut self.states[ord]
            }
        }
    }

    pub(super) fn file_reject(&mut self, file: &str, code: RejectCode, th: String, en: String) {
        self.emit(Reject {
            file: file.to_string(),
            line: 0,
            field: String::new(),
            value: String::new(),
            code,
            reason_th: th,
            reason_en: en,
            hn: String::new(),
            seq: String::new(),
            an: String::new(),
        });
    }

    /// [`Self::line_reject`] of the line's HN.
    pub(super) fn hn_reject(&mut self, lc: &LineCtx<'_>, code: RejectCode, th: &str, en: &str) {
        self.line_reject(lc, Some(Col::HN), "HN", lc.hn, code, th.into(), en.into());
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn line_reject(
        &mut self,
        lc: &LineCtx<'_>,
        col: Option<Col>,
        field: &str,
        raw: &str,
        code: RejectCode,
        th: String,
        en: String,
    ) {
        self.emit(Reject {
            file: lc.file.to_string(),
            line: lc.line,
            field: field.to_string(),
            value: shown_value(col, raw),
            code,
            reason_th: th,
            reason_en: en,
            hn: lc.hn.to_string(),
            seq: lc.seq.to_string(),
            an: lc.an.to_string(),
        });
    }

    pub(super) fn col_reject(&mut self, lc: &LineCtx<'_>, col: Col, raw: &str, e: FieldError) {
        self.line_reject(lc, Some(col), col.name(), raw, e.code, e.th, e.en);
    }

    pub(super) fn resolve(&mut self, kind: FileKind, hn: &str, seq: &str, an: &str) -> Resolved {
        if !line_key(kind, hn, seq, an, &mut self.keybuf) {
            return Resolved::NoKey;
        }
        match self.index().find(&self.keybuf, self.last_ord) {
            None => Resolved::Unknown,
            Some(i) => {
                self.last_ord = i;
                Resolved::Found(i)
            }
        }
    }

    pub(super) fn taint_hn(&mut self, hn: &str) {
        match self.shared {
            None => {
                if let Some(h) = self.imp.hns.get_mut(hn) {
                    h.tainted = true;
                }
            }
            Some(sh) => {
                if let Some(i) = sh.hns.get_index_of(hn) {
                    self.tainted.push(i as u32);
                }
            }
        }
    }

    pub(super) fn span(&mut self, kind: FileKind, batch: usize, start: u64, line: u64, end: u64) {
        let spans = &mut self.imp.spans[kind as usize];
        if spans.len() <= batch {
            spans.resize(batch + 1, EMPTY_SPAN);
        }
        let s = &mut spans[batch];
        if start < s.start {
            s.start = start;
            s.start_line = line;
        }
        s.end = s.end.max(end);
    }

    pub(super) fn register(&mut self, hn: &str, line: u64) -> usize {
        let ord = self.imp.keys.len();
        let hn_idx = match self.imp.hns.get_index_of(hn) {
            Some(i) => i,
            None => self.imp.hns.insert_full(hn.into(), HnInfo::default()).0,
        };
        self.imp.keys.insert(
            self.keybuf.clone().into_boxed_slice(),
            KeyInfo {
                hn: hn_idx as u32,
                line: u32::try_from(line).unwrap_or(u32::MAX),
                ..Default::default()
            },
        );
        ord
    }

    pub(super) fn sniff(&self, entry: &Entry) -> Result<Sniff, ReadError> {
        let io = |e| ReadError::io(entry.display_path(), e);
        let mut lines = Lines::new(entry.open_at(0)?, 0, 0);
        let mut s = Sniff::default();
        while let Some(l) = lines.next_line().map_err(io)? {
            let b = if l.no == 1 {
                strip_bom(l.bytes).0
            } else {
                l.bytes
            };
            s.add(classify(b));
        }
        Ok(s)
    }

    pub(super) fn scan_file(&mut self, kind: FileKind, entry: Entry) -> Result<(), ReadError> {
        let io = |e| ReadError::io(entry.display_path(), e);
        let sniffed = match self.opts.encoding {
            EncodingChoice::Auto => Some(self.sniff(&entry)?),
            EncodingChoice::Declared(_) => None,
        };
        let encoding = match (self.opts.encoding, sniffed) {
            (EncodingChoice::Declared(e), _) => e,
            (_, Some(s)) => s.choose(),
            (_, None) => TextEncoding::Windows874,
        };
        let name = entry.name.clone();
        let mut rep = FileReport {
            kind,
            name: name.clone(),
            bytes: 0,
            layout: None,
            header: Vec::new(),
            unknown_columns: Vec::new(),
            missing_columns: Vec::new(),
            encoding,
            detected: Detected::Ascii,
            bom: false,
            records: 0,
            rejected_lines: 0,
            blank_lines: 0,
            replacement_chars: 0,
            crlf_lines: 0,
            lf_lines: 0,
            trailing_newline: false,
        };
        let mut lines = Lines::new(entry.open_at(0)?, 0, 0);

        // Header.
        let Some(header) = lines.next_line().map_err(io)? else {
            self.imp.report.files.push(rep);
            return Ok(());
        };
        count_eol(&mut rep, header.eol);
        let mut last_eol = header.eol;
        if header.bytes.starts_with(&[0xff, 0xfe]) || header.bytes.starts_with(&[0xfe, 0xff]) {
            self.all_tainted = true;
            self.file_reject(
                &name,
                RejectCode::Encoding,
                format!("แฟ้ม {kind} เป็น UTF-16 ซึ่งไม่รองรับ ให้ส่งออกเป็น windows-874 หรือ UTF-8"),
                format!("{kind} is UTF-16, which is not supported; export windows-874 or UTF-8"),
            );
            rep.bytes = entry_len(&mut lines).map_err(io)?;
            self.imp.report.files.push(rep);
            return Ok(());
        }
        let (hbytes, bom) = strip_bom(header.bytes);
        rep.bom = bom;
        let htext = String::from_utf8_lossy(hbytes);
        let names: Vec<&str> = htext.split('|').map(str::trim).collect();
        let cols: Vec<Option<Col>> = names
            .iter()
            .map(|n| Col::from_header(n).filter(|c| kind.knows(*c)))
            .collect();
        rep.header = names.iter().map(|s| s.to_string()).collect();
        rep.unknown_columns = names
            .iter()
            .zip(&cols)
            .filter(|(n, c)| c.is_none() && !n.is_empty())
            .map(|(n, _)| n.to_string())
            .collect();
        let map = ColumnMap::new(&cols);
        // Exact spelling first (DRUGPRICE vs DRUGPRIC map to one column), then by columns.
        let layouts = kind.layouts();
        rep.layout = layouts
            .iter()
            .find(|l| {
                l.header.len() == names.len()
                    && l.header
                        .iter()
                        .zip(&names)
                        .all(|(a, b)| a.eq_ignore_ascii_case(b))
            })
            .or_else(|| {
                layouts.iter().find(|l| {
                    l.header.len() == cols.len()
                        && l.columns().zip(&cols).all(|(a, b)| Some(a) == *b)
                })
            })
            .map(|l| l.name);
        let mut missing: Vec<Col> = required_columns(kind)
            .into_iter()
            .filter(|c| !map.has(*c))
            .collect();
        let mut unattributable = false;
        for group in key_columns(kind) {
            if !group.iter().any(|c| map.has(*c)) {
                unattributable = true;
                for c in group.iter() {
                    if !missing.contains(c) {
                        missing.push(*c);
                    }
                }
            }
        }
        rep.missing_columns = missing.iter().map(|c| c.name().to_string()).collect();
        if !missing.is_empty() {
            let list = rep.missing_columns.join(", ");
            let no_header = cols.iter().all(Option::is_none);
            let (th, en) = if no_header {
                (
                    format!("บรรทัดแรกของแฟ้ม {kind} ไม่ใช่หัวคอลัมน์"),
                    format!("the first line of {kind} is not a header line"),
                )
            } else {
                (
                    format!("หัวคอลัมน์ของแฟ้ม {kind} ไม่มี {list}"),
                    format!("the {kind} header lacks {list}"),
                )
            };
            self.file_reject(&name, RejectCode::MissingColumn, th, en);
        }
        let state = FileState {
            entry: entry.clone(),
            map,
            encoding,
        };

        // Body.
        let mut body_sniff = Sniff::default();
        let unit = self.opts.unit;
        while let Some(line) = lines.next_line().map_err(io)? {
            count_eol(&mut rep, line.eol);
            last_eol = line.eol;
            if is_blank(line.bytes) {
                rep.blank_lines += 1;
                continue;
            }
            rep.records += 1;
            let class = classify(line.bytes);
            body_sniff.add(class);
            let (text, bad_chars) = encoding.decode(line.bytes);
            rep.replacement_chars += u64::from(bad_chars);
            let fields: Vec<&str> = text.split('|').collect();
            let row = Row {
                fields: &fields,
                map: &state.map,
            };
            let (mut hn, mut seq, mut an) = (row.key(Col::HN), row.key(Col::SEQ), row.key(Col::AN));
            // A detail line with more fields than its header most likely has a '|' inside a
            // text (a drug's name): when its keys as written name no encounter, the keys after
            // that text, counted from the end of the line, may. Each key column is tried as the
            // first one after the extra fields; taken only when one encounter answers.
            let extra = fields.len().saturating_sub(state.map.width);
            if extra > 0
                && !line.overlong
                && kind.is_detail()
                && !matches!(self.resolve(kind, hn, seq, an), Resolved::Found(_))
            {
                let idx = [Col::HN, Col::SEQ, Col::AN].map(|c| state.map.index(c));
                let mut found: Option<(usize, (&str, &str, &str))> = None;
                let mut ambiguous = false;
                for from in idx.iter().flatten() {
                    let at = |k: usize| {
                        idx[k]
                            .map(|i| if i >= *from { i + extra } else { i })
                            .and_then(|i| fields.get(i))
                            .map_or("", |s| s.trim_matches(|c: char| c.is_ascii_whitespace()))
                    };
                    let keys = (at(0), at(1), at(2));
                    if let Resolved::Found(ord) = self.resolve(kind, keys.0, keys.1, keys.2) {
                        match found {
                            Some((o, _)) if o != ord => ambiguous = true,
                            Some(_) => {}
                            None => found = Some((ord, keys)),
                        }
                    }
                }
                if let (Some((_, keys)), false) = (found, ambiguous) {
                    (hn, seq, an) = keys;
                }
            }
            let lc = LineCtx {
                file: &name,
                line: line.no,
                hn,
                seq,
                an,
            };
            let mut bad = false;
            let mut blanked: Vec<(Col, FieldError)> = Vec::new();
            let mut shape_ok = true;
            let mut rec = None;
            for (col, v) in [(Col::HN, hn), (Col::SEQ, seq), (Col::AN, an)] {
                if !v.is_ascii() {
                    bad = true;
                    self.line_reject(
                        &lc,
                        Some(col),
                        col.name(),
                        v,
                        RejectCode::BadKey,
                        format!("{col} ต้องเป็นตัวอักษรภาษาอังกฤษหรือตัวเลข"),
                        format!("{col} must be ASCII"),
                    );
                }
            }
            if line.overlong || fields.len() != state.map.width {
                bad = true;
                shape_ok = false;
                let (th, en) = if line.overlong {
                    let kib = crate::lines::MAX_LINE / 1024;
                    (
                        format!("บรรทัดยาวเกิน {kib} KiB ถูกตัด (ช่องที่อ่านได้/ตามหัวคอลัมน์)"),
                        format!("line is longer than {kib} KiB and was cut (fields read/header's)"),
                    )
                } else if fields.len() < state.map.width {
                    (
                        format!(
                            "มี {} ช่อง น้อยกว่าหัวคอลัมน์ ({}) บรรทัดอาจถูกตัด",
                            fields.len(),
                            state.map.width
                        ),
                        format!(
                            "{} fields, fewer than the header's {}: truncated line?",
                            fields.len(),
                            state.map.width
                        ),
                    )
                } else {
                    (
                        format!(
                            "มี {} ช่อง มากกว่าหัวคอลัมน์ ({}) อาจมี | ในข้อมูล",
                            fields.len(),
                            state.map.width
                        ),
                        format!(
                            "{} fields, more than the header's {}: a '|' inside a value?",
                            fields.len(),
                            state.map.width
                        ),
                    )
                };
                let count = format!("{}/{}", fields.len(), state.map.width);
                self.line_reject(&lc, None, "", &count, RejectCode::FieldCount, th, en);
            } else {
                let wrong_script = encoding == TextEncoding::Windows874 && class == LineClass::Utf8;
                if bad_chars > 0 || wrong_script {
                    bad = true;
                    self.encoding_rejects(&lc, &row, &cols, encoding, bad_chars, wrong_script);
                }
                let mut errs = std::mem::take(&mut self.errs);
                errs.clear();
                rec = AnyRecord::parse(kind, &row, &mut errs);
                for (col, e) in errs.drain(..) {
                    if e.blanked {
                        // Reported once the line's fate is known (below).
                        blanked.push((col, e));
                        continue;
                    }
                    bad = true;
                    if state.map.has(col) {
                        self.col_reject(&lc, col, row.raw(col), e);
                    }
                }
                self.errs = errs;
            }
            if let (Some(unit), Some(h)) = (&unit, rec.as_ref().and_then(record_hcode))
                && h != unit
            {
                bad = true;
                self.line_reject(
                    &lc,
                    Some(Col::HCODE),
                    "HCODE",
                    h.as_str(),
                    RejectCode::HcodeMismatch,
                    format!("HCODE ต้องเป็นรหัสหน่วยบริการที่นำเข้า ({unit})"),
                    format!("HCODE must be the importing unit's code {unit}"),
                );
            }
            if unattributable {
                self.all_tainted = true;
            }
            let bad = self.index_line(
                kind,
                &lc,
                rec.as_ref(),
                bad,
                shape_ok,
                (line.start, line.end),
            );
            if bad {
                rep.rejected_lines += 1;
            }
            for (col, mut e) in blanked {
                if !bad {
                    e.th.push_str(" (อ่านเป็นค่าว่าง รายการยังนำเข้า)");
                    e.en.push_str(" (read as blank; the line is kept)");
                }
                if state.map.has(col) {
                    self.col_reject(&lc, col, row.raw(col), e);
                }
            }
        }
        rep.bytes = lines.pos();
        rep.trailing_newline = last_eol != Eol::None;
        rep.detected = match sniffed {
            Some(s) => s.detected(),
            None => body_sniff.detected(),
        };
        if let (EncodingChoice::Declared(d), Some(actual)) =
            (self.opts.encoding, detected_encoding(rep.detected))
            && d != actual
        {
            self.file_reject(
                &name,
                RejectCode::Encoding,
                format!("แจ้งรหัสอักขระเป็น {d} แต่แฟ้ม {kind} เป็น {actual}"),
                format!("declared {d}, but {kind} is {actual}"),
            );
        }
        self.imp.report.files.push(rep);
        self.imp.files[kind as usize] = Some(state);
        Ok(())
    }

    pub(super) fn encoding_rejects(
        &mut self,
        lc: &LineCtx<'_>,
        row: &Row<'_>,
        cols: &[Option<Col>],
        encoding: TextEncoding,
        bad_chars: u32,
        wrong_script: bool,
    ) {
        let (th, en) = if wrong_script {
            (
                "ข้อความเป็น UTF-8 แต่แฟ้มถูกอ่านเป็น windows-874 (รหัสอักขระไม่ตรง)".to_string(),
                "text is UTF-8 but the file is read as windows-874".to_string(),
            )
        } else {
            (
                format!("ถอดรหัสอักขระด้วย {encoding} ไม่ได้ ({bad_chars} ตัว) แฟ้มอาจใช้รหัสอักขระอื่น"),
                format!(
                    "{bad_chars} byte sequences are not valid {encoding}; the text may be in another encoding"
                ),
            )
        };
        let mut any = false;
        for (i, f) in row.fields.iter().enumerate() {
            let hit = if wrong_script {
                !f.is_ascii()
            } else {
                f.chars().any(is_bad_char)
            };
            if hit {
                any = true;
                let col = cols.get(i).copied().flatten();
                let field = col
                    .map(|c| c.name().to_string())
                    .unwrap_or_else(|| format!("#{}", i + 1));
                self.line_reject(
                    lc,
                    col,
                    &field,
                    f.trim(),
                    RejectCode::Encoding,
                    th.clone(),
                    en.clone(),
                );
            }
        }
        if !any {
            self.line_reject(lc, None, "", "", RejectCode::Encoding, th, en);
        }
    }
}

/// The key a line of `kind` links to: HN+SEQ for files of OP visits, AN for files of
/// admissions, and for files of both (INS, CHT, CHA, AER, ADP, DRU) AN when present, else
/// HN+SEQ. `false` when the line lacks it.
pub(super) fn line_key(kind: FileKind, hn: &str, seq: &str, an: &str, out: &mut Vec<u8>) -> bool {
    use FileKind as K;
    match kind {
        K::Opd | K::Orf | K::Odx | K::Oop | K::Lab => VisitKey::encode_into(hn, seq, "", out),
        K::Ipd | K::Irf | K::Idx | K::Iop | K::Lvd => VisitKey::encode_into("", "", an, out),
        K::Ins | K::Cht | K::Cha | K::Aer | K::Adp | K::Dru | K::Pat => {
            VisitKey::encode_into(hn, seq, an, out)
        }
    }
}

pub(super) fn record_hcode(r: &AnyRecord) -> Option<&Hcode> {
    match r {
        AnyRecord::Pat(p) => Some(&p.hcode),
        AnyRecord::Dru(d) => Some(&d.hcode),
        AnyRecord::Lab(l) => Some(&l.hcode),
        _ => None,
    }
}

pub(super) fn detected_encoding(d: Detected) -> Option<TextEncoding> {
    match d {
        Detected::Utf8 => Some(TextEncoding::Utf8),
        Detected::Windows874 => Some(TextEncoding::Windows874),
        Detected::Ascii | Detected::Mixed => None,
    }
}

pub(super) fn strip_bom(b: &[u8]) -> (&[u8], bool) {
    match b.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        Some(rest) => (rest, true),
        None => (b, false),
    }
}

pub(super) fn count_eol(rep: &mut FileReport, eol: Eol) {
    match eol {
        Eol::Crlf => rep.crlf_lines += 1,
        Eol::Lf => rep.lf_lines += 1,
        Eol::None => {}
    }
}

pub(super) fn entry_len(lines: &mut Lines<Reader>) -> std::io::Result<u64> {
    while lines.next_line()?.is_some() {}
    Ok(lines.pos())
}

// ---------------------------------------------------------------------------------------------
// Pass 2.
