//! The role commands of the `floor` binary, as a person at a session runs
//! them.

use std::process::Command;

/// Runs `floor ARGS` with the role link `link` in `FLOOR_URL`; returns the
/// exit code, stdout and stderr.
pub fn floor_role(link: &str, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(crate::floor_bin())
        .args(args)
        .env("FLOOR_URL", link)
        .env_remove("FLOOR_TOKEN")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}
