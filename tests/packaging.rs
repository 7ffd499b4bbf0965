//! The Dockerfile and the compose file are checked without a Docker
//! engine: hadolint lints the Dockerfile and dclint validates
//! docker-compose.yml against the Compose specification. `scripts/test`
//! installs both (from PyPI and npm) into `.tools/` when they are missing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The tool in `.tools/`, or on PATH.
fn tool(local: &str, name: &str) -> PathBuf {
    let path = root().join(".tools").join(local);
    if path.exists() {
        return path;
    }
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .unwrap();
    assert!(
        found.status.success(),
        "{name} is missing: run ./scripts/test, which installs it into .tools/"
    );
    PathBuf::from(String::from_utf8(found.stdout).unwrap().trim())
}

fn run(tool: &Path, args: &[&str]) {
    let output = Command::new(tool)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} {args:?} failed:\n{}{}",
        tool.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_dockerfile_passes_hadolint() {
    let hadolint = tool("pip/bin/hadolint", "hadolint");
    run(&hadolint, &["--failure-threshold", "info", "Dockerfile"]);
    let text = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    assert!(
        text.matches("\nFROM ").count() + usize::from(text.starts_with("FROM ")) >= 2,
        "multi-stage"
    );
    assert!(text.contains("\nUSER 10001"), "runs as a non-root user");
    assert!(text.contains("\nVOLUME "), "keeps data on a volume");
}

#[test]
fn the_compose_file_passes_dclint() {
    let dclint = tool("npm/node_modules/.bin/dclint", "dclint");
    run(&dclint, &["--max-warnings", "0", "docker-compose.yml"]);
    let text = std::fs::read_to_string(root().join("docker-compose.yml")).unwrap();
    assert!(
        text.contains("floor-data:/var/lib/floor"),
        "the log lives on a named volume"
    );
}
