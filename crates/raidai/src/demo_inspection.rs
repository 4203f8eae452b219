//! The demo province's inspection of the year: round 1 visited the provincial office, the
//! general hospital and one community hospital; the office's own 4P paper; and the hospitals'
//! financial strategies (most have one, a few do not, so the dashboard lists them).

use crate::demo_governance::DEMO_FY;
use anyhow::Result;
use raidai_domain::ids::Hcode;
use raidai_domain::master::UnitType;
use raidai_store::governance::{AssessmentInput, ItemMark};
use raidai_store::inspection::{InspectionPlanInput, StrategyInput};
use raidai_store::{Actor, Store};
use std::collections::BTreeMap;

const PROVINCE: &str = "44";

/// A small, valid one-page PDF saying what the document is (the demo has no real files).
pub fn demo_pdf(title: &str) -> Vec<u8> {
    // ASCII only: the built-in Helvetica has no Thai glyphs.
    let text = title.replace(['(', ')', '\\'], " ");
    let content = format!("BT /F1 14 Tf 60 780 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn mark(m: &str, note: &str) -> ItemMark {
    ItemMark {
        mark: m.into(),
        note: note.into(),
    }
}

pub async fn seed(store: &Store) -> Result<()> {
    let sys = Actor::system();
    let fy = DEMO_FY as u16;
    let hospitals: Vec<_> = crate::demo::units()
        .into_iter()
        .filter(|u| UnitType::parse(&u.unit_type).is_some_and(|t| t.is_hospital()))
        .collect();
    // Strategies: every hospital but one in four, 2568–2572 (or 2569–2571).
    for (i, u) in hospitals.iter().enumerate() {
        if i % 4 == 3 {
            continue;
        }
        let (first, last) = if i % 2 == 0 {
            (2568, 2572)
        } else {
            (2569, 2571)
        };
        let input = StrategyInput {
            first_fy: first,
            last_fy: last,
            title: format!("แผนกลยุทธ์ทางการเงิน {} ปีงบประมาณ {first}–{last}", u.name_th),
            approved_by: format!("ผู้อำนวยการ{}", u.name_th),
            approved_on: Some(format!("{}-09-25", first - 544)),
        };
        store
            .add_strategy(
                &sys,
                Hcode::parse(&u.hcode)?,
                &input,
                &format!("strategy-{}-{first}-{last}.pdf", u.hcode),
                &demo_pdf(&format!("Financial strategy {} FY{first}-{last}", u.hcode)),
            )
            .await?;
    }
    // The office's own paper, round 1.
    let mut paper = AssessmentInput {
        assessor: "คณะผู้ตรวจราชการ เขตสุขภาพที่ 7".into(),
        assessed_on: Some("2026-02-17".into()),
        reviewer_summary: "สสจ. มีผู้รับผิดชอบสอบทานแผนก่อนเสนออนุมัติ และติดตามผลรายไตรมาส".into(),
        ..Default::default()
    };
    paper
        .marks
        .insert("4p.1".into(), mark("2", "คำสั่ง สสจ. ที่ 112/2568"));
    paper
        .marks
        .insert("4p.2".into(), mark("1", "มีแนวทาง แต่ยังไม่ครอบคลุม รพช. ทุกแห่ง"));
    paper
        .marks
        .insert("4p.3".into(), mark("2", "ทบทวนแผนเดือนเมษายน อนุมัติแล้ว"));
    paper.paper.doc_no = "ตร.๐๑".into();
    paper.paper.revision = "1".into();
    paper.paper.responsible_unit = "กลุ่มงานบริหารทรัพยากร สสจ.มหาสารคาม".into();
    paper.paper.period = "ต.ค. 2568 – มี.ค. 2569".into();
    paper.paper.answers = vec![
        "ผู้รับผิดชอบระดับจังหวัดสอบทานแผนทุกแห่งก่อนเสนอ นพ.สสจ. และติดตามแผน–ผลทุกไตรมาส".into(),
        "รพ. รายงานผลการใช้จ่ายต่อคณะกรรมการบริหารทุกเดือน".into(),
        "สุ่มตรวจการจัดซื้อจัดจ้าง เป็นไปตามระเบียบ".into(),
    ];
    store.save_pho_paper(&sys, PROVINCE, fy, 1, &paper).await?;
    // Round 1: the office, the general hospital and the first community hospital.
    let general = hospitals.iter().find(|u| u.unit_type == "rpt");
    let community = hospitals.iter().find(|u| u.unit_type == "rpch");
    let mut visits = vec![(String::new(), Some("2026-02-17".to_string()))];
    for (u, day) in general
        .into_iter()
        .map(|u| (u, 18))
        .chain(community.map(|u| (u, 19)))
    {
        visits.push((u.hcode.clone(), Some(format!("2026-02-{day}"))));
    }
    store
        .save_inspection_plan(
            &sys,
            PROVINCE,
            fy,
            1,
            &InspectionPlanInput {
                inspectors: "ผู้ตรวจราชการกระทรวง เขตสุขภาพที่ 7; นักวิชาการเงินและบัญชี สสจ.".into(),
                summary: "หน่วยบริการที่ตรวจมีแผนเงินบำรุงและผ่านการอนุมัติ การควบคุมการใช้จ่ายตามหลัก 4P ส่วนใหญ่ครบถ้วน ควรเร่งรัดทะเบียนคุมเจ้าหนี้ให้เป็นปัจจุบัน".into(),
                visits,
            },
        )
        .await?;
    let findings: &[(&str, &str)] = &[
        ("4p.9", "สุ่ม 10 รายการ อยู่ในแผนจัดซื้อจัดจ้างประจำปีครบ"),
        ("4p.14", "ทะเบียนคุมวัสดุเป็นปัจจุบัน"),
        ("4p.19", "ทะเบียนคุมเจ้าหนี้รายตัวยังไม่เป็นปัจจุบัน ค้าง 2 เดือน"),
    ];
    for u in general.into_iter().chain(community) {
        let f: BTreeMap<String, String> = findings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        store
            .save_inspection_findings(
                &sys,
                PROVINCE,
                fy,
                1,
                &u.hcode,
                &f,
                "จัดทำทะเบียนคุมเจ้าหนี้รายตัวให้เป็นปัจจุบัน และรายงานผู้บริหารทุกสิ้นเดือน",
            )
            .await?;
    }
    let mut office = BTreeMap::new();
    office.insert(
        "4p.2".to_string(),
        "แนวทางกำกับติดตามยังไม่ครอบคลุม รพช. 2 แห่ง".to_string(),
    );
    store
        .save_inspection_findings(
            &sys,
            PROVINCE,
            fy,
            1,
            "",
            &office,
            "ขยายแนวทางการติดตามแผน–ผลให้ครบทุกแห่ง",
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_pdf_is_a_pdf_with_a_cross_reference() {
        let pdf = super::demo_pdf("Financial strategy 11001 FY2568-2572");
        assert!(pdf.starts_with(b"%PDF-1.4"));
        let text = String::from_utf8(pdf).unwrap();
        let xref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[xref..].starts_with("xref"));
    }
}
