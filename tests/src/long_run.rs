//! What the long runs (`scripts/chaos`, the partition runs) share: a
//! temporary directory and the report they end with.

/// How a long run (`scripts/chaos`) ends: prints its figures, then every
/// broken promise (the first 50) and exits non-zero if there is one.
#[allow(clippy::print_stdout)]
pub fn report_run(figures: &dyn std::fmt::Display, failures: &[String]) -> std::process::ExitCode {
    println!("{figures}");
    if failures.is_empty() {
        println!("no promise broken");
        return std::process::ExitCode::SUCCESS;
    }
    for failure in failures.iter().take(50) {
        eprintln!("FAILED: {failure}");
    }
    eprintln!("{} failures", failures.len());
    std::process::ExitCode::FAILURE
}

/// A temporary directory for a long run, or its exit status 2 (with the
/// reason printed) when there is none.
pub fn run_dir(run: &str) -> Result<tempfile::TempDir, std::process::ExitCode> {
    tempfile::tempdir().map_err(|error| {
        eprintln!("{run}: no temporary directory: {error}");
        std::process::ExitCode::from(2)
    })
}
