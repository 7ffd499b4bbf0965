//! The session report in Markdown: [`Report::markdown_in`], and what its
//! human forms share (the people, the speakers' rows).

use floor_protocol::Person;

use crate::labels;
use crate::report::{Question, Report, describe_person, mmss};
use crate::report_lang::{Form, Lang, Texts};

fn opt_mmss(ms: Option<u64>) -> String {
    ms.map_or_else(|| "–".to_owned(), mmss)
}

impl Report {
    /// The session's people named by the run of show, with the message
    /// id of their role.
    pub fn people(&self) -> Vec<(&'static str, &Person)> {
        [
            ("role-chair", &self.chair),
            ("role-online-moderator", &self.online_moderator),
            ("role-rapporteur", &self.rapporteur),
        ]
        .into_iter()
        .filter_map(|(role, p)| Some((role, p.as_ref()?)))
        .collect()
    }

    /// The message ids of the column titles of [`Report::speaker_rows`].
    pub const SPEAKER_COLUMNS: [&'static str; 4] = [
        "column-name",
        "column-affiliation",
        "column-group",
        "column-region",
    ];

    /// The presenters, one row each in `t`'s form, with labels for their
    /// group and region.
    pub fn speaker_rows(&self, t: &Texts) -> Vec<[String; 4]> {
        self.speakers
            .iter()
            .map(|p| {
                [
                    t.user(&p.name),
                    p.affiliation
                        .as_deref()
                        .map_or_else(|| "–".to_owned(), |a| t.user(a)),
                    t.word(labels::or_not_given(
                        p.stakeholder_group,
                        labels::stakeholder_group,
                    )),
                    t.word(labels::or_not_given(p.region, labels::region)),
                ]
            })
            .collect()
    }

    /// The report as Markdown, in English.
    pub fn markdown(&self) -> String {
        self.markdown_in(Lang::En)
    }

    /// The report as Markdown, in `lang`.
    pub fn markdown_in(&self, lang: Lang) -> String {
        self.render_markdown(&Texts::new(lang, Form::Text))
    }

    fn render_markdown(&self, t: &Texts) -> String {
        use std::fmt::Write as _;
        let w = |id: &str| t.word(id);
        let mut out = String::new();
        let title = t.text("report-title", &[("title", t.user(&self.title).into())]);
        let _ = writeln!(out, "# {title}\n");
        if let Some(when) = self.when(t) {
            let _ = writeln!(out, "{when}\n");
        }
        let people = self.people();
        if !people.is_empty() {
            let _ = writeln!(out, "## {}\n", w("heading-session"));
            for (role, p) in people {
                let line = t.text(
                    "person-role",
                    &[
                        ("role", w(role).into()),
                        ("person", describe_person(t, p).into()),
                    ],
                );
                let _ = writeln!(out, "- {line}");
            }
            out.push('\n');
        }
        if !self.speakers.is_empty() {
            let _ = writeln!(out, "## {}\n", w("heading-speakers"));
            table(
                &mut out,
                &Report::SPEAKER_COLUMNS.map(w),
                self.speaker_rows(t),
            );
            out.push('\n');
        }
        let _ = writeln!(out, "## {}\n", w("heading-requests-turns"));
        let columns = [
            "column-figure",
            "channel-onsite",
            "channel-online",
            "column-total",
        ]
        .map(w);
        let rows = [("row-requests", self.requests), ("row-turns", self.turns)]
            .map(|(name, c)| {
                [
                    w(name),
                    c.onsite.to_string(),
                    c.online.to_string(),
                    c.total().to_string(),
                ]
            })
            .to_vec();
        numeric_table(&mut out, &columns, rows);
        let _ = writeln!(out, "\n{}", self.requests_by_origin.sentence(t));
        for b in self.breakdowns() {
            let _ = writeln!(out, "\n### {}\n", w(b.title));
            let columns = [
                b.key,
                "column-requests-onsite",
                "column-requests-online",
                "column-turns-onsite",
                "column-turns-online",
            ]
            .map(w);
            let rows = b
                .requests
                .iter()
                .map(|(key, r)| {
                    let turns = b.turns.get(key).copied().unwrap_or_default();
                    [
                        (b.label)(t, key),
                        r.onsite.to_string(),
                        r.online.to_string(),
                        turns.onsite.to_string(),
                        turns.online.to_string(),
                    ]
                })
                .collect();
            numeric_table(&mut out, &columns, rows);
        }
        let _ = writeln!(
            out,
            "\n## {}\n\n{}\n",
            w("heading-remote"),
            self.remote_sentence(t)
        );
        let _ = writeln!(out, "## {}\n", w("heading-questions"));
        if self.questions.is_empty() {
            let _ = writeln!(out, "{}\n", w("no-requests"));
        } else {
            let clock = self.clock();
            let rows = self.questions.iter().map(|q| q.cells(t, &clock)).collect();
            table(&mut out, &Question::COLUMNS.map(w), rows);
            out.push('\n');
        }
        let _ = writeln!(out, "## {}\n", w("heading-participants"));
        let _ = writeln!(out, "{}", self.attendance(t));
        if let Some(peak) = self.remote_audience_peak {
            let _ = writeln!(
                out,
                "{}",
                t.text("remote-audience", &[("peak", peak.into())])
            );
        }
        let _ = writeln!(
            out,
            "\n### {}\n\n{}\n",
            w("heading-gender"),
            self.genders.sentence(t)
        );
        let _ = writeln!(out, "## {}\n", w("heading-waiting"));
        let columns = ["column-figure", "channel-onsite", "channel-online"].map(w);
        let (on, off) = (self.waiting_onsite, self.waiting_online);
        let mut rows = vec![
            [
                w("row-turns-from-queue"),
                on.count.to_string(),
                off.count.to_string(),
            ],
            [
                w("row-median-wait"),
                opt_mmss(on.median_ms),
                opt_mmss(off.median_ms),
            ],
            [w("row-p90-wait"), opt_mmss(on.p90_ms), opt_mmss(off.p90_ms)],
            [
                w("row-speaking-time"),
                mmss(self.speaking_ms.onsite),
                mmss(self.speaking_ms.online),
            ],
        ];
        if let Some(share) = self.online_speaking_share_pct {
            let pct = |v: f64| t.text("percent", &[("pct", t.decimal(v).into())]);
            rows.push([w("row-speaking-share"), pct(100.0 - share), pct(share)]);
        }
        numeric_table(&mut out, &columns, rows);
        let _ = writeln!(out, "\n## {}\n", w("heading-overrides"));
        if self.overrides.is_empty() {
            let _ = writeln!(out, "{}", w("overrides-none"));
        } else {
            let start = self.started_ms.unwrap_or(0);
            let clock = self.clock();
            for o in &self.overrides {
                let _ = writeln!(out, "- {}", o.describe(t, &clock, start));
            }
        }
        out
    }

    /// The participant pages' peak, in a sentence.
    pub(crate) fn attendance(&self, t: &Texts) -> String {
        match self.attendance_peak {
            Some(peak) => t.text(
                "attendance-peak",
                &[
                    ("onsite", peak.onsite.into()),
                    ("online", peak.online.into()),
                ],
            ),
            None => t.word("attendance-none"),
        }
    }
}

/// A cell's text that keeps a Markdown table's shape: pipes escaped, on
/// one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// A Markdown table of `rows` under `columns`.
fn table<const N: usize>(out: &mut String, columns: &[String; N], rows: Vec<[String; N]>) {
    rows_under(out, columns, rows, " --- |".repeat(N));
}

/// A Markdown table whose columns after the first hold figures, aligned
/// to the end.
fn numeric_table<const N: usize>(out: &mut String, columns: &[String; N], rows: Vec<[String; N]>) {
    let rule = format!(" --- |{}", " ---: |".repeat(N.saturating_sub(1)));
    rows_under(out, columns, rows, rule);
}

fn rows_under<const N: usize>(
    out: &mut String,
    columns: &[String; N],
    rows: Vec<[String; N]>,
    rule: String,
) {
    use std::fmt::Write as _;
    let columns: Vec<String> = columns.iter().map(|c| cell(c)).collect();
    let _ = writeln!(out, "| {} |", columns.join(" | "));
    let _ = writeln!(out, "|{rule}");
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}
