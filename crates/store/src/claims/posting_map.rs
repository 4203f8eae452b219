//! The province's posting map, versioned per fiscal year.

use super::*;
use crate::sql::binds;

impl Store {
    /// Every version of a province's posting map: fiscal year (BE; 0 = the default for every
    /// year without its own version) → rules. Empty when the province never edited its map.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn posting_map_versions(
        &self,
        province_code: &str,
    ) -> Result<BTreeMap<i64, Vec<PostingRule>>, StoreError> {
        let mut s = Sql::new(
            "SELECT fy, fund, setting, place, vcase, receivable, revenue, source FROM claim_posting_map WHERE province_code = ",
        );
        s.text(province_code)
            .push(" ORDER BY fy, fund, setting, place, vcase");
        let rows = s.query().fetch_all(self.pool()).await?;
        let mut tsv: BTreeMap<i64, String> = BTreeMap::new();
        for r in &rows {
            tsv.entry(get_i(r, "fy")?).or_default().push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                get_s(r, "fund")?,
                get_s(r, "setting")?,
                get_s(r, "place")?,
                get_s(r, "vcase")?,
                get_s(r, "receivable")?,
                get_s(r, "revenue")?,
                get_s(r, "source")?
            ));
        }
        tsv.into_iter()
            .map(|(fy, t)| {
                parse_posting_map(&t)
                    .map(|m| (fy, m))
                    .map_err(|e| StoreError::Config(e.to_string()))
            })
            .collect()
    }

    /// The posting map in force for a province and fiscal year (BE): the province's version for
    /// that year, else its default version (fy 0), else the shipped default map.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn posting_map(
        &self,
        province_code: &str,
        fy: i64,
    ) -> Result<Vec<PostingRule>, StoreError> {
        let mut v = self.posting_map_versions(province_code).await?;
        Ok(v.remove(&fy)
            .or_else(|| v.remove(&0))
            .unwrap_or_else(default_posting_map))
    }

    /// The transaction that replaces a province's rows of `table` for fiscal year `fy`, the old
    /// rows deleted in it; only for those who may configure the province.
    pub(crate) async fn begin_province_replace(
        &self,
        actor: &Actor,
        table: &str,
        province_code: &str,
        fy: i64,
    ) -> Result<Transaction<'static, sqlx::Any>, StoreError> {
        if !actor.may_configure_province(province_code) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.pool().begin().await?;
        let mut d = Sql::new(&format!("DELETE FROM {table} WHERE province_code = "));
        d.text(province_code).push(" AND fy = ").int(fy);
        d.query().execute(&mut *tx).await?;
        Ok(tx)
    }

    /// Replaces a province's posting map for a fiscal year (0 = default for every year), from
    /// the `posting_map.tsv` layout. Province officers of that province and admins; audited.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn save_posting_map(
        &self,
        actor: &Actor,
        province_code: &str,
        fy: i64,
        map_tsv: &str,
    ) -> Result<usize, StoreError> {
        let mut tx = self
            .begin_province_replace(actor, "claim_posting_map", province_code, fy)
            .await?;
        let rules = parse_posting_map(map_tsv).map_err(|e| {
            StoreError::table_line("posting_map", e.line, &e.message, "ผังการตั้งลูกหนี้ไม่ถูกต้อง")
        })?;
        let now = now_ms();
        for r in &rules {
            let mut s = Sql::new(
                "INSERT INTO claim_posting_map (province_code, fy, fund, setting, place, vcase, receivable, revenue, source, updated_at) VALUES (",
            );
            s.list(binds![
                province_code,
                fy,
                r.fund.code(),
                r.setting.code(),
                r.place.code(),
                r.case.code(),
                r.receivable.as_str(),
                r.revenue.as_str(),
                r.source.code(),
                now
            ])
            .push(")");
            s.query().execute(&mut *tx).await?;
        }
        Change::new("posting_map", &format!("{province_code}/{fy}"), "replace")
            .after(serde_json::json!({ "rules": rules.len() }))
            .record_and_commit(tx, actor)
            .await?;
        Ok(rules.len())
    }
}
