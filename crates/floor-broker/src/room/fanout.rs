//! What a room sends: the `events` frames and `order` of each commit to
//! every subscriber, snapshots, and a new subscriber's start, resumed from
//! the window of recent events when it can be. Each is made once for the
//! staff and, when it names an account, once for the public links
//! (`floor_core::audience`).

use std::sync::Arc;

use floor_core::audience::{Audience, public_text, strip};
use floor_core::declarations::served_text;
use floor_protocol::message::{Resume, SnapshotReason};
use floor_protocol::{ServerMessage, order};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::{Frame, REPLAY_FRAME, RoomActor, Subscription, Unconfirmed, text};
use crate::limits::{BROADCAST_CAPACITY, MAX_QUEUED_BYTES, RESUME_WINDOW};

impl RoomActor {
    pub(super) async fn subscribe(
        &mut self,
        resume: Option<Resume>,
        audience: Audience,
    ) -> Result<Subscription, Unconfirmed> {
        // A room of the shared store serves a hello only from a state it
        // knows holds the store's last commit: never behind a client.
        if let Some(shared) = self.log.shared().cloned() {
            let ahead = resume
                .as_ref()
                .is_some_and(|r| r.epoch == self.epoch && r.seq > self.room.seq());
            self.confirm(&shared, ahead).await?;
        }
        let head = self.room.seq();
        if let Some(resume) = &resume {
            // A resume point inside the window but before the events held
            // (`resume.seq < head`, so the sum cannot overflow).
            let oldest = self.recent.front().map_or(head + 1, |(seq, _)| *seq);
            let window_from = head.saturating_sub(RESUME_WINDOW as u64);
            if !self.window_complete
                && resume.epoch == self.epoch
                && resume.seq < head
                && resume.seq >= window_from
                && resume.seq + 1 < oldest
            {
                self.fill_window().await;
            }
        }
        let frames = self
            .frames
            .get_or_insert_with(|| broadcast::channel(BROADCAST_CAPACITY).0)
            .subscribe();
        let initial = match resume {
            None => vec![self.snapshot(SnapshotReason::Initial, audience)],
            Some(resume) if resume.epoch != self.epoch => {
                vec![self.snapshot(SnapshotReason::EpochChanged, audience)]
            }
            Some(resume) if resume.seq > head => {
                vec![self.snapshot(SnapshotReason::Ahead, audience)]
            }
            Some(resume) if resume.seq == head => vec![self.order_text.clone()],
            Some(resume) => {
                let oldest = self.recent.front().map_or(head + 1, |(seq, _)| *seq);
                let missed_bytes: usize = self
                    .recent
                    .iter()
                    .filter(|(seq, _)| *seq > resume.seq)
                    .map(|(_, raw)| raw.len())
                    .sum();
                // Older than the window, or more to replay than a
                // connection may have queued: a snapshot is cheaper.
                if resume.seq + 1 < oldest || missed_bytes as u64 > MAX_QUEUED_BYTES {
                    vec![self.snapshot(SnapshotReason::TooOld, audience)]
                } else {
                    let missed = self.recent.iter().filter(|(seq, _)| *seq > resume.seq);
                    let missed: Vec<std::borrow::Cow<'_, str>> = match audience {
                        Audience::Staff => missed.map(|(_, raw)| raw.as_ref().into()).collect(),
                        Audience::Public => missed.map(|(_, raw)| public_text(raw)).collect(),
                    };
                    let mut initial: Vec<Utf8Bytes> = events_ranges(&missed)
                        .into_iter()
                        .map(|range| self.events_text(missed[range].iter().map(AsRef::as_ref)))
                        .collect();
                    initial.push(self.order_text.clone());
                    initial
                }
            }
        };
        Ok(Subscription {
            epoch: self.epoch,
            head,
            initial,
            frames,
            broadcast_bytes: self.broadcast_bytes.subscribe(),
        })
    }

    /// Reads the part of the resume window a start left in the log (the
    /// events between the window's start and the oldest one held); on a
    /// failure the subscriber gets a snapshot instead, as for a resume point
    /// older than the window.
    async fn fill_window(&mut self) {
        let head = self.room.seq();
        let from = head.saturating_sub(RESUME_WINDOW as u64);
        let oldest = self.recent.front().map_or(head + 1, |(seq, _)| *seq);
        // A room of the shared store is loaded with its whole window.
        let Some(read) = self.log.read_after(self.id.clone(), from).await else {
            self.window_complete = true;
            return;
        };
        match read {
            Ok(stored) => {
                let older = stored.into_iter().filter(|(seq, _)| *seq < oldest);
                for (seq, body) in older.rev() {
                    if self.recent.len() == RESUME_WINDOW {
                        break;
                    }
                    self.recent.push_front((seq, Arc::from(served_text(&body))));
                }
            }
            // Not retried: a log that failed this read would fail the next
            // one too, and each would hold up every room's commits behind
            // it. Subscribers from before the events held get a snapshot.
            Err(error) => {
                tracing::warn!(room = %self.id, %error, "the resume window could not be read; subscribers from before it get a snapshot");
            }
        }
        self.window_complete = true;
    }

    pub(super) fn snapshot(&mut self, reason: SnapshotReason, audience: Audience) -> Utf8Bytes {
        let key = (reason, audience);
        if let Some((_, cached)) = self.snapshots.iter().find(|(k, _)| *k == key) {
            return cached.clone();
        }
        let snapshot = ServerMessage::Snapshot {
            epoch: self.epoch,
            reason,
            room: self.room.view(),
            order: self.room.order_head(),
        };
        let message = match audience {
            Audience::Staff => text(&snapshot),
            Audience::Public => match serde_json::to_value(&snapshot) {
                Ok(mut value) => {
                    strip(&mut value);
                    Utf8Bytes::from(value.to_string())
                }
                // Not reached: a server message always serializes.
                Err(_) => text(&snapshot),
            },
        };
        self.snapshots.push((key, message.clone()));
        message
    }

    /// Makes the `order` of the current seq: keeps it written out (for
    /// resumes) and returns it in the compact form, whose slots refer to
    /// the order of the previous seq, as every subscriber holds it.
    pub(super) fn renew_order(&mut self) -> Utf8Bytes {
        let order = self.room.order_head();
        let message = |order| {
            text(&ServerMessage::Order {
                epoch: self.epoch,
                seq: self.room.seq(),
                order,
            })
        };
        let compact = message(order::compact(&order, &self.order_slots));
        self.order_text = message(order::full(&order));
        self.order_slots = order;
        compact
    }

    /// One `events` message holding the given raw events.
    fn events_text<'a>(&self, raws: impl Iterator<Item = &'a str>) -> Utf8Bytes {
        let mut text = format!(r#"{{"type":"events","epoch":"{}","events":["#, self.epoch);
        for (i, raw) in raws.enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(raw);
        }
        text.push_str("]}");
        Utf8Bytes::from(text)
    }

    /// The broadcast item of `frame` (and of its public form, if it
    /// differs), with `then` (full and compact) right behind it; counts
    /// its bytes as broadcast.
    fn frame(
        &self,
        frame: Utf8Bytes,
        public: Option<Utf8Bytes>,
        then: Option<(Utf8Bytes, Utf8Bytes)>,
    ) -> Frame {
        let mut end = 0;
        // Counted at the full form's size: what a subscriber may have to
        // take at most.
        let len = frame.len() + then.as_ref().map_or(0, |(t, _)| t.len());
        self.broadcast_bytes.send_modify(|total| {
            *total += len as u64;
            end = *total;
        });
        let (then, then_compact) = then.unzip();
        Frame {
            text: frame,
            public,
            then,
            then_compact,
            end,
            last_seq: self.room.seq(),
        }
    }

    /// Records committed events and broadcasts them with the new order.
    pub(super) fn publish(&mut self, raws: Vec<(u64, Arc<str>)>) {
        let frames = self.prepare(raws);
        self.send_frames(&frames);
    }

    /// Sends prepared frames to every subscriber.
    pub(super) fn send_frames(&mut self, frames: &[Frame]) {
        let Some(sender) = &self.frames else {
            // Nobody is watching.
            return;
        };
        if sender.receiver_count() == 0 {
            // Nobody is watching any more: the ring goes, and the next
            // subscriber makes a new one (it starts from its own snapshot
            // or resume point, so it needs nothing the ring held).
            self.frames = None;
            return;
        }
        for frame in frames {
            let _ = sender.send(frame.clone());
        }
    }

    /// Records committed events (the resume window, the caches) and makes
    /// the frames that carry them and the new order to every subscriber.
    pub(super) fn prepare(&mut self, raws: Vec<(u64, Arc<str>)>) -> Vec<Frame> {
        if raws.is_empty() {
            return Vec::new();
        }
        let staff: Vec<&str> = raws.iter().map(|(_, raw)| raw.as_ref()).collect();
        let public: Vec<std::borrow::Cow<'_, str>> =
            staff.iter().map(|raw| public_text(raw)).collect();
        // The public form cut where the staff's is (it is never longer),
        // and made only for the messages where it differs.
        let mut texts: Vec<(Utf8Bytes, Option<Utf8Bytes>)> = events_ranges(&staff)
            .into_iter()
            .map(|range| {
                let differs = public[range.clone()]
                    .iter()
                    .any(|text| matches!(text, std::borrow::Cow::Owned(_)));
                let public = differs
                    .then(|| self.events_text(public[range.clone()].iter().map(AsRef::as_ref)));
                (self.events_text(staff[range].iter().copied()), public)
            })
            .collect();
        drop(public);
        let last = texts.pop();
        let mut frames: Vec<Frame> = texts
            .into_iter()
            .map(|(text, public)| self.frame(text, public, None))
            .collect();
        for event in raws {
            if self.recent.len() == RESUME_WINDOW {
                self.recent.pop_front();
                // Full: it holds the whole window.
                self.window_complete = true;
            }
            self.recent.push_back(event);
        }
        self.snapshots.clear();
        if let Some(peak) = self.room.view_ref().attendance_peak {
            self.presence.set_logged(peak);
        }
        self.live.set_state(self.room.view_ref());
        let compact = self.renew_order();
        let order = (self.order_text.clone(), compact);
        // The order rides with the last events message: one wake-up and
        // one write per subscriber for a commit.
        frames.push(match last {
            Some((text, public)) => self.frame(text, public, Some(order)),
            // Not reached: a commit has events.
            None => self.frame(order.0, None, None),
        });
        frames
    }
}

/// How raw events are cut into `events` messages: in order, none over
/// [`REPLAY_FRAME`] bytes unless one event alone is.
fn events_ranges<T: AsRef<str>>(raws: &[T]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut len = 0;
    for (i, raw) in raws.iter().enumerate() {
        let raw = raw.as_ref().len();
        if i > start && len + raw > REPLAY_FRAME {
            ranges.push(start..i);
            start = i;
            len = 0;
        }
        len += raw + 1;
    }
    if start < raws.len() {
        ranges.push(start..raws.len());
    }
    ranges
}
