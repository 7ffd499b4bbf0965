//! The short chaos run: 10 SIGKILL restarts of the broker under load from
//! writers and 100 display subscribers, with connections cut and stalled;
//! no acknowledged command lost or duplicated, no gap seen by any
//! subscriber, every final view equal to the broker's. The long run is
//! `scripts/chaos`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::time::Duration;

use floor_tests::chaos::{Plan, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_crashes_under_load_lose_and_duplicate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let plan = Plan {
        duration: Duration::from_secs(30),
        kills: 10,
        participants: 6,
        displays: 100,
        data: dir.path().join("data"),
    };
    let outcome = run(&plan).await;
    let figures = &outcome.figures;
    eprintln!("{figures}");
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    assert_eq!(figures.crashes, 10);
    assert_eq!(
        (figures.lost, figures.duplicated, figures.unexpected),
        (0, 0, 0)
    );
    assert_eq!(figures.gaps, 0);
    assert_eq!(figures.views_equal, 100);
    assert!(figures.ok > 100, "the load ran: {figures}");
}
