//! Writes a synthetic set: `cargo run -p raidai-formats --example gen16 -- OUT_DIR [visits] [admissions] [seed] [fdh|classic] [utf8|cp874]`
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::{GenConfig, generate};
use raidai_formats::{HeaderSet, TextEncoding};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: &str| a.get(i).cloned().unwrap_or_else(|| d.to_string());
    let mut cfg = GenConfig::new(
        Hcode::parse("11001").unwrap(),
        FiscalYear::new(2569),
        arg(4, "1").parse().unwrap(),
    );
    cfg.visits = arg(2, "100").parse().unwrap();
    cfg.admissions = arg(3, "10").parse().unwrap();
    cfg.headers = if arg(5, "fdh") == "fdh" {
        HeaderSet::Fdh
    } else {
        HeaderSet::Classic
    };
    cfg.encoding = if arg(6, "cp874") == "utf8" {
        TextEncoding::Utf8
    } else {
        TextEncoding::Windows874
    };
    cfg.hospmain = vec![
        Hcode::parse("11001").unwrap(),
        Hcode::parse("10707").unwrap(),
    ];
    cfg.hospsub = vec![Hcode::parse("03726").unwrap()];
    let s = generate(&cfg, std::path::Path::new(&arg(1, "out16"))).expect("generate");
    for f in &s.files {
        println!("{:>4} {:>9} {}", f.kind, f.records, f.path.display());
    }
    println!(
        "patients {} visits {} admissions {} total {}",
        s.patients, s.visits, s.admissions, s.total
    );
}
