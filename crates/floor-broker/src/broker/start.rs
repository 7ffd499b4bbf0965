//! Starting a broker: on the embedded store, every room rebuilt from its
//! log (side by side on a reader per thread) and the file's integrity
//! checked beside serving; on the shared store, a connection to NATS and
//! the follower of token rotations.

use std::sync::{Arc, RwLock};

use dashmap::DashMap;
use floor_protocol::message::RoomInfo;
use floor_store::{RoomRecord, Store};
use futures_util::stream::StreamExt;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use super::tokens::{follow_tokens, role_named};
use super::{Broker, Opened, StartError};
use crate::auth::{self, RoleTokens, TokenHash};
use crate::commit::Writer;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::room::{self, RoomLog};
use crate::shared::{Shared, SharedConfig, SharedError};
use crate::shared_start::ADMIN_HASH_KEY;

/// How much of the log's file a start maps into memory to read it.
const START_MAP: u64 = 1 << 40;

/// Rebuilds every room from its log, on as many threads as the machine
/// has cores, each with a reader of its own (rooms are independent, and
/// SQLite's WAL lets readers run side by side). Returns the rooms in the
/// order given, each with the time its rebuild took; the first room that
/// fails to rebuild fails the whole start.
fn load_rooms(
    store: &Store,
    path: &std::path::Path,
    records: Vec<RoomRecord>,
) -> Result<Vec<(RoomRecord, room::Loaded, std::time::Duration)>, StartError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(records.len());
    // The start reads each room's checkpoint and latest events once:
    // through a map of the file rather than a system call per page.
    store.map_for_reading(START_MAP)?;
    let timed = |store: &Store, record: &RoomRecord| {
        let started = std::time::Instant::now();
        room::load(store, &record.id).map(|state| (state, started.elapsed()))
    };
    if threads <= 1 {
        return records
            .into_iter()
            .map(|record| {
                let (state, took) = timed(store, &record)?;
                Ok((record, state, took))
            })
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    type Slot = Option<Result<(room::Loaded, std::time::Duration), StartError>>;
    let mut slots: Vec<Slot> = (0..records.len()).map(|_| None).collect();
    let finished: Vec<Vec<(usize, Result<_, StartError>)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    let reader = match Store::open_existing(path)
                        .and_then(|reader| reader.map_for_reading(START_MAP).map(|()| reader))
                    {
                        Ok(reader) => reader,
                        Err(error) => {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            if i < records.len() {
                                done.push((i, Err(StartError::from(error))));
                            }
                            return done;
                        }
                    };
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(record) = records.get(i) else {
                            return done;
                        };
                        done.push((i, timed(&reader, record).map_err(StartError::from)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_default())
            .collect()
    });
    for (i, result) in finished.into_iter().flatten() {
        slots[i] = Some(result);
    }
    records
        .into_iter()
        .zip(slots)
        .map(|(record, slot)| {
            // A room no worker reached (a worker's reader failed to open
            // after taking it, or a worker panicked) is rebuilt here.
            let (state, took) = match slot {
                Some(result) => result?,
                None => timed(store, &record)?,
            };
            Ok((record, state, took))
        })
        .collect()
}

impl Broker {
    /// Opens the store, rebuilds every room from its log (each room's hash
    /// chain checked as it is read), starts the writer, and settles the
    /// admin token; SQLite's whole-file `quick_check` then runs beside
    /// serving.
    pub fn open(config: Config) -> Result<Opened, StartError> {
        let path = config.data.join("floor.db");
        let torn = floor_store::wal_torn_tail(&path);
        if let Some(bytes) = torn {
            tracing::warn!(
                path = %path.display(),
                bytes,
                "the write-ahead log ends in a partial record (a write cut short by a crash or power loss); recovering to the last whole commit"
            );
        }
        let mut store = Store::open(&path)?;
        let (mode, sync) = store.durability()?;
        tracing::info!(path = %path.display(), journal_mode = %mode, synchronous = sync, "store open");
        let created_store = store.created().then(|| path.clone());
        if created_store.is_some() {
            tracing::warn!(path = %path.display(), "no store was there: a new, empty one is created");
        }
        if torn.is_some() {
            // The recovery may have dropped events that subscribers hold:
            // which rooms' cannot be told, so every room takes a new epoch,
            // and a client resuming from a lost seq gets a snapshot.
            let renewed = store.renew_epochs(|| Uuid::new_v4().to_string())?;
            tracing::warn!(
                rooms = renewed.len(),
                "events may have been dropped by the recovery: every room takes a new epoch, so clients resume from a snapshot"
            );
        }
        let mut new_admin_token = None;
        let admin = match &config.admin_token {
            Some(token) => Some(auth::hash_token(token)),
            None => match store.meta(ADMIN_HASH_KEY)? {
                Some(hex_hash) => hex::decode(hex_hash)
                    .ok()
                    .and_then(|h| <TokenHash>::try_from(h).ok()),
                None => {
                    let token = auth::new_token();
                    let hash = auth::hash_token(&token);
                    store.set_meta(ADMIN_HASH_KEY, &hex::encode(hash))?;
                    new_admin_token = Some(token);
                    Some(hash)
                }
            },
        };

        let metrics = Arc::new(Metrics::new());
        let mut loaded = Vec::new();
        let mut rebuilt = Vec::new();
        for (record, state, took) in load_rooms(&store, &path, store.rooms()?)? {
            let rows = store.tokens(&record.id)?;
            let participant = rows
                .iter()
                .find(|t| t.role == crate::join::PARTICIPANT_TOKEN)
                .and_then(|t| String::from_utf8(t.hash.clone()).ok());
            let hashes = rows
                .into_iter()
                .filter_map(|t| Some((role_named(&t.role)?, <TokenHash>::try_from(t.hash).ok()?)))
                .collect();
            rebuilt.push((record.id.clone(), state.room.seq(), took));
            let tokens = RoleTokens::new(hashes).with_participant(participant);
            loaded.push((record, tokens, state));
        }
        store.map_for_reading(0)?;
        let writer = Writer::start(store, path.clone(), metrics.clone())?;
        check_integrity_beside(path, writer.health().clone());
        let addresses = Arc::new(crate::addresses::Addresses::from_config(&config));
        let budget = config.participant_submits_per_minute;
        let broker = Arc::new(Broker {
            rooms: DashMap::new(),
            live: crate::conference::live::Live::new(writer.health().clone()),
            log: RoomLog::Local(writer),
            loading: DashMap::new(),
            metrics,
            config,
            admin: RwLock::new(admin),
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
            lane: crate::lane::CommandLane::start()?,
            addresses,
            budget: crate::budget::SubmitBudget::new(budget),
            conference_lock: Default::default(),
        });
        for (record, tokens, state) in loaded {
            let epoch = Uuid::parse_str(&record.epoch).unwrap_or(Uuid::nil());
            let info = RoomInfo {
                id: record.id.clone(),
                title: record.title,
            };
            broker.serve_room(info, epoch, tokens, state);
        }
        broker.tasks.spawn(crate::conference::live::tend(
            broker.live.clone(),
            broker.shutdown.clone(),
        ));
        Ok(Opened {
            broker,
            new_admin_token,
            admin_token_already_set: false,
            rebuilt,
            created_store,
        })
    }

    /// Starts a broker on the shared store (NATS JetStream): connects,
    /// creates the stream and buckets when missing (waiting up to
    /// `nats_start_wait` for a NATS that is not ready yet), and settles the
    /// admin token: the hash in the store is the truth, a different
    /// `admin_token` is refused. Rooms are loaded when a
    /// client first asks for them ([`Broker::find_room`]).
    pub async fn open_shared(config: Config, store: SharedConfig) -> Result<Opened, StartError> {
        // The connection's task runs on the command lane, beside the rooms
        // that wait on its acknowledgements: never behind a pass over the
        // screens.
        let lane = crate::lane::CommandLane::start()?;
        let wait = config.nats_start_wait;
        let shared = lane
            .handle()
            .spawn(async move { Shared::connect_waiting(&store, wait).await })
            .await
            .map_err(|e| SharedError::JetStream(format!("the connection task failed: {e}")))??;
        let settled =
            crate::shared_start::settle_admin(&shared, config.admin_token.as_deref(), wait).await?;
        let admin = settled.hash;
        let addresses = Arc::new(crate::addresses::Addresses::from_config(&config));
        let budget = config.participant_submits_per_minute;
        let metrics = Metrics::counting_conflicts(shared.conflicts.clone());
        let broker = Arc::new(Broker {
            rooms: DashMap::new(),
            live: crate::conference::live::Live::new(shared.health().clone()),
            log: RoomLog::Shared(shared.clone()),
            loading: DashMap::new(),
            metrics: Arc::new(metrics),
            config,
            admin: RwLock::new(admin),
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
            lane,
            addresses,
            budget: crate::budget::SubmitBudget::new(budget),
            conference_lock: Default::default(),
        });
        broker.tasks.spawn(crate::conference::live::tend(
            broker.live.clone(),
            broker.shutdown.clone(),
        ));
        broker.tasks.spawn(crate::conference::live::share(
            broker.live.clone(),
            shared.clone(),
            broker.shutdown.clone(),
        ));
        // The watch is open before the first room is served, so no rotation
        // falls between a room's load and the watch.
        let changes = shared.watch_rooms().await?;
        broker.tasks.spawn(follow_tokens(
            Arc::downgrade(&broker),
            shared.clone(),
            changes.boxed(),
            broker.shutdown.clone(),
        ));
        Ok(Opened {
            broker,
            new_admin_token: settled.new_token,
            admin_token_already_set: settled.already_set,
            rebuilt: Vec::new(),
            created_store: None,
        })
    }
}

/// Runs SQLite's `quick_check` on the log in a thread of its own while the
/// broker serves (it reads the whole file: seconds for a million events).
/// The state served was built from events whose hash chain was checked as
/// they were read; damage found here elsewhere in the file stops writes for
/// good (commands get `storage_unavailable`, `/healthz` answers 503) and
/// is logged as an error naming what SQLite found.
fn check_integrity_beside(path: std::path::PathBuf, health: Arc<crate::commit::Health>) {
    let spawned = std::thread::Builder::new()
        .name("floor-integrity".into())
        .spawn(move || {
            let started = std::time::Instant::now();
            let checked = floor_store::check_file(&path)
                .and_then(|()| floor_store::check_chains(&path));
            match checked {
                Ok(()) => tracing::info!(
                    path = %path.display(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "integrity check passed (file and every room's hash chain)"
                ),
                Err(error) => {
                    health.stop_for_good(format!(
                        "the log's file is damaged ({error}); writes are refused until it is restored from a backup"
                    ));
                    tracing::error!(
                        path = %path.display(),
                        %error,
                        "the log's file is damaged; writes are refused until it is restored from a backup"
                    );
                }
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start the integrity check");
    }
}
