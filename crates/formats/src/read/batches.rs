//! Pass 2: the importable encounters assembled batch by batch from the ranges pass 1 kept.

use super::*;

impl Import {
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    /// Every encounter in scan order (OPD lines, then IPD lines) with its fate.
    pub fn statuses(&self) -> impl Iterator<Item = EncounterStatus> + '_ {
        self.keys.iter().map(|(k, info)| EncounterStatus {
            key: VisitKey::decode(k),
            line: u64::from(info.line),
            importable: info.flags & REJECTED == 0,
        })
    }

    pub fn batch_count(&self) -> usize {
        self.report.batches
    }

    /// Pass 2: the importable encounters, one batch at a time.
    pub fn batches(&self) -> Batches<'_> {
        self.batches_from(0, 1)
    }

    /// Pass 2 over every `step`-th batch from `first`: several readers can share the batches
    /// (each keeps its own open files).
    pub fn batches_from(&self, first: usize, step: usize) -> Batches<'_> {
        Batches {
            imp: self,
            next: first,
            step: step.max(1),
            cursors: (0..FileKind::ALL.len()).map(|_| None).collect(),
            pat_file: None,
            line_buf: Vec::new(),
        }
    }

    /// The ordinal of `key`. Lines of the other files mostly come in OPD order, so the key of
    /// the previous line (`hint`) or the one after it are tried before hashing: a hashed
    /// lookup touches two random places of a large index, this touches neighbours.
    pub(super) fn find(&self, key: &[u8], hint: usize) -> Option<usize> {
        for ord in [hint, hint + 1] {
            if let Some((k, _)) = self.keys.get_index(ord)
                && k.as_ref() == key
            {
                return Some(ord);
            }
        }
        self.keys.get_index_of(key)
    }

    pub(super) fn importable(&self, ord: usize) -> bool {
        self.keys[ord].flags & REJECTED == 0
    }
}

/// Iterator over the batches of pass 2. Keeps each file open between batches.
pub struct Batches<'a> {
    imp: &'a Import,
    next: usize,
    step: usize,
    cursors: Vec<Option<Lines<Reader>>>,
    /// PAT opened for positioned reads (plain files only): the patients of a batch are spread
    /// over the whole file, and reading through it for every batch cost more than the batch.
    pat_file: Option<std::fs::File>,
    line_buf: Vec<u8>,
}

/// Reads the line starting at `offset` of `file` into `buf` (without its terminator);
/// `None` at end of file.
pub(super) fn line_at(
    file: &std::fs::File,
    offset: u64,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<()>> {
    use std::os::unix::fs::FileExt;
    buf.clear();
    let mut chunk = [0u8; 512];
    loop {
        let n = file.read_at(&mut chunk, offset + buf.len() as u64)?;
        if n == 0 {
            break;
        }
        if let Some(i) = memchr::memchr(b'\n', &chunk[..n]) {
            buf.extend_from_slice(&chunk[..i]);
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > crate::lines::MAX_LINE {
            break;
        }
    }
    if buf.is_empty() && file.metadata()?.len() <= offset {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(()))
}

#[derive(Default)]
pub(super) struct Slot {
    pub(super) opd: Option<OpdRecord>,
    pub(super) ipd: Option<IpdRecord>,
    pub(super) right: Option<InsRecord>,
    pub(super) odx: Vec<OdxRecord>,
    pub(super) oop: Vec<OopRecord>,
    pub(super) orf: Vec<OrfRecord>,
    pub(super) idx: Vec<IdxRecord>,
    pub(super) iop: Vec<IopRecord>,
    pub(super) irf: Vec<IrfRecord>,
    pub(super) lvd: Vec<LvdRecord>,
    pub(super) cht: Vec<ChtRecord>,
    pub(super) cha: Vec<ChaRecord>,
    pub(super) dru: Vec<DruRecord>,
    pub(super) adp: Vec<AdpRecord>,
    pub(super) aer: Vec<AerRecord>,
    pub(super) lab: Vec<LabRecord>,
    pub(super) refused: Vec<RefusedLine>,
}

impl Iterator for Batches<'_> {
    type Item = Result<Batch, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.imp.report.batches {
            return None;
        }
        let b = self.next;
        self.next += self.step;
        Some(self.assemble(b))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self
            .imp
            .report
            .batches
            .saturating_sub(self.next)
            .div_ceil(self.step);
        (n, Some(n))
    }
}

impl<'a> Batches<'a> {
    /// The cursor of `kind` positioned at `offset` (a line start numbered `line`): the open file
    /// moves forward when it can, otherwise it is reopened there.
    pub(super) fn cursor_at(
        &mut self,
        kind: FileKind,
        state: &FileState,
        offset: u64,
        line: u64,
    ) -> Result<&mut Lines<Reader>, ReadError> {
        let cursor = &mut self.cursors[kind as usize];
        let forward = cursor.as_ref().is_some_and(|c| {
            c.pos() <= offset && (!state.entry.seekable() || offset - c.pos() < 1 << 20)
        });
        match cursor {
            Some(c) if forward => {
                c.skip_to(offset, line)
                    .map_err(|e| ReadError::io(state.entry.display_path(), e))?;
            }
            _ => {
                *cursor = Some(Lines::new(
                    state.entry.open_at(offset)?,
                    offset,
                    line.saturating_sub(1),
                ))
            }
        }
        Ok(cursor.as_mut().expect("cursor set above"))
    }

    /// Fetches the PAT line of every HN of the batch, in file order, straight from the offsets
    /// pass 1 recorded (patients visit all year: a byte range per batch would be all of PAT).
    pub(super) fn read_patients<'h>(
        &mut self,
        state: &FileState,
        needed: &mut FxHashMap<&'h str, Option<PatRecord>>,
        blanked: &mut FxHashMap<&'h str, u64>,
    ) -> Result<(), ReadError>
    where
        'a: 'h,
    {
        let imp = self.imp;
        let mut at: Vec<(u64, u64)> = needed
            .keys()
            .filter_map(|hn| imp.hns.get(*hn))
            .filter(|h| h.pat)
            .map(|h| (h.pat_at, u64::from(h.pat_line)))
            .collect();
        at.sort_unstable();
        let io = |e| ReadError::io(state.entry.display_path(), e);
        let mut errs = FieldErrors::new();
        if self.pat_file.is_none()
            && let Some(path) = state.entry.plain_path()
        {
            self.pat_file = Some(std::fs::File::open(path).map_err(io)?);
        }
        let mut buf = std::mem::take(&mut self.line_buf);
        for (offset, line_no) in at {
            let bytes: &[u8] = match &self.pat_file {
                Some(f) => {
                    line_at(f, offset, &mut buf)
                        .map_err(io)?
                        .ok_or_else(|| changed(state, line_no))?;
                    &buf
                }
                None => {
                    let lines = self.cursor_at(FileKind::Pat, state, offset, line_no)?;
                    let line = lines
                        .next_line()
                        .map_err(io)?
                        .ok_or_else(|| changed(state, line_no))?;
                    buf.clear();
                    buf.extend_from_slice(line.bytes);
                    &buf
                }
            };
            let (text, _) = state.encoding.decode(bytes);
            let fields: Vec<&str> = text.split('|').collect();
            let row = Row {
                fields: &fields,
                map: &state.map,
            };
            errs.clear();
            let p = PatRecord::parse(&row, &mut errs).ok_or_else(|| changed(state, line_no))?;
            let Some((hn, _)) = needed.get_key_value(p.hn.as_str()) else {
                return Err(changed(state, line_no));
            };
            if !errs.is_empty() {
                blanked.insert(*hn, line_no);
            }
            let hn: &'h str = hn;
            needed.insert(hn, Some(p));
        }
        self.line_buf = buf;
        Ok(())
    }

    pub(super) fn assemble(&mut self, b: usize) -> Result<Batch, ReadError> {
        let imp = self.imp;
        let lo = b * imp.batch_size;
        let hi = (lo + imp.batch_size).min(imp.keys.len());
        let mut slots: Vec<Option<Slot>> = (lo..hi)
            .map(|o| imp.importable(o).then(Slot::default))
            .collect();
        let mut needed_hns: FxHashMap<&str, Option<PatRecord>> = FxHashMap::default();
        // PAT lines read with fields left blank, by HN: every encounter of the patient notes it.
        let mut pat_blanked: FxHashMap<&str, u64> = FxHashMap::default();
        for o in lo..hi {
            if imp.importable(o) {
                let hn = imp
                    .hns
                    .get_index(imp.keys[o].hn as usize)
                    .map(|(h, _)| h.as_ref())
                    .unwrap_or("");
                needed_hns.insert(hn, None);
            }
        }
        let mut keybuf = Vec::with_capacity(64);
        let mut errs = FieldErrors::new();
        for kind in SCAN_ORDER {
            let Some(state) = &imp.files[kind as usize] else {
                continue;
            };
            if kind == FileKind::Pat {
                self.read_patients(state, &mut needed_hns, &mut pat_blanked)?;
                continue;
            }
            let Some(span) = imp.spans[kind as usize].get(b).copied() else {
                continue;
            };
            if span.start == u64::MAX {
                continue;
            }
            let io = |e| ReadError::io(state.entry.display_path(), e);
            let mut last = lo;
            let lines = self.cursor_at(kind, state, span.start, span.start_line)?;
            while lines.pos() < span.end {
                let Some(line) = lines.next_line().map_err(io)? else {
                    return Err(changed(state, 0));
                };
                if is_blank(line.bytes) {
                    continue;
                }
                // A line refused alone is known by its number (its keys may need pass 1's
                // reading of a line of the wrong shape).
                let dropped = &imp.dropped[kind as usize];
                if !dropped.is_empty()
                    && let Some(&ord) = dropped.get(&line.no)
                {
                    if let Some(Some(slot)) = ord.checked_sub(lo).and_then(|i| slots.get_mut(i)) {
                        slot.refused.push(RefusedLine {
                            file: kind,
                            line: line.no,
                            kept: false,
                            classifying: false,
                        });
                    }
                    continue;
                }
                // Keys are ASCII in both encodings: decide from the raw bytes whether the line
                // belongs to this batch before paying for decoding and parsing it.
                let key = |col| raw_field(line.bytes, state.map.index(col));
                let (Some(hn), Some(seq), Some(an)) = (key(Col::HN), key(Col::SEQ), key(Col::AN))
                else {
                    continue;
                };
                if !line_key(kind, hn, seq, an, &mut keybuf) {
                    continue;
                }
                let Some(ord) = imp.find(&keybuf, last) else {
                    continue;
                };
                last = ord;
                if !(lo..hi).contains(&ord) || slots[ord - lo].is_none() {
                    continue;
                }
                let (text, _) = state.encoding.decode(line.bytes);
                let fields: Vec<&str> = text.split('|').collect();
                if fields.len() != state.map.width {
                    continue;
                }
                let row = Row {
                    fields: &fields,
                    map: &state.map,
                };
                let slot = slots[ord - lo].as_mut().expect("checked above");
                errs.clear();
                // Each record is parsed straight into its slot: through `AnyRecord` (592 bytes)
                // every record was moved twice more.
                let line_no = line.no;
                let lost = || changed(state, line_no);
                fn one<T: ParseRecord>(
                    row: &Row<'_>,
                    errs: &mut FieldErrors,
                    lost: impl Fn() -> ReadError,
                ) -> Result<T, ReadError> {
                    T::parse(row, errs).ok_or_else(lost)
                }
                let e = &mut errs;
                match kind {
                    FileKind::Opd => slot.opd = Some(one(&row, e, lost)?),
                    FileKind::Ipd => slot.ipd = Some(one(&row, e, lost)?),
                    FileKind::Ins => slot.right = Some(one(&row, e, lost)?),
                    FileKind::Odx => slot.odx.push(one(&row, e, lost)?),
                    FileKind::Oop => slot.oop.push(one(&row, e, lost)?),
                    FileKind::Orf => slot.orf.push(one(&row, e, lost)?),
                    FileKind::Idx => slot.idx.push(one(&row, e, lost)?),
                    FileKind::Iop => slot.iop.push(one(&row, e, lost)?),
                    FileKind::Irf => slot.irf.push(one(&row, e, lost)?),
                    FileKind::Lvd => slot.lvd.push(one(&row, e, lost)?),
                    FileKind::Cht => slot.cht.push(one(&row, e, lost)?),
                    FileKind::Cha => slot.cha.push(one(&row, e, lost)?),
                    FileKind::Dru => slot.dru.push(one(&row, e, lost)?),
                    FileKind::Adp => slot.adp.push(one(&row, e, lost)?),
                    FileKind::Aer => slot.aer.push(one(&row, e, lost)?),
                    FileKind::Lab => slot.lab.push(one(&row, e, lost)?),
                    FileKind::Pat => {}
                }
                // What is left are optional fields read as blank: the line is kept.
                if !errs.is_empty() {
                    let classifying = errs.iter().any(|(c, _)| {
                        matches!(c, Col::HOSPMAIN | Col::TYPEIN | Col::AETYPE | Col::UCAE)
                    });
                    slot.refused.push(RefusedLine {
                        file: kind,
                        line: line_no,
                        kept: true,
                        classifying,
                    });
                }
            }
        }
        let mut encounters = Vec::with_capacity(slots.len());
        let mut rejected = Vec::new();
        for (i, slot) in slots.into_iter().enumerate() {
            let ord = lo + i;
            let (kb, info) = imp.keys.get_index(ord).expect("ordinal");
            let Some(s) = slot else {
                rejected.push(VisitKey::decode(kb));
                continue;
            };
            let hn = imp
                .hns
                .get_index(info.hn as usize)
                .map(|(h, _)| h.as_ref())
                .unwrap_or("");
            let lost = || ReadError::Changed {
                file: VisitKey::decode(kb).to_string(),
                line: u64::from(info.line),
            };
            let patient = needed_hns.get(hn).and_then(Clone::clone).ok_or_else(lost)?;
            let right = s.right.ok_or_else(lost)?;
            let mut refused = s.refused;
            if let Some(&line) = pat_blanked.get(hn) {
                refused.insert(
                    0,
                    RefusedLine {
                        file: FileKind::Pat,
                        line,
                        kept: true,
                        classifying: false,
                    },
                );
            }
            let enc = if let Some(opd) = s.opd {
                Encounter::Visit(Box::new(Visit {
                    opd,
                    patient,
                    right,
                    diagnoses: s.odx,
                    procedures: s.oop,
                    refers: s.orf,
                    bills: s.cht,
                    charges: s.cha,
                    drugs: s.dru,
                    items: s.adp,
                    accidents: s.aer,
                    labs: s.lab,
                    refused,
                }))
            } else {
                Encounter::Admission(Box::new(Admission {
                    ipd: s.ipd.ok_or_else(lost)?,
                    patient,
                    right,
                    diagnoses: s.idx,
                    procedures: s.iop,
                    refers: s.irf,
                    leaves: s.lvd,
                    bills: s.cht,
                    charges: s.cha,
                    drugs: s.dru,
                    items: s.adp,
                    accidents: s.aer,
                    refused,
                }))
            };
            encounters.push(enc);
        }
        Ok(Batch {
            index: b,
            first: lo,
            encounters,
            rejected,
        })
    }
}

/// Field `idx` of a raw line, trimmed, when it is ASCII (keys always are); `Some("")` for a
/// column the file does not have.
pub(super) fn raw_field(line: &[u8], idx: Option<usize>) -> Option<&str> {
    let Some(idx) = idx else { return Some("") };
    let ends = memchr::memchr_iter(b'|', line).chain(std::iter::once(line.len()));
    let mut start = 0;
    for (n, end) in ends.enumerate() {
        if n == idx {
            let f = line[start..end].trim_ascii();
            return if f.is_ascii() {
                std::str::from_utf8(f).ok()
            } else {
                None
            };
        }
        start = end + 1;
    }
    Some("")
}

pub(super) fn changed(state: &FileState, line: u64) -> ReadError {
    ReadError::Changed {
        file: state.entry.name.clone(),
        line,
    }
}
