//! A large log for the recovery scenario, made as floor makes one: real
//! sessions driven through the core (hands and remote questions arriving,
//! the chair calling them), appended to the real store with their
//! idempotency records and the broker's checkpoints; and the page cache
//! emptied of it for a cold start.

use std::path::Path;
use std::process::Command as Process;

use floor_core::{Actor, Ctx, Room, checkpoint};
use floor_protocol::{Channel, ClientKey, Command, EntryDraft, Person, Role};
use floor_store::{Append, RequestRecord, RoomRecord, Store};
use uuid::Uuid;

fn actor(role: Role, name: &str) -> Actor {
    Actor {
        role,
        client: ClientKey::new(name),
        channel: None,
    }
}

fn submit(channel: Channel, n: u64) -> Command {
    let mut person = Person::named(format!("Participant {n}"));
    person.affiliation = Some("Internet Governance Forum".into());
    Command::Submit {
        entry: EntryDraft {
            channel,
            kind: Default::default(),
            person,
            text: Some(
                "How should developing countries keep the value of their data at home?".into(),
            ),
            location: Some("Row 12, seat 4".into()),
            language: Some("en".into()),
            delivery: None,
            gender: None,
        },
    }
}

/// Writes `rooms` rooms of `per_room` events each into a new store at
/// `path`; returns the log's size in bytes.
pub fn log(path: &Path, rooms: usize, per_room: usize) -> anyhow::Result<u64> {
    let mut store = Store::open(path)?;
    let runner = actor(Role::Runner, "runner");
    let moderator = actor(Role::Moderator, "moderator");
    let chair = actor(Role::Chair, "chair");
    for r in 0..rooms {
        let id = format!("room-{r}");
        store.create_room(
            &RoomRecord {
                id: id.clone(),
                title: format!("Room {r}"),
                epoch: Uuid::new_v4().to_string(),
                created_at_ms: 1_543_233_600_000,
            },
            &[],
        )?;
        let mut room = Room::new();
        let mut batch = Append {
            room: id.clone(),
            events: Vec::new(),
            requests: Vec::new(),
        };
        // The broker stores a checkpoint every `INTERVAL` events (at most
        // one a second: these rooms are written to at a session's pace,
        // far below `INTERVAL` events a second); the log is left as by a
        // broker that stopped just before its next one: the last
        // checkpoint `INTERVAL - 1` events before the end.
        let checkpoint_at = (per_room as u64).saturating_sub(checkpoint::INTERVAL - 1);
        let mut checkpointed = false;
        let mut written = 0;
        let mut n = 0u64;
        while written + batch.events.len() < per_room {
            n += 1;
            let ctx = Ctx {
                now_ms: 1_543_233_600_000 + n * 1000,
                new_id: Uuid::from_u128((r as u128) << 64 | u128::from(n)),
            };
            // Two requests in for every one called, then the chair
            // finishes the turn now and then.
            let (who, command) = match n % 4 {
                0 => (&chair, Command::Next {}),
                1 => (&runner, submit(Channel::Onsite, n)),
                2 => (&moderator, submit(Channel::Online, n)),
                _ => (&chair, Command::Finish {}),
            };
            let request_id = format!("g{n}");
            let Ok(outcome) = room.execute(who, &request_id, &command, &ctx) else {
                continue;
            };
            let (Some(first), Some(last)) = (outcome.events.first(), outcome.events.last()) else {
                continue;
            };
            batch.requests.push(RequestRecord {
                client: who.client.as_str().to_owned(),
                request_id,
                first_seq: first.seq,
                last_seq: last.seq,
            });
            for event in &outcome.events {
                batch
                    .events
                    .push((event.seq, serde_json::to_string(event)?));
            }
            let due = !checkpointed && room.seq() >= checkpoint_at;
            if batch.events.len() >= 5_000 || due {
                written += batch.events.len();
                let full = std::mem::replace(
                    &mut batch,
                    Append {
                        room: id.clone(),
                        events: Vec::new(),
                        requests: Vec::new(),
                    },
                );
                for result in store.append(&[full])? {
                    result?;
                }
                if due {
                    store.put_checkpoint(
                        &id,
                        room.seq(),
                        &serde_json::to_string(&room.checkpoint())?,
                    )?;
                    checkpointed = true;
                }
            }
        }
        if !batch.events.is_empty() {
            for result in store.append(&[batch])? {
                result?;
            }
        }
    }
    drop(store);
    let mut bytes = 0;
    if let Some(dir) = path.parent() {
        for entry in std::fs::read_dir(dir)? {
            bytes += entry?.metadata()?.len();
        }
    }
    Ok(bytes)
}

/// Empties the page cache of the data directory's files: all caches when
/// root may (`/proc/sys/vm/drop_caches`), else each file's own pages
/// (`dd iflag=nocache`, POSIX_FADV_DONTNEED). Says which.
pub fn evict(data: &Path) -> anyhow::Result<String> {
    let _ = Process::new("sync").status();
    if std::fs::write("/proc/sys/vm/drop_caches", "3\n").is_ok() {
        return Ok("drop_caches".into());
    }
    for entry in std::fs::read_dir(data)? {
        let path = entry?.path();
        if path.is_file() {
            let status = Process::new("dd")
                .arg(format!("if={}", path.display()))
                .args(["iflag=nocache", "count=0", "status=none"])
                .status()?;
            anyhow::ensure!(status.success(), "dd could not evict {}", path.display());
        }
    }
    Ok("dd iflag=nocache".into())
}
