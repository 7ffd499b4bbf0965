//! The broker's shared state: the room registry, the writer, the
//! configuration, and room creation and token rotation.

use std::sync::{Arc, RwLock};

use dashmap::DashMap;
use floor_core::declarations::Declarations;
use floor_protocol::Role;
use floor_protocol::message::RoomInfo;
use floor_store::{RoomRecord, Store, TokenHash as StoredToken};
use futures_util::stream::{BoxStream, StreamExt};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use crate::auth::{self, RoleTokens, TokenHash};
use crate::commit::{WriteError, Writer};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::room::{self, RoomHandle, RoomLog};
use crate::shared::{RoomValue, Shared, SharedConfig, SharedError};
use crate::shared_start::ADMIN_HASH_KEY;

/// Why a room could not be created or changed.
#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    /// The id is not a slug.
    #[error("a room id is 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit")]
    BadId,
    /// The title is empty or too long.
    #[error("a room title is 1 to 200 characters")]
    BadTitle,
    /// A room with this id exists.
    #[error("room {0} exists already")]
    Exists(String),
    /// No room has this id.
    #[error("no room {0}")]
    NotFound(String),
    /// The room refused a command the broker issued itself.
    #[error("the room refused {command}: {message}")]
    Refused {
        /// The command's name.
        command: &'static str,
        /// The room's explanation.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Why the broker could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] floor_store::StoreError),
    /// A room did not rebuild from its log.
    #[error(transparent)]
    Load(#[from] crate::room::LoadError),
    /// The writer thread did not start.
    #[error("cannot start the writer thread: {0}")]
    Thread(#[from] std::io::Error),
    /// The shared store (NATS JetStream) failed.
    #[error(transparent)]
    Shared(#[from] SharedError),
}

/// A room's fresh tokens, to hand out once.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    /// The room.
    pub room: RoomInfo,
    /// (role, token), for every role issued.
    pub tokens: Vec<(Role, String)>,
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct Broker {
    /// The rooms, by id.
    pub rooms: DashMap<String, Arc<RoomHandle>>,
    /// Where the rooms' events are stored: the embedded log's writer
    /// thread, or NATS JetStream.
    pub log: RoomLog,
    /// A lock per room being loaded from (or created in) the shared store,
    /// so that two connections to a room not served yet load it once, and
    /// rooms load side by side.
    loading: DashMap<String, Arc<tokio::sync::Mutex<()>>>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Configuration.
    pub config: Config,
    /// The admin token's hash.
    admin: RwLock<Option<TokenHash>>,
    /// Cancelled when the broker stops; connections then close with 1001.
    pub shutdown: CancellationToken,
    /// The room tasks, so that stopping can wait for their last commits.
    tasks: TaskTracker,
    /// The thread the rooms and the staff's connections run on.
    pub lane: crate::lane::CommandLane,
    /// Per-address connection counts and handshake lockouts.
    pub addresses: Arc<crate::addresses::Addresses>,
    /// The participants' budget of submissions per address.
    pub budget: crate::budget::SubmitBudget,
}

/// Whether `id` is a valid room id.
pub fn valid_room_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// The rows of `room_tokens` for these hashes, and the row of the
/// participant token itself when there is one (see [`crate::join`]).
fn stored(hashes: &[(Role, TokenHash)], participant: Option<&str>) -> Vec<StoredToken> {
    let mut rows: Vec<StoredToken> = hashes
        .iter()
        .map(|(role, hash)| StoredToken {
            role: role.as_str().to_owned(),
            hash: hash.to_vec(),
        })
        .collect();
    rows.extend(participant.map(|token| StoredToken {
        role: crate::join::PARTICIPANT_TOKEN.to_owned(),
        hash: token.as_bytes().to_vec(),
    }));
    rows
}

fn role_named(name: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| r.as_str() == name)
}

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

/// What [`Broker::open`] found and did at start.
#[derive(Debug)]
pub struct Opened {
    /// The broker.
    pub broker: Arc<Broker>,
    /// A newly generated admin token, to print once.
    pub new_admin_token: Option<String>,
    /// Whether this start, given no admin token, took the one a shared
    /// store holds (set by an earlier broker).
    pub admin_token_already_set: bool,
    /// Rooms rebuilt from the log, with their event counts and the time
    /// the rebuild took.
    pub rebuilt: Vec<(String, u64, std::time::Duration)>,
    /// The path of the embedded store, when this start created it (no file
    /// was there).
    pub created_store: Option<std::path::PathBuf>,
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
        });
        for (record, tokens, state) in loaded {
            let epoch = Uuid::parse_str(&record.epoch).unwrap_or(Uuid::nil());
            let info = RoomInfo {
                id: record.id.clone(),
                title: record.title,
            };
            let handle = room::spawn(
                info,
                epoch,
                tokens,
                state,
                broker.log.clone(),
                &broker.tasks,
                broker.lane.handle(),
            );
            broker.rooms.insert(record.id, handle);
        }
        broker.metrics.rooms.set(broker.rooms.len() as i64);
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
        });
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

    /// A room by id; with the shared store, a room this broker does not
    /// serve yet is loaded from it. `Ok(None)`: no such room; an error: the
    /// store could not be read (try again).
    pub async fn find_room(&self, id: &str) -> Result<Option<Arc<RoomHandle>>, RoomError> {
        if let Some(room) = self.room(id) {
            return Ok(Some(room));
        }
        let RoomLog::Shared(shared) = &self.log else {
            return Ok(None);
        };
        if !valid_room_id(id) {
            return Ok(None);
        }
        let lock = self.loading.entry(id.to_owned()).or_default().clone();
        let found = {
            let _loading = lock.lock().await;
            self.load_shared_room(shared, id).await
        };
        self.loading.remove(id);
        found
    }

    /// [`Broker::find_room`] for a `hello`, waiting at most `wait` for a
    /// room of the shared store that is not loaded yet: its load goes on in
    /// a task of its own (the next `hello` finds the room), and this one
    /// is answered that the store cannot be read now.
    pub async fn find_room_within(
        self: &Arc<Self>,
        id: &str,
        wait: std::time::Duration,
    ) -> Result<Option<Arc<RoomHandle>>, RoomError> {
        if let Some(room) = self.room(id) {
            return Ok(Some(room));
        }
        if matches!(self.log, RoomLog::Local(_)) {
            return self.find_room(id).await;
        }
        let broker = self.clone();
        let owned = id.to_owned();
        let load = self
            .tasks
            .spawn(async move { broker.find_room(&owned).await });
        match tokio::time::timeout(wait, load).await {
            Ok(Ok(found)) => found,
            Ok(Err(error)) => Err(RoomError::Write(WriteError::Failed(error.to_string()))),
            Err(_) => Err(RoomError::Write(WriteError::Failed(
                "the room was not read from the shared store in time".into(),
            ))),
        }
    }

    /// Loads a room of the shared store and starts its task (the caller
    /// holds the room's loading lock).
    async fn load_shared_room(
        &self,
        shared: &Arc<Shared>,
        id: &str,
    ) -> Result<Option<Arc<RoomHandle>>, RoomError> {
        if let Some(room) = self.room(id) {
            return Ok(Some(room));
        }
        let unreadable = |error: String| {
            tracing::warn!(room = id, %error, "cannot load the room from the shared store");
            RoomError::Write(WriteError::Failed(error))
        };
        let Some((value, revision)) = shared
            .room(id)
            .await
            .map_err(|e| unreadable(e.to_string()))?
        else {
            return Ok(None);
        };
        let started = std::time::Instant::now();
        let loaded = room::load_shared(shared, id)
            .await
            .map_err(|e| unreadable(e.to_string()))?;
        tracing::info!(
            room = id,
            events = loaded.room.seq(),
            took_ms = started.elapsed().as_secs_f64() * 1000.0,
            "room loaded from the shared store"
        );
        let info = RoomInfo {
            id: id.to_owned(),
            title: value.title.clone(),
        };
        let handle = room::spawn(
            info,
            value.epoch,
            value.role_tokens(),
            loaded,
            self.log.clone(),
            &self.tasks,
            self.lane.handle(),
        );
        apply_tokens(&handle, id, value.role_tokens(), revision);
        self.rooms.insert(id.to_owned(), handle.clone());
        self.metrics.rooms.set(self.rooms.len() as i64);
        // A rotation made by another broker while the room loaded reached
        // no handle here: read the tokens once more.
        if let Ok(Some((latest, revision))) = shared.room(id).await {
            apply_tokens(&handle, id, latest.role_tokens(), revision);
        }
        Ok(Some(handle))
    }

    /// Every room's id and title: those of the store, not only those
    /// served now.
    pub async fn room_list(&self) -> Result<Vec<(String, String)>, SharedError> {
        match &self.log {
            RoomLog::Shared(shared) => shared.room_list().await,
            RoomLog::Local(_) => Ok(self
                .rooms
                .iter()
                .map(|r| (r.info.id.clone(), r.info.title.clone()))
                .collect()),
        }
    }

    /// A room's whole log, decoded, and the genders declared beside it
    /// (for the session report).
    pub async fn read_log(
        &self,
        id: &str,
    ) -> Result<(Vec<floor_protocol::RoomEvent>, Declarations), String> {
        match &self.log {
            RoomLog::Shared(shared) => {
                let commits = shared
                    .read_all_after(id, 0)
                    .await
                    .map_err(|e| e.to_string())?;
                let mut events = Vec::new();
                let mut declared = Declarations::new();
                for commit in commits {
                    let mut new = false;
                    for raw in commit.events {
                        let event = serde_json::from_str::<floor_protocol::RoomEvent>(&raw)
                            .map_err(|e| format!("the log of {id} is unreadable: {e}"))?;
                        if event.seq > events.len() as u64 {
                            events.push(event);
                            new = true;
                        }
                    }
                    // A commit's declarations count with its events.
                    if new {
                        declared.merge(&commit.declared);
                    }
                }
                Ok((events, declared))
            }
            RoomLog::Local(_) => {
                let path = self.config.data.join("floor.db");
                let id = id.to_owned();
                // A reader of its own: WAL lets it read while the writer
                // writes.
                tokio::task::spawn_blocking(move || {
                    let store = Store::open_existing(&path).map_err(|e| e.to_string())?;
                    crate::read_log(&store, &id)
                })
                .await
                .map_err(|e| e.to_string())?
            }
        }
    }

    /// Stops after the listener: lets every room finish the commands it
    /// holds (up to `grace`), then commits what the writer holds and stops
    /// it. Call once connections are closed.
    pub async fn stop(&self, grace: std::time::Duration) {
        self.shutdown.cancel();
        self.rooms.clear();
        self.tasks.close();
        if tokio::time::timeout(grace, self.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("rooms still busy after the grace period");
        }
        match &self.log {
            RoomLog::Local(writer) => {
                if let Err(error) = writer.stop().await {
                    tracing::warn!(%error, "writer did not stop cleanly");
                }
            }
            RoomLog::Shared(shared) => shared.flush().await,
        }
    }

    /// Whether `token` is the admin token.
    pub fn is_admin(&self, token: &str) -> bool {
        match self.admin.read() {
            Ok(admin) => admin
                .as_ref()
                .is_some_and(|hash| auth::token_matches(token, hash)),
            Err(_) => false,
        }
    }

    /// A room by id.
    pub fn room(&self, id: &str) -> Option<Arc<RoomHandle>> {
        self.rooms.get(id).map(|r| r.clone())
    }

    /// Runs a command on a room as the chair, for the broker's own use
    /// (the demo room's run of show). The request id makes it idempotent:
    /// running it again, e.g. at every start, changes nothing.
    pub async fn run_as_chair(
        &self,
        room: &str,
        request_id: &str,
        command: floor_protocol::Command,
    ) -> Result<(), RoomError> {
        let handle = self
            .find_room(room)
            .await?
            .ok_or_else(|| RoomError::NotFound(room.to_owned()))?;
        handle.run_as_chair(request_id, command).await
    }

    /// Creates a room and returns its fresh tokens.
    pub async fn create_room(&self, id: &str, title: &str) -> Result<IssuedTokens, RoomError> {
        self.create_room_with(id, title, RoleTokens::generate())
            .await
    }

    /// Creates a room whose tokens are `plain` (every role's, with their
    /// hashes: `RoleTokens::from_plain`); the demo room's are derived
    /// from its secret.
    pub async fn create_room_with(
        &self,
        id: &str,
        title: &str,
        (plain, hashes): (Vec<(Role, String)>, RoleTokens),
    ) -> Result<IssuedTokens, RoomError> {
        if !valid_room_id(id) {
            return Err(RoomError::BadId);
        }
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 200 || title.chars().any(char::is_control) {
            return Err(RoomError::BadTitle);
        }
        if self.rooms.contains_key(id) {
            return Err(RoomError::Exists(id.to_owned()));
        }
        // With the shared store, the room's loading lock: no connection
        // loads it while it is being created.
        let lock = self.loading.entry(id.to_owned()).or_default().clone();
        let _creating = lock.lock().await;
        let epoch = Uuid::new_v4();
        let created = match &self.log {
            RoomLog::Local(writer) => {
                let record = RoomRecord {
                    id: id.to_owned(),
                    title: title.to_owned(),
                    epoch: epoch.to_string(),
                    created_at_ms: room::now_ms(),
                };
                let rows = stored(hashes.hashes(), hashes.participant());
                writer.create_room(record, rows).await
            }
            RoomLog::Shared(shared) => {
                let mut value = RoomValue {
                    title: title.to_owned(),
                    epoch,
                    created_at_ms: room::now_ms(),
                    tokens: Default::default(),
                };
                value.set_tokens(&hashes);
                shared.create_room(id, &value).await
            }
        };
        match created {
            Ok(()) => {}
            Err(WriteError::Refused(_)) => return Err(RoomError::Exists(id.to_owned())),
            Err(e) => return Err(e.into()),
        }
        crate::join::index(&self.log, id, &hashes).await;
        let info = RoomInfo {
            id: id.to_owned(),
            title: title.to_owned(),
        };
        let loaded = room::Loaded {
            room: floor_core::Room::new(),
            recent: Default::default(),
            window_complete: true,
            checkpointed: 0,
            stream_seq: 0,
        };
        let handle = room::spawn(
            info.clone(),
            epoch,
            hashes,
            loaded,
            self.log.clone(),
            &self.tasks,
            self.lane.handle(),
        );
        self.rooms.insert(id.to_owned(), handle.clone());
        self.metrics.rooms.set(self.rooms.len() as i64);
        tracing::info!(room = id, "room created");
        self.record_defaults(&handle).await?;
        Ok(IssuedTokens {
            room: info,
            tokens: plain,
        })
    }

    /// Records in a new room's log this broker's defaults that differ from
    /// the protocol's (`--max-open-entries`), as the chair would set them,
    /// so the room stays the fold of its log whatever flags a later start
    /// is given. The room exists even when this fails, and the error says
    /// what to do.
    async fn record_defaults(&self, handle: &RoomHandle) -> Result<(), RoomError> {
        let cap = self.config.max_open_entries;
        if cap == floor_protocol::Settings::default().max_open_entries {
            return Ok(());
        }
        let patch = floor_protocol::SettingsPatch {
            max_open_entries: Some(cap),
            ..Default::default()
        };
        let command = floor_protocol::Command::UpdateSettings { patch };
        handle
            .run_as_chair("broker-max-open-entries", command)
            .await
            .map_err(|error| {
                let room = &handle.info.id;
                tracing::warn!(room, %error, "room created without its cap on open entries");
                RoomError::Refused {
                    command: "update_settings",
                    message: format!(
                        "room {room} was created, but its cap of {cap} open entries was not recorded ({error}); rotate its tokens and set the cap as its chair"
                    ),
                }
            })
    }

    /// Replaces the tokens of the given roles; connections holding an old
    /// token are closed.
    pub async fn rotate_tokens(&self, id: &str, roles: &[Role]) -> Result<IssuedTokens, RoomError> {
        let issued = roles.iter().map(|&r| (r, auth::new_token())).collect();
        self.set_tokens(id, issued).await
    }

    /// Replaces the tokens of the roles of `issued` with its tokens (fresh
    /// ones, or the demo room's derived ones); connections holding an old
    /// token are closed.
    pub async fn set_tokens(
        &self,
        id: &str,
        issued: Vec<(Role, String)>,
    ) -> Result<IssuedTokens, RoomError> {
        let handle = self
            .find_room(id)
            .await?
            .ok_or_else(|| RoomError::NotFound(id.to_owned()))?;
        let fresh: Vec<(Role, TokenHash)> = issued
            .iter()
            .map(|(role, token)| (*role, auth::hash_token(token)))
            .collect();
        let participant = issued
            .iter()
            .find(|(role, _)| *role == Role::Participant)
            .map(|(_, token)| token.as_str());
        match &self.log {
            RoomLog::Local(writer) => {
                // One transaction: every role rotated, or none.
                let rows = stored(&fresh, participant);
                writer.set_tokens(id.to_owned(), rows).await?;
                if let Ok(mut tokens) = handle.tokens.write() {
                    for (role, hash) in fresh {
                        tokens.set(role, hash);
                    }
                    if participant.is_some() {
                        let held = tokens.clone();
                        *tokens = held.with_participant(participant.map(str::to_owned));
                    }
                }
                handle.rotations.send_modify(|n| *n += 1);
            }
            // The record written, applied as one read from the store is
            // (and only if no later one was applied meanwhile).
            RoomLog::Shared(shared) => {
                let (value, revision) = rotate_shared(shared, id, &fresh, participant).await?;
                let tokens = value.role_tokens();
                crate::join::index(&self.log, id, &tokens).await;
                apply_tokens(&handle, id, tokens, revision);
            }
        }
        tracing::info!(room = id, roles = issued.len(), "tokens rotated");
        Ok(IssuedTokens {
            room: handle.info.clone(),
            tokens: issued,
        })
    }

    /// The links of every role of `issued`. The display's link also carries
    /// the participant token (`&join=`), when it was issued with it, so the
    /// projector can show the way to the participant page.
    pub fn links(&self, issued: &IssuedTokens) -> Vec<(Role, String)> {
        let join = issued
            .tokens
            .iter()
            .find(|(role, _)| *role == Role::Participant)
            .map(|(_, token)| token.clone());
        issued
            .tokens
            .iter()
            .map(|(role, token)| {
                let mut link = self.link(&issued.room.id, *role, token);
                if let (Role::Display, Some(join)) = (role, &join) {
                    link.push_str("&join=");
                    link.push_str(join);
                }
                (*role, link)
            })
            .collect()
    }

    /// The link that opens a room's page for a role, with the token in the
    /// fragment (never sent to servers, never logged).
    pub fn link(&self, room: &str, role: Role, token: &str) -> String {
        format!(
            "{}/r/{room}/{}#token={token}",
            self.config.public_url.trim_end_matches('/'),
            match role {
                Role::Participant => "join",
                other => other.as_str(),
            }
        )
    }
}

/// Writes new token hashes into a room's record in the shared store (read,
/// change, write if nobody wrote in between; again otherwise); returns the
/// record written and its revision.
async fn rotate_shared(
    shared: &Shared,
    id: &str,
    fresh: &[(Role, TokenHash)],
    participant: Option<&str>,
) -> Result<(RoomValue, u64), RoomError> {
    for _ in 0..8 {
        let Some((mut value, revision)) = shared
            .room(id)
            .await
            .map_err(|e| WriteError::Failed(e.to_string()))?
        else {
            return Err(RoomError::NotFound(id.to_owned()));
        };
        for (role, hash) in fresh {
            value
                .tokens
                .insert(role.as_str().to_owned(), hex::encode(hash));
        }
        if participant.is_some() {
            value.set_participant(participant);
        }
        if let Ok(revision) = shared.update_room(id, &value, revision).await {
            return Ok((value, revision));
        }
    }
    Err(WriteError::Failed("the room's record kept changing".into()).into())
}

/// How often a broker of the shared store reads the stored tokens of every
/// room it serves, besides watching the rooms bucket. The watch is an
/// ordered consumer on one NATS node; if it is lost with that node, or
/// ends, a rotation made on another broker still closes the old token's
/// connections here within this time.
const TOKEN_RECHECK: std::time::Duration = std::time::Duration::from_secs(10);

/// Applies token rotations made by any broker of the shared store to the
/// rooms this one serves: connections holding an old token close. Changes
/// come from a watch of the rooms bucket (opened again when it ends or
/// cannot be opened) and from a read of every served room's record every
/// [`TOKEN_RECHECK`]. Ends when the broker stops.
async fn follow_tokens(
    broker: std::sync::Weak<Broker>,
    shared: Arc<Shared>,
    first: BoxStream<'static, (String, RoomValue, u64)>,
    shutdown: CancellationToken,
) {
    let mut recheck = tokio::time::interval(TOKEN_RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    recheck.tick().await;
    let mut watch = Some(first);
    loop {
        if watch.is_none() {
            match shared.watch_rooms().await {
                Ok(changes) => watch = Some(changes.boxed()),
                Err(error) => tracing::warn!(%error, "cannot watch the rooms' tokens"),
            }
        }
        // Some(Some): a change; Some(None): the watch ended; None: time to
        // read every served room's record.
        let next = match watch.as_mut() {
            Some(changes) => tokio::select! {
                change = changes.next() => Some(change),
                _ = recheck.tick() => None,
                () = shutdown.cancelled() => return,
            },
            None => tokio::select! {
                _ = recheck.tick() => None,
                () = shutdown.cancelled() => return,
            },
        };
        let change = match next {
            Some(Some(change)) => Some(change),
            Some(None) => {
                tracing::warn!("the watch of the rooms' tokens ended; opening it again");
                watch = None;
                tokio::select! {
                    _ = recheck.tick() => {}
                    () = shutdown.cancelled() => return,
                }
                None
            }
            None => None,
        };
        let Some(broker) = broker.upgrade() else {
            return;
        };
        match change {
            Some((id, value, revision)) => {
                if let Some(handle) = broker.room(&id) {
                    apply_tokens(&handle, &id, value.role_tokens(), revision);
                }
            }
            None => recheck_tokens(&broker, &shared).await,
        }
    }
}

/// Reads the stored record of every room this broker serves and applies
/// its tokens (see [`follow_tokens`]).
async fn recheck_tokens(broker: &Broker, shared: &Shared) {
    let served: Vec<(String, Arc<RoomHandle>)> = broker
        .rooms
        .iter()
        .map(|room| (room.key().clone(), room.value().clone()))
        .collect();
    for (id, handle) in served {
        match shared.room(&id).await {
            Ok(Some((value, revision))) => {
                apply_tokens(&handle, &id, value.role_tokens(), revision);
            }
            Ok(None) => {}
            Err(error) => {
                tracing::debug!(room = %id, %error, "cannot read the room's tokens");
                return;
            }
        }
    }
}

/// Replaces a served room's tokens by those of its stored record at
/// `revision`, unless the room holds tokens of that revision or a later
/// one (a record read late from a replica never brings back old tokens).
/// When the hashes change, connections holding an old token close.
fn apply_tokens(handle: &RoomHandle, id: &str, tokens: RoleTokens, revision: u64) {
    use std::sync::atomic::Ordering;
    let changed = match handle.tokens.write() {
        Ok(mut held) if revision > handle.tokens_revision.load(Ordering::Acquire) => {
            handle.tokens_revision.store(revision, Ordering::Release);
            let changed = held.hashes() != tokens.hashes();
            *held = tokens;
            changed
        }
        _ => false,
    };
    if changed {
        handle.rotations.send_modify(|n| *n += 1);
        tracing::info!(room = %id, revision, "tokens rotated");
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
