//! Jepsen-style partitions of the shared store, on loopback: three NATS
//! nodes and two brokers under load while a nemesis cuts, mutes and kills
//! them (every kind of fault at least once, about 60 s); then every
//! acknowledged command is in the log once, at its seqs; no client ever
//! went backwards; no `storage_unavailable` was recorded; every hello was
//! answered within 2 s; both brokers hold the log. Needs root and
//! iptables; `scripts/chaos --shared` is the long run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::time::Duration;

use floor_tests::jepsen::{Plan, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_kills_and_mutes_break_no_promise() {
    let dir = tempfile::tempdir().unwrap();
    let plan = Plan {
        duration: Duration::from_secs(45),
        seed: Plan::seed_from_env(),
        participants: 4,
        readers: 3,
        dir: dir.path().to_path_buf(),
    };
    let outcome = run(&plan).await.unwrap_or_else(|error| panic!("{error}"));
    let figures = &outcome.figures;
    eprintln!("{figures}");
    for failure in outcome.failures.iter().take(40) {
        eprintln!("FAILED: {failure}");
    }
    if !outcome.failures.is_empty() {
        // The brokers' and nodes' logs stay for whoever reads the failure.
        eprintln!("logs kept in {}", dir.keep().display());
    }
    assert_eq!(
        (figures.lost, figures.duplicated, figures.unexpected),
        (0, 0, 0),
        "lost, duplicated, unexpected"
    );
    assert_eq!(figures.stale_reads, 0, "stale reads");
    assert_eq!(
        figures.unavailable_but_recorded, 0,
        "unavailable but recorded"
    );
    assert_eq!(
        (figures.first_send_duplicates, figures.unfounded_duplicates),
        (0, 0),
        "duplicates without a repeat"
    );
    assert_eq!(
        (figures.diverging, figures.gaps),
        (0, 0),
        "what clients saw"
    );
    assert_eq!(
        figures.hellos_over_bound, 0,
        "hellos answered after 2 s or never"
    );
    assert!(figures.brokers_equal, "both brokers hold the log");
    assert!(figures.ok > 100, "the load ran: {figures}");
    assert!(
        outcome.failures.is_empty(),
        "{} failures (seed {})",
        outcome.failures.len(),
        figures.seed
    );
}
