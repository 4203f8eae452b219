//! TPS inputs per unit, fiscal year and quarter, with the peer medians.

use super::*;
use crate::sql::binds;
use raidai_domain::ids::Hcode;

pub(crate) fn check_quarter(q: u8) -> Result<(), StoreError> {
    if (1..=4).contains(&q) {
        Ok(())
    } else {
        Err(StoreError::field(
            "quarter",
            "quarter must be 1 to 4",
            "ไตรมาสต้องเป็น 1 ถึง 4",
        ))
    }
}

impl Store {
    /// Saves a unit's TPS inputs for a fiscal year and quarter (replacing earlier ones).
    pub async fn save_tps_input(
        &self,
        actor: &Actor,
        fiscal_year: u16,
        quarter: u8,
        input: &TpsInput,
    ) -> Result<(), StoreError> {
        self.check_unit_writable(actor, &input.hcode).await?;
        check_fy(fiscal_year)?;
        check_quarter(quarter)?;
        let text = serde_json::to_string(input)
            .map_err(|e| StoreError::Config(format!("TPS input: {e}")))?;
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO gov_tps_inputs (hcode, fiscal_year, quarter, input_json, updated_at, updated_by) VALUES (",
        );
        s.list(binds![input.hcode.clone(), i64::from(fiscal_year), i64::from(quarter), text, now_ms(), actor.who.username.clone()])
            .push(") ON CONFLICT (hcode, fiscal_year, quarter) DO UPDATE SET input_json = excluded.input_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by");
        s.query().execute(&mut *tx).await?;
        Change::new(
            "gov_tps_input",
            &format!("{}/{fiscal_year}/{quarter}", input.hcode),
            "save",
        )
        .unit(&input.hcode)
        .after_opt(json(input))
        .record_and_commit(tx, actor)
        .await?;
        Ok(())
    }

    /// A visible unit's TPS inputs, or `None` when none were entered.
    pub async fn get_tps_input(
        &self,
        actor: &Actor,
        unit: Hcode,
        fiscal_year: u16,
        quarter: u8,
    ) -> Result<Option<TpsInput>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(
            "SELECT t.input_json FROM gov_tps_inputs t JOIN units u ON u.hcode = t.hcode WHERE t.hcode = ",
        );
        s.text(hcode)
            .push(" AND t.fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND t.quarter = ")
            .int(i64::from(quarter));
        actor.push_unit_scope(&mut s, "u");
        let Some(row) = s.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        serde_json::from_str(&get_s(&row, "input_json")?)
            .map(Some)
            .map_err(|e| StoreError::Config(format!("stored TPS input: {e}")))
    }

    /// The group medians of a visible unit's peers for a quarter: every unit of the unit's
    /// province with TPS inputs, pooled by peer group. Only the medians leave the store, never
    /// another unit's figures.
    pub async fn tps_peer_medians(
        &self,
        actor: &Actor,
        unit: Hcode,
        fiscal_year: u16,
        quarter: u8,
    ) -> Result<BTreeMap<String, TpsMedians>, StoreError> {
        let unit = self.get_unit(actor, unit).await?;
        let mut s = Sql::new(
            "SELECT t.input_json FROM gov_tps_inputs t JOIN units u ON u.hcode = t.hcode WHERE u.province_code = ",
        );
        s.text(unit.province_code)
            .push(" AND t.fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND t.quarter = ")
            .int(i64::from(quarter));
        let rows = s.query().fetch_all(self.pool()).await?;
        let inputs: Vec<TpsInput> = rows
            .iter()
            .filter_map(|r| get_s(r, "input_json").ok())
            .filter_map(|j| serde_json::from_str(&j).ok())
            .collect();
        Ok(peer_medians(&inputs))
    }
}

impl Store {
    /// TPS inputs of every visible unit for a fiscal year and quarter.
    pub async fn tps_inputs_in_scope(
        &self,
        actor: &Actor,
        fiscal_year: u16,
        quarter: u8,
    ) -> Result<Vec<TpsInput>, StoreError> {
        let mut s = Sql::new(
            "SELECT t.input_json FROM gov_tps_inputs t JOIN units u ON u.hcode = t.hcode WHERE t.fiscal_year = ",
        );
        s.int(i64::from(fiscal_year))
            .push(" AND t.quarter = ")
            .int(i64::from(quarter));
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY t.hcode");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                serde_json::from_str(&get_s(r, "input_json")?)
                    .map_err(|e| StoreError::Config(format!("stored TPS input: {e}")))
            })
            .collect()
    }
}
