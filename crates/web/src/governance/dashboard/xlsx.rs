//! The dashboard as an XLSX workbook (numbers as numbers).

use super::*;

pub(crate) fn dashboard_workbook(
    t: T,
    d: &Dashboard,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let two_dp = Format::new().set_num_format("0.00");
    let money = Format::new().set_num_format("#,##0.00");
    let percent = Format::new().set_num_format("0.00%");
    let ind = wb.add_worksheet();
    ind.set_name(if t.is_en() {
        "Indicator"
    } else {
        "ตัวชี้วัด"
    })?;
    ind.write_string_with_format(0, 0, t.s("gov_indicator_crisis"), &bold)?;
    ind.write_string(1, 0, format!("{} · {}", fy_label(t, d.fy), d.criteria))?;
    let head = [
        t.s("gov_round"),
        t.s("gov_period"),
        t.s("gov_units_counted"),
        t.s("gov_level7_share"),
        t.s("gov_target"),
        t.s("gov_level6_share"),
        t.s("gov_target"),
        t.s("gov_result"),
    ];
    for (c, h) in head.iter().enumerate() {
        ind.write_string_with_format(3, c as u16, *h, &bold)?;
    }
    for (i, r) in d.rounds.iter().enumerate() {
        let row = 4 + i as u32;
        ind.write_number(row, 0, f64::from(r.months))?;
        ind.write_string(row, 1, &r.period_label)?;
        ind.write_number(row, 2, r.unit_count as f64)?;
        ind.write_string(row, 3, &r.l7)?;
        ind.write_string(row, 4, &r.l7_target)?;
        ind.write_string(row, 5, &r.l6)?;
        ind.write_string(row, 6, &r.l6_target)?;
        ind.write_string(row, 7, if r.met.is_empty() { "–" } else { t.s(r.met) })?;
    }
    let row = 5 + d.rounds.len() as u32;
    ind.write_string_with_format(row, 0, t.s("gov_indicator_centres"), &bold)?;
    ind.write_string(row + 1, 0, t.s("gov_assessed_units"))?;
    ind.write_string(row + 1, 2, &d.centres.assessed)?;
    ind.write_string(row + 2, 0, t.s("gov_good_centres"))?;
    ind.write_string(row + 2, 2, &d.centres.good)?;
    ind.write_string(row + 2, 4, &d.centres.target)?;
    ind.write_string(
        row + 2,
        7,
        if d.centres.met.is_empty() {
            "–"
        } else {
            t.s(d.centres.met)
        },
    )?;
    if !d.centres.missing.is_empty() {
        ind.write_string(
            row + 3,
            0,
            format!(
                "{} ({}): {}",
                t.s("gov_no_data_units"),
                d.centres.missing.len(),
                d.centres.missing.join(", ")
            ),
        )?;
    }
    let mut row = row + 4;
    ind.write_string_with_format(
        row,
        0,
        format!("{} ({})", t.s("gov_four_p_pass_rate"), d.four_p_target),
        &bold,
    )?;
    for r in &d.four_p {
        row += 1;
        ind.write_string(row, 0, format!("{} {}", t.s("gov_round_n"), r.round))?;
        ind.write_string(row, 2, &r.assessed)?;
        ind.write_string(row, 3, &r.passed)?;
        if !r.missing.is_empty() {
            ind.write_string(
                row,
                4,
                format!(
                    "{} ({}): {}",
                    t.s("gov_no_data_units"),
                    r.missing.len(),
                    r.missing.join(", ")
                ),
            )?;
        }
    }
    row += 2;
    ind.write_string_with_format(row, 0, t.s("gov_measures"), &bold)?;
    for m in &d.measures {
        row += 1;
        ind.write_string(row, 0, &m.name)?;
        ind.write_string(row, 1, &m.indicator)?;
        ind.write_string(row, 4, &m.target)?;
        ind.write_string(
            row,
            5,
            if m.result.is_empty() {
                t.s("gov_reported_by_inspectors")
            } else {
                &m.result
            },
        )?;
        if !m.met.is_empty() {
            ind.write_string(row, 7, t.s(m.met))?;
        }
        if !m.missing.is_empty() {
            ind.write_string(
                row,
                8,
                format!(
                    "{} ({}): {}",
                    t.s("gov_no_data_units"),
                    m.missing.len(),
                    m.missing.join(", ")
                ),
            )?;
        }
    }
    ind.set_column_width(0, 10)?;
    ind.set_column_width(1, 14)?;
    ind.set_column_width(3, 14)?;
    ind.set_column_width(5, 14)?;

    let units = wb.add_worksheet();
    units.set_name(if t.is_en() {
        "Units"
    } else {
        "หน่วยบริการ"
    })?;
    let mut head: Vec<String> = vec![
        t.s("hcode").into(),
        t.s("name").into(),
        t.s("district").into(),
        t.s("gov_latest").into(),
        t.s("gov_risk_level").into(),
        t.s("gov_cr").into(),
        t.s("gov_ni").into(),
        t.s("gov_rc_grade").into(),
        t.s("gov_four_p_pct").into(),
    ];
    if let Some(first) = d.units.first() {
        head.extend(first.trend.iter().map(|c| c.label.clone()));
    }
    for (c, h) in head.iter().enumerate() {
        units.write_string_with_format(0, c as u16, h, &bold)?;
    }
    for (i, u) in d.units.iter().enumerate() {
        let row = 1 + i as u32;
        units.write_string(row, 0, &u.hcode)?;
        units.write_string(row, 1, &u.name)?;
        units.write_string(row, 2, &u.district)?;
        units.write_string(row, 3, &u.latest_label)?;
        if let Some(l) = u.latest {
            units.write_number(row, 4, f64::from(l))?;
        }
        // Figures as numbers (a spreadsheet sums and sorts them), formatted as on the page.
        if let Some(cr) = u.cr_value {
            units.write_number_with_format(row, 5, cr, &two_dp)?;
        }
        if let Some(ni) = u.ni_satang {
            units.write_number_with_format(row, 6, ni.to_baht_f64(), &money)?;
        }
        units.write_string(row, 7, &u.rc_grade)?;
        if let Some(p) = u.four_p_value {
            units.write_number_with_format(row, 8, p / 100.0, &percent)?;
        }
        for (k, c) in u.trend.iter().enumerate() {
            if let Some(l) = c.level {
                units.write_number(row, 9 + k as u16, f64::from(l))?;
            }
        }
    }
    units.set_column_width(1, 32)?;
    units.set_column_width(2, 18)?;
    units.set_column_width(6, 16)?;
    wb.save_to_buffer()
}
