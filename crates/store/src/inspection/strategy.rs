//! The unit's 3–5-year financial strategy, a signed document kept with its span.

use super::*;
use raidai_domain::ids::Hcode;

/// A strategy's span in fiscal years (seed 004: "ระยะเวลา ๓ ปี ถึง ๕ ปี").
pub const STRATEGY_YEARS: std::ops::RangeInclusive<u16> = 3..=5;

/// What the unit enters with its strategy document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StrategyInput {
    pub first_fy: u16,
    pub last_fy: u16,
    pub title: String,
    /// Who approved the strategy (the hospital's director or board), as signed.
    pub approved_by: String,
    /// ISO date (CE).
    pub approved_on: Option<String>,
}

/// A stored strategy document (the bytes are fetched separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Strategy {
    pub id: String,
    pub hcode: String,
    pub first_fy: u16,
    pub last_fy: u16,
    pub title: String,
    pub approved_by: String,
    pub approved_on: Option<String>,
    #[serde(flatten)]
    pub file: crate::StoredFile,
}

impl Strategy {
    pub fn covers(&self, fiscal_year: u16) -> bool {
        (self.first_fy..=self.last_fy).contains(&fiscal_year)
    }
}

const STRATEGY_COLS: &str = "g.id, g.hcode, g.first_fy, g.last_fy, g.title, g.approved_by, g.approved_on, g.filename, g.content_type, g.size, g.sha256, g.uploaded_at, g.uploaded_by";

fn strategy_from_row(r: &AnyRow) -> Result<Strategy, StoreError> {
    Ok(Strategy {
        id: get_s(r, "id")?,
        hcode: get_s(r, "hcode")?,
        first_fy: u16::try_from(get_i(r, "first_fy")?).unwrap_or(0),
        last_fy: u16::try_from(get_i(r, "last_fy")?).unwrap_or(0),
        title: get_s(r, "title")?,
        approved_by: get_s(r, "approved_by")?,
        approved_on: get_os(r, "approved_on")?,
        file: crate::StoredFile::from_row(r)?,
    })
}

/// Every problem with a strategy's description.
pub fn check_strategy(input: &StrategyInput) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (field, fy) in [("first_fy", input.first_fy), ("last_fy", input.last_fy)] {
        if !(2500..=2700).contains(&fy) {
            errs.push(FieldError::new(
                field,
                "fiscal year must be a BE year such as 2569",
                "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569",
            ));
        }
    }
    if errs.is_empty() {
        let span = input.last_fy.saturating_sub(input.first_fy) + 1;
        if input.last_fy < input.first_fy || !STRATEGY_YEARS.contains(&span) {
            errs.push(FieldError::new(
                "last_fy",
                format!(
                    "a financial strategy covers 3 to 5 fiscal years; {}–{} is not that",
                    input.first_fy, input.last_fy
                ),
                "แผนกลยุทธ์ทางการเงินต้องครอบคลุม 3 ถึง 5 ปีงบประมาณ",
            ));
        }
    }
    if input.title.trim().is_empty() {
        errs.push(FieldError::new(
            "title",
            "the document's title is required",
            "ต้องระบุชื่อเอกสาร",
        ));
    }
    errs.extend(too_long("title", &input.title, 200));
    errs.extend(too_long("approved_by", &input.approved_by, 200));
    errs.extend(check_date("approved_on", input.approved_on.as_deref()));
    errs
}

impl Store {
    /// Attaches a strategy document to a unit. The file is checked as evidence is (type by its
    /// first bytes, at most 10 MB).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn add_strategy(
        &self,
        actor: &Actor,
        unit: Hcode,
        input: &StrategyInput,
        filename: &str,
        data: &[u8],
    ) -> Result<Strategy, StoreError> {
        let hcode = unit.as_str();
        self.check_unit_writable(actor, hcode).await?;
        let mut errs = check_strategy(input);
        let filename = clean_filename(filename);
        let content_type = evidence_type(&filename, data);
        if data.is_empty() || data.len() > EVIDENCE_MAX_BYTES {
            errs.push(FieldError::new(
                "file",
                "the document must be a non-empty file of at most 10 MB",
                "ไฟล์ต้องไม่ว่างและมีขนาดไม่เกิน 10 MB",
            ));
        } else if content_type.is_none() {
            errs.push(FieldError::new(
                "file",
                "the document must be a PDF, PNG, JPEG, XLSX or DOCX file",
                "ไฟล์ต้องเป็น PDF, PNG, JPEG, XLSX หรือ DOCX",
            ));
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let meta = Strategy {
            id: uuid::Uuid::now_v7().to_string(),
            hcode: hcode.to_string(),
            first_fy: input.first_fy,
            last_fy: input.last_fy,
            title: input.title.trim().to_string(),
            approved_by: input.approved_by.trim().to_string(),
            approved_on: input.approved_on.clone().filter(|d| !d.is_empty()),
            file: crate::StoredFile::of(filename, content_type.unwrap_or_default(), data, actor),
        };
        let mut tx = self.pool().begin().await?;
        // Bytes need a binary bind, which the small builder does not carry.
        sqlx::query(
            "INSERT INTO gov_strategies (hcode, id, first_fy, last_fy, title, approved_by, approved_on, filename, content_type, size, sha256, data, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(meta.hcode.clone())
        .bind(meta.id.clone())
        .bind(i64::from(meta.first_fy))
        .bind(i64::from(meta.last_fy))
        .bind(meta.title.clone())
        .bind(meta.approved_by.clone())
        .bind(meta.approved_on.clone())
        .bind(meta.file.filename.clone())
        .bind(meta.file.content_type.clone())
        .bind(meta.file.size)
        .bind(meta.file.sha256.clone())
        .bind(data.to_vec())
        .bind(meta.file.uploaded_at)
        .bind(meta.file.uploaded_by.clone())
        .execute(&mut *tx)
        .await?;
        Change::new("gov_strategy", &format!("{hcode}/{}", meta.id), "upload")
            .unit(hcode)
            .after_opt(json(&meta))
            .record_and_commit(tx, actor)
            .await?;
        Ok(meta)
    }

    /// A unit's strategy documents, newest span first.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn strategies(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<Vec<Strategy>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(&format!(
            "SELECT {STRATEGY_COLS} FROM gov_strategies g WHERE g.hcode = "
        ));
        s.text(hcode)
            .push(" ORDER BY g.last_fy DESC, g.uploaded_at DESC");
        s.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(strategy_from_row)
            .collect()
    }

    /// One strategy document with its bytes, checked against the caller's tenancy.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn strategy_file(
        &self,
        actor: &Actor,
        unit: Hcode,
        id: &str,
    ) -> Result<(Strategy, Vec<u8>), StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(&format!(
            "SELECT {STRATEGY_COLS}, g.data FROM gov_strategies g WHERE g.hcode = "
        ));
        s.text(hcode).push(" AND g.id = ").text(id);
        let row = s.one(self.pool()).await?;
        let data: Vec<u8> = sqlx::Row::try_get(&row, "data")?;
        Ok((strategy_from_row(&row)?, data))
    }

    /// The visible units with a strategy covering `fiscal_year`.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn strategy_units_in_scope(
        &self,
        actor: &Actor,
        fiscal_year: u16,
    ) -> Result<BTreeSet<String>, StoreError> {
        let mut s = Sql::new(
            "SELECT DISTINCT g.hcode FROM gov_strategies g JOIN units u ON u.hcode = g.hcode WHERE g.first_fy <= ",
        );
        s.int(i64::from(fiscal_year))
            .push(" AND g.last_fy >= ")
            .int(i64::from(fiscal_year));
        actor.push_unit_scope(&mut s, "u");
        s.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(get_s(r, "hcode")?))
            .collect()
    }
}
