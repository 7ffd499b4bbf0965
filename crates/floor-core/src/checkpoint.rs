//! A room's state as data, so that a restart folds only the events after
//! it.
//!
//! A checkpoint is a cache of the fold, never the truth: the log is. The
//! broker stores one every so often and, at start, takes the room from it
//! and applies only the later events. A checkpoint written by another
//! version of this crate is ignored (its fold could differ from this
//! version's), and one that does not make a consistent room is refused;
//! either way the room is folded from its first event instead.

use floor_protocol::{ClientKey, RoomView};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::person::PersonKey;
use crate::room::{Receipt, Room};
use crate::undo::UndoTracker;
use crate::view::LiveView;

/// The format of checkpoints this build writes and reads: the crate's
/// version, since any release may fold differently.
pub const FORMAT: &str = concat!("floor-core ", env!("CARGO_PKG_VERSION"), " checkpoint 3");

/// Events between two checkpoints of a room: a start folds at most this
/// many events per room after its checkpoint (or, for a room written to
/// faster than its owner takes checkpoints, the events since the last one).
pub const INTERVAL: u64 = 1_000;

/// A room's state at one sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// [`FORMAT`] of the build that wrote it.
    pub format: String,
    /// The view, as clients see it (it holds the sequence number).
    pub view: RoomView,
    /// The person key of each entry, in submission order.
    pub keys: Vec<PersonKey>,
    /// What `undo_call` needs of the most recent call.
    #[serde(default)]
    pub undo: UndoTracker,
    /// Every successful command's receipt, by client (sorted by client,
    /// then request).
    pub receipts: Vec<ClientReceipts>,
}

/// The receipts of one client's commands in a checkpoint, written as a
/// pair `[client, [request, ...]]`: a room of a hundred thousand commands
/// has as many receipts, and naming every field of each made them most of
/// the checkpoint's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientReceipts(
    /// The issuing client.
    pub ClientKey,
    /// Its requests that took effect, sorted by request id.
    pub Vec<RequestReceipt>,
);

/// One command's receipt in a checkpoint, written as
/// `[request_id, first_seq, last_seq - first_seq]`, with the entry a
/// `submit` created as a fourth element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestReceipt(
    /// Its request id.
    pub String,
    /// The command's first event.
    pub u64,
    /// Events after the first: the command's last event is `first + this`.
    pub u64,
    /// The entry a `submit` created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Option<Uuid>,
);

/// Why a checkpoint was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// Written by another build.
    #[error("written by {0:?}, this build reads {FORMAT:?}")]
    Format(String),
    /// It does not describe a consistent room.
    #[error("inconsistent: {0}")]
    Inconsistent(&'static str),
}

impl Room {
    /// The room's state as a checkpoint.
    pub fn checkpoint(&self) -> Checkpoint {
        let (view, keys, undo, receipts) = self.parts();
        let mut sorted: Vec<_> = receipts.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut receipts: Vec<ClientReceipts> = Vec::new();
        for ((client, request_id), receipt) in sorted {
            let request = RequestReceipt(
                request_id.clone(),
                receipt.first_seq,
                receipt.last_seq - receipt.first_seq,
                receipt.entry_id,
            );
            match receipts.last_mut() {
                Some(ClientReceipts(last, requests)) if last == client => requests.push(request),
                _ => receipts.push(ClientReceipts(client.clone(), vec![request])),
            }
        }
        Checkpoint {
            format: FORMAT.to_owned(),
            view: view.view().clone(),
            keys: keys.to_vec(),
            undo: undo.clone(),
            receipts,
        }
    }

    /// The room a checkpoint holds.
    pub fn from_checkpoint(checkpoint: Checkpoint) -> Result<Room, CheckpointError> {
        if checkpoint.format != FORMAT {
            return Err(CheckpointError::Format(checkpoint.format));
        }
        if checkpoint.keys.len() != checkpoint.view.entries.len() {
            return Err(CheckpointError::Inconsistent("a person key for each entry"));
        }
        let seq = checkpoint.view.seq;
        let count = checkpoint.receipts.iter().map(|c| c.1.len()).sum();
        let mut receipts = crate::room::Receipts::with_capacity(count);
        for ClientReceipts(client, requests) in checkpoint.receipts {
            for RequestReceipt(request_id, first_seq, span, entry_id) in requests {
                let last_seq = first_seq.saturating_add(span);
                if last_seq > seq || first_seq == 0 {
                    return Err(CheckpointError::Inconsistent(
                        "a receipt outside the room's events",
                    ));
                }
                let receipt = Receipt {
                    first_seq,
                    last_seq,
                    entry_id,
                };
                if receipts
                    .insert((client.clone(), request_id), receipt)
                    .is_some()
                {
                    return Err(CheckpointError::Inconsistent("a receipt given twice"));
                }
            }
        }
        let live = LiveView::from_snapshot(checkpoint.view);
        if live.view().entries.len() != live.index_len() {
            return Err(CheckpointError::Inconsistent("an entry id given twice"));
        }
        if let Some(call) = checkpoint.undo.last()
            && live.view().speaking.as_ref().map(|s| s.entry_id) != Some(call.entry_id)
        {
            return Err(CheckpointError::Inconsistent(
                "a last call whose entry is not speaking",
            ));
        }
        Ok(Room::from_parts(
            live,
            checkpoint.keys,
            checkpoint.undo,
            receipts,
        ))
    }
}
