//! Scenario 7 (floor's core alone, no server): what one committed batch
//! costs the room's task on a room of 500 and of 5,000 open entries (both
//! channels, some pinned, some people already called). Figures are the
//! median of many runs, in µs:
//!
//! - `keep_before_us`: keeping the room before a batch so a failed append
//!   can roll it back, as the broker does for every batch (a
//!   [`floor_core::Savepoint`]);
//! - `clone_us`: the same by a clone of the room, as the broker did before;
//! - `rollback_us`: going back to the savepoint after one `next`, as after
//!   a failed append (the `next` included);
//! - `order_us`: the whole projected order;
//! - `order_head_us`: its first [`floor_protocol::limits::ORDER_SLOTS_MAX`] slots, what the broker
//!   sends after every change;
//! - `next_us`: one `next` decided and applied ([`Room::execute`]);
//! - `batch_us`: the three together, a batch of one `next`.

use std::time::{Duration, Instant};

use floor_core::{Actor, Ctx, Room};
use floor_protocol::{Channel, ClientKey, Command, EntryDraft, Person, Role, SettingsPatch};
use uuid::Uuid;

use crate::report::Row;
use crate::scenario::{emit, round2};
use crate::server::Kind;

/// The room sizes measured, in open entries.
const SIZES: [usize; 2] = [500, 5_000];

/// Every figure gets at least this many runs, and more while its budget
/// lasts.
const RUNS_MIN: usize = 11;
const RUNS_MAX: usize = 2_001;
const BUDGET: Duration = Duration::from_millis(1_500);

/// Measures each room size and prints its row.
pub fn room_costs(rows: &mut Vec<Row>) -> anyhow::Result<()> {
    for open in SIZES {
        let room = filled(open)?;
        anyhow::ensure!(
            room.open_count() == open,
            "the room holds {} open entries, not {open}",
            room.open_count()
        );
        let chair = actor(Role::Chair, "chair");
        let ctx = Ctx {
            now_ms: at(1_000_000),
            new_id: Uuid::from_u128(u128::MAX),
        };
        let next = |room: &mut Room| room.execute(&chair, "bench-next", &Command::next(), &ctx);
        let keep = median(|| {
            let mut room = room.clone();
            timed(|| room.savepoint())
        });
        let clone = median(|| timed(|| room.clone()));
        let rollback = median(|| {
            let mut room = room.clone();
            let t = Instant::now();
            let before = room.savepoint();
            let outcome = next(&mut room);
            let back = room.rollback(before);
            let spent = t.elapsed();
            drop((outcome, back));
            spent
        });
        let order = median(|| timed(|| room.projected_order()));
        let head = median(|| timed(|| room.order_head()));
        let next_us = median(|| {
            let mut room = room.clone();
            timed(|| next(&mut room))
        });
        let batch = median(|| {
            let mut room = room.clone();
            let t = Instant::now();
            let before = room.savepoint();
            let outcome = next(&mut room);
            let order = room.order_head();
            let spent = t.elapsed();
            drop((before, outcome, order));
            spent
        });
        let mut row = Row::new("room_costs", format!("{open} open entries"), Kind::Floor);
        row.set("keep_before_us", keep)
            .set("clone_us", clone)
            .set("rollback_us", rollback)
            .set("order_us", order)
            .set("order_head_us", head)
            .set("next_us", next_us)
            .set("batch_us", batch);
        emit(row, rows);
    }
    Ok(())
}

/// How long `f` takes; its result is dropped after the clock stops.
fn timed<T>(f: impl FnOnce() -> T) -> Duration {
    let t = Instant::now();
    let out = f();
    let spent = t.elapsed();
    drop(out);
    spent
}

/// The median of repeated runs of `run`, in µs.
fn median(mut run: impl FnMut() -> Duration) -> f64 {
    let started = Instant::now();
    let mut times = Vec::new();
    while times.len() < RUNS_MIN || (times.len() < RUNS_MAX && started.elapsed() < BUDGET) {
        times.push(run());
    }
    times.sort();
    round2(times[times.len() / 2].as_secs_f64() * 1e6)
}

fn actor(role: Role, name: &str) -> Actor {
    Actor {
        role,
        client: ClientKey::new(name),
        channel: None,
    }
}

/// Broker time at step `n` of the session.
fn at(n: usize) -> u64 {
    1_543_233_600_000 + n as u64 * 1_000
}

/// A room with `open` waiting entries: a tenth of them from people who
/// have already spoken once, a third online, one in fifty pinned.
fn filled(open: usize) -> anyhow::Result<Room> {
    let mut room = Room::new();
    let chair = actor(Role::Chair, "chair");
    let runner = actor(Role::Runner, "runner");
    let moderator = actor(Role::Moderator, "moderator");
    let mut step = 0;
    let mut run = |room: &mut Room, actor: &Actor, command: Command| {
        step += 1;
        let ctx = Ctx {
            now_ms: at(step),
            new_id: Uuid::from_u128(step as u128),
        };
        room.execute(actor, &format!("r{step}"), &command, &ctx)
    };
    let patch = SettingsPatch {
        max_open_entries: Some(u32::try_from(open * 2)?),
        ..SettingsPatch::default()
    };
    run(&mut room, &chair, Command::UpdateSettings { patch })?;
    let submit = |i: usize| {
        let channel = if i.is_multiple_of(3) {
            Channel::Online
        } else {
            Channel::Onsite
        };
        let mut person = Person::named(format!("Participant {i}"));
        person.affiliation = Some("Internet Governance Forum".into());
        let draft = EntryDraft {
            channel,
            kind: Default::default(),
            person,
            text: Some("How do we keep the value of our data at home?".into()),
            location: Some("Row 12, seat 4".into()),
            language: Some("en".into()),
            delivery: None,
            gender: None,
            source: None,
        };
        let by = if channel == Channel::Online {
            &moderator
        } else {
            &runner
        };
        (by, Command::Submit { entry: draft })
    };
    let spoken = open / 10;
    for i in 0..spoken {
        let (by, command) = submit(i);
        run(&mut room, by, command)?;
    }
    for _ in 0..spoken {
        run(&mut room, &chair, Command::next())?;
    }
    run(&mut room, &chair, Command::finish())?;
    let mut ids = Vec::with_capacity(open);
    for i in 0..open {
        let (by, command) = submit(i);
        let outcome = run(&mut room, by, command)?;
        ids.extend(outcome.receipt.entry_id);
    }
    for id in ids.iter().step_by(50) {
        run(&mut room, &chair, Command::Pin { entry_id: *id })?;
    }
    Ok(room)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use floor_protocol::{Channel, EntryStatus};

    use super::filled;

    /// The measured room is as described: open entries on both channels,
    /// some pinned, some of people already called.
    #[test]
    fn the_room_measured_is_mixed() {
        let room = filled(100).unwrap();
        assert_eq!(room.open_count(), 100);
        assert_eq!(room.pins().len(), 2);
        assert_eq!(room.called_people().len(), 10);
        let waiting = |channel| {
            room.entries()
                .iter()
                .filter(|e| e.status == EntryStatus::Waiting && e.channel == channel)
                .count()
        };
        assert_eq!(
            (waiting(Channel::Onsite), waiting(Channel::Online)),
            (66, 34)
        );
        assert_eq!(room.projected_order().len(), 100);
    }
}
