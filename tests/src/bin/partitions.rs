//! The long partition run (`scripts/chaos --shared`): three NATS nodes
//! and two brokers on loopback under load while a nemesis partitions,
//! mutes and kills them; prints the figures and exits non-zero on any
//! broken promise. Needs root and iptables.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Duration;

use clap::Parser;
use floor_tests::jepsen::{Plan, run};

/// Partition the shared store under load and check every promise.
#[derive(Debug, Parser)]
#[command(name = "partitions")]
struct Args {
    /// How long the nemesis runs, in seconds
    #[arg(long, default_value_t = 600)]
    seconds: u64,
    /// The nemesis's seed (else `FLOOR_PARTITION_SEED`, else random)
    #[arg(long)]
    seed: Option<u64>,
    /// Participants submitting for themselves
    #[arg(long, default_value_t = 6)]
    participants: usize,
    /// Readers (display screens)
    #[arg(long, default_value_t = 6)]
    readers: usize,
    /// Keep the run's directory (the brokers' and the nodes' logs) and
    /// print where it is
    #[arg(long)]
    keep: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let dir = match floor_tests::run_dir("partitions") {
        Ok(dir) => dir,
        Err(status) => return status,
    };
    let plan = Plan {
        duration: Duration::from_secs(args.seconds),
        seed: args.seed.unwrap_or_else(Plan::seed_from_env),
        participants: args.participants,
        readers: args.readers,
        dir: dir.path().to_path_buf(),
    };
    println!("partitions: seed {}", plan.seed);
    let outcome = match run(&plan).await {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("partitions: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    if args.keep {
        println!(
            "partitions: the run's directory is kept in {}",
            dir.keep().display()
        );
    }
    floor_tests::report_run(&outcome.figures, &outcome.failures)
}
