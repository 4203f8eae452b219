//! The `raidai` binary as an operator uses it.

mod common;
use common::{raidai, sh};

#[test]
fn unreachable_database_is_one_line_with_the_password_redacted() {
    let (code, _, err) = sh("db migrate --database postgres://raidai:s3cret@127.0.0.1:1/raidai");
    assert_eq!(code, 1);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains("postgres://raidai:****@127.0.0.1:1/raidai"),
        "{err}"
    );
    assert!(!err.contains("s3cret"));
    let (code, _, err) = raidai(&["serve", "--database", "mysql://db/x"]);
    assert_eq!(code, 1);
    assert!(err.contains("unsupported database URL"));
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["db", "migrate", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "passwd", "--help"],
        vec!["user", "list", "--help"],
    ] {
        let (code, out, _) = raidai(&args);
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains("Usage:"), "{args:?}");
    }
}

#[test]
fn migrate_and_manage_users_on_sqlite_with_a_settings_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let (code, out, err) = sh(&format!("db migrate --database {db}"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0001_foundation"));
    let (_, out, _) = sh(&format!("db migrate --database {db}"));
    assert!(out.contains("up to date"));

    let cfg = dir.path().join("raidai.toml");
    std::fs::write(&cfg, format!("database = \"{db}\"\n")).unwrap();
    let cfg = cfg.to_str().unwrap();
    let (code, out, err) = sh(&format!(
        "--config {cfg} user add --username boss --role admin --password long-password"
    ));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created user boss"));
    let (code, _, err) = sh(&format!(
        "--config {cfg} user add --username boss --role admin --password long-password"
    ));
    assert_eq!(code, 1);
    assert!(err.contains("username"), "{err}");
    let (code, _, err) = sh(&format!(
        "--config {cfg} user add --username x1 --role district --scope 9999 --password long-password"
    ));
    assert_eq!(code, 1);
    assert!(err.contains("scope_code"), "{err}");
    let (code, out, _) = sh(&format!(
        "--config {cfg} user passwd --username boss --password another-password"
    ));
    assert_eq!(code, 0);
    assert!(out.contains("password set"));
    let (_, out, _) = sh(&format!("--config {cfg} user list"));
    assert!(out.contains("boss") && out.contains("admin"));

    std::fs::write(dir.path().join("bad.toml"), "databse = 1\n").unwrap();
    let (code, _, err) = sh(&format!(
        "--config {} user list",
        dir.path().join("bad.toml").display()
    ));
    assert_eq!(code, 1);
    assert!(err.contains("bad.toml"), "{err}");
}

#[test]
fn a_fresh_installation_from_the_command_line_and_an_import_leaves_no_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let db = format!("sqlite://{}", path.display());
    assert_eq!(sh(&format!("db migrate --database {db}")).0, 0);
    let (code, out, err) = sh(&format!("setup status --database {db}"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("still missing: province, units"), "{out}");
    let (code, _, err) = sh(&format!("setup province 99 --database {db}"));
    assert_eq!(code, 1);
    assert!(err.contains("not a Thai province code"), "{err}");
    let (code, out, err) = sh(&format!("setup province 44 --database {db}"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Maha Sarakham") && out.contains("13 districts"),
        "{out}"
    );

    let units = dir.path().join("units.csv");
    std::fs::write(
        &units,
        "hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds\n11001,โรงพยาบาลโกสุมพิสัย,rpch,4403,,F1,0,120\n03726,รพ.สต.บ้านหนองบัว,rpst,4403,11001,,0,0\n03727,รพ.สต.ผิด,rpst,4499,11001,,0,0\n",
    )
    .unwrap();
    let (code, _, err) = sh(&format!("units import {} --database {db}", units.display()));
    assert_eq!(code, 1);
    assert!(
        err.contains("line 4") && err.contains("district_code"),
        "{err}"
    );
    let text = std::fs::read_to_string(&units).unwrap();
    std::fs::write(&units, text.lines().take(3).collect::<Vec<_>>().join("\n")).unwrap();
    let (code, out, err) = sh(&format!("units import {} --database {db}", units.display()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("imported 2 units"), "{out}");

    let users = dir.path().join("users.csv");
    std::fs::write(
        &users,
        "username,display_name,role,scope_code,password\npho.fin,สสจ.,province,44,\ndho.kosum,สสอ.,district,4403,district-pass\nrev.11001,รายได้,unit_revenue,11001,\n",
    )
    .unwrap();
    let (code, out, err) = sh(&format!("user import {} --database {db}", users.display()));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("created 3 users") && out.contains("(shown once)"),
        "{out}"
    );
    let (_, out, _) = sh(&format!("setup status --database {db}"));
    assert!(out.contains("setup complete"), "{out}");

    // A 16-file import from the CLI leaves no WAL behind.
    let set = dir.path().join("set");
    let (code, _, err) = sh(&format!(
        "gen 16f --unit 11001 --visits 200 --admissions 5 --in-hospital 1 --seed 3 --out {}",
        set.display()
    ));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = sh(&format!(
        "import 16f {} --unit 11001 --database {db}",
        set.display()
    ));
    assert_eq!(code, 0, "{out}{err}");
    let wal = dir.path().join("fresh.db-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_len, 0, "WAL left behind: {wal_len} bytes");
    assert!(out.contains("net change"), "{out}");

    // The same files again: nothing changes, net change zero, exit 0.
    let (code, out, err) = sh(&format!(
        "import 16f {} --unit 11001 --database {db}",
        set.display()
    ));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("receivables 0.00 baht net change"), "{out}");
    assert!(
        out.contains("reconciled  CHT total") && !out.contains("DIFFERENCE"),
        "{out}"
    );
    assert!(
        !out.contains("in hospital 0.00"),
        "one admission in hospital: {out}"
    );

    // Periods: close a month that has ended, list, reopen with a reason.
    let (code, out, err) = sh(&format!("period close 256910 --unit 11001 --database {db}"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("10/2569 closed"), "{out}");
    let (code, _, err) = sh(&format!("period close 299912 --unit 11001 --database {db}"));
    assert_eq!(code, 1);
    assert!(err.contains("only a month that has ended"), "{err}");
    let (code, out, err) = sh(&format!(
        "period list --unit 11001 --fy 2570 --database {db}"
    ));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("10/2569") && l.contains("closed")),
        "{out}"
    );
    let (code, out, err) = raidai(&[
        "period",
        "reopen",
        "202610",
        "--unit",
        "11001",
        "--reason",
        "late corrections",
        "--database",
        &db,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("reopened"), "{out}");
    let (code, out, err) = sh(&format!("import repost --unit 11001 --database {db}"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("no waiting visit"), "{out}");

    // A line that cannot be read: imported with rejects, exit status 3.
    let opd = std::fs::read_dir(&set)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().to_uppercase() == "OPD.TXT")
        .unwrap();
    let mut text = std::fs::read(&opd).unwrap();
    text.extend_from_slice(b"\r\nHN999|not-a-clinic|not-a-date|x|SEQ999|?");
    std::fs::write(&opd, text).unwrap();
    let (code, out, err) = sh(&format!(
        "import 16f {} --unit 11001 --database {db}",
        set.display()
    ));
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("imported with") && err.contains("exit status 3"),
        "{err}"
    );
    let (code, _, _) = sh(&format!(
        "import 16f {} --unit 11001 --strict --database {db}",
        set.display()
    ));
    assert_eq!(code, 1, "strict with rejects fails");
}

#[test]
fn a_month_of_returns_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cycle.db").display());
    let arg = |p: &std::path::Path| p.to_str().unwrap().to_string();
    assert_eq!(sh(&format!("db migrate --database {db}")).0, 0);
    assert_eq!(sh(&format!("setup province 44 --database {db}")).0, 0);
    let units = dir.path().join("units.csv");
    std::fs::write(
        &units,
        "hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds\n11001,โรงพยาบาลโกสุมพิสัย,rpch,4403,,F1,0,120\n",
    )
    .unwrap();
    let (code, _, err) = sh(&format!("units import {} --database {db}", arg(&units)));
    assert_eq!(code, 0, "{err}");
    let set = dir.path().join("set");
    let (code, _, err) = sh(&format!(
        "gen 16f --unit 11001 --visits 300 --admissions 10 --seed 5 --fiscal-year 2569 --out {}",
        arg(&set)
    ));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = sh(&format!(
        "import 16f {} --unit 11001 --database {db}",
        arg(&set)
    ));
    assert_eq!(code, 0, "{out}{err}");
    let zip = dir.path().join("batch.zip");
    let (code, out, err) = sh(&format!(
        "claim batch --unit 11001 --fund UC,OFC,LGO,SSS --from 01/10/2568 --to 30/09/2569 --include-blocked --out {} --database {db}",
        arg(&zip)
    ));
    assert_eq!(code, 0, "{out}{err}");
    let no = out
        .split("batch ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let ret = dir.path().join("returns");
    let (code, out, err) = sh(&format!(
        "claim gen-returns --unit 11001 --batch {no} --seed 2 --out {} --database {db}",
        arg(&ret)
    ));
    assert_eq!(code, 0, "{out}{err}");
    let made = std::fs::read_dir(&ret).unwrap().count();
    assert!(made >= 2, "{made} files");
    // A broken statement beside them: refused alone, the others imported.
    let broken = dir.path().join("STM_11001_OPUCS256912_99.xlsx");
    std::fs::write(&broken, b"not a workbook").unwrap();
    let (code, out, err) = sh(&format!(
        "claim returns {} {} --unit 11001 --database {db}",
        arg(&ret),
        arg(&broken)
    ));
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out.matches(": return no. ").count(), made, "{out}");
    let first_stm = out.find("STM ").unwrap();
    assert!(
        out.rfind("REP ").unwrap() < first_stm,
        "REPs before statements: {out}"
    );
    assert!(
        err.contains("STM_11001_OPUCS256912_99.xlsx") && err.contains("1 file(s) refused"),
        "{err}"
    );
    // The same files again: each refused as already imported, nothing changed.
    let (code, _, err) = sh(&format!(
        "claim returns {} --unit 11001 --database {db}",
        arg(&ret)
    ));
    assert_eq!(code, 1);
    assert_eq!(err.matches("already imported").count(), made, "{err}");
}
