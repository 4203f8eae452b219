//! Per-unit credentials of the NHSO Authen connector (the token arrives sealed: the store never
//! sees it in clear) and the lookups of Authen codes for visits that lack one. A code found is
//! written into the visit's PERMITNO (its content hash is left alone, so re-importing the same
//! file keeps it, and a file that brings a code of its own replaces it) and the visit's AUTH01
//! finding is cleared; every lookup is recorded.

use crate::audit::Change;
use crate::sql::binds;
use crate::sql::{Sql, get_i, row_struct};
use crate::{Actor, Store, StoreError, now_ms};
use raidai_domain::ids::Hcode;
use raidai_domain::ids::Personal;
use raidai_domain::master::Role;
use serde::Serialize;

row_struct! {
/// A unit's connector credentials as stored (the token sealed).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct UnitAuthen {
    pub hcode: String,
    #[serde(skip)]
    pub sealed_token: String,
    /// `yyyymmdd`
    pub expires_on: i64,
    pub enabled: bool,
    pub updated_at: i64,
    pub updated_by: String,
}
}

impl std::fmt::Debug for UnitAuthen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitAuthen")
            .field("hcode", &self.hcode)
            .field("expires_on", &self.expires_on)
            .field("enabled", &self.enabled)
            .finish()
    }
}

row_struct! {
/// A visit to look up: key, citizen ID, service date (`yyyymmdd`).
#[derive(Clone)]
pub struct LookupItem {
    pub vkey: String,
    pub cid: Personal,
    pub date_serv: i64,
}
}

/// Lookups of a unit so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LookupSummary {
    pub found: i64,
    pub not_found: i64,
    pub failed: i64,
    pub last_at: i64,
    /// UCS/WEL visits still without a code.
    pub lacking: i64,
}

fn may_manage(actor: &Actor, hcode: &str) -> bool {
    actor.who.role == Role::Admin
        || (actor.who.role == Role::UnitHead && actor.who.hcode.as_deref() == Some(hcode))
}

impl Store {
    /// The unit's credentials, if set.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn unit_authen(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<Option<UnitAuthen>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(
            "SELECT hcode, sealed_token, expires_on, enabled, updated_at, updated_by FROM unit_authen WHERE hcode = ",
        );
        s.text(hcode);
        let row = s.query().fetch_optional(self.pool()).await?;
        row.map(|r| Ok(UnitAuthen::from_row(&r)?)).transpose()
    }

    /// Sets the unit's credentials (its head or an admin). `sealed_token` empty keeps the stored
    /// token (changing only the expiry or the switch). Audit-logged without the token.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn save_unit_authen(
        &self,
        actor: &Actor,
        unit: Hcode,
        sealed_token: &str,
        expires_on: i64,
        enabled: bool,
    ) -> Result<(), StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        if !may_manage(actor, hcode) {
            return Err(StoreError::Forbidden);
        }
        if raidai_domain::periods::date_of(expires_on).is_none() {
            return Err(StoreError::field(
                "expires_on",
                "not a date",
                "วันหมดอายุไม่ถูกต้อง",
            ));
        }
        let old = self.unit_authen(actor, unit).await?;
        let sealed = match (sealed_token.is_empty(), &old) {
            (false, _) => sealed_token.to_string(),
            (true, Some(o)) => o.sealed_token.clone(),
            (true, None) => {
                return Err(StoreError::field(
                    "token",
                    "a token is required",
                    "กรุณาระบุรหัส/โทเคนเข้าระบบ สปสช.",
                ));
            }
        };
        let mut tx = self.pool().begin().await?;
        let mut d = Sql::new("DELETE FROM unit_authen WHERE hcode = ");
        d.text(hcode);
        d.query().execute(&mut *tx).await?;
        let mut s = Sql::new(
            "INSERT INTO unit_authen (hcode, sealed_token, expires_on, enabled, updated_at, updated_by) VALUES (",
        );
        s.list(binds![
            hcode,
            sealed,
            expires_on,
            i64::from(enabled),
            now_ms(),
            actor.who.username.clone()
        ])
        .push(")");
        s.query().execute(&mut *tx).await?;
        Change::new("unit_authen", hcode, "save").unit(hcode).before_opt(old.as_ref().map( |o| serde_json::json!({ "expires_on": o.expires_on, "enabled": o.enabled }), )).after(serde_json::json!({ "expires_on": expires_on, "enabled": enabled, "token_changed": !sealed_token.is_empty(), })).record(&mut tx, actor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// UCS/WEL visits of the unit served between two dates without an Authen code, oldest
    /// first, skipping those already looked up without success since `retry_after` (epoch ms).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn visits_lacking_authen(
        &self,
        actor: &Actor,
        unit: Hcode,
        from: i64,
        to: i64,
        retry_after: i64,
        limit: i64,
    ) -> Result<Vec<LookupItem>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s =
            Sql::new("SELECT v.vkey, v.cid, v.date_serv FROM claim_visits v WHERE v.hcode = ");
        s.text(hcode)
            .push(" AND v.inscl IN ('UCS', 'WEL') AND v.permitno = '' AND v.cid <> '' AND v.date_serv >= ")
            .int(from)
            .push(" AND v.date_serv <= ")
            .int(to)
            .push(" AND NOT EXISTS (SELECT 1 FROM claim_authen_lookups l WHERE l.hcode = v.hcode AND l.vkey = v.vkey AND l.checked_at >= ")
            .int(retry_after)
            .push(") ORDER BY v.date_serv, v.vkey LIMIT ")
            .int(limit.max(1));
        s.all(self.pool(), LookupItem::from_row).await
    }

    /// Records one lookup; a code found fills the visit's PERMITNO (when still blank) and
    /// clears its AUTH01 finding.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn record_authen_lookup(
        &self,
        actor: &Actor,
        unit: Hcode,
        vkey: &str,
        status: &str,
        claim_code: &str,
    ) -> Result<(), StoreError> {
        let hcode = unit.as_str();
        self.unit_for_import(actor, unit).await?;
        let mut tx = self.pool().begin().await?;
        let mut d = Sql::new("DELETE FROM claim_authen_lookups WHERE hcode = ");
        d.text(hcode).push(" AND vkey = ").text(vkey);
        d.query().execute(&mut *tx).await?;
        let mut s = Sql::new(
            "INSERT INTO claim_authen_lookups (hcode, vkey, status, claim_code, checked_at, checked_by) VALUES (",
        );
        s.list(binds![
            hcode,
            vkey,
            status,
            claim_code,
            now_ms(),
            actor.who.username.clone()
        ])
        .push(")");
        s.query().execute(&mut *tx).await?;
        if status == "found" && !claim_code.is_empty() {
            // The Authen coverage read model moves with the code.
            use crate::claims::sums::SumDelta;
            let mut delta = SumDelta::default();
            let load = |sign: i64| {
                SumDelta::share_queries(self.engine(), hcode, &[vkey])
                    .into_iter()
                    .map(move |q| (q, sign))
            };
            for (q, sign) in load(-1) {
                for r in q.query().fetch_all(&mut *tx).await? {
                    delta.add(&SumDelta::row_share(&r)?, sign);
                }
            }
            let mut u = Sql::new("UPDATE claim_visits SET permitno = ");
            u.text(claim_code)
                .push(" WHERE hcode = ")
                .text(hcode)
                .push(" AND vkey = ")
                .text(vkey)
                .push(" AND permitno = ''");
            u.query().execute(&mut *tx).await?;
            for (q, sign) in load(1) {
                for r in q.query().fetch_all(&mut *tx).await? {
                    delta.add(&SumDelta::row_share(&r)?, sign);
                }
            }
            for q in delta.flush(self.engine(), hcode) {
                q.query().execute(&mut *tx).await?;
            }
            use crate::claims::sums::{audit_share_sql, finding_removed_sql, move_audit_share};
            finding_removed_sql(self.engine(), hcode, vkey, "AUTH01")
                .query()
                .execute(&mut *tx)
                .await?;
            // The visit's row of the audit sums moves by its difference.
            let share = audit_share_sql(self.engine(), hcode, vkey);
            let before = share.query().fetch_optional(&mut *tx).await?;
            let mut f = Sql::new("DELETE FROM claim_findings WHERE hcode = ");
            f.text(hcode)
                .push(" AND vkey = ")
                .text(vkey)
                .push(" AND rule = 'AUTH01'");
            f.query().execute(&mut *tx).await?;
            move_audit_share(&mut tx, self.engine(), hcode, &share, before).await?;
        }
        crate::bump_read_version().query().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The unit's lookups so far and how many UCS/WEL visits still lack a code.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn authen_lookup_summary(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<LookupSummary, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(
            "SELECT CAST(SUM(CASE WHEN status = 'found' THEN 1 ELSE 0 END) AS BIGINT) AS found, CAST(SUM(CASE WHEN status = 'not_found' THEN 1 ELSE 0 END) AS BIGINT) AS not_found, CAST(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS BIGINT) AS failed, CAST(COALESCE(MAX(checked_at), 0) AS BIGINT) AS last_at FROM claim_authen_lookups WHERE hcode = ",
        );
        s.text(hcode);
        let r = s.query().fetch_one(self.pool()).await?;
        let mut c = Sql::new(
            // From the read model: every UCS/WEL visit less those with a code.
            "SELECT CAST(COALESCE(SUM(visits - with_code), 0) AS BIGINT) AS n FROM claim_sum_visits WHERE inscl IN ('UCS', 'WEL') AND hcode = ",
        );
        c.text(hcode);
        let lacking = get_i(&c.query().fetch_one(self.pool()).await?, "n")?;
        let opt = |col: &str| -> Result<i64, StoreError> {
            use sqlx::Row;
            Ok(r.try_get::<Option<i64>, _>(col)?.unwrap_or(0))
        };
        Ok(LookupSummary {
            found: opt("found")?,
            not_found: opt("not_found")?,
            failed: opt("failed")?,
            last_at: opt("last_at")?,
            lacking,
        })
    }
}
