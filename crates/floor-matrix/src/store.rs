//! What the bridge keeps across restarts, in one SQLite file: the sync
//! position, the hands, the floor client id, the pinned message and the
//! bot's Matrix session.
//!
//! The sync position and the hands are saved in one transaction, after
//! every command the batch of events they cover caused was acknowledged
//! by floor. A bridge killed at any moment therefore starts again from a
//! position whose events it has either not acted on at all, or acted on
//! with request ids floor recognises: it never misses a hand and never
//! makes a second entry.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::BridgeError;
use crate::hands::Hands;

/// The bridge's state file.
pub struct Store {
    db: Connection,
}

/// The bot's Matrix session, once logged in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    /// The bot's user id.
    pub user_id: String,
    /// Its device id.
    pub device_id: String,
    /// Its access token.
    pub access_token: String,
}

impl Store {
    /// Opens (or creates) the state file at `path`, readable by its owner
    /// only (it holds the bot's access token).
    pub fn open(path: &Path) -> Result<Store, BridgeError> {
        let db = Connection::open(path).map_err(|e| BridgeError::state(path, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| BridgeError::state(path, e))?;
        }
        db.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )
        .map_err(|e| BridgeError::state(path, e))?;
        Ok(Store { db })
    }

    fn get(&self, key: &str) -> Result<Option<String>, BridgeError> {
        Ok(self
            .db
            .query_row("SELECT value FROM kept WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    fn put(&self, key: &str, value: &str) -> Result<(), BridgeError> {
        self.db.execute(
            "INSERT INTO kept (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The floor client id, made once: request ids are scoped to it, so it
    /// must outlive restarts for them to stay idempotent.
    pub fn client_id(&self) -> Result<String, BridgeError> {
        if let Some(id) = self.get("client_id")? {
            return Ok(id);
        }
        let id = format!("matrix-bridge-{}", uuid::Uuid::new_v4());
        self.put("client_id", &id)?;
        Ok(id)
    }

    /// The Matrix room this state belongs to; a state file made for another
    /// room is refused, so that one bridge's hands never leak into another.
    pub fn bind_room(&self, room_id: &str) -> Result<(), BridgeError> {
        match self.get("room")? {
            Some(bound) if bound != room_id => Err(BridgeError::OtherRoom {
                bound,
                asked: room_id.to_owned(),
            }),
            Some(_) => Ok(()),
            None => self.put("room", room_id),
        }
    }

    /// The last sync position whose events were all acted on.
    pub fn since(&self) -> Result<Option<String>, BridgeError> {
        self.get("since")
    }

    /// The hands, as last saved.
    pub fn hands(&self) -> Result<Hands, BridgeError> {
        match self.get("hands")? {
            Some(json) => Ok(serde_json::from_str(&json)?),
            None => Ok(Hands::new()),
        }
    }

    /// Saves the hands, and the sync position if given, together.
    pub fn save(&mut self, since: Option<&str>, hands: &Hands) -> Result<(), BridgeError> {
        let json = serde_json::to_string(hands)?;
        let tx = self.db.transaction()?;
        tx.execute(
            "INSERT INTO kept (key, value) VALUES ('hands', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [&json],
        )?;
        if let Some(since) = since {
            tx.execute(
                "INSERT INTO kept (key, value) VALUES ('since', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [since],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The pinned "raise your hand" message, once posted.
    pub fn pinned(&self) -> Result<Option<String>, BridgeError> {
        self.get("pinned")
    }

    /// Records the pinned message.
    pub fn set_pinned(&self, event_id: &str) -> Result<(), BridgeError> {
        self.put("pinned", event_id)
    }

    /// The bot's session, if it logged in before.
    pub fn session(&self) -> Result<Option<Session>, BridgeError> {
        match self.get("session")? {
            Some(json) => Ok(Some(serde_json::from_str(&json)?)),
            None => Ok(None),
        }
    }

    /// Records the bot's session.
    pub fn set_session(&self, session: &Session) -> Result<(), BridgeError> {
        self.put("session", &serde_json::to_string(session)?)
    }
}
