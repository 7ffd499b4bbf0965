//! The Matrix side of the bridge, on matrix-sdk: log in (or take the
//! saved session), join the room and refuse an encrypted one, keep the
//! pinned "raise your hand" message, read the room's new events from one
//! sync position to the next (with the ones a limited sync left out), and
//! post and edit the bridge's messages under transaction ids.

use std::time::Duration;

use floor_files::Lang;
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::{RequestConfig, SyncSettings};
use matrix_sdk::room::MessagesOptions;
use matrix_sdk::ruma::api::client::filter::{FilterDefinition, RoomEventFilter, RoomFilter};
use matrix_sdk::ruma::api::client::sync::sync_events::v3::Filter;
use matrix_sdk::ruma::events::Mentions;
use matrix_sdk::ruma::events::relation::Thread;
use matrix_sdk::ruma::events::room::member::MembershipState;
use matrix_sdk::ruma::events::room::message::{ReplacementMetadata, RoomMessageEventContent};
use matrix_sdk::ruma::{
    EventId, OwnedEventId, OwnedRoomId, OwnedTransactionId, OwnedUserId, RoomOrAliasId, UInt,
    UserId,
};
use matrix_sdk::{Client, EncryptionState, Room, SessionMeta, SessionTokens};
use serde_json::Value;

use crate::error::BridgeError;
use crate::store::{Session, Store};

/// How the bot signs in.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// A user name (or user id) and its password.
    Password {
        /// The bot's user name or id.
        user: String,
        /// Its password.
        password: String,
    },
    /// An access token made beforehand (an admin's, or a login's).
    AccessToken(String),
}

/// Where and as whom the bridge joins Matrix.
#[derive(Debug, Clone)]
pub struct MatrixOptions {
    /// The homeserver's base URL.
    pub homeserver: String,
    /// The bot's credentials.
    pub credentials: Credentials,
    /// The room: its id (`!abc:example.org`) or alias (`#ws235:example.org`).
    pub room: String,
}

/// Events of the bridged room between two sync positions.
#[derive(Debug)]
pub struct Batch {
    /// The position after them.
    pub next: String,
    /// The room's timeline events, oldest first, as JSON.
    pub events: Vec<Value>,
    /// Whether the bot is no longer in the room.
    pub left: bool,
}

/// The bot, signed in, in its room.
#[derive(Debug, Clone)]
pub struct Matrix {
    client: Client,
    room: Room,
    bot: OwnedUserId,
}

/// Events read per page when a sync left some out.
const PAGE: u32 = 100;

/// Timeline events a sync returns at most for the room.
const SYNC_LIMIT: u32 = 200;

impl Matrix {
    /// Signs in (with the saved session when it still works), joins the
    /// room, and refuses an encrypted one.
    pub async fn connect(options: &MatrixOptions, store: &Store) -> Result<Matrix, BridgeError> {
        let client = sign_in(&options.homeserver, &options.credentials, store).await?;
        let bot = client
            .user_id()
            .ok_or_else(|| BridgeError::Matrix("the homeserver gave no user id".into()))?
            .to_owned();
        let target = <&RoomOrAliasId>::try_from(options.room.as_str())
            .map_err(|e| BridgeError::Config(format!("--matrix-room {}: {e}", options.room)))?;
        let room = client.join_room_by_id_or_alias(target, &[]).await?;
        store.bind_room(room.room_id().as_str())?;
        if !matches!(
            room.latest_encryption_state().await?,
            EncryptionState::NotEncrypted
        ) {
            return Err(BridgeError::Encrypted(options.room.clone()));
        }
        Ok(Matrix { client, room, bot })
    }

    /// The bot's user id.
    pub fn bot(&self) -> &UserId {
        &self.bot
    }

    /// The room's id.
    pub fn room_id(&self) -> OwnedRoomId {
        self.room.room_id().to_owned()
    }

    /// The pinned "raise your hand" message, in `lang`: posted and pinned
    /// once, then read from the state file.
    pub async fn pinned(&self, store: &Store, lang: Lang) -> Result<String, BridgeError> {
        if let Some(pinned) = store.pinned()? {
            return Ok(pinned);
        }
        let content = RoomMessageEventContent::notice_plain(crate::notice::pinned(lang));
        let txn = OwnedTransactionId::from(format!("pin-{}", self.room.room_id()));
        let sent = self.room.send(content).with_transaction_id(txn).await?;
        // Pinning needs the power to change the room's pinned events; a
        // bot without it keeps working with the message unpinned.
        if let Err(e) = self.room.pin_event(&sent.response.event_id).await {
            tracing::warn!("cannot pin the raise-your-hand message: {e}");
        }
        let id = sent.response.event_id.to_string();
        store.set_pinned(&id)?;
        Ok(id)
    }

    /// The room's events after `since`, oldest first; with no position
    /// (a first start), only the position to start from.
    pub async fn sync(&self, since: Option<&str>) -> Result<Batch, BridgeError> {
        let mut timeline = RoomEventFilter::default();
        timeline.limit = Some(UInt::from(SYNC_LIMIT));
        let mut room = RoomFilter::default();
        room.rooms = Some(vec![self.room.room_id().to_owned()]);
        room.timeline = timeline;
        let mut definition = FilterDefinition::default();
        definition.room = room;
        let mut settings = SyncSettings::default()
            .filter(Filter::FilterDefinition(definition))
            .timeout(Duration::from_secs(30));
        if let Some(since) = since {
            settings = settings.token(since.to_owned());
        }
        let response = self.client.sync_once(settings).await?;
        let room_id = self.room.room_id();
        let left = response.rooms.left.contains_key(room_id);
        let Some(since) = since else {
            return Ok(Batch {
                next: response.next_batch,
                events: Vec::new(),
                left,
            });
        };
        let mut events = Vec::new();
        if let Some(update) = response.rooms.joined.get(room_id) {
            let synced: Vec<Value> = update
                .timeline
                .events
                .iter()
                .filter_map(|e| serde_json::from_str(e.raw().json().get()).ok())
                .collect();
            if update.timeline.limited {
                let first = synced.first().and_then(|e| e.get("event_id")).cloned();
                events = self.missed(since, first.as_ref()).await?;
            }
            events.extend(synced);
        }
        Ok(Batch {
            next: response.next_batch,
            events,
            left,
        })
    }

    /// The events after `since` that a limited sync left out, up to the
    /// first one it gave.
    async fn missed(&self, since: &str, first: Option<&Value>) -> Result<Vec<Value>, BridgeError> {
        let mut events = Vec::new();
        let mut from = since.to_owned();
        loop {
            let mut options = MessagesOptions::forward();
            options.from = Some(from.clone());
            options.limit = UInt::from(PAGE);
            let page = self.room.messages(options).await?;
            if page.chunk.is_empty() {
                return Ok(events);
            }
            for event in &page.chunk {
                let Ok(event) = serde_json::from_str::<Value>(event.raw().json().get()) else {
                    continue;
                };
                if first.is_some() && event.get("event_id") == first {
                    return Ok(events);
                }
                events.push(event);
            }
            match page.end {
                Some(end) => from = end,
                None => return Ok(events),
            }
        }
    }

    /// The display name of `user` if they are in the room now; `None` for
    /// anyone who is not (never joined, left, banned, only invited).
    pub async fn member(&self, user: &str) -> Option<String> {
        let user = <&UserId>::try_from(user).ok()?;
        // Asks the homeserver for the member list when this process has
        // not read it yet (after a restart); later changes come with each
        // sync.
        let member = self.room.get_member(user).await.ok()??;
        (*member.membership() == MembershipState::Join)
            .then(|| crate::said::name(member.name(), user.as_str()))
    }

    /// Posts `text` in the thread of `thread`, mentioning `mention`;
    /// returns the message's event id.
    pub async fn post(
        &self,
        txn: &str,
        thread: &str,
        text: &str,
        mention: Option<&str>,
    ) -> Result<String, BridgeError> {
        let root = EventId::parse(thread).map_err(|e| BridgeError::Matrix(e.to_string()))?;
        let mut content = RoomMessageEventContent::text_plain(text);
        content.relates_to = Some(matrix_sdk::ruma::events::room::message::Relation::Thread(
            Thread::plain(root.clone(), root),
        ));
        let mentioned: Vec<OwnedUserId> = mention
            .and_then(|m| UserId::parse(m).ok())
            .into_iter()
            .collect();
        content = content.add_mentions(Mentions::with_user_ids(mentioned));
        let sent = self
            .room
            .send(content)
            .with_transaction_id(OwnedTransactionId::from(txn))
            .await?;
        Ok(sent.response.event_id.to_string())
    }

    /// Replaces the text of the bridge's message `target`.
    pub async fn edit(&self, txn: &str, target: &str, text: &str) -> Result<(), BridgeError> {
        let target: OwnedEventId =
            EventId::parse(target).map_err(|e| BridgeError::Matrix(e.to_string()))?;
        let content = RoomMessageEventContent::text_plain(text)
            .make_replacement(ReplacementMetadata::new(target, None));
        self.room
            .send(content)
            .with_transaction_id(OwnedTransactionId::from(txn))
            .await?;
        Ok(())
    }
}

/// A client of the homeserver, not signed in.
async fn new_client(homeserver: &str) -> Result<Client, BridgeError> {
    Client::builder()
        .homeserver_url(homeserver)
        .request_config(RequestConfig::new().timeout(Duration::from_secs(60)))
        .build()
        .await
        .map_err(|e| BridgeError::Matrix(format!("{homeserver}: {e}")))
}

/// A client signed in: with the saved session if the homeserver still
/// takes it, else with the credentials (a password login's session is
/// saved, so that a restart does not make a new device each time).
async fn sign_in(
    homeserver: &str,
    credentials: &Credentials,
    store: &Store,
) -> Result<Client, BridgeError> {
    if let Some(saved) = store.session()? {
        let client = new_client(homeserver).await?;
        restore(&client, &saved).await?;
        if client.whoami().await.is_ok() {
            return Ok(client);
        }
        tracing::warn!("the saved Matrix session no longer works; signing in again");
    }
    let client = new_client(homeserver).await?;
    match credentials {
        Credentials::Password { user, password } => {
            let answer = client
                .matrix_auth()
                .login_username(user, password)
                .initial_device_display_name("floor bridge")
                .send()
                .await
                .map_err(|e| BridgeError::Matrix(format!("login as {user}: {e}")))?;
            store.set_session(&Session {
                user_id: answer.user_id.to_string(),
                device_id: answer.device_id.to_string(),
                access_token: answer.access_token,
            })?;
        }
        Credentials::AccessToken(token) => {
            // Whose token it is: ask the homeserver, with a client that
            // holds the token under a placeholder identity.
            let probe = new_client(homeserver).await?;
            let placeholder = Session {
                user_id: "@floor-bridge:localhost".into(),
                device_id: "FLOORBRIDGE".into(),
                access_token: token.clone(),
            };
            restore(&probe, &placeholder).await?;
            let me = probe
                .whoami()
                .await
                .map_err(|e| BridgeError::Matrix(format!("the access token is refused: {e}")))?;
            let session = Session {
                user_id: me.user_id.to_string(),
                device_id: me
                    .device_id
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "FLOORBRIDGE".into()),
                access_token: token.clone(),
            };
            restore(&client, &session).await?;
        }
    }
    Ok(client)
}

async fn restore(client: &Client, session: &Session) -> Result<(), BridgeError> {
    let user_id =
        UserId::parse(&session.user_id).map_err(|e| BridgeError::Matrix(e.to_string()))?;
    let session = MatrixSession {
        meta: SessionMeta {
            user_id,
            device_id: session.device_id.as_str().into(),
        },
        tokens: SessionTokens {
            access_token: session.access_token.clone(),
            refresh_token: None,
        },
    };
    client.restore_session(session).await?;
    Ok(())
}
