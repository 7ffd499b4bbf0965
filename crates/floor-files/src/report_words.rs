//! The report in words, shared by its human forms: the breakdowns with
//! their labels, when the session ran, the remote participation
//! sentence, lengths and people as text.

use std::collections::BTreeMap;

use floor_protocol::Person;

use crate::labels;
use crate::report::{PerChannel, Report};
use crate::report_lang::Texts;
use crate::report_time::Clock;

/// One of the report's breakdowns of requests and turns.
#[derive(Debug, Clone, Copy)]
pub struct Breakdown<'a> {
    /// Its title's message id, e.g. `breakdown-region`.
    pub title: &'static str,
    /// The message id of what its keys are, e.g. `column-region`.
    pub key: &'static str,
    /// Requests, per key.
    pub requests: &'a BTreeMap<String, PerChannel>,
    /// Turns, per key.
    pub turns: &'a BTreeMap<String, PerChannel>,
    /// The label people read for a key (see [`labels`]).
    pub label: fn(&Texts, &str) -> String,
}

impl Report {
    /// The requests and turns by kind, by stakeholder group and by
    /// region, each with its title and its labels, as every form of the
    /// report lists them.
    pub fn breakdowns(&self) -> [Breakdown<'_>; 3] {
        [
            Breakdown {
                title: "breakdown-kind",
                key: "column-kind",
                requests: &self.requests_by_kind,
                turns: &self.turns_by_kind,
                label: |t, code| code_label(t, code, labels::kind),
            },
            Breakdown {
                title: "breakdown-group",
                key: "column-group",
                requests: &self.requests_by_group,
                turns: &self.turns_by_group,
                label: |t, code| code_label(t, code, labels::stakeholder_group),
            },
            Breakdown {
                title: "breakdown-region",
                key: "column-region",
                requests: &self.requests_by_region,
                turns: &self.turns_by_region,
                label: |t, code| code_label(t, code, labels::region),
            },
        ]
    }

    /// The clock of the session's time zone, for the human forms.
    pub fn clock(&self) -> Clock {
        Clock::new(&self.time_zone)
    }

    /// When the session's log ran, in words (see [`Clock::span`]), and
    /// how long.
    pub fn when(&self, t: &Texts) -> Option<String> {
        let (start, end) = (self.started_ms?, self.ended_ms?);
        Some(t.text(
            "when",
            &[
                ("span", self.clock().span(t, start, end).into()),
                ("length", hms(t, end.saturating_sub(start)).into()),
            ],
        ))
    }

    /// The remote participation figures in two sentences, online entries
    /// only.
    pub fn remote_sentence(&self, t: &Texts) -> String {
        let q = self.online_questions;
        t.text(
            "remote-sentence",
            &[
                ("asked", q.asked.into()),
                ("forwarded", q.forwarded.into()),
                ("answered", q.answered.into()),
                ("merged", q.merged.into()),
                ("rejected", q.rejected.into()),
                ("withdrawn", q.withdrawn.into()),
            ],
        )
    }
}

/// The label of a breakdown's key in `t`'s language: the wire name as it
/// is when the vocabulary does not know it.
fn code_label<T: serde::de::DeserializeOwned>(
    t: &Texts,
    code: &str,
    label: fn(T) -> &'static str,
) -> String {
    labels::of_code(code, label).map_or_else(|| t.user(code), |id| t.word(id))
}

/// Formats milliseconds as `m:ss`.
pub(crate) fn mmss(ms: u64) -> String {
    let seconds = ms.div_ceil(1000);
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// Formats a length in words, e.g. `1 h 32 min`, `12 min 5 s`, `40 s`.
pub(crate) fn hms(t: &Texts, ms: u64) -> String {
    let seconds = ms.div_ceil(1000);
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let args = [("h", h.into()), ("m", m.into()), ("s", s.into())];
    let id = match (h, m) {
        (0, 0) => "duration-s",
        (0, _) if s == 0 => "duration-min",
        (0, _) => "duration-min-s",
        _ => "duration-h-min",
    };
    t.text(id, &args)
}

/// A person as one line: name, affiliation, stakeholder group, region.
pub(crate) fn describe_person(t: &Texts, p: &Person) -> String {
    let mut parts = vec![t.user(&p.name)];
    parts.extend(p.affiliation.as_deref().map(|a| t.user(a)));
    parts.extend(
        p.stakeholder_group
            .map(|g| t.word(labels::stakeholder_group(g))),
    );
    parts.extend(p.region.map(|r| t.word(labels::region(r))));
    t.list(&parts)
}
