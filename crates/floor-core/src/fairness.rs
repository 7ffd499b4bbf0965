//! The fairness policy: who `next` calls, and the projected order.
//!
//! The rule, exactly (the protocol's README states the same):
//!
//! 1. Pinned entries first, in the order they were pinned.
//! 2. Otherwise, under `alternate` and `weighted`, a channel is chosen by
//!    smooth weighted round robin over the channels with at least one
//!    waiting entry (*backlogged*). A channel that is not backlogged at the
//!    call has its credit reset to 0. Every backlogged channel gets its
//!    weight added to its credit; the largest credit wins; a tie goes to
//!    the channel the rotation did not choose last, and before any choice
//!    to the channel whose oldest waiting entry was submitted first. The
//!    winner's credit is reduced by the sum of the backlogged channels'
//!    weights. A call with only one channel backlogged is uncontested: it
//!    leaves every credit at 0 (see "An uncontested call" below).
//! 3. Within the chosen channel, with `first_time_first`, people who have
//!    not been called yet in this room come before those who have; then
//!    submission order.
//! 4. Under `fifo`: submission order across channels, nothing else.
//!
//! Pins and the chair's explicit calls stand outside the rotation: they
//! neither read nor change the credits or the rotation's last choice.
//!
//! # An uncontested call
//!
//! Plain smooth weighted round robin lets a channel keep a credit through
//! a call it won alone. Then, with weights 1:1, online can win a tie,
//! onsite is called alone while online is empty, and when a remote hand
//! arrives, onsite's left-over credit calls onsite a second time in a row
//! while online waits. Settling every credit to 0 at an uncontested call
//! closes that hole: the next contested call is a tie, which goes to the
//! channel not chosen last. Runs of contested calls, where the weights
//! matter, are untouched.
//!
//! The projected order is what repeated `next` calls would do if nothing
//! else changed, so its head is, by construction, what `next` calls.
//!
//! # Cost
//!
//! The simulation is linear in the waiting entries: each channel's queue
//! is walked by two cursors that only move forward (its oldest entry not
//! yet taken, and its oldest not yet taken whose person has not been
//! called), since entries are only ever taken and people only ever
//! called. The whole order of a room of 5,000 waiting entries costs one
//! pass over them, not one pass per call.

use std::collections::{HashMap, HashSet, VecDeque};

use floor_protocol::event::CallVia;
use floor_protocol::{Channel, Credits, EntryStatus, OrderReason, Policy, ProjectedSlot};
use uuid::Uuid;

use crate::person::PersonKey;
use crate::room::Room;

/// What `next` would call, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The entry.
    pub entry_id: Uuid,
    /// Its channel.
    pub channel: Channel,
    /// How it was chosen.
    pub via: CallVia,
    /// Why, most significant first.
    pub reasons: Vec<OrderReason>,
    /// The rotation credits after the choice, when the rotation chose.
    pub credits: Option<Credits>,
}

/// A waiting entry, as the planner sees it.
#[derive(Debug, Clone, Copy)]
struct Candidate<'r> {
    id: Uuid,
    seq: u64,
    channel: Channel,
    key: &'r PersonKey,
}

/// A channel's unpinned waiting entries, in submission order, as the
/// simulation takes them.
#[derive(Debug, Default)]
struct Queue<'r> {
    entries: Vec<Candidate<'r>>,
    /// Whether the simulation has called the entry at the same position.
    taken: Vec<bool>,
    /// How many entries are not taken.
    left: usize,
    /// No entry before this position is left.
    head: usize,
    /// No entry before this position is both left and of a person not
    /// called yet.
    fresh: usize,
}

impl<'r> Queue<'r> {
    fn push(&mut self, candidate: Candidate<'r>) {
        self.entries.push(candidate);
        self.taken.push(false);
        self.left += 1;
    }

    fn is_empty(&self) -> bool {
        self.left == 0
    }

    /// The position of the oldest entry left.
    fn front(&mut self) -> Option<usize> {
        while self.taken.get(self.head).is_some_and(|&taken| taken) {
            self.head += 1;
        }
        (self.head < self.entries.len()).then_some(self.head)
    }

    /// The position of the oldest entry left whose person is not in
    /// `called`. People are only ever added to `called`, so the cursor
    /// never needs to go back.
    fn first_fresh(&mut self, called: &HashSet<&PersonKey>) -> Option<usize> {
        while let Some(c) = self.entries.get(self.fresh) {
            if !self.taken[self.fresh] && !called.contains(c.key) {
                return Some(self.fresh);
            }
            self.fresh += 1;
        }
        None
    }

    /// Takes the entry at `position` out of the queue.
    fn take(&mut self, position: usize) -> Option<Candidate<'r>> {
        let taken = self.taken.get_mut(position)?;
        if *taken {
            return None;
        }
        *taken = true;
        self.left -= 1;
        self.entries.get(position).copied()
    }
}

/// Simulates successive `next` calls over a room without changing it.
#[derive(Debug)]
struct Planner<'r> {
    policy: Policy,
    first_time_first: bool,
    pins: VecDeque<Candidate<'r>>,
    /// Unpinned waiting entries per channel (onsite, online).
    queues: [Queue<'r>; 2],
    credits: Credits,
    last: Option<Channel>,
    /// People called: those the room has called (an entry that has been
    /// called holds their identity) and those the simulation has.
    called: HashSet<&'r PersonKey>,
}

fn slot(channel: Channel) -> usize {
    match channel {
        Channel::Onsite => 0,
        Channel::Online => 1,
    }
}

impl<'r> Planner<'r> {
    fn new(room: &'r Room) -> Planner<'r> {
        let mut queues: [Queue<'r>; 2] = Default::default();
        // Pinned or not, by the entry's position: one lookup per pin.
        let mut is_pinned = vec![false; room.entries().len()];
        for position in room.pins().iter().filter_map(|id| room.position(*id)) {
            if let Some(flag) = is_pinned.get_mut(position) {
                *flag = true;
            }
        }
        let mut pinned = Vec::new();
        for ((entry, key), pin) in room.entries_with_keys().zip(is_pinned) {
            if entry.status != EntryStatus::Waiting {
                continue;
            }
            let candidate = Candidate {
                id: entry.id,
                seq: entry.seq,
                channel: entry.channel,
                key,
            };
            if pin {
                pinned.push(candidate);
            } else {
                queues[slot(entry.channel)].push(candidate);
            }
        }
        let pinned: HashMap<Uuid, Candidate<'r>> = pinned.into_iter().map(|c| (c.id, c)).collect();
        let pins = room
            .pins()
            .iter()
            .filter_map(|id| pinned.get(id).copied())
            .collect();
        let rotation = room.rotation();
        Planner {
            policy: room.settings().policy,
            first_time_first: room.settings().first_time_first,
            pins,
            queues,
            credits: rotation.credits,
            last: rotation.last,
            called: room.called_people(),
        }
    }

    /// The next call, applied to the simulation.
    fn step(&mut self) -> Option<Choice> {
        let (candidate, choice) = if let Some(pinned) = self.pins.pop_front() {
            let choice = Choice {
                entry_id: pinned.id,
                channel: pinned.channel,
                via: CallVia::Pin,
                reasons: vec![OrderReason::Pinned],
                credits: None,
            };
            (pinned, choice)
        } else {
            match self.policy {
                Policy::Fifo {} => self.step_fifo()?,
                Policy::Alternate {} | Policy::Weighted { .. } => self.step_rotation()?,
            }
        };
        self.called.insert(candidate.key);
        Some(choice)
    }

    fn step_fifo(&mut self) -> Option<(Candidate<'r>, Choice)> {
        let (_, channel, position) = Channel::ALL
            .into_iter()
            .filter_map(|c| {
                let queue = &mut self.queues[slot(c)];
                let position = queue.front()?;
                Some((queue.entries[position].seq, c, position))
            })
            .min()?;
        let candidate = self.queues[slot(channel)].take(position)?;
        let choice = Choice {
            entry_id: candidate.id,
            channel,
            via: CallVia::Fifo,
            reasons: vec![OrderReason::ArrivalOrder],
            credits: None,
        };
        Some((candidate, choice))
    }

    fn step_rotation(&mut self) -> Option<(Candidate<'r>, Choice)> {
        let backlogged: Vec<Channel> = Channel::ALL
            .into_iter()
            .filter(|&c| !self.queues[slot(c)].is_empty())
            .collect();
        if backlogged.is_empty() {
            return None;
        }
        let weight = |c: Channel| i64::from(self.policy.weight(c).unwrap_or(1));
        let mut credits = self.credits;
        for channel in Channel::ALL {
            if backlogged.contains(&channel) {
                *credits.get_mut(channel) += weight(channel);
            } else {
                *credits.get_mut(channel) = 0;
            }
        }
        let channel = match backlogged.as_slice() {
            [only] => *only,
            _ => {
                let (onsite, online) = (credits.onsite, credits.online);
                if onsite != online {
                    if onsite > online {
                        Channel::Onsite
                    } else {
                        Channel::Online
                    }
                } else if let Some(last) = self.last {
                    last.other()
                } else {
                    // Before any choice: the older head; equal heads cannot
                    // happen (sequence numbers are unique), online otherwise.
                    let mut head = |c: Channel| {
                        let queue = &mut self.queues[slot(c)];
                        queue.front().map(|position| queue.entries[position].seq)
                    };
                    if head(Channel::Onsite) < head(Channel::Online) {
                        Channel::Onsite
                    } else {
                        Channel::Online
                    }
                }
            }
        };
        *credits.get_mut(channel) -= backlogged.iter().map(|&c| weight(c)).sum::<i64>();
        if backlogged.len() == 1 {
            // An uncontested call settles the rotation: no credit carried
            // from before outlives a call that had no competitor.
            credits = Credits::default();
        }
        self.credits = credits;
        self.last = Some(channel);

        let channel_reason = if backlogged.len() == 1 {
            OrderReason::OnlyChannelWaiting
        } else {
            OrderReason::ChannelTurn
        };
        let (position, within) = self.pick_within(channel)?;
        let candidate = self.queues[slot(channel)].take(position)?;
        let choice = Choice {
            entry_id: candidate.id,
            channel,
            via: CallVia::Rotation,
            reasons: vec![channel_reason, within],
            credits: Some(credits),
        };
        Some((candidate, choice))
    }

    /// The position within a channel's queue of the entry to call, and
    /// why: the oldest entry of a person not called yet, when first-time
    /// speakers come first, otherwise the oldest.
    fn pick_within(&mut self, channel: Channel) -> Option<(usize, OrderReason)> {
        let queue = &mut self.queues[slot(channel)];
        let front = queue.front()?;
        if self.first_time_first
            && let Some(fresh) = queue.first_fresh(&self.called)
        {
            let reason = if fresh > front {
                OrderReason::FirstTimeSpeaker
            } else {
                OrderReason::ArrivalOrder
            };
            return Some((fresh, reason));
        }
        Some((front, OrderReason::ArrivalOrder))
    }
}

/// What `next` would call now, if anyone is waiting.
pub fn next_choice(room: &Room) -> Option<Choice> {
    Planner::new(room).step()
}

/// The projected order: every waiting entry in the order repeated `next`
/// calls would take them if nothing else changed.
pub fn projected_order(room: &Room) -> Vec<ProjectedSlot> {
    projected_head(room, usize::MAX)
}

/// The first `limit` slots of the projected order: what the broker sends
/// ([`floor_protocol::limits::ORDER_SLOTS_MAX`] of them). The simulation
/// stops there, so a long queue costs a pass over the room's entries and
/// `limit` calls, not one call per waiting entry.
pub fn projected_head(room: &Room, limit: usize) -> Vec<ProjectedSlot> {
    let mut planner = Planner::new(room);
    std::iter::from_fn(|| planner.step())
        .take(limit)
        .map(|choice| ProjectedSlot {
            entry_id: choice.entry_id,
            channel: choice.channel,
            reasons: choice.reasons,
        })
        .collect()
}

impl Room {
    /// The projected order (see [`projected_order`]).
    pub fn projected_order(&self) -> Vec<ProjectedSlot> {
        projected_order(self)
    }

    /// The head of the projected order that the wire carries: at most
    /// [`floor_protocol::limits::ORDER_SLOTS_MAX`] slots.
    pub fn order_head(&self) -> Vec<ProjectedSlot> {
        projected_head(self, floor_protocol::limits::ORDER_SLOTS_MAX)
    }
}
