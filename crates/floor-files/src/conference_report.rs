//! The event's participation report: one row per session of the
//! conference's programme, computed from each session's own report
//! ([`Report`]), with the event's totals and the online share of turns by
//! day, by session type and by location.
//!
//! The caller chooses the sessions: the broker hands in those still in the
//! programme, archived ones left out. Each session's day is its local date
//! in its own time zone (UTC when it names none), as the staff sheet gives
//! it. A session with no turn has no online share (`null`), and counts in
//! a breakdown's `sessions` but not in its turns.
//!
//! Its human forms are in `conference_report_markdown` and
//! `conference_report_html`; its CSV form in `conference_report_csv`; the
//! JSON Schema of its JSON form in [`crate::conference_report_schema`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::report::{PerChannel, Report};
use crate::report_time::Clock;

/// What the programme says of one session, beside its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Its room's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its type as the programme writes it (`Workshop`); empty when the
    /// programme gives none.
    pub kind: String,
    /// Where it is held.
    pub location: String,
    /// When it starts, in ms since the Unix epoch.
    pub starts_at_ms: u64,
    /// When it ends, in ms since the Unix epoch.
    pub ends_at_ms: u64,
    /// Its time zone (an IANA name); UTC when absent.
    pub time_zone: Option<String>,
}

/// One session's figures.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SessionRow {
    /// Its room's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its type as the programme writes it; `""` when it gives none.
    pub kind: String,
    /// Where it is held.
    pub location: String,
    /// The IANA name of the time zone its day and times are given in:
    /// the session's, else `UTC`.
    pub time_zone: String,
    /// Its local date when it starts, in its time zone (`2026-12-02`).
    pub day: String,
    /// When it starts, in ms since the Unix epoch (the programme's time).
    pub starts_at_ms: u64,
    /// When it ends, in ms since the Unix epoch (the programme's time).
    pub ends_at_ms: u64,
    /// Requests to speak, per channel (its report's `requests`).
    pub requests: PerChannel,
    /// Turns given, per channel (its report's `turns`).
    pub turns: PerChannel,
    /// Online's share of its turns, in per cent (0 to 100); `null` when
    /// it gave no turn.
    pub online_turn_share_pct: Option<f64>,
    /// The median wait of its onsite turns, in ms (its report's
    /// `waiting_onsite.median_ms`); `null` when none was measured.
    pub median_wait_onsite_ms: Option<u64>,
    /// The median wait of its online turns, in ms (its report's
    /// `waiting_online.median_ms`); `null` when none was measured.
    pub median_wait_online_ms: Option<u64>,
    /// The largest remote audience its online moderator counted; `null`
    /// when none was entered.
    pub remote_audience_peak: Option<u32>,
}

/// The event's totals.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Totals {
    /// Sessions in the report.
    pub sessions: u64,
    /// Sessions that gave at least one turn.
    pub sessions_with_turns: u64,
    /// Requests to speak, per channel, in every session.
    pub requests: PerChannel,
    /// Turns given, per channel, in every session.
    pub turns: PerChannel,
    /// Online's share of all the turns, in per cent (0 to 100); `null`
    /// when no session gave a turn.
    pub online_turn_share_pct: Option<f64>,
}

/// The online share of turns of a group of sessions (one day, one type,
/// one location).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ShareRow {
    /// What the sessions share: the day (`2026-12-02`), the type (`""`
    /// for sessions the programme gives none) or the location.
    pub key: String,
    /// Sessions in the group.
    pub sessions: u64,
    /// Their turns, per channel.
    pub turns: PerChannel,
    /// Online's share of those turns, in per cent (0 to 100); `null` when
    /// they gave none.
    pub online_turn_share_pct: Option<f64>,
}

/// The event's participation report.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ConferenceReport {
    /// One row per session, by start, then location, then id.
    pub sessions: Vec<SessionRow>,
    /// The whole event's figures.
    pub totals: Totals,
    /// The online share of turns per day (each session's local date), in
    /// order of the day.
    pub by_day: Vec<ShareRow>,
    /// The online share of turns per session type, in order of the type.
    pub by_kind: Vec<ShareRow>,
    /// The online share of turns per location, in order of the location.
    pub by_location: Vec<ShareRow>,
}

/// Online's share of `turns`, in per cent; `None` when there is none.
pub fn online_share(turns: PerChannel) -> Option<f64> {
    let total = turns.total();
    (total > 0).then(|| turns.online as f64 * 100.0 / total as f64)
}

impl SessionRow {
    /// The row of a session from what the programme says of it and its
    /// report.
    pub fn new(info: SessionInfo, report: &Report) -> SessionRow {
        let time_zone = info.time_zone.unwrap_or_else(|| "UTC".to_owned());
        let day = Clock::new(&time_zone).iso_date(info.starts_at_ms);
        SessionRow {
            id: info.id,
            title: info.title,
            kind: info.kind,
            location: info.location,
            time_zone,
            day,
            starts_at_ms: info.starts_at_ms,
            ends_at_ms: info.ends_at_ms,
            requests: report.requests,
            turns: report.turns,
            online_turn_share_pct: online_share(report.turns),
            median_wait_onsite_ms: report.waiting_onsite.median_ms,
            median_wait_online_ms: report.waiting_online.median_ms,
            remote_audience_peak: report.remote_audience_peak,
        }
    }

    /// Its day's and times' clock: its time zone's.
    pub fn clock(&self) -> Clock {
        Clock::new(&self.time_zone)
    }
}

fn plus(a: PerChannel, b: PerChannel) -> PerChannel {
    PerChannel {
        onsite: a.onsite + b.onsite,
        online: a.online + b.online,
    }
}

/// The rows grouped by `key`, in the key's order.
fn shares(rows: &[SessionRow], key: impl Fn(&SessionRow) -> &str) -> Vec<ShareRow> {
    let mut groups: BTreeMap<&str, (u64, PerChannel)> = BTreeMap::new();
    for row in rows {
        let group = groups.entry(key(row)).or_default();
        group.0 += 1;
        group.1 = plus(group.1, row.turns);
    }
    groups
        .into_iter()
        .map(|(key, (sessions, turns))| ShareRow {
            key: key.to_owned(),
            sessions,
            turns,
            online_turn_share_pct: online_share(turns),
        })
        .collect()
}

impl ConferenceReport {
    /// The report of `sessions`, each with its own report. Pass only the
    /// sessions to count: the broker leaves archived sessions out. The
    /// order does not matter: rows are sorted by start, location and id.
    pub fn new(sessions: Vec<(SessionInfo, Report)>) -> ConferenceReport {
        let mut rows: Vec<SessionRow> = sessions
            .into_iter()
            .map(|(info, report)| SessionRow::new(info, &report))
            .collect();
        rows.sort_by(|a, b| {
            (a.starts_at_ms, &a.location, &a.id).cmp(&(b.starts_at_ms, &b.location, &b.id))
        });
        let mut totals = Totals {
            sessions: rows.len() as u64,
            sessions_with_turns: 0,
            requests: PerChannel::default(),
            turns: PerChannel::default(),
            online_turn_share_pct: None,
        };
        for row in &rows {
            totals.requests = plus(totals.requests, row.requests);
            totals.turns = plus(totals.turns, row.turns);
            if row.turns.total() > 0 {
                totals.sessions_with_turns += 1;
            }
        }
        totals.online_turn_share_pct = online_share(totals.turns);
        ConferenceReport {
            by_day: shares(&rows, |r| &r.day),
            by_kind: shares(&rows, |r| &r.kind),
            by_location: shares(&rows, |r| &r.location),
            sessions: rows,
            totals,
        }
    }

    /// The three breakdowns, each with the message id of its heading, of
    /// its chart's caption and of what its keys are, as every human form
    /// lists them.
    pub fn breakdowns(&self) -> [ShareBreakdown<'_>; 3] {
        [
            ShareBreakdown {
                heading: "conf-heading-by-day",
                chart: "conf-chart-by-day",
                key: "conf-column-day",
                rows: &self.by_day,
            },
            ShareBreakdown {
                heading: "conf-heading-by-kind",
                chart: "conf-chart-by-kind",
                key: "conf-column-kind",
                rows: &self.by_kind,
            },
            ShareBreakdown {
                heading: "conf-heading-by-location",
                chart: "conf-chart-by-location",
                key: "conf-column-location",
                rows: &self.by_location,
            },
        ]
    }
}

/// One of the report's breakdowns of the online share of turns.
#[derive(Debug, Clone, Copy)]
pub struct ShareBreakdown<'a> {
    /// Its heading's message id.
    pub heading: &'static str,
    /// Its chart's caption's message id.
    pub chart: &'static str,
    /// The message id of what its keys are.
    pub key: &'static str,
    /// Its rows.
    pub rows: &'a [ShareRow],
}
