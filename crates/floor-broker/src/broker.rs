//! The broker's shared state: the room registry, the writer, the
//! configuration, and room creation and token rotation.
//!
//! Starting a broker (rebuilding rooms from the log) is in `start.rs`;
//! token rotation and the follower of other brokers' rotations are in
//! `tokens.rs`.

use std::sync::{Arc, RwLock};

use dashmap::DashMap;
use floor_core::declarations::Declarations;
use floor_protocol::Role;
use floor_protocol::message::RoomInfo;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use crate::auth::{self, RoleTokens, TokenHash};
use crate::commit::WriteError;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::room::{self, RoomHandle, RoomLog};
use crate::shared::{Shared, SharedError};

mod start;
mod tokens;

use tokens::{apply_record, stored};

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
    /// Held while this broker changes the conference's record (an import,
    /// a rotation, the `ops` token), so that its own changes never race.
    pub(crate) conference_lock: tokio::sync::Mutex<()>,
    /// The venue dashboard's feed: one summary per room.
    pub live: Arc<crate::conference::live::Live>,
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
    /// A room by id; with the shared store, a room this broker does not
    /// serve yet is loaded from it. `Ok(None)`: no such room; an error: the
    /// store could not be read (try again).
    pub async fn find_room(&self, id: &str) -> Result<Option<Arc<RoomHandle>>, RoomError> {
        if let Some(room) = self.room(id) {
            return Ok(Some(room));
        }
        let Some(shared) = self.log.shared() else {
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
        if self.log.shared().is_none() {
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
        let handle = self.serve_room(info, value.epoch, value.role_tokens(), loaded);
        apply_record(&handle, id, &value, revision);
        // A rotation made by another broker while the room loaded reached
        // no handle here: read the tokens once more.
        if let Ok(Some((latest, revision))) = shared.room(id).await {
            apply_record(&handle, id, &latest, revision);
        }
        Ok(Some(handle))
    }

    /// Every room's id and title: those of the store, not only those
    /// served now.
    pub async fn room_list(&self) -> Result<Vec<(String, String)>, SharedError> {
        match self.log.shared() {
            Some(shared) => shared.room_list().await,
            None => Ok(self
                .rooms
                .iter()
                .map(|r| (r.id.clone(), r.title()))
                .collect()),
        }
    }

    /// Starts serving a room: its task over `loaded`, registered by id.
    fn serve_room(
        &self,
        info: RoomInfo,
        epoch: Uuid,
        tokens: RoleTokens,
        loaded: room::Loaded,
    ) -> Arc<RoomHandle> {
        let id = info.id.clone();
        let handle = room::spawn(
            info,
            epoch,
            tokens,
            loaded,
            self.log.clone(),
            room::Unloading {
                after: self.config.unload_idle_after,
                loaded: self.metrics.rooms_loaded.clone(),
            },
            &self.tasks,
            self.lane.handle(),
            &self.live,
        );
        self.rooms.insert(id, handle.clone());
        self.metrics.rooms.set(self.rooms.len() as i64);
        handle
    }

    /// A room's whole log, decoded, and the genders declared beside it
    /// (for the session report).
    pub async fn read_log(
        &self,
        id: &str,
    ) -> Result<(Vec<floor_protocol::RoomEvent>, Declarations), room::LoadError> {
        self.log.read_log(id).await
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
        self.log.stop().await;
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
        let rows = stored(hashes.hashes(), hashes.participant());
        let created = self.log.create_room(id, title, epoch, &hashes, rows).await;
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
        let handle = self.serve_room(info.clone(), epoch, hashes, loaded);
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
                let room = &handle.id;
                tracing::warn!(room, %error, "room created without its cap on open entries");
                RoomError::Refused {
                    command: "update_settings",
                    message: format!(
                        "room {room} was created, but its cap of {cap} open entries was not recorded ({error}); rotate its tokens and set the cap as its chair"
                    ),
                }
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
