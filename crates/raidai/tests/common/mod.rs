//! The `raidai` binary run as an operator runs it, for the CLI test binaries.

use std::process::{Command, Stdio};

/// Runs `raidai` with `args` (no inherited database or config), returning the exit code,
/// stdout and stderr.
pub fn raidai(args: &[&str]) -> (i32, String, String) {
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

/// [`raidai`] with its arguments written as one command line, split at white space (for
/// arguments without spaces; temporary paths have none).
#[allow(dead_code)]
pub fn sh(line: &str) -> (i32, String, String) {
    raidai(&line.split_whitespace().collect::<Vec<_>>())
}
