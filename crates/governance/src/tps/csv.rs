//! The CSV batch: input and output columns, scoring a file of units.

use std::collections::HashMap;
use std::io::{Read, Write};

use crate::batch::{self, BatchError, BatchReport, Header, RowCtx, parse_f64, parse_flag};
use crate::criteria::TpsCriteria;
use crate::num::{Hundredths, parse_satang};

use super::{TpsCosts, TpsInput, TpsMedians, peer_medians, tps_score};

// ---------------------------------------------------------------------------------------------
// CSV batch
// ---------------------------------------------------------------------------------------------

/// Required input columns of [`tps_csv`]. Cells may be empty (= no data) except `hcode`.
///
/// Money columns are baht (`1234.56`); `*_days`, `*_pct`, `sum_adjrw*` are decimals; `cash_ratio`
/// has at most two decimals; `island` and `accounting_check_passed` are 1/0, true/false or yes/no
/// (`island` empty = no).
pub const TPS_INPUT_COLUMNS: [&str; 27] = [
    "hcode",
    "period",
    "peer_group",
    "plan_revenue",
    "actual_revenue",
    "plan_expense",
    "actual_expense",
    "payables_days",
    "cash_ratio",
    "acp_uc_days",
    "acp_csmbs_days",
    "inventory_days",
    "island",
    "unit_cost_op",
    "unit_cost_ip",
    "labour_cost",
    "mc_drug",
    "mc_lab",
    "mc_supplies",
    "accounting_check_passed",
    "bed_occupancy_pct",
    "sum_adjrw",
    "sum_adjrw_last_year",
    "operating_margin_pct",
    "roa_pct",
    "ebitda",
    "nwc",
];

/// Optional input columns: official peer-group medians. Where a column is absent or a cell is
/// empty, the median of the rows of the same `peer_group` in the file is used.
pub const TPS_MEDIAN_COLUMNS: [&str; 9] = [
    "median_unit_cost_op",
    "median_unit_cost_ip",
    "median_labour_cost",
    "median_mc_drug",
    "median_mc_lab",
    "median_mc_supplies",
    "median_sum_adjrw",
    "median_operating_margin_pct",
    "median_roa_pct",
];

/// Output columns appended by [`tps_csv`] for `criteria`: `pts_<item id with _>` per item (e.g.
/// `pts_1_3_1`), then `raw_<group>` and `grp_<group>` per group (raw and capped), then
/// `tps_raw_total`, `tps_total`, `tps_grade`, `tps_grade_th`. Points print with two decimals.
pub fn tps_output_columns(criteria: &TpsCriteria) -> Vec<String> {
    let us = |s: &str| s.replace('.', "_");
    let mut cols: Vec<String> = criteria
        .items
        .iter()
        .map(|i| format!("pts_{}", us(&i.id)))
        .collect();
    for g in &criteria.groups {
        cols.push(format!("raw_{}", us(&g.id)));
        cols.push(format!("grp_{}", us(&g.id)));
    }
    cols.extend(["tps_raw_total", "tps_total", "tps_grade", "tps_grade_th"].map(String::from));
    cols
}

/// Scores a CSV of units (the CLI's `raidai governance tps --input IN.csv --output OUT.csv`).
///
/// Input: [`TPS_INPUT_COLUMNS`] (any order) plus optional [`TPS_MEDIAN_COLUMNS`]; other columns
/// are copied through. Output: the input columns (except ones named like an output column) then
/// [`tps_output_columns`]. Bad rows are reported and skipped; medians computed from the file use
/// the good rows only.
pub fn tps_csv<R: Read, W: Write>(
    input: R,
    output: W,
    criteria: &TpsCriteria,
) -> Result<BatchReport, BatchError> {
    let mut rdr = batch::reader(input);
    let header = Header::read(&mut rdr)?;
    let mut idx: HashMap<&str, usize> = HashMap::new();
    for name in TPS_INPUT_COLUMNS {
        idx.insert(name, header.require(name)?);
    }
    let med_idx: Vec<Option<usize>> = TPS_MEDIAN_COLUMNS.iter().map(|c| header.find(c)).collect();
    let out_cols = tps_output_columns(criteria);
    let out_refs: Vec<&str> = out_cols.iter().map(String::as_str).collect();
    let echoed = header.echoed(&out_refs);

    let mut report = BatchReport::default();
    let mut rows: Vec<(csv::ByteRecord, TpsInput)> = Vec::new();
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record)? {
        let Some(mut ctx) = report.start_row(&header, &record) else {
            continue;
        };
        match parse_tps_row(&mut ctx, &idx, &med_idx) {
            Some(input) => rows.push((record.clone(), input)),
            None => report.errors.append(&mut ctx.errors),
        }
    }
    report.errors.sort_by_key(|e| e.line);

    let inputs: Vec<TpsInput> = rows.iter().map(|(_, i)| i.clone()).collect();
    let computed = peer_medians(&inputs);
    let mut wtr = batch::writer(output);
    batch::write_echoed(&mut wtr, &header.raw, &echoed, &out_cols)?;
    for (record, mut input) in rows {
        if let Some(c) = computed.get(&input.peer_group) {
            input.medians.fill_from(c);
        }
        let r = tps_score(&input, criteria);
        let mut computed_cells: Vec<String> =
            r.items.iter().map(|i| i.points.to_string()).collect();
        for g in &r.groups {
            computed_cells.push(g.raw.to_string());
            computed_cells.push(g.capped.to_string());
        }
        computed_cells.push(r.raw_total.to_string());
        computed_cells.push(r.total.to_string());
        computed_cells.push(r.grade.grade.to_string());
        computed_cells.push(r.grade.label_th.clone());
        batch::write_echoed(&mut wtr, &record, &echoed, &computed_cells)?;
        report.rows_written += 1;
    }
    wtr.flush()?;
    Ok(report)
}

fn parse_tps_row(
    ctx: &mut RowCtx<'_>,
    idx: &HashMap<&str, usize>,
    med_idx: &[Option<usize>],
) -> Option<TpsInput> {
    let mut ok = true;
    let hcode = ctx.required(idx["hcode"], "hcode", "unit code", |s| {
        Ok::<_, String>(s.to_owned())
    });
    let period = ctx.text(idx["period"], "period");
    let peer_group = ctx.text(idx["peer_group"], "peer_group");
    let mut money = |ctx: &mut RowCtx<'_>, name: &str| {
        ctx.optional(Some(idx[name]), name, "baht amount", parse_satang)
            .unwrap_or_else(|()| {
                ok = false;
                None
            })
    };
    let plan_revenue = money(ctx, "plan_revenue");
    let actual_revenue = money(ctx, "actual_revenue");
    let plan_expense = money(ctx, "plan_expense");
    let actual_expense = money(ctx, "actual_expense");
    let unit_cost_op = money(ctx, "unit_cost_op");
    let unit_cost_ip = money(ctx, "unit_cost_ip");
    let labour_cost = money(ctx, "labour_cost");
    let mc_drug = money(ctx, "mc_drug");
    let mc_lab = money(ctx, "mc_lab");
    let mc_supplies = money(ctx, "mc_supplies");
    let ebitda = money(ctx, "ebitda");
    let nwc = money(ctx, "nwc");
    let mut num = |ctx: &mut RowCtx<'_>, name: &str| {
        ctx.optional(Some(idx[name]), name, "number", parse_f64)
            .unwrap_or_else(|()| {
                ok = false;
                None
            })
    };
    let payables_days = num(ctx, "payables_days");
    let acp_uc_days = num(ctx, "acp_uc_days");
    let acp_csmbs_days = num(ctx, "acp_csmbs_days");
    let inventory_days = num(ctx, "inventory_days");
    let bed_occupancy_pct = num(ctx, "bed_occupancy_pct");
    let sum_adjrw = num(ctx, "sum_adjrw");
    let sum_adjrw_last_year = num(ctx, "sum_adjrw_last_year");
    let operating_margin_pct = num(ctx, "operating_margin_pct");
    let roa_pct = num(ctx, "roa_pct");
    let mut flag = |ctx: &mut RowCtx<'_>, name: &str| {
        ctx.optional(Some(idx[name]), name, "yes/no flag", parse_flag)
            .unwrap_or_else(|()| {
                ok = false;
                None
            })
    };
    let island = flag(ctx, "island").unwrap_or(false);
    let accounting_check_passed = flag(ctx, "accounting_check_passed");
    let cash_ratio = ctx
        .optional(
            Some(idx["cash_ratio"]),
            "cash_ratio",
            "ratio with at most 2 decimals",
            Hundredths::parse,
        )
        .unwrap_or_else(|()| {
            ok = false;
            None
        });

    let mut medians = TpsMedians::default();
    for (k, col) in TPS_MEDIAN_COLUMNS.iter().enumerate() {
        let res = if k < 6 {
            ctx.optional(med_idx[k], col, "baht amount", parse_satang)
                .map(|v| {
                    let slot = match k {
                        0 => &mut medians.costs.unit_cost_op,
                        1 => &mut medians.costs.unit_cost_ip,
                        2 => &mut medians.costs.labour_cost,
                        3 => &mut medians.costs.mc_drug,
                        4 => &mut medians.costs.mc_lab,
                        _ => &mut medians.costs.mc_supplies,
                    };
                    *slot = v;
                })
        } else {
            ctx.optional(med_idx[k], col, "number", parse_f64).map(|v| {
                let slot = match k {
                    6 => &mut medians.sum_adjrw,
                    7 => &mut medians.operating_margin_pct,
                    _ => &mut medians.roa_pct,
                };
                *slot = v;
            })
        };
        if res.is_err() {
            ok = false;
        }
    }
    let (hcode, period, peer_group) = (hcode?, period?, peer_group?);
    if !ok {
        return None;
    }
    Some(TpsInput {
        hcode,
        period,
        peer_group,
        plan_revenue,
        actual_revenue,
        plan_expense,
        actual_expense,
        payables_days,
        cash_ratio,
        acp_uc_days,
        acp_csmbs_days,
        inventory_days,
        island,
        costs: TpsCosts {
            unit_cost_op,
            unit_cost_ip,
            labour_cost,
            mc_drug,
            mc_lab,
            mc_supplies,
        },
        accounting_check_passed,
        bed_occupancy_pct,
        sum_adjrw,
        sum_adjrw_last_year,
        operating_margin_pct,
        roa_pct,
        ebitda,
        nwc,
        medians,
    })
}
