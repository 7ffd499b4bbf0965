//! Rebuilding a room from the shared store: from its latest checkpoint
//! that matches the log and the commits after it, or by folding every
//! commit of its subject.
//!
//! A checkpoint is taken only when it decodes into a consistent room of
//! this build at the seq its head names, and the commit its head names is
//! in the room's subject with the events the head's digest covers, ending
//! at that seq; the commits after it must then fold into it. Anything else
//! (a damaged object, another build's checkpoint, one ahead of the log)
//! is logged and the whole log is folded instead.

use std::collections::VecDeque;
use std::sync::Arc;

use floor_core::Room;
use floor_core::checkpoint::Checkpoint;
use floor_core::declarations::served_text;

use super::load::fold_commit;
use super::{LoadError, Loaded};
use crate::limits::RESUME_WINDOW;
use crate::shared::{
    Anchor, CheckpointRead, Shared, SharedError, StoredCheckpoint, StoredCommit, commit_digest,
    event_seq,
};

/// Rebuilds a room from the shared store: from its checkpoint when one
/// matches the log, folding the commits after it, else from its first
/// commit. Either way the room holds its resume window (a checkpoint's
/// load reads it from an earlier commit its head names, when it names
/// one).
pub async fn load_shared(shared: &Shared, room_id: &str) -> Result<Loaded, LoadError> {
    let ignored = |reason: &str| {
        tracing::warn!(
            room = room_id,
            reason,
            "checkpoint ignored; the whole log is folded"
        );
    };
    match shared.read_checkpoint(room_id).await {
        Ok(CheckpointRead::None) => {}
        Ok(CheckpointRead::Refused(reason)) => ignored(&reason),
        Ok(CheckpointRead::Found(stored)) => match from_checkpoint(shared, room_id, stored).await {
            Ok(loaded) => return Ok(loaded),
            Err(Ignored::Reason(reason)) => ignored(&reason),
            Err(Ignored::Store(source)) => {
                return Err(LoadError::Shared {
                    room: room_id.to_owned(),
                    source,
                });
            }
        },
        Err(error) => ignored(&format!("it could not be read: {error}")),
    }
    fold_all(shared, room_id).await
}

/// Rebuilds a room by folding every commit of its subject in stream order.
async fn fold_all(shared: &Shared, room_id: &str) -> Result<Loaded, LoadError> {
    let commits = shared
        .read_all_after(room_id, 0)
        .await
        .map_err(|source| LoadError::Shared {
            room: room_id.to_owned(),
            source,
        })?;
    let mut room = Room::new();
    let mut recent = VecDeque::new();
    let mut stream_seq = 0;
    shared.set_anchors(room_id, Vec::new());
    for commit in commits {
        let folded = fold_commit(&mut room, commit.events);
        if let Some(error) = folded.failure {
            return Err(unfit(room_id, commit.stream_seq, error.to_string()));
        }
        for event in folded.applied {
            push_recent(&mut recent, event);
        }
        stream_seq = commit.stream_seq;
        note(shared, room_id, &room, stream_seq);
    }
    Ok(Loaded {
        room,
        recent,
        window_complete: true,
        checkpointed: 0,
        stream_seq,
    })
}

/// Why a checkpoint was not taken.
enum Ignored {
    /// It does not match the log or this build.
    Reason(String),
    /// The log could not be read.
    Store(SharedError),
}

impl From<String> for Ignored {
    fn from(reason: String) -> Ignored {
        Ignored::Reason(reason)
    }
}

/// The room a checkpoint holds, checked against the log, with the commits
/// after it folded in.
async fn from_checkpoint(
    shared: &Shared,
    room_id: &str,
    stored: StoredCheckpoint,
) -> Result<Loaded, Ignored> {
    let checkpoint: Checkpoint =
        serde_json::from_slice(stored.body()).map_err(|e| format!("it does not decode: {e}"))?;
    let head = stored.head;
    let at = head.at;
    let mut room = Room::from_checkpoint(checkpoint).map_err(|e| e.to_string())?;
    if room.seq() != at.seq || at.seq == 0 || at.stream_seq == 0 {
        return Err(format!("it holds seq {}, its head says {}", room.seq(), at.seq).into());
    }
    let window = window_start(&head.window, at);
    let from = window.map_or(at.stream_seq - 1, |a| a.stream_seq);
    let commits = shared
        .read_all_after(room_id, from)
        .await
        .map_err(Ignored::Store)?;
    let mut recent = VecDeque::new();
    // The seq the next event of the window must have (none: no window).
    let mut next = window.map(|a| a.seq + 1);
    let mut found = false;
    let mut stream_seq = at.stream_seq;
    let mut tail = Vec::new();
    for commit in commits {
        if commit.stream_seq > at.stream_seq {
            tail.push(commit);
            continue;
        }
        if commit.stream_seq == at.stream_seq {
            if commit_digest(&commit.events) != head.commit {
                return Err("it does not match its commit in the log".to_owned().into());
            }
            if commit.events.last().and_then(|e| event_seq(e)) != Some(at.seq) {
                return Err("its commit does not end at its seq".to_owned().into());
            }
            found = true;
        }
        window_events(&mut recent, &mut next, &commit);
    }
    if !found {
        return Err("its commit is not in the room's log".to_owned().into());
    }
    if next != Some(at.seq + 1) {
        // The window did not read as one run of events up to the
        // checkpoint: subscribers from before the tail get a snapshot.
        recent.clear();
    }
    let mut known = head.window.clone();
    known.retain(|a| a.seq < at.seq && a.stream_seq < at.stream_seq);
    known.push(at);
    shared.set_anchors(room_id, known);
    for commit in tail {
        let folded = fold_commit(&mut room, commit.events);
        if let Some(error) = folded.failure {
            return Err(format!(
                "commit {} does not fold into it: {error}",
                commit.stream_seq
            )
            .into());
        }
        for event in folded.applied {
            push_recent(&mut recent, event);
        }
        stream_seq = commit.stream_seq;
        note(shared, room_id, &room, stream_seq);
    }
    let window_complete =
        recent.len() == RESUME_WINDOW || recent.front().is_some_and(|(seq, _)| *seq == 1);
    Ok(Loaded {
        room,
        recent,
        window_complete,
        checkpointed: at.seq,
        stream_seq,
    })
}

/// The commit to read the resume window from: the newest a head names a
/// whole window before its checkpoint, or the log's start for a room
/// younger than a window; none when the head names none.
fn window_start(window: &[Anchor], at: Anchor) -> Option<Anchor> {
    let edge = at.seq.saturating_sub(RESUME_WINDOW as u64);
    if edge == 0 {
        return Some(Anchor::START);
    }
    window
        .iter()
        .filter(|a| a.seq <= edge && a.stream_seq < at.stream_seq)
        .max_by_key(|a| a.seq)
        .copied()
}

/// Keeps a commit's events, up to and including the checkpoint's, for the
/// resume window while they follow each other from `next`; a gap ends the
/// window (`next` none).
fn window_events(
    recent: &mut VecDeque<(u64, Arc<str>)>,
    next: &mut Option<u64>,
    commit: &StoredCommit,
) {
    let Some(expected) = next.as_mut() else {
        return;
    };
    for text in &commit.events {
        match event_seq(text) {
            // Already held (a commit holding events read before).
            Some(seq) if seq < *expected => {}
            Some(seq) if seq == *expected => {
                push_recent(recent, (seq, Arc::from(served_text(text))));
                *expected += 1;
            }
            _ => {
                recent.clear();
                *next = None;
                return;
            }
        }
    }
}

fn push_recent(recent: &mut VecDeque<(u64, Arc<str>)>, event: (u64, Arc<str>)) {
    if recent.len() == RESUME_WINDOW {
        recent.pop_front();
    }
    recent.push_back(event);
}

/// Notes the room's last commit as a place a later checkpoint's load may
/// read its window from.
fn note(shared: &Shared, room_id: &str, room: &Room, stream_seq: u64) {
    shared.note_anchor(
        room_id,
        Anchor {
            seq: room.seq(),
            stream_seq,
        },
    );
}

fn unfit(room_id: &str, stream_seq: u64, message: String) -> LoadError {
    LoadError::Shared {
        room: room_id.to_owned(),
        source: SharedError::Unfit {
            key: format!("commit {stream_seq}"),
            message,
        },
    }
}
