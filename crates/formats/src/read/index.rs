//! Pass 1, per line: a valid line indexed under its key and HN, its amounts accounted, and the
//! per-file indexes merged and checked once every file is read.

use super::*;

impl<'s> Scanner<'s> {
    pub(super) fn index_line(
        &mut self,
        kind: FileKind,
        lc: &LineCtx<'_>,
        rec: Option<&AnyRecord>,
        mut bad: bool,
        shape_ok: bool,
        (start, end): (u64, u64),
    ) -> bool {
        let b = self.imp.batch_size;
        match kind {
            FileKind::Opd | FileKind::Ipd => {
                let resolved = self.resolve(kind, lc.hn, lc.seq, lc.an);
                match resolved {
                    Resolved::Found(ord) => {
                        bad = true;
                        let (code, th, en, col) = if kind == FileKind::Opd {
                            (
                                RejectCode::DuplicateVisit,
                                "HN และ SEQ ซ้ำในแฟ้ม OPD",
                                "(HN, SEQ) appears twice in OPD",
                                Col::SEQ,
                            )
                        } else {
                            (
                                RejectCode::DuplicateAdmission,
                                "AN ซ้ำในแฟ้ม IPD",
                                "AN appears twice in IPD",
                                Col::AN,
                            )
                        };
                        let raw = if kind == FileKind::Opd { lc.seq } else { lc.an };
                        self.line_reject(
                            lc,
                            Some(col),
                            col.name(),
                            raw,
                            code,
                            th.into(),
                            en.into(),
                        );
                        self.state(ord).flags |= REJECTED;
                    }
                    Resolved::Unknown => {
                        // Registered even when bad, so that it is listed as rejected.
                        let ord = self.register(lc.hn, lc.line);
                        if bad {
                            self.imp.keys[ord].flags |= REJECTED;
                        }
                        self.span(kind, ord / b, start, lc.line, end);
                    }
                    Resolved::NoKey => {
                        // SEQ or AN blank: rejected as Required by the parser.
                        self.taint_hn(lc.hn);
                    }
                }
            }
            FileKind::Pat => {
                if lc.hn.is_empty() {
                    return bad;
                }
                let h = match self.imp.hns.get_mut(lc.hn) {
                    Some(h) => h,
                    None => {
                        let (i, _) = self.imp.hns.insert_full(lc.hn.into(), HnInfo::default());
                        &mut self.imp.hns[i]
                    }
                };
                let dup = h.pat;
                if !dup {
                    h.pat = true;
                    h.pat_at = start;
                    h.pat_line = u32::try_from(lc.line).unwrap_or(u32::MAX);
                    if rec.is_some() {
                        self.imp.report.patients += 1;
                    }
                }
                if dup {
                    bad = true;
                    self.hn_reject(
                        lc,
                        RejectCode::DuplicatePatient,
                        "HN ซ้ำในแฟ้ม PAT",
                        "HN appears twice in PAT",
                    );
                }
                if bad {
                    self.taint_hn(lc.hn);
                }
            }
            _ => {
                let resolved = self.resolve(kind, lc.hn, lc.seq, lc.an);
                if kind == FileKind::Ins
                    && !lc.hn.is_empty()
                    && self.index().hns.get(lc.hn).is_none_or(|h| !h.pat)
                {
                    bad = true;
                    self.hn_reject(
                        lc,
                        RejectCode::PatientMissing,
                        "HN ในแฟ้ม INS ไม่มีในแฟ้ม PAT",
                        "HN of INS is not in PAT",
                    );
                }
                match resolved {
                    Resolved::NoKey => {
                        let seq_or_an = key_columns(kind).get(1).is_some_and(|g| g.len() > 1);
                        if shape_ok && seq_or_an && lc.seq.is_empty() && lc.an.is_empty() {
                            self.line_reject(
                                lc,
                                Some(Col::SEQ),
                                "SEQ/AN",
                                "",
                                RejectCode::Required,
                                format!("แฟ้ม {kind} ต้องมี SEQ หรือ AN"),
                                format!("{kind} needs SEQ or AN"),
                            );
                        }
                        bad = true;
                        self.taint_hn(lc.hn);
                    }
                    Resolved::Unknown => {
                        if shape_ok {
                            let (th, en) = if lc.an.is_empty() {
                                (
                                    format!("ไม่มีการรับบริการ HN {} SEQ {} ในแฟ้ม OPD", lc.hn, lc.seq),
                                    format!("no OPD visit HN {} SEQ {}", lc.hn, lc.seq),
                                )
                            } else {
                                (
                                    format!("ไม่มี AN {} ในแฟ้ม IPD", lc.an),
                                    format!("no IPD admission AN {}", lc.an),
                                )
                            };
                            let (col, raw) = if lc.an.is_empty() {
                                (Col::SEQ, lc.seq)
                            } else {
                                (Col::AN, lc.an)
                            };
                            self.line_reject(
                                lc,
                                Some(col),
                                col.name(),
                                raw,
                                RejectCode::NoVisit,
                                th,
                                en,
                            );
                        }
                        if !shape_ok {
                            self.taint_hn(lc.hn);
                        }
                        bad = true;
                    }
                    Resolved::Found(ord) => {
                        // What makes the encounter itself doubtful (another HN, a second
                        // right) rejects it; an unreadable detail line is rejected alone, even
                        // one of the wrong shape (a '|' in a drug's name) whose keys still name
                        // an encounter exactly.
                        let mut encounter_bad = false;
                        self.check_ip_hn(lc, ord, &mut encounter_bad);
                        self.account(kind, lc, ord, rec, &mut encounter_bad);
                        if encounter_bad || (bad && !kind.is_detail()) {
                            self.state(ord).flags |= REJECTED;
                            if !shape_ok {
                                self.taint_hn(lc.hn);
                            }
                        } else if bad {
                            self.imp.dropped[kind as usize].insert(lc.line, ord);
                        }
                        bad |= encounter_bad;
                        self.span(kind, ord / b, start, lc.line, end);
                    }
                }
            }
        }
        bad
    }

    /// An admission's lines must carry the HN of its IPD line.
    pub(super) fn check_ip_hn(&mut self, lc: &LineCtx<'_>, ord: usize, bad: &mut bool) {
        if lc.an.is_empty() || lc.hn.is_empty() {
            return;
        }
        let index = self.index();
        let hn_idx = index.keys[ord].hn as usize;
        let (ipd_hn, _) = index.hns.get_index(hn_idx).expect("hn index");
        if ipd_hn.as_ref() != lc.hn {
            let ipd_hn = ipd_hn.to_string();
            *bad = true;
            self.line_reject(
                lc,
                Some(Col::HN),
                "HN",
                lc.hn,
                RejectCode::HnMismatch,
                format!("HN ไม่ตรงกับ HN ของ AN {} ในแฟ้ม IPD ({ipd_hn})", lc.an),
                format!("HN differs from the IPD HN {ipd_hn} of AN {}", lc.an),
            );
        }
    }

    pub(super) fn account(
        &mut self,
        kind: FileKind,
        lc: &LineCtx<'_>,
        ord: usize,
        rec: Option<&AnyRecord>,
        bad: &mut bool,
    ) {
        let k = self.state(ord);
        match (kind, rec) {
            (FileKind::Ins, _) => {
                if k.flags & IN_INS != 0 {
                    *bad = true;
                    self.line_reject(
                        lc,
                        None,
                        "",
                        "",
                        RejectCode::DuplicateRight,
                        "มีสิทธิ (INS) มากกว่าหนึ่งบรรทัดสำหรับการรับบริการนี้".into(),
                        "more than one INS line for this visit".into(),
                    );
                } else {
                    k.flags |= IN_INS;
                }
            }
            (FileKind::Cht, Some(AnyRecord::Cht(c))) => {
                if k.flags & HAS_CHT == 0 {
                    k.cht_line = u32::try_from(lc.line).unwrap_or(u32::MAX);
                }
                k.flags |= HAS_CHT;
                match k.cht_total.checked_add(c.total.0) {
                    Some(t) => k.cht_total = t,
                    None => k.flags |= MONEY_OVERFLOW,
                }
            }
            (FileKind::Cht, _) => {
                // A bad CHT line still proves the bill exists; the line itself is rejected.
                k.flags |= HAS_CHT;
            }
            (FileKind::Cha, Some(AnyRecord::Cha(c))) => match k.cha_sum.checked_add(c.amount.0) {
                Some(t) => k.cha_sum = t,
                None => k.flags |= MONEY_OVERFLOW,
            },
            _ => {}
        }
    }

    /// Takes in what the PAT scanner found: its rejects (after those of OPD and IPD), report,
    /// and its HNs, which extend the index in PAT order as a single thread would have.
    pub(super) fn merge_patients(&mut self, mut p: Linked) {
        for (_, rejects) in std::mem::take(&mut p.files) {
            for r in rejects {
                match &mut self.sink {
                    Sink::Direct(f) => f(r),
                    Sink::Buffer(v) => v.push(r),
                }
            }
        }
        let rep = p.imp.report;
        self.imp.report.files.extend(rep.files);
        self.imp.report.rejects += rep.rejects;
        for (code, n) in &rep.rejects_by_code {
            *self.imp.report.rejects_by_code.entry(*code).or_insert(0) += n;
        }
        self.imp.report.patients += rep.patients;
        self.all_tainted |= p.all_tainted;
        let pat = FileKind::Pat as usize;
        self.imp.files[pat] = p.imp.files[pat].take();
        for (hn, info) in p.imp.hns {
            match self.imp.hns.get_mut(&hn) {
                Some(h) => {
                    h.pat = info.pat;
                    h.pat_at = info.pat_at;
                    h.pat_line = info.pat_line;
                    h.tainted |= info.tainted;
                }
                None => {
                    self.imp.hns.insert(hn, info);
                }
            }
        }
    }

    /// Takes in what the linking scanners found: rejects in scan order, file reports and states,
    /// spans, flags and sums, tainted HNs.
    pub(super) fn merge(&mut self, linked: &mut [Linked]) {
        let mut files: Vec<(usize, FileKind, Vec<Reject>)> = Vec::new();
        for l in linked.iter_mut() {
            for (kind, rejects) in std::mem::take(&mut l.files) {
                let pos = SCAN_ORDER.iter().position(|k| *k == kind).unwrap_or(0);
                files.push((pos, kind, rejects));
            }
        }
        files.sort_by_key(|f| f.0);
        for (_, kind, rejects) in files {
            for r in rejects {
                match &mut self.sink {
                    Sink::Direct(f) => f(r),
                    Sink::Buffer(v) => v.push(r),
                }
            }
            for l in linked.iter_mut() {
                if let Some(rep) = l.imp.report.files.iter().position(|f| f.kind == kind) {
                    self.imp.report.files.push(l.imp.report.files.remove(rep));
                }
                if let Some(state) = l.imp.files[kind as usize].take() {
                    let k = kind as usize;
                    self.imp.files[k] = Some(state);
                    self.imp.spans[k] = std::mem::take(&mut l.imp.spans[k]);
                    self.imp.dropped[k] = std::mem::take(&mut l.imp.dropped[k]);
                }
            }
        }
        for l in linked.iter_mut() {
            let rep = &l.imp.report;
            self.imp.report.rejects += rep.rejects;
            for (code, n) in &rep.rejects_by_code {
                *self.imp.report.rejects_by_code.entry(*code).or_insert(0) += n;
            }
            self.all_tainted |= l.all_tainted;
            for &i in &l.tainted {
                if let Some((_, h)) = self.imp.hns.get_index_mut(i as usize) {
                    h.tainted = true;
                }
            }
            for (k, st) in self.imp.keys.values_mut().zip(&l.states) {
                k.flags |= st.flags;
                if k.cht_line == 0 {
                    k.cht_line = st.cht_line;
                }
                match (
                    k.cht_total.checked_add(st.cht_total),
                    k.cha_sum.checked_add(st.cha_sum),
                ) {
                    (Some(t), Some(c)) => {
                        k.cht_total = t;
                        k.cha_sum = c;
                    }
                    _ => k.flags |= MONEY_OVERFLOW,
                }
            }
        }
    }

    pub(super) fn finish(&mut self) {
        let batches = self.imp.keys.len().div_ceil(self.imp.batch_size);
        self.imp.report.batches = batches;
        let opd_name = self.file_name(FileKind::Opd);
        let ipd_name = self.file_name(FileKind::Ipd);
        let cht_name = self.file_name(FileKind::Cht);
        for ord in 0..self.imp.keys.len() {
            let (kb, info) = self.imp.keys.get_index(ord).expect("ordinal");
            let is_op = kb.first() == Some(&b'O');
            let info = info.clone();
            let mut rejected = info.flags & REJECTED != 0;
            let no_ins = info.flags & IN_INS == 0;
            let no_cht = info.flags & HAS_CHT == 0;
            // Σ CHA ≠ CHT is the Data Audit's CHG01 on a kept visit (the bill is CHT); only
            // sums beyond an amount's range make the bill unknown.
            let overflow = !no_cht && info.flags & MONEY_OVERFLOW != 0;
            // The texts of a reject are built only for an encounter that has one.
            if no_ins || no_cht || overflow {
                let key = VisitKey::decode(kb);
                let (file, col) = match &key {
                    VisitKey::Op { .. } => (opd_name.as_str(), Col::SEQ),
                    VisitKey::Ip { .. } => (ipd_name.as_str(), Col::AN),
                };
                let (hn, seq, an) = match &key {
                    VisitKey::Op { hn, seq } => (hn.as_str(), seq.as_str(), ""),
                    VisitKey::Ip { an } => (
                        self.imp
                            .hns
                            .get_index(info.hn as usize)
                            .map(|(h, _)| h.as_ref())
                            .unwrap_or(""),
                        "",
                        an.as_str(),
                    ),
                };
                let (hn, seq, an) = (hn.to_string(), seq.to_string(), an.to_string());
                let raw = if seq.is_empty() {
                    an.clone()
                } else {
                    seq.clone()
                };
                let lc = LineCtx {
                    file,
                    line: u64::from(info.line),
                    hn: &hn,
                    seq: &seq,
                    an: &an,
                };
                // A missing INS or CHT line each reject the encounter (both may be missing).
                let missing = [
                    (no_ins, RejectCode::RightMissing, "ข้อมูลสิทธิ (INS)", "INS"),
                    (no_cht, RejectCode::BillMissing, "ใบแจ้งหนี้ (CHT)", "CHT"),
                ];
                for (_, code, th, en) in missing.into_iter().filter(|m| m.0) {
                    rejected = true;
                    self.line_reject(
                        &lc,
                        Some(col),
                        col.name(),
                        &raw,
                        code,
                        format!("ไม่มี{th} ของ {key}"),
                        format!("{key} has no {en} line"),
                    );
                }
                if overflow {
                    rejected = true;
                    let cht_lc = LineCtx {
                        file: &cht_name,
                        line: u64::from(info.cht_line),
                        hn: &hn,
                        seq: &seq,
                        an: &an,
                    };
                    self.line_reject(
                        &cht_lc,
                        Some(Col::TOTAL),
                        "TOTAL",
                        "",
                        RejectCode::ChargeMismatch,
                        "ผลรวมยอดเงินใน CHT หรือ CHA เกินขอบเขตที่บันทึกได้".into(),
                        "the sum of CHT.TOTAL or of CHA.AMOUNT is beyond any amount".into(),
                    );
                }
            }
            let hn_tainted = self
                .imp
                .hns
                .get_index(info.hn as usize)
                .is_some_and(|(_, h)| h.tainted);
            if hn_tainted || self.all_tainted {
                rejected = true;
            }
            let k = &mut self.imp.keys[ord];
            if rejected {
                k.flags |= REJECTED;
            }
            let tally = if is_op {
                &mut self.imp.report.visits
            } else {
                &mut self.imp.report.admissions
            };
            tally.total += 1;
            if rejected {
                tally.rejected += 1;
            } else {
                tally.importable += 1;
            }
        }
    }

    pub(super) fn file_name(&self, kind: FileKind) -> String {
        self.imp.files[kind as usize]
            .as_ref()
            .map(|f| f.entry.name.clone())
            .unwrap_or_else(|| format!("{kind}.txt"))
    }
}
