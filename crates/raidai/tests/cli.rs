//! The `raidai` binary as an operator uses it.

use std::process::{Command, Stdio};

fn raidai(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_raidai"))
        .args(args)
        .env_remove("RAIDAI_DATABASE")
        .env_remove("RAIDAI_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("run raidai");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn unreachable_database_is_one_line_with_the_password_redacted() {
    let (code, _, err) = raidai(&[
        "db",
        "migrate",
        "--database",
        "postgres://raidai:s3cret@127.0.0.1:1/raidai",
    ]);
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
    let (code, out, err) = raidai(&["db", "migrate", "--database", &db]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0001_foundation"));
    let (_, out, _) = raidai(&["db", "migrate", "--database", &db]);
    assert!(out.contains("up to date"));

    let cfg = dir.path().join("raidai.toml");
    std::fs::write(&cfg, format!("database = \"{db}\"\n")).unwrap();
    let cfg = cfg.to_str().unwrap();
    let (code, out, err) = raidai(&[
        "--config",
        cfg,
        "user",
        "add",
        "--username",
        "boss",
        "--role",
        "admin",
        "--password",
        "long-password",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created user boss"));
    let (code, _, err) = raidai(&[
        "--config",
        cfg,
        "user",
        "add",
        "--username",
        "boss",
        "--role",
        "admin",
        "--password",
        "long-password",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("username"), "{err}");
    let (code, _, err) = raidai(&[
        "--config",
        cfg,
        "user",
        "add",
        "--username",
        "x1",
        "--role",
        "district",
        "--scope",
        "9999",
        "--password",
        "long-password",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("scope_code"), "{err}");
    let (code, out, _) = raidai(&[
        "--config",
        cfg,
        "user",
        "passwd",
        "--username",
        "boss",
        "--password",
        "another-password",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("password set"));
    let (_, out, _) = raidai(&["--config", cfg, "user", "list"]);
    assert!(out.contains("boss") && out.contains("admin"));

    std::fs::write(dir.path().join("bad.toml"), "databse = 1\n").unwrap();
    let (code, _, err) = raidai(&[
        "--config",
        dir.path().join("bad.toml").to_str().unwrap(),
        "user",
        "list",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("bad.toml"), "{err}");
}
