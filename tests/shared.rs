//! The shared store: two brokers on NATS JetStream (a real nats-server on
//! loopback) serving one room, under the chaos harness's load, with
//! connections cut and stalled all along: the staff split between the
//! brokers, a broker killed mid-session, a NATS node killed mid-session.
//! Each run checks every command against the log (nothing acknowledged
//! lost or applied twice), the log gapless, the calls replayed through
//! the core (the fairness invariants on the combined order), every
//! subscriber's stream gapless, and every client's final view equal to
//! the surviving broker's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use floor_tests::chaos::{Outcome, Plan, Setup, SharedSetup, run_with};
use floor_tests::nats::Nats;

fn plan(dir: &std::path::Path) -> Plan {
    Plan {
        duration: Duration::from_secs(30),
        kills: 0,
        participants: 4,
        displays: 40,
        data: dir.join("data"),
    }
}

fn assert_sound(outcome: &Outcome, plan: &Plan) {
    let figures = &outcome.figures;
    eprintln!("{figures}");
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    assert_eq!(
        (figures.lost, figures.duplicated, figures.unexpected),
        (0, 0, 0)
    );
    assert_eq!(figures.gaps, 0);
    assert_eq!(figures.views_equal, plan.displays);
    assert_eq!(figures.client_views_equal, plan.participants + 3);
    assert!(figures.ok > 100, "the load ran: {figures}");
    assert!(figures.calls_checked > 10, "the chair called: {figures}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_brokers_serve_one_room_with_one_gapless_order() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let plan = plan(dir.path());
    let outcome = run_with(
        &plan,
        Setup::Shared(SharedSetup {
            servers: nats.urls(),
            replicas: 1,
            kill_broker: false,
            midway: None,
        }),
    )
    .await;
    assert_sound(&outcome, &plan);
    assert!(outcome.figures.brokers_equal, "both brokers end equal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_killed_mid_session_hands_its_clients_to_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let plan = plan(dir.path());
    let outcome = run_with(
        &plan,
        Setup::Shared(SharedSetup {
            servers: nats.urls(),
            replicas: 1,
            kill_broker: true,
            midway: None,
        }),
    )
    .await;
    assert_sound(&outcome, &plan);
    assert_eq!(outcome.figures.crashes, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_node_killed_mid_session_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Arc::new(Mutex::new(Nats::cluster(&dir.path().join("nats"))));
    let servers = nats.lock().unwrap().urls();
    let killer = nats.clone();
    let plan = plan(dir.path());
    let outcome = run_with(
        &plan,
        Setup::Shared(SharedSetup {
            servers,
            replicas: 3,
            kill_broker: false,
            midway: Some(Box::new(move || killer.lock().unwrap().nodes[0].kill())),
        }),
    )
    .await;
    assert_sound(&outcome, &plan);
    assert!(outcome.figures.brokers_equal, "both brokers end equal");
}
