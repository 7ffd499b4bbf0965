//! The session report in Markdown: [`Report::markdown`], and the gender
//! figures in a sentence ([`Genders::sentence`]).

use floor_protocol::Person;

use crate::report::{Genders, Report, describe_person, label, mmss};

fn opt_mmss(ms: Option<u64>) -> String {
    ms.map_or_else(|| "–".to_owned(), mmss)
}

impl Genders {
    /// The figures in a sentence, e.g. "Declared with 12 of 20 requests:
    /// another: fewer than 5, man: 5 or more (hidden), ..."
    pub fn sentence(&self) -> String {
        if self.withheld {
            return format!(
                "Not published: with {} requests, any figure would let a count below {} be worked out.",
                self.requests, self.threshold
            );
        }
        let rows = self.rows();
        let counts: Vec<String> = rows
            .iter()
            .filter(|(name, _)| name != "total" && name != "not given")
            .map(|(g, n)| format!("{}: {n}", g.replace('_', "-")))
            .collect();
        format!(
            "Declared with {} of {} requests: {}; not given: {}. Totals only, no one is named, and no count below {} is published.",
            self.shown("declared_total", self.declared_total),
            self.requests,
            counts.join(", "),
            self.shown("not_given", self.not_given),
            self.threshold
        )
    }
}

impl Report {
    /// The session's people named by the run of show, with their role.
    pub fn people(&self) -> Vec<(&'static str, &Person)> {
        [
            ("Chair", &self.chair),
            ("Online moderator", &self.online_moderator),
            ("Rapporteur", &self.rapporteur),
        ]
        .into_iter()
        .filter_map(|(role, p)| Some((role, p.as_ref()?)))
        .collect()
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(out, "# Session report: {}\n", self.title);
        if let (Some(start), Some(end)) = (self.started_ms, self.ended_ms) {
            let _ = writeln!(
                out,
                "Log from {start} to {end} (ms since the Unix epoch), {} long.\n",
                mmss(end.saturating_sub(start))
            );
        }
        let people = self.people();
        if !people.is_empty() {
            let _ = writeln!(out, "## The session\n");
            for (role, p) in people {
                let _ = writeln!(out, "- {role}: {}", describe_person(p));
            }
            out.push('\n');
        }
        if !self.speakers.is_empty() {
            let _ = writeln!(
                out,
                "## Speakers\n\n| name | affiliation | stakeholder group | region |\n| --- | --- | --- | --- |"
            );
            for p in &self.speakers {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    p.name,
                    p.affiliation.as_deref().unwrap_or("–"),
                    label(p.stakeholder_group),
                    label(p.region)
                );
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "## Requests and turns\n\n| | onsite | online | total |\n| --- | ---: | ---: | ---: |"
        );
        for (name, c) in [("requests", self.requests), ("turns", self.turns)] {
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {} |",
                c.onsite,
                c.online,
                c.total()
            );
        }
        for (title, requests, turns) in self.breakdowns() {
            let _ = writeln!(
                out,
                "\n### {title}\n\n| | requests onsite | requests online | turns onsite | turns online |\n| --- | ---: | ---: | ---: | ---: |"
            );
            for (key, r) in requests {
                let t = turns.get(key).copied().unwrap_or_default();
                let _ = writeln!(
                    out,
                    "| {key} | {} | {} | {} | {} |",
                    r.onsite, r.online, t.onsite, t.online
                );
            }
        }
        let q = self.online_questions;
        let _ = writeln!(
            out,
            "\n## Remote participation\n\nOnline questions asked: {}; forwarded to the queue: {}; answered: {}.\nMerged as duplicates: {}; rejected: {}; withdrawn: {}.\n",
            q.asked, q.forwarded, q.answered, self.merged, self.rejected, self.withdrawn
        );
        let _ = writeln!(out, "## Participants\n");
        match self.attendance_peak {
            Some(peak) => {
                let _ = writeln!(
                    out,
                    "Participant pages connected at the peak: {} in the room, {} online (each channel's own peak).",
                    peak.onsite, peak.online
                );
            }
            None => {
                let _ = writeln!(out, "No participant page connected.");
            }
        }
        if let Some(peak) = self.remote_audience_peak {
            let _ = writeln!(
                out,
                "Remote audience (largest count entered by the online moderator): {peak}."
            );
        }
        let _ = writeln!(
            out,
            "\n### Gender (self-declared)\n\n{}\n",
            self.genders.sentence()
        );
        let _ = writeln!(
            out,
            "## Waiting and speaking time\n\n| | onsite | online |\n| --- | ---: | ---: |"
        );
        let (on, off) = (self.waiting_onsite, self.waiting_online);
        let _ = writeln!(
            out,
            "| turns from the queue | {} | {} |",
            on.count, off.count
        );
        let _ = writeln!(
            out,
            "| median wait | {} | {} |",
            opt_mmss(on.median_ms),
            opt_mmss(off.median_ms)
        );
        let _ = writeln!(
            out,
            "| 90th percentile wait | {} | {} |",
            opt_mmss(on.p90_ms),
            opt_mmss(off.p90_ms)
        );
        let _ = writeln!(
            out,
            "| speaking time | {} | {} |",
            mmss(self.speaking_ms.onsite),
            mmss(self.speaking_ms.online)
        );
        if let Some(share) = self.online_speaking_share_pct {
            let _ = writeln!(
                out,
                "| share of speaking time | {:.1}% | {:.1}% |",
                100.0 - share,
                share
            );
        }
        let _ = writeln!(out, "\n## Chair overrides\n");
        if self.overrides.is_empty() {
            let _ = writeln!(out, "None: every turn followed the fairness policy.");
        } else {
            let start = self.started_ms.unwrap_or(0);
            for o in &self.overrides {
                let _ = writeln!(out, "- {}", o.describe(start));
            }
        }
        out
    }
}
