//! Assessments: 4S4C + CSMBS survey, and the 4P working paper, with evidence files.

use super::*;
use crate::sql::binds;
use raidai_domain::ids::Hcode;

/// Inspection rounds per fiscal year that an assessment may belong to.
pub const ASSESSMENT_ROUNDS: std::ops::RangeInclusive<u8> = 1..=2;

/// Largest evidence file accepted.
pub const EVIDENCE_MAX_BYTES: usize = 10 * 1024 * 1024;

/// Which assessment a form is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum FormKind {
    /// Quality revenue-collection centre: 4S4C (72) + CSMBS on-site survey (28).
    RevenueCentre,
    /// 4P working paper (ตร.๐๑).
    FourP,
}

impl FormKind {
    pub const ALL: [FormKind; 2] = [FormKind::RevenueCentre, FormKind::FourP];

    pub fn code(self) -> &'static str {
        match self {
            FormKind::RevenueCentre => "rc",
            FormKind::FourP => "4p",
        }
    }

    pub fn parse(s: &str) -> Option<FormKind> {
        FormKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The item ids of this form under `criteria`, in printed order.
    pub fn item_ids(self, criteria: &CriteriaSet) -> Vec<String> {
        match self {
            FormKind::RevenueCentre => criteria
                .revenue_centre
                .forms
                .iter()
                .flat_map(|f| f.items.iter().map(|i| i.id.clone()))
                .collect(),
            FormKind::FourP => criteria.four_p.items.iter().map(|i| i.id.clone()).collect(),
        }
    }

    /// Whether `mark` is a mark of this form ('0'/'2', or '2'/'1'/'0'/'x').
    fn accepts(self, mark: &str) -> bool {
        match self {
            FormKind::RevenueCentre => matches!(mark, "0" | "2"),
            FormKind::FourP => matches!(mark, "0" | "1" | "2" | "x"),
        }
    }
}

/// Identifies one assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentKey {
    pub hcode: String,
    pub fiscal_year: u16,
    pub round: u8,
    pub form: FormKind,
}

impl AssessmentKey {
    fn audit_key(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.hcode,
            self.fiscal_year,
            self.round,
            self.form.code()
        )
    }

    fn check(&self) -> Result<(), StoreError> {
        let mut errs = Vec::new();
        if !(2500..=2700).contains(&self.fiscal_year) {
            errs.push(FieldError::new(
                "fiscal_year",
                "fiscal year must be a BE year such as 2569",
                "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569",
            ));
        }
        if !ASSESSMENT_ROUNDS.contains(&self.round) {
            errs.push(FieldError::new(
                "round",
                "round must be 1 or 2",
                "รอบการประเมินต้องเป็น 1 หรือ 2",
            ));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(errs))
        }
    }

    /// The criteria set in force for the key's fiscal year.
    pub fn criteria(&self) -> &'static CriteriaSet {
        CriteriaSet::default_for(self.fiscal_year).unwrap_or_else(CriteriaSet::builtin)
    }
}

/// One item's mark and note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemMark {
    /// Empty when unmarked.
    pub mark: String,
    pub note: String,
}

/// The 4P working paper's header (หมายเลขเอกสาร, แก้ไขครั้งที่, หน่วยรับผิดชอบ, ผู้รับผิดชอบ,
/// งวดที่ตรวจพบ) and the reviewer's answers to its three questions (สรุปผลการสอบทาน).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaperHeader {
    pub doc_no: String,
    pub revision: String,
    /// ISO date (CE) the paper came into use (เริ่มใช้).
    pub started_on: String,
    pub responsible_unit: String,
    pub responsible_person: String,
    pub period: String,
    /// One answer per question of [`PAPER_QUESTIONS`].
    pub answers: Vec<String>,
}

/// The reviewer's three questions of the 4P paper, (Thai, English).
pub const PAPER_QUESTIONS: [(&str, &str); 3] = [
    (
        "การกำกับ ติดตามแผนเงินบำรุง ในระดับสำนักงานสาธารณสุขจังหวัด (อย่างไร) อธิบาย",
        "How does the provincial health office oversee and follow the maintenance-fund plan? Explain",
    ),
    (
        "การควบคุม กำกับการใช้จ่ายเงิน ตามแผนเงินบำรุง ในระดับ รพท./รพช. อย่างไร (อธิบาย)",
        "How do the hospitals control spending against the maintenance-fund plan? Explain",
    ),
    (
        "การใช้เงินนอกงบประมาณ มีขั้นตอน/กระบวนการถูกต้องเป็นไปตามระเบียบ กฎหมาย (สรุป)",
        "Does non-budget spending follow the regulations and the law? Summarise",
    ),
];

/// What a user enters on an assessment form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AssessmentInput {
    pub assessor: String,
    /// ISO date (CE), e.g. 2026-03-15; shown as BE.
    pub assessed_on: Option<String>,
    pub reviewer_summary: String,
    /// By item id.
    pub marks: BTreeMap<String, ItemMark>,
    /// The 4P paper's header and answers (empty for other forms).
    pub paper: PaperHeader,
}

/// A stored assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub key: AssessmentKey,
    pub criteria_version: String,
    pub input: AssessmentInput,
    pub updated_at: i64,
    pub updated_by: String,
}

impl Assessment {
    /// Marks in the engine's form for a revenue-centre assessment: (item id, 0|2).
    pub fn rc_marks(&self) -> Vec<(String, u8)> {
        self.input
            .marks
            .iter()
            .filter_map(|(id, m)| m.mark.parse::<u8>().ok().map(|v| (id.clone(), v)))
            .collect()
    }

    /// Marks for the 4P working paper.
    pub fn four_p_marks(&self) -> Vec<(String, raidai_governance::assessment::FourPMark)> {
        self.input
            .marks
            .iter()
            .filter_map(|(id, m)| m.mark.parse().ok().map(|v| (id.clone(), v)))
            .collect()
    }
}

/// Every problem with a form's input: the assessor, dates, the paper's header and answers,
/// and each mark and note against the form's `ids`.
pub(crate) fn check_input(
    form: FormKind,
    ids: &[String],
    input: &AssessmentInput,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if input.assessor.trim().is_empty() || input.assessor.chars().count() > 200 {
        errs.push(FieldError::new(
            "assessor",
            "the assessor's name is required (at most 200 characters)",
            "ต้องระบุชื่อผู้ประเมิน (ไม่เกิน 200 ตัวอักษร)",
        ));
    }
    if let Some(d) = input.assessed_on.as_deref().filter(|d| !d.is_empty())
        && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
    {
        errs.push(FieldError::new(
            "assessed_on",
            format!("date must be YYYY-MM-DD, got {d:?}"),
            "วันที่ประเมินไม่ถูกต้อง",
        ));
    }
    let p = &input.paper;
    for (field, v) in [
        ("paper.doc_no", &p.doc_no),
        ("paper.revision", &p.revision),
        ("paper.responsible_unit", &p.responsible_unit),
        ("paper.responsible_person", &p.responsible_person),
        ("paper.period", &p.period),
    ] {
        if v.chars().count() > 200 {
            errs.push(FieldError::new(
                field,
                format!("{field} is limited to 200 characters"),
                "ข้อความหัวกระดาษทำการต้องไม่เกิน 200 ตัวอักษร",
            ));
        }
    }
    if !p.started_on.is_empty()
        && chrono::NaiveDate::parse_from_str(&p.started_on, "%Y-%m-%d").is_err()
    {
        errs.push(FieldError::new(
            "paper.started_on",
            format!("date must be YYYY-MM-DD, got {:?}", p.started_on),
            "วันที่เริ่มใช้ไม่ถูกต้อง",
        ));
    }
    if p.answers.len() > PAPER_QUESTIONS.len()
        || p.answers.iter().any(|a| a.chars().count() > 5_000)
    {
        errs.push(FieldError::new(
            "paper.answers",
            "three answers of at most 5,000 characters each",
            "คำตอบสรุปผลการสอบทานมี 3 ข้อ ข้อละไม่เกิน 5,000 ตัวอักษร",
        ));
    }
    if input.reviewer_summary.chars().count() > 10_000 {
        errs.push(FieldError::new(
            "reviewer_summary",
            "the summary is limited to 10,000 characters",
            "สรุปของผู้ตรวจต้องไม่เกิน 10,000 ตัวอักษร",
        ));
    }
    for (id, m) in &input.marks {
        if !ids.contains(id) {
            errs.push(FieldError::new(
                id,
                format!("unknown item {id}"),
                format!("ไม่มีข้อ {id} ในแบบประเมินนี้"),
            ));
        } else if !m.mark.is_empty() && !form.accepts(&m.mark) {
            errs.push(FieldError::new(
                id,
                format!("mark {:?} is not allowed for this form", m.mark),
                "คะแนนไม่ถูกต้องสำหรับแบบประเมินนี้",
            ));
        }
        if m.note.chars().count() > 2000 {
            errs.push(FieldError::new(
                id,
                "a note is limited to 2,000 characters",
                "หมายเหตุต้องไม่เกิน 2,000 ตัวอักษร",
            ));
        }
    }
    errs
}

/// An evidence file's description (the bytes are fetched separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceMeta {
    pub id: String,
    pub hcode: String,
    pub item_id: String,
    #[serde(flatten)]
    pub file: crate::StoredFile,
}

/// The file types accepted as evidence, recognised by their first bytes (never by the name or
/// the browser's claim): PDF, PNG, JPEG, and Office Open XML workbooks and documents.
pub fn evidence_type(filename: &str, data: &[u8]) -> Option<&'static str> {
    let lower = filename.to_ascii_lowercase();
    if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else if data.starts_with(b"PK\x03\x04") {
        // A zip: only OOXML, told apart by the part names it holds.
        let has = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
        if !has(b"[Content_Types].xml") {
            None
        } else if lower.ends_with(".xlsx") && has(b"xl/") {
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        } else if lower.ends_with(".docx") && has(b"word/") {
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        } else {
            None
        }
    } else {
        None
    }
}

/// A file name safe to store and to put in a Content-Disposition header.
pub(crate) fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|&c| {
            !c.is_control()
                && !raidai_domain::text::is_bidi_control(c)
                && !matches!(c, '"' | ';' | '\\')
        })
        .take(120)
        .collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        "evidence".into()
    } else {
        cleaned
    }
}

pub(crate) const EVIDENCE_COLS: &str = "e.id, e.hcode, e.item_id, e.filename, e.content_type, e.size, e.sha256, e.uploaded_at, e.uploaded_by";

pub(crate) fn evidence_from_row(r: &AnyRow) -> Result<EvidenceMeta, StoreError> {
    Ok(EvidenceMeta {
        id: get_s(r, "id")?,
        hcode: get_s(r, "hcode")?,
        item_id: get_s(r, "item_id")?,
        file: crate::StoredFile::from_row(r)?,
    })
}

/// One row of the assessment list: enough to score and link it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentSummary {
    pub key: AssessmentKey,
    pub assessed_on: Option<String>,
    pub updated_at: i64,
}

pub(crate) fn push_key(s: &mut Sql, alias: &str, k: &AssessmentKey) {
    s.push(&format!(" AND {alias}.hcode = "))
        .text(k.hcode.clone())
        .push(&format!(" AND {alias}.fiscal_year = "))
        .int(i64::from(k.fiscal_year))
        .push(&format!(" AND {alias}.round = "))
        .int(i64::from(k.round))
        .push(&format!(" AND {alias}.form = "))
        .text(k.form.code());
}

impl Store {
    /// Saves an assessment (creating or replacing its marks). Marks are checked against the
    /// criteria of the key's fiscal year; nothing is written unless all are valid.
    pub async fn save_assessment(
        &self,
        actor: &Actor,
        key: &AssessmentKey,
        input: &AssessmentInput,
    ) -> Result<Assessment, StoreError> {
        self.check_unit_writable(actor, &key.hcode).await?;
        key.check()?;
        let criteria = key.criteria();
        let errs = check_input(key.form, &key.form.item_ids(criteria), input);
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let before = self.get_assessment(actor, key).await?;
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO gov_assessments (hcode, fiscal_year, round, form, criteria_version, assessor, assessed_on, reviewer_summary, paper_json, updated_at, updated_by) VALUES (",
        );
        s.list(binds![key.hcode.clone(), i64::from(key.fiscal_year), i64::from(key.round), key.form.code(), criteria.version.clone(), input.assessor.trim(), input.assessed_on.clone().filter(|d| !d.is_empty()), input.reviewer_summary.trim(), serde_json::to_string(&input.paper).unwrap_or_else(|_| "{}".into()), now_ms(), actor.who.username.clone()])
            .push(") ON CONFLICT (hcode, fiscal_year, round, form) DO UPDATE SET criteria_version = excluded.criteria_version, assessor = excluded.assessor, assessed_on = excluded.assessed_on, reviewer_summary = excluded.reviewer_summary, paper_json = excluded.paper_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by");
        s.query().execute(&mut *tx).await?;
        // No alias on a DELETE target (SQLite): qualify with the table name.
        let mut del = Sql::new("DELETE FROM gov_assessment_marks WHERE 1 = 1");
        push_key(&mut del, "gov_assessment_marks", key);
        del.query().execute(&mut *tx).await?;
        for (id, m) in &input.marks {
            if m.mark.is_empty() && m.note.trim().is_empty() {
                continue;
            }
            let mut s = Sql::new(
                "INSERT INTO gov_assessment_marks (hcode, fiscal_year, round, form, item_id, mark, note) VALUES (",
            );
            s.list(binds![
                key.hcode.clone(),
                i64::from(key.fiscal_year),
                i64::from(key.round),
                key.form.code(),
                id.clone(),
                m.mark.clone(),
                m.note.trim()
            ])
            .push(")");
            s.query().execute(&mut *tx).await?;
        }
        Change::new(
            "gov_assessment",
            &key.audit_key(),
            if before.is_some() { "update" } else { "create" },
        )
        .unit(&key.hcode)
        .before_opt(before.as_ref().and_then(|b| json(&b.input)))
        .after_opt(json(input))
        .record_and_commit(tx, actor)
        .await?;
        self.get_assessment(actor, key)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// An assessment of a visible unit, or `None` when not yet started; `NotFound` for a unit
    /// outside the tenancy.
    pub async fn get_assessment(
        &self,
        actor: &Actor,
        key: &AssessmentKey,
    ) -> Result<Option<Assessment>, StoreError> {
        self.unit_by_code(actor, &key.hcode).await?;
        let mut s = Sql::new(
            "SELECT a.criteria_version, a.assessor, a.assessed_on, a.reviewer_summary, a.paper_json, a.updated_at, a.updated_by FROM gov_assessments a JOIN units u ON u.hcode = a.hcode WHERE 1 = 1",
        );
        push_key(&mut s, "a", key);
        actor.push_unit_scope(&mut s, "u");
        let Some(row) = s.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let mut m =
            Sql::new("SELECT m.item_id, m.mark, m.note FROM gov_assessment_marks m WHERE 1 = 1");
        push_key(&mut m, "m", key);
        let marks = m
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok((
                    get_s(r, "item_id")?,
                    ItemMark {
                        mark: get_s(r, "mark")?,
                        note: get_s(r, "note")?,
                    },
                ))
            })
            .collect::<Result<BTreeMap<_, _>, StoreError>>()?;
        Ok(Some(Assessment {
            key: key.clone(),
            criteria_version: get_s(&row, "criteria_version")?,
            input: AssessmentInput {
                assessor: get_s(&row, "assessor")?,
                assessed_on: crate::sql::get_os(&row, "assessed_on")?,
                reviewer_summary: get_s(&row, "reviewer_summary")?,
                marks,
                paper: serde_json::from_str(&get_s(&row, "paper_json")?).unwrap_or_default(),
            },
            updated_at: get_i(&row, "updated_at")?,
            updated_by: get_s(&row, "updated_by")?,
        }))
    }

    /// Assessments of the visible units (optionally one unit), newest year and round first.
    pub async fn list_assessments(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
        fiscal_year: Option<u16>,
    ) -> Result<Vec<AssessmentSummary>, StoreError> {
        if let Some(h) = hcode {
            self.unit_by_code(actor, h).await?;
        }
        let mut s = Sql::new(
            "SELECT a.hcode, a.fiscal_year, a.round, a.form, a.assessed_on, a.updated_at FROM gov_assessments a JOIN units u ON u.hcode = a.hcode WHERE 1 = 1",
        );
        if let Some(h) = hcode {
            s.push(" AND a.hcode = ").text(h);
        }
        if let Some(fy) = fiscal_year {
            s.push(" AND a.fiscal_year = ").int(i64::from(fy));
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY a.fiscal_year DESC, a.round DESC, a.hcode, a.form");
        let rows = s.query().fetch_all(self.pool()).await?;
        let mut out = Vec::new();
        for r in &rows {
            // A form code this build does not know (a later version's) is skipped, not an error.
            let Some(form) = FormKind::parse(&get_s(r, "form")?) else {
                continue;
            };
            out.push(AssessmentSummary {
                key: AssessmentKey {
                    hcode: get_s(r, "hcode")?,
                    fiscal_year: u16::try_from(get_i(r, "fiscal_year")?).unwrap_or_default(),
                    round: u8::try_from(get_i(r, "round")?).unwrap_or_default(),
                    form,
                },
                assessed_on: crate::sql::get_os(r, "assessed_on")?,
                updated_at: get_i(r, "updated_at")?,
            });
        }
        Ok(out)
    }

    /// Attaches an evidence file to an item of an assessment (which must exist). The file must
    /// be at most [`EVIDENCE_MAX_BYTES`] and of a type [`evidence_type`] recognises.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        key: &AssessmentKey,
        item_id: &str,
        filename: &str,
        data: &[u8],
    ) -> Result<EvidenceMeta, StoreError> {
        self.check_unit_writable(actor, &key.hcode).await?;
        key.check()?;
        if !key
            .form
            .item_ids(key.criteria())
            .iter()
            .any(|i| i == item_id)
        {
            return Err(StoreError::field(
                "item_id",
                format!("unknown item {item_id}"),
                "ไม่มีข้อนี้ในแบบประเมิน",
            ));
        }
        if self.get_assessment(actor, key).await?.is_none() {
            return Err(StoreError::field(
                "item_id",
                "save the form before attaching evidence",
                "กรุณาบันทึกแบบประเมินก่อนแนบหลักฐาน",
            ));
        }
        if data.is_empty() || data.len() > EVIDENCE_MAX_BYTES {
            return Err(StoreError::field(
                "file",
                "evidence must be a non-empty file of at most 10 MB",
                "ไฟล์หลักฐานต้องไม่ว่างและมีขนาดไม่เกิน 10 MB",
            ));
        }
        let filename = clean_filename(filename);
        let Some(content_type) = evidence_type(&filename, data) else {
            return Err(StoreError::field(
                "file",
                "evidence must be a PDF, PNG, JPEG, XLSX or DOCX file",
                "ไฟล์หลักฐานต้องเป็น PDF, PNG, JPEG, XLSX หรือ DOCX",
            ));
        };
        let id = uuid::Uuid::now_v7().to_string();
        let file = crate::StoredFile::of(filename, content_type, data, actor);
        let mut tx = self.pool().begin().await?;
        // Bytes need a binary bind, which the small builder does not carry.
        sqlx::query(
            "INSERT INTO gov_evidence (hcode, id, fiscal_year, round, form, item_id, filename, content_type, size, sha256, data, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(key.hcode.clone())
        .bind(id.clone())
        .bind(i64::from(key.fiscal_year))
        .bind(i64::from(key.round))
        .bind(key.form.code())
        .bind(item_id.to_string())
        .bind(file.filename.clone())
        .bind(file.content_type.clone())
        .bind(file.size)
        .bind(file.sha256.clone())
        .bind(data.to_vec())
        .bind(file.uploaded_at)
        .bind(file.uploaded_by.clone())
        .execute(&mut *tx)
        .await?;
        let meta = EvidenceMeta {
            id,
            hcode: key.hcode.clone(),
            item_id: item_id.to_string(),
            file,
        };
        Change::new(
            "gov_evidence",
            &format!("{}/{}", key.audit_key(), meta.id),
            "upload",
        )
        .unit(&key.hcode)
        .after_opt(json(&meta))
        .record_and_commit(tx, actor)
        .await?;
        Ok(meta)
    }

    /// The evidence files of an assessment, by item then upload time.
    pub async fn list_evidence(
        &self,
        actor: &Actor,
        key: &AssessmentKey,
    ) -> Result<Vec<EvidenceMeta>, StoreError> {
        self.unit_by_code(actor, &key.hcode).await?;
        let mut s = Sql::new(&format!(
            "SELECT {EVIDENCE_COLS} FROM gov_evidence e JOIN units u ON u.hcode = e.hcode WHERE 1 = 1"
        ));
        push_key(&mut s, "e", key);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY e.item_id, e.uploaded_at");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(evidence_from_row).collect()
    }

    /// One evidence file with its bytes, checked against the caller's tenancy on every call.
    pub async fn get_evidence(
        &self,
        actor: &Actor,
        unit: Hcode,
        id: &str,
    ) -> Result<(EvidenceMeta, Vec<u8>), StoreError> {
        let hcode = unit.as_str();
        let mut s = Sql::new(&format!(
            "SELECT {EVIDENCE_COLS}, e.data FROM gov_evidence e JOIN units u ON u.hcode = e.hcode WHERE e.hcode = "
        ));
        s.text(hcode).push(" AND e.id = ").text(id);
        actor.push_unit_scope(&mut s, "u");
        let row = s.one(self.pool()).await?;
        let data: Vec<u8> = sqlx::Row::try_get(&row, "data")?;
        Ok((evidence_from_row(&row)?, data))
    }
}
