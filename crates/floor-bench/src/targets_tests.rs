//! The targets judged on hand-made rows: met, not met, and missing.

use super::{Check, Verdict, evaluate, table, targets};
use crate::report::Row;
use crate::scenario::{
    DURABLE, FANOUT, IDLE, IDLE_ROOMS, IDLE_ROOMS_COUNT, OPEN_LOOP_WRITERS, RECOVERY, fanout_case,
    first_load_case, first_load_events, idle_case, idle_rooms_case, open_loop_case, recovery_case,
    recovery_size,
};
use crate::server::Kind;

fn row(scenario: &'static str, case: String, server: Kind, figures: &[(&'static str, f64)]) -> Row {
    let mut row = Row::new(scenario, case, server);
    for &(name, value) in figures {
        row.set(name, value);
    }
    row
}

fn fanout(per_room: usize, server: Kind, p99: f64, cpu: f64) -> Row {
    row(
        FANOUT,
        fanout_case(1, per_room),
        server,
        &[("p99_ms", p99), ("cpu_us_per_delivery", cpu)],
    )
}

fn open_loop(server: Kind, offered: f64, acked: f64, refused: f64, p99: f64) -> Row {
    row(
        DURABLE,
        open_loop_case(OPEN_LOOP_WRITERS, offered, 0),
        server,
        &[
            ("offered", offered * 3.0),
            ("acked", acked * 3.0),
            ("refused", refused),
            ("ack_p99_ms", p99),
        ],
    )
}

/// The checks of the target named `name`, in the case `case`.
fn verdicts(checks: &[Check], name: &str) -> Vec<(String, Verdict)> {
    checks
        .iter()
        .filter(|c| c.target == name)
        .map(|c| (c.case.clone(), c.verdict))
        .collect()
}

#[test]
fn no_rows_measure_nothing() {
    let checks = evaluate(&targets(), &[]);
    assert!(!checks.is_empty());
    assert!(checks.iter().all(|c| c.verdict == Verdict::NotMeasured));
    let printed = table(&checks);
    assert!(printed.contains("0 met, 0 NOT met"));
    assert!(printed.contains("full room, 1000 screens: chair ack p99"));
    assert!(printed.contains(&format!("{} not measured", checks.len())));
}

#[test]
fn idle_rooms_at_most_50_kb_each() {
    let idle = |bytes| {
        row(
            IDLE_ROOMS,
            idle_rooms_case(IDLE_ROOMS_COUNT),
            Kind::Floor,
            &[("bytes_per_room", bytes)],
        )
    };
    let case = idle_rooms_case(IDLE_ROOMS_COUNT);
    let judged = |bytes| {
        verdicts(
            &evaluate(&targets(), &[idle(bytes)]),
            "300 loaded idle rooms",
        )
    };
    assert_eq!(judged(12_000.0), vec![(case.clone(), Verdict::Met)]);
    assert_eq!(judged(50_000.0), vec![(case.clone(), Verdict::Met)]);
    assert_eq!(judged(430_000.0), vec![(case.clone(), Verdict::NotMet)]);
    // Another count of rooms judges nothing.
    let other = row(
        IDLE_ROOMS,
        idle_rooms_case(10),
        Kind::Floor,
        &[("bytes_per_room", 1.0)],
    );
    let checks = evaluate(&targets(), &[other]);
    assert_eq!(
        verdicts(&checks, "300 loaded idle rooms"),
        vec![(case, Verdict::NotMeasured)]
    );
}

#[test]
fn fanout_beside_b0_and_b1() {
    let rows = vec![
        fanout(1000, Kind::B0, 10.0, 10.0),
        fanout(1000, Kind::B1, 20.0, 12.0),
        fanout(1000, Kind::Floor, 13.0, 12.0),
        fanout(10_000, Kind::B0, 100.0, 10.0),
        fanout(10_000, Kind::B1, 120.0, 14.0),
        fanout(10_000, Kind::Floor, 131.0, 15.0),
    ];
    let checks = evaluate(&targets(), &rows);
    let at_1k = fanout_case(1, 1000);
    let at_10k = fanout_case(1, 10_000);
    // 13 / 10 is 1.3, within; 131 / 100 is past it.
    assert_eq!(
        verdicts(&checks, "fan-out p99 <= 1.3x B0"),
        vec![
            (at_1k.clone(), Verdict::Met),
            (at_10k.clone(), Verdict::NotMet)
        ]
    );
    assert_eq!(
        verdicts(&checks, "fan-out CPU per delivery <= 1.3x B0"),
        vec![
            (at_1k.clone(), Verdict::Met),
            (at_10k.clone(), Verdict::NotMet)
        ]
    );
    // Below B1 is strict: equal CPU is not ahead. The 10 rooms case is
    // absent.
    assert_eq!(
        verdicts(&checks, "fan-out CPU per delivery below B1"),
        vec![
            (at_1k.clone(), Verdict::NotMet),
            (at_10k.clone(), Verdict::NotMet),
            (fanout_case(10, 1000), Verdict::NotMeasured)
        ]
    );
    assert_eq!(
        verdicts(&checks, "fan-out p99 below B1")[..2],
        [(at_1k, Verdict::Met), (at_10k, Verdict::NotMet)]
    );
    let line = checks
        .iter()
        .find(|c| c.target == "fan-out p99 <= 1.3x B0")
        .map(|c| c.measured.clone());
    assert_eq!(line.as_deref(), Some("floor 13 / B0 10 ms = 1.30x"));
}

#[test]
fn idle_needs_both_servers() {
    let bytes = |server, n| {
        row(
            IDLE,
            idle_case(1000),
            server,
            &[("bytes_per_connection", n)],
        )
    };
    let rows = vec![
        bytes(Kind::B0, 7000.0),
        bytes(Kind::B1, 9500.0),
        bytes(Kind::Floor, 9000.0),
    ];
    let checks = evaluate(&targets(), &rows);
    assert_eq!(
        verdicts(&checks, "idle connection bytes <= 1.3x B0"),
        vec![
            (idle_case(1000), Verdict::Met),
            (idle_case(10_000), Verdict::NotMeasured)
        ]
    );
    assert_eq!(
        verdicts(&checks, "idle connection bytes below B1")[0].1,
        Verdict::Met
    );
    // Without B0's row, floor's alone judges nothing.
    let checks = evaluate(&targets(), &rows[1..]);
    assert_eq!(
        verdicts(&checks, "idle connection bytes <= 1.3x B0")[0].1,
        Verdict::NotMeasured
    );
}

#[test]
fn the_open_loop_is_acked_in_full_or_not() {
    let one = "durable open loop, one broker: all acked";
    let two = "durable open loop, floor x2: acked in full";
    let judge = |rows: &[Row], name| verdicts(&evaluate(&targets(), rows), name)[0].1;
    assert_eq!(judge(&[], one), Verdict::NotMeasured);
    let met = open_loop(Kind::Floor, 20_000.0, 20_000.0, 0.0, 4.6);
    assert_eq!(judge(&[met], one), Verdict::Met);
    // Acked in full but slow; fast but one short; fast but one refused.
    for row in [
        open_loop(Kind::Floor, 20_000.0, 20_000.0, 0.0, 85.0),
        open_loop(Kind::Floor, 20_000.0, 19_999.0, 0.0, 4.0),
        open_loop(Kind::Floor, 20_000.0, 20_000.0, 1.0, 4.0),
    ] {
        assert_eq!(judge(&[row], one), Verdict::NotMet);
    }
    // A step that ended in an error is not met.
    let mut broken = Row::new(
        DURABLE,
        open_loop_case(OPEN_LOOP_WRITERS, 20_000.0, 0),
        Kind::Floor,
    );
    broken.set("error", "the writer was closed");
    assert_eq!(judge(&[broken], one), Verdict::NotMet);
    // Two brokers: the 20,000/s step within 50 ms meets the 15,000/s.
    let steps = |last_p99| {
        vec![
            open_loop(Kind::FloorShared, 5_000.0, 5_000.0, 0.0, 3.0),
            open_loop(Kind::FloorShared, 10_000.0, 10_000.0, 0.0, 6.6),
            open_loop(Kind::FloorShared, 20_000.0, 20_000.0, 0.0, last_p99),
        ]
    };
    assert_eq!(judge(&steps(40.0), two), Verdict::Met);
    assert_eq!(judge(&steps(79.0), two), Verdict::NotMet);
    // Only the steps below 15,000/s: not met (the run stopped there).
    assert_eq!(judge(&steps(40.0)[..2], two), Verdict::NotMet);
    // The one broker's rows do not count for two.
    let floor = open_loop(Kind::Floor, 20_000.0, 20_000.0, 0.0, 4.0);
    assert_eq!(judge(&[floor], two), Verdict::NotMeasured);
}

#[test]
fn recovery_at_full_size_only() {
    let (rooms, per_room) = recovery_size(false);
    let start = |cache, ms| {
        row(
            RECOVERY,
            recovery_case(rooms, per_room, cache),
            Kind::Floor,
            &[("start_to_serving_ms", ms)],
        )
    };
    let first = row(
        RECOVERY,
        first_load_case(first_load_events(false)),
        Kind::FloorShared,
        &[("hello_to_welcome_ms", 830.0)],
    );
    let checks = evaluate(
        &targets(),
        &[start("warm", 980.0), start("cold", 3100.0), first],
    );
    assert_eq!(
        verdicts(&checks, "start to serving, warm")[0].1,
        Verdict::Met
    );
    assert_eq!(
        verdicts(&checks, "start to serving, cold")[0].1,
        Verdict::NotMet
    );
    assert_eq!(
        verdicts(&checks, "shared store first load")[0].1,
        Verdict::NotMet
    );
    // The reduced run's smaller log judges nothing.
    let (rooms, per_room) = recovery_size(true);
    let quick = row(
        RECOVERY,
        recovery_case(rooms, per_room, "warm"),
        Kind::Floor,
        &[("start_to_serving_ms", 100.0)],
    );
    let checks = evaluate(&targets(), &[quick]);
    assert_eq!(
        verdicts(&checks, "start to serving, warm")[0].1,
        Verdict::NotMeasured
    );
}

#[test]
fn the_full_room_is_judged_on_the_chairs_p99_and_the_screens_bytes() {
    let full = row(
        crate::full_room::FULL_ROOM,
        crate::full_room::full_room_case(),
        Kind::Floor,
        &[
            ("chair_ack_p99_ms", 3.2),
            ("screen_bytes_per_command", 2400.0),
        ],
    );
    let checks = evaluate(&targets(), &[full]);
    assert_eq!(
        verdicts(&checks, "full room, 1000 screens: chair ack p99")[0].1,
        Verdict::Met
    );
    assert_eq!(
        verdicts(
            &checks,
            "full room, 1000 screens: bytes per screen per command"
        )[0]
        .1,
        Verdict::NotMet
    );
}
