//! A large log for the recovery scenario, made as floor makes one: real
//! sessions driven through the core (hands and remote questions arriving,
//! the chair calling them), appended to the real store with their
//! idempotency records and the broker's checkpoints; and the page cache
//! emptied of it for a cold start.

use std::path::Path;
use std::process::Command as Process;

use floor_core::{Actor, Ctx, Room, checkpoint};
use floor_protocol::{Channel, ClientKey, Command, EntryDraft, Person, Role};
use floor_store::{Append, RoomRecord, Store};
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
            source: None,
        },
    }
}

/// A session driven through the core: hands and remote questions
/// arriving, the chair calling them and finishing turns.
struct Session {
    room: Room,
    index: usize,
    n: u64,
    runner: Actor,
    moderator: Actor,
    chair: Actor,
}

/// One command that took effect: its client, request id and events.
struct Applied {
    client: String,
    request_id: String,
    events: Vec<floor_protocol::RoomEvent>,
}

impl Session {
    /// Room number `index`'s session, from its start.
    fn new(index: usize) -> Session {
        Session {
            room: Room::new(),
            index,
            n: 0,
            runner: actor(Role::Runner, "runner"),
            moderator: actor(Role::Moderator, "moderator"),
            chair: actor(Role::Chair, "chair"),
        }
    }

    /// The next command that takes effect (those refused are skipped).
    fn next(&mut self) -> Applied {
        loop {
            self.n += 1;
            let n = self.n;
            let ctx = Ctx {
                now_ms: 1_543_233_600_000 + n * 1000,
                new_id: Uuid::from_u128((self.index as u128) << 64 | u128::from(n)),
            };
            // Two requests in for every one called, then the chair
            // finishes the turn now and then.
            let (who, command) = match n % 4 {
                0 => (&self.chair, Command::next()),
                1 => (&self.runner, submit(Channel::Onsite, n)),
                2 => (&self.moderator, submit(Channel::Online, n)),
                _ => (&self.chair, Command::finish()),
            };
            let request_id = format!("g{n}");
            let Ok(outcome) = self.room.execute(who, &request_id, &command, &ctx) else {
                continue;
            };
            if outcome.events.is_empty() {
                continue;
            }
            return Applied {
                client: who.client.as_str().to_owned(),
                request_id,
                events: outcome.events,
            };
        }
    }
}

/// Writes `rooms` rooms of `per_room` events each into a new store at
/// `path`; returns the log's size in bytes.
pub fn log(path: &Path, rooms: usize, per_room: usize) -> anyhow::Result<u64> {
    let mut store = Store::open(path)?;
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
        let mut session = Session::new(r);
        let mut batch = Append {
            room: id.clone(),
            events: Vec::new(),
            declarations: Vec::new(),
        };
        // The broker stores a checkpoint every `INTERVAL` events (at most
        // one a second: these rooms are written to at a session's pace,
        // far below `INTERVAL` events a second); the log is left as by a
        // broker that stopped just before its next one: the last
        // checkpoint `INTERVAL - 1` events before the end.
        let checkpoint_at = (per_room as u64).saturating_sub(checkpoint::INTERVAL - 1);
        let mut checkpointed = false;
        let mut written = 0;
        while written + batch.events.len() < per_room {
            let applied = session.next();
            if applied.events.is_empty() {
                continue;
            }
            for event in &applied.events {
                batch
                    .events
                    .push((event.seq, serde_json::to_string(event)?));
            }
            let due = !checkpointed && session.room.seq() >= checkpoint_at;
            if batch.events.len() >= 5_000 || due {
                written += batch.events.len();
                let full = std::mem::replace(
                    &mut batch,
                    Append {
                        room: id.clone(),
                        events: Vec::new(),
                        declarations: Vec::new(),
                    },
                );
                for result in store.append(&[full])? {
                    result?;
                }
                if due {
                    store.put_checkpoint(
                        &id,
                        session.room.seq(),
                        &serde_json::to_string(&session.room.checkpoint())?,
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

/// Commands per commit of the shared room written: a busy room's batches
/// (a room at a session's pace commits one command at a time).
const SHARED_ROOM_COMMIT: usize = 8;

/// Writes one room of at least `events` events into the shared store as
/// brokers write it (one message per commit of [`SHARED_ROOM_COMMIT`]
/// commands, appended with the
/// expected last sequence and the commit's message id), with the
/// checkpoint a broker would have stored last; `display` is the room's
/// display token.
pub async fn shared_room(
    shared: &floor_broker::shared::Shared,
    id: &str,
    events: usize,
    display: &str,
) -> anyhow::Result<()> {
    use floor_broker::shared::{Anchor, Appended, RoomValue, message_id};
    let mut value = RoomValue {
        title: format!("Room {id}"),
        epoch: Uuid::new_v4(),
        created_at_ms: 1_543_233_600_000,
        tokens: Default::default(),
    };
    value.set_tokens(&floor_broker::auth::RoleTokens::new(vec![(
        Role::Display,
        floor_broker::auth::hash_token(display),
    )]));
    shared
        .create_room(id, &value)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut session = Session::new(0);
    let mut expected = 0;
    let mut written = 0;
    // As in the embedded log: the last checkpoint `INTERVAL - 1` events
    // before the end, stored as a broker stores it (naming earlier commits
    // for the resume window).
    let checkpoint_at = (events as u64).saturating_sub(checkpoint::INTERVAL - 1);
    let mut checkpointed = false;
    while written < events {
        let commit: Vec<Applied> = (0..SHARED_ROOM_COMMIT).map(|_| session.next()).collect();
        let lines = commit
            .iter()
            .flat_map(|applied| applied.events.iter())
            .map(serde_json::to_string)
            .collect::<Result<Vec<String>, _>>()?;
        let texts: Vec<&str> = lines.iter().map(String::as_str).collect();
        let message = message_id(
            id,
            commit
                .iter()
                .map(|a| (a.client.as_str(), a.request_id.as_str())),
        );
        match shared
            .append(id, &texts, &Default::default(), &message, expected)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
        {
            Appended::Stored(seq) => expected = seq,
            Appended::Behind { maybe_stored: true } => {
                // An attempt whose answer came late stored it: take it.
                let stored = shared
                    .read_after(id, expected, 1)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                match stored.first() {
                    Some(commit) if commit.events.len() == lines.len() => {
                        expected = commit.stream_seq;
                    }
                    _ => anyhow::bail!("another writer appended to {id}"),
                }
            }
            Appended::Behind { .. } => anyhow::bail!("another writer appended to {id}"),
            Appended::Unknown(reason) => {
                anyhow::bail!("an append to {id} went unanswered: {reason}")
            }
        }
        written += lines.len();
        let at = Anchor {
            seq: session.room.seq(),
            stream_seq: expected,
        };
        if !checkpointed && at.seq >= checkpoint_at {
            let body = serde_json::to_string(&session.room.checkpoint())?;
            shared
                .put_checkpoint(id, at, &body)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            checkpointed = true;
        }
        shared.note_anchor(id, at);
    }
    Ok(())
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
