//! The chaos run: a room under load while the broker is killed and the
//! network misbehaves; prints the figures and exits non-zero on any broken
//! promise. `scripts/chaos` runs the long form.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Duration;

use clap::Parser;
use floor_tests::chaos::{Plan, run};

/// Kill the broker under load and check that nothing was lost.
#[derive(Debug, Parser)]
#[command(name = "chaos")]
struct Args {
    /// How long the load lasts, in seconds
    #[arg(long, default_value_t = 600)]
    seconds: u64,
    /// How many times the broker is killed with SIGKILL
    #[arg(long, default_value_t = 100)]
    kills: u32,
    /// Participants submitting for themselves
    #[arg(long, default_value_t = 8)]
    participants: usize,
    /// Display subscribers
    #[arg(long, default_value_t = 300)]
    displays: usize,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let dir = match floor_tests::run_dir("chaos") {
        Ok(dir) => dir,
        Err(status) => return status,
    };
    let plan = Plan {
        duration: Duration::from_secs(args.seconds),
        kills: args.kills,
        participants: args.participants,
        displays: args.displays,
        data: dir.path().join("data"),
    };
    let outcome = run(&plan).await;
    floor_tests::report_run(&outcome.figures, &outcome.failures)
}
