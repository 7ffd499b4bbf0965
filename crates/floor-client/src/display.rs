//! [`DisplayView`]: what a projector or a backstage screen shows, ready to
//! render: who speaks and for how much longer, who is next and why, and
//! how the turns split between the room and the call. [`render_text`]
//! draws it for a terminal.

use std::fmt::Write as _;

use floor_protocol::{Channel, Delivery, OrderReason, Policy, Tally};
use serde::Serialize;
use uuid::Uuid;

use crate::state::RoomState;

/// The current speaker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeakerCard {
    /// The entry.
    pub entry_id: Uuid,
    /// The name.
    pub name: String,
    /// The organisation.
    pub affiliation: Option<String>,
    /// Onsite or online.
    pub channel: Channel,
    /// How the words reach the room.
    pub delivery: Delivery,
    /// The question or comment, if given.
    pub text: Option<String>,
    /// Broker time the turn began.
    pub since_ms: u64,
    /// Broker time the turn's limit runs out.
    pub deadline_ms: u64,
    /// Milliseconds left; negative once over time.
    pub remaining_ms: i64,
}

/// One of the next speakers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextCard {
    /// 1 for the next speaker, then 2, ...
    pub place: usize,
    /// The entry.
    pub entry_id: Uuid,
    /// The name.
    pub name: String,
    /// The organisation.
    pub affiliation: Option<String>,
    /// Onsite or online.
    pub channel: Channel,
    /// Why it stands here, most significant first.
    pub reasons: Vec<OrderReason>,
    /// The main reason, in words for the audience.
    pub reason: String,
    /// Seat or zone (onsite).
    pub location: Option<String>,
}

/// Where the run of show stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageCard {
    /// The phase's title.
    pub title: String,
    /// What it is for.
    pub kind: floor_protocol::PhaseKind,
    /// Milliseconds of the phase's planned time left; negative once over.
    pub remaining_ms: i64,
    /// The presenter, in a phase with speakers, once one has started.
    pub presenter: Option<String>,
    /// Milliseconds of the presenter's time left; negative once over.
    pub presenter_remaining_ms: Option<i64>,
    /// While an open floor collects requests: milliseconds until `next`
    /// calls someone.
    pub intake_remaining_ms: Option<i64>,
}

/// Everything a display shows, at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisplayView {
    /// The sequence number of the state it was made from.
    pub seq: u64,
    /// Whether new requests are accepted.
    pub queue_open: bool,
    /// The fairness policy, in words.
    pub policy: String,
    /// The run of show's phase, once one has started.
    pub stage: Option<StageCard>,
    /// The current speaker.
    pub speaking: Option<SpeakerCard>,
    /// The next speakers, in projected order.
    pub next: Vec<NextCard>,
    /// How many more wait beyond `next`.
    pub more: usize,
    /// Turns given so far: onsite and online.
    pub turns: Tally,
    /// Requests waiting now: onsite and online.
    pub waiting: Tally,
}

impl DisplayView {
    /// The view of `state` at broker time `now_ms`, with the next `n`
    /// speakers.
    ///
    /// ```no_run
    /// # fn example(client: floor_client::Client) {
    /// use floor_client::DisplayView;
    ///
    /// let view = client.with_state(|state| DisplayView::of(state, client.now_ms(), 5));
    /// print!("{}", floor_client::render_text(&view, 80));
    /// # }
    /// ```
    pub fn of(state: &RoomState, now_ms: u64, n: usize) -> DisplayView {
        let view = state.view();
        let speaking = state.speaking().map(|(speaking, entry)| SpeakerCard {
            entry_id: entry.id,
            name: entry.person.name.clone(),
            affiliation: entry.person.affiliation.clone(),
            channel: entry.channel,
            delivery: entry.delivery,
            text: entry.text.clone(),
            since_ms: speaking.since_ms,
            deadline_ms: speaking.deadline_ms,
            remaining_ms: i64::try_from(speaking.deadline_ms)
                .unwrap_or(i64::MAX)
                .saturating_sub(i64::try_from(now_ms).unwrap_or(i64::MAX)),
        });
        let next: Vec<NextCard> = state
            .queue()
            .take(n)
            .enumerate()
            .map(|(i, (slot, entry))| NextCard {
                place: i + 1,
                entry_id: entry.id,
                name: entry.person.name.clone(),
                affiliation: entry.person.affiliation.clone(),
                channel: slot.channel,
                reasons: slot.reasons.clone(),
                reason: slot
                    .reasons
                    .first()
                    .map(|r| reason_text(*r, slot.channel))
                    .unwrap_or_default(),
                location: entry.location.clone(),
            })
            .collect();
        let left = |deadline_ms: u64| {
            i64::try_from(deadline_ms)
                .unwrap_or(i64::MAX)
                .saturating_sub(i64::try_from(now_ms).unwrap_or(i64::MAX))
        };
        let stage = view.stage.as_ref().and_then(|stage| {
            let phase = view
                .programme
                .as_ref()?
                .phases
                .get(usize::try_from(stage.phase).ok()?)?;
            let presenter = stage.presenter.as_ref();
            Some(StageCard {
                title: phase.title.clone(),
                kind: phase.kind,
                remaining_ms: left(stage.deadline_ms),
                presenter: presenter.and_then(|p| {
                    phase
                        .speakers
                        .get(usize::try_from(p.index).ok()?)
                        .map(|s| s.name.clone())
                }),
                presenter_remaining_ms: presenter.map(|p| left(p.deadline_ms)),
                intake_remaining_ms: stage.intake_until_ms.map(left).filter(|ms| *ms > 0),
            })
        });
        DisplayView {
            stage,
            seq: state.seq(),
            queue_open: view.queue_open,
            policy: policy_text(view.settings.policy),
            more: {
                let waiting = state.waiting();
                usize::try_from(waiting.onsite + waiting.online)
                    .unwrap_or(usize::MAX)
                    .saturating_sub(next.len())
            },
            speaking,
            next,
            turns: view.turns,
            waiting: state.waiting(),
        }
    }
}

/// A channel in words.
pub fn channel_text(channel: Channel) -> &'static str {
    match channel {
        Channel::Onsite => "in the room",
        Channel::Online => "online",
    }
}

/// An order reason in words, for the audience.
pub fn reason_text(reason: OrderReason, channel: Channel) -> String {
    match reason {
        OrderReason::Pinned => "moved up by the chair".into(),
        OrderReason::ChannelTurn => format!("{} turn", channel_short(channel)),
        OrderReason::OnlyChannelWaiting => {
            format!("only {} requests waiting", channel_short(channel))
        }
        OrderReason::FirstTimeSpeaker => "first time speaking".into(),
        OrderReason::ArrivalOrder => "asked first".into(),
    }
}

fn channel_short(channel: Channel) -> &'static str {
    match channel {
        Channel::Onsite => "room",
        Channel::Online => "online",
    }
}

fn policy_text(policy: Policy) -> String {
    match policy {
        Policy::Alternate {} => "room and online take turns".into(),
        Policy::Weighted { onsite, online } => {
            format!("room {onsite} : online {online}")
        }
        Policy::Fifo {} => "first come, first served".into(),
    }
}

/// `m:ss`, with a sign when negative.
pub fn clock(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let seconds = ms.unsigned_abs().div_ceil(1000);
    format!("{sign}{}:{:02}", seconds / 60, seconds % 60)
}

/// Draws a display view as plain text lines of at most `width` columns.
pub fn render_text(view: &DisplayView, width: usize) -> String {
    let width = width.max(30);
    let mut out = String::new();
    let rule = "─".repeat(width);
    if let Some(stage) = &view.stage {
        let mut text = format!("{}: {}", stage.title, time_left(stage.remaining_ms));
        if let Some(ms) = stage.intake_remaining_ms {
            text.push_str(&format!(
                " · collecting requests, calls begin in {}",
                clock(ms)
            ));
        }
        if let (Some(name), Some(ms)) = (&stage.presenter, stage.presenter_remaining_ms) {
            text.push_str(&format!(" · presenting: {name}, {}", time_left(ms)));
        }
        line(&mut out, width, &text);
        out.push_str(&rule);
        out.push('\n');
    }
    match &view.speaking {
        Some(s) => {
            let left = if s.remaining_ms >= 0 {
                format!("{} left", clock(s.remaining_ms))
            } else {
                format!("{} OVER TIME", clock(-s.remaining_ms))
            };
            line(&mut out, width, &format!("SPEAKING  {}", s.name));
            if let Some(affiliation) = &s.affiliation {
                line(&mut out, width, &format!("          {affiliation}"));
            }
            line(
                &mut out,
                width,
                &format!("          {} · {left}", channel_text(s.channel)),
            );
        }
        None => line(&mut out, width, "Nobody is speaking"),
    }
    out.push_str(&rule);
    out.push('\n');
    if view.next.is_empty() {
        line(&mut out, width, "No one is waiting");
    } else {
        line(&mut out, width, "NEXT");
    }
    for card in &view.next {
        let who = match &card.affiliation {
            Some(a) => format!("{} ({a})", card.name),
            None => card.name.clone(),
        };
        line(
            &mut out,
            width,
            &format!(
                "{:>2}. {:<8} {who} · {}",
                card.place,
                match card.channel {
                    Channel::Onsite => "[room]",
                    Channel::Online => "[online]",
                },
                card.reason
            ),
        );
    }
    if view.more > 0 {
        line(&mut out, width, &format!("    and {} more", view.more));
    }
    out.push_str(&rule);
    out.push('\n');
    line(
        &mut out,
        width,
        &format!(
            "Turns  room {} : online {}   Waiting  room {} · online {}",
            view.turns.onsite, view.turns.online, view.waiting.onsite, view.waiting.online
        ),
    );
    line(
        &mut out,
        width,
        &format!(
            "{} · queue {}",
            view.policy,
            if view.queue_open { "open" } else { "closed" }
        ),
    );
    out
}

fn time_left(ms: i64) -> String {
    if ms >= 0 {
        format!("{} left", clock(ms))
    } else {
        format!("{} over", clock(-ms))
    }
}

fn line(out: &mut String, width: usize, text: &str) {
    let clipped: String = text.chars().take(width).collect();
    let _ = writeln!(out, "{clipped}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_rounds_up_and_signs() {
        assert_eq!(clock(120_000), "2:00");
        assert_eq!(clock(59_001), "1:00");
        assert_eq!(clock(1), "0:01");
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(-61_000), "-1:01");
    }
}
