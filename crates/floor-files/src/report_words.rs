//! The report in words, shared by its human forms: the breakdowns with
//! their labels, when the session ran, the remote participation
//! sentence, lengths and people as text.

use std::collections::BTreeMap;

use floor_protocol::Person;

use crate::labels;
use crate::report::{PerChannel, Report};
use crate::report_time::Clock;

/// One of the report's breakdowns of requests and turns.
#[derive(Debug, Clone, Copy)]
pub struct Breakdown<'a> {
    /// Its title, e.g. `By region`.
    pub title: &'static str,
    /// What its keys are, e.g. `Region`.
    pub key: &'static str,
    /// Requests, per key.
    pub requests: &'a BTreeMap<String, PerChannel>,
    /// Turns, per key.
    pub turns: &'a BTreeMap<String, PerChannel>,
    /// The label people read for a key (see [`labels`]).
    pub label: fn(&str) -> String,
}

impl Report {
    /// The requests and turns by kind, by stakeholder group and by
    /// region, each with its title and its labels, as every form of the
    /// report lists them.
    pub fn breakdowns(&self) -> [Breakdown<'_>; 3] {
        [
            Breakdown {
                title: "By kind",
                key: "Kind",
                requests: &self.requests_by_kind,
                turns: &self.turns_by_kind,
                label: |code| labels::of_code(code, labels::kind),
            },
            Breakdown {
                title: "By stakeholder group",
                key: "Stakeholder group",
                requests: &self.requests_by_group,
                turns: &self.turns_by_group,
                label: |code| labels::of_code(code, labels::stakeholder_group),
            },
            Breakdown {
                title: "By region",
                key: "Region",
                requests: &self.requests_by_region,
                turns: &self.turns_by_region,
                label: |code| labels::of_code(code, labels::region),
            },
        ]
    }

    /// The clock of the session's time zone, for the human forms.
    pub fn clock(&self) -> Clock {
        Clock::new(&self.time_zone)
    }

    /// When the session's log ran, in words (see [`Clock::span`]), and
    /// how long.
    pub fn when(&self) -> Option<String> {
        let (start, end) = (self.started_ms?, self.ended_ms?);
        Some(format!(
            "{}; {} long",
            self.clock().span(start, end),
            hms(end.saturating_sub(start))
        ))
    }

    /// The remote participation figures in two sentences, online entries
    /// only.
    pub fn remote_sentence(&self) -> String {
        let q = self.online_questions;
        format!(
            "Online questions asked: {}; forwarded to the queue: {}; answered: {}. \
             Online requests merged as duplicates: {}; rejected: {}; withdrawn: {}.",
            q.asked, q.forwarded, q.answered, q.merged, q.rejected, q.withdrawn
        )
    }
}

/// Formats milliseconds as `m:ss`.
pub(crate) fn mmss(ms: u64) -> String {
    let seconds = ms.div_ceil(1000);
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// Formats a length in words: `1 h 32 min`, `12 min 5 s`, `40 s`.
pub(crate) fn hms(ms: u64) -> String {
    let seconds = ms.div_ceil(1000);
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) if s == 0 => format!("{m} min"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min"),
    }
}

/// A person as one line: name, affiliation, stakeholder group, region.
pub(crate) fn describe_person(p: &Person) -> String {
    let mut parts = vec![p.name.clone()];
    parts.extend(p.affiliation.clone());
    parts.extend(
        p.stakeholder_group
            .map(|g| labels::stakeholder_group(g).to_owned()),
    );
    parts.extend(p.region.map(|r| labels::region(r).to_owned()));
    parts.join(", ")
}
