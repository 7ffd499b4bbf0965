//! The session report in Markdown: [`Report::markdown`], and what its
//! human forms share (the people, the speakers' rows).

use floor_protocol::Person;

use crate::labels;
use crate::report::{Question, Report, describe_person, mmss};

fn opt_mmss(ms: Option<u64>) -> String {
    ms.map_or_else(|| "–".to_owned(), mmss)
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

    /// The column titles of [`Report::speaker_rows`].
    pub const SPEAKER_COLUMNS: [&'static str; 4] =
        ["Name", "Affiliation", "Stakeholder group", "Region"];

    /// The presenters, one row each, with labels for their group and
    /// region.
    pub fn speaker_rows(&self) -> Vec<[String; 4]> {
        self.speakers
            .iter()
            .map(|p| {
                [
                    p.name.clone(),
                    p.affiliation.clone().unwrap_or_else(|| "–".to_owned()),
                    labels::or_not_given(p.stakeholder_group, labels::stakeholder_group).to_owned(),
                    labels::or_not_given(p.region, labels::region).to_owned(),
                ]
            })
            .collect()
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(out, "# Session report: {}\n", self.title);
        if let Some(when) = self.when() {
            let _ = writeln!(out, "{when}.\n");
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
            let _ = writeln!(out, "## Speakers\n");
            table(&mut out, &Report::SPEAKER_COLUMNS, self.speaker_rows());
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "## Requests and turns\n\n| figure | onsite | online | total |\n| --- | ---: | ---: | ---: |"
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
        for b in self.breakdowns() {
            let _ = writeln!(
                out,
                "\n### {}\n\n| {} | requests onsite | requests online | turns onsite | turns online |\n| --- | ---: | ---: | ---: | ---: |",
                b.title,
                b.key.to_lowercase()
            );
            for (key, r) in b.requests {
                let t = b.turns.get(key).copied().unwrap_or_default();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    cell(&(b.label)(key)),
                    r.onsite,
                    r.online,
                    t.onsite,
                    t.online
                );
            }
        }
        let _ = writeln!(
            out,
            "\n## Remote participation\n\n{}\n",
            self.remote_sentence()
        );
        let _ = writeln!(out, "## Questions and what became of them\n");
        if self.questions.is_empty() {
            let _ = writeln!(out, "No one asked for the floor.\n");
        } else {
            let clock = self.clock();
            let rows = self.questions.iter().map(|q| q.cells(&clock)).collect();
            table(&mut out, &Question::COLUMNS, rows);
            out.push('\n');
        }
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
            "## Waiting and speaking time\n\n| figure | onsite | online |\n| --- | ---: | ---: |"
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
            let clock = self.clock();
            for o in &self.overrides {
                let _ = writeln!(out, "- {}", o.describe(&clock, start));
            }
        }
        out
    }
}

/// A cell's text that keeps a Markdown table's shape: pipes escaped, on
/// one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// A Markdown table of `rows` under `columns`.
fn table<const N: usize>(out: &mut String, columns: &[&str; N], rows: Vec<[String; N]>) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "| {} |", columns.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(N));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}
