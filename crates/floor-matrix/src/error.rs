//! Why the bridge stops.

use std::path::Path;

/// A reason for the bridge to stop, said for the person who started it.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// The state file cannot be opened or written.
    #[error("the state file {path} cannot be used: {reason}")]
    State {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The state file failed a read or a write.
    #[error("the state file failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The state file holds something this version cannot read.
    #[error("the state file holds unreadable data: {0}")]
    Json(#[from] serde_json::Error),
    /// The state file was made for another Matrix room.
    #[error(
        "the state file belongs to the Matrix room {bound}, not {asked}: give each bridged room its own --state file"
    )]
    OtherRoom {
        /// The room the file was made for.
        bound: String,
        /// The room asked for now.
        asked: String,
    },
    /// The Matrix room is end-to-end encrypted.
    #[error(
        "the Matrix room {0} is end-to-end encrypted: the bridge reads only unencrypted rooms (bridge a public room made for the session's audience)"
    )]
    Encrypted(String),
    /// The homeserver refused the bot, or the room.
    #[error("Matrix: {0}")]
    Matrix(String),
    /// floor cannot be reached or refused the link.
    #[error("floor: {0}")]
    Floor(String),
    /// A setting is missing or wrong.
    #[error("{0}")]
    Config(String),
}

impl BridgeError {
    /// A failure of the state file at `path`.
    pub fn state(path: &Path, reason: impl std::fmt::Display) -> BridgeError {
        BridgeError::State {
            path: path.display().to_string(),
            reason: reason.to_string(),
        }
    }
}

impl From<matrix_sdk::Error> for BridgeError {
    fn from(e: matrix_sdk::Error) -> Self {
        BridgeError::Matrix(e.to_string())
    }
}

impl From<matrix_sdk::HttpError> for BridgeError {
    fn from(e: matrix_sdk::HttpError) -> Self {
        BridgeError::Matrix(e.to_string())
    }
}
