//! The event's participation report in Markdown
//! ([`ConferenceReport::markdown_in`]), and what its human forms share:
//! the cells of its tables in one language.

use std::fmt::Write as _;

use crate::conference_report::{ConferenceReport, SessionRow, ShareRow};
use crate::report::{PerChannel, mmss};
use crate::report_lang::{Form, Lang, Texts};

/// A share in per cent in `t`'s words (`26.1%`), or `–` when there is
/// none.
pub(crate) fn share(t: &Texts, pct: Option<f64>) -> String {
    pct.map_or_else(
        || "–".to_owned(),
        |v| t.text("percent", &[("pct", t.decimal(v).into())]),
    )
}

/// A breakdown's key as people read it: user content, or "Not given" for
/// the empty type.
pub(crate) fn key_label(t: &Texts, key: &str) -> String {
    if key.is_empty() {
        t.word("not-given")
    } else {
        t.user(key)
    }
}

/// The column titles' message ids of [`session_cells`].
pub(crate) const SESSION_COLUMNS: [&str; 13] = [
    "conf-column-session",
    "conf-column-day",
    "conf-column-time",
    "conf-column-kind",
    "conf-column-location",
    "column-requests-onsite",
    "column-requests-online",
    "column-turns-onsite",
    "column-turns-online",
    "conf-column-online-share",
    "conf-column-median-wait-onsite",
    "conf-column-median-wait-online",
    "conf-column-audience",
];

/// How many of [`SESSION_COLUMNS`], from the first, hold words; the
/// others hold figures.
pub(crate) const SESSION_TEXT_COLUMNS: usize = 5;

/// A session's row in `t`'s form: its title, day and local times, type,
/// location, then its figures.
pub(crate) fn session_cells(t: &Texts, row: &SessionRow) -> [String; 13] {
    let clock = row.clock();
    let wait = |ms: Option<u64>| ms.map_or_else(|| "–".to_owned(), mmss);
    [
        t.user(&row.title),
        row.day.clone(),
        format!(
            "{}–{}",
            clock.time(t, row.starts_at_ms),
            clock.time(t, row.ends_at_ms)
        ),
        key_label(t, &row.kind),
        t.user(&row.location),
        row.requests.onsite.to_string(),
        row.requests.online.to_string(),
        row.turns.onsite.to_string(),
        row.turns.online.to_string(),
        share(t, row.online_turn_share_pct),
        wait(row.median_wait_onsite_ms),
        wait(row.median_wait_online_ms),
        row.remote_audience_peak
            .map_or_else(|| "–".to_owned(), |p| p.to_string()),
    ]
}

/// The column titles' message ids of [`share_cells`], after the key's.
pub(crate) const SHARE_COLUMNS: [&str; 4] = [
    "conf-column-sessions",
    "column-turns-onsite",
    "column-turns-online",
    "conf-column-online-share",
];

/// A breakdown's row in `t`'s form: its key, its sessions, its turns per
/// channel and their online share.
pub(crate) fn share_cells(t: &Texts, row: &ShareRow) -> [String; 5] {
    [
        key_label(t, &row.key),
        row.sessions.to_string(),
        row.turns.onsite.to_string(),
        row.turns.online.to_string(),
        share(t, row.online_turn_share_pct),
    ]
}

/// The totals' rows (requests, turns) in `t`'s form, under
/// [`TOTAL_COLUMNS`].
pub(crate) fn total_rows(t: &Texts, report: &ConferenceReport) -> Vec<[String; 4]> {
    let row = |name: &str, c: PerChannel| {
        [
            t.word(name),
            c.onsite.to_string(),
            c.online.to_string(),
            c.total().to_string(),
        ]
    };
    let totals = &report.totals;
    vec![
        row("row-requests", totals.requests),
        row("row-turns", totals.turns),
    ]
}

/// The column titles' message ids of [`total_rows`].
pub(crate) const TOTAL_COLUMNS: [&str; 4] = [
    "column-figure",
    "channel-onsite",
    "channel-online",
    "column-total",
];

/// The sentence under the totals: how many sessions, how many gave a
/// turn, and online's share of the turns.
pub(crate) fn summary(t: &Texts, report: &ConferenceReport) -> String {
    let totals = &report.totals;
    t.text(
        "conf-summary",
        &[
            ("sessions", totals.sessions.into()),
            ("with_turns", totals.sessions_with_turns.into()),
            ("share", share(t, totals.online_turn_share_pct).into()),
        ],
    )
}

/// A cell's text that keeps a Markdown table's shape: pipes escaped, on
/// one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// A Markdown table of `rows` under `columns`, the first `text` columns
/// holding words and the others figures (aligned to the end).
fn table<const N: usize>(
    out: &mut String,
    columns: [String; N],
    rows: Vec<[String; N]>,
    text: usize,
) {
    let columns: Vec<String> = columns.iter().map(|c| cell(c)).collect();
    let _ = writeln!(out, "| {} |", columns.join(" | "));
    let rule: String = (0..N)
        .map(|i| if i < text { " --- |" } else { " ---: |" })
        .collect();
    let _ = writeln!(out, "|{rule}");
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}

impl ConferenceReport {
    /// The report as Markdown, in English.
    pub fn markdown(&self) -> String {
        self.markdown_in(Lang::En)
    }

    /// The report as Markdown, in `lang` (titles, types and locations
    /// between isolation marks).
    pub fn markdown_in(&self, lang: Lang) -> String {
        let t = &Texts::new(lang, Form::Text);
        let w = |id: &str| t.word(id);
        let mut out = String::new();
        let _ = writeln!(out, "# {}\n", w("conf-report-title"));
        let _ = writeln!(out, "{}\n", summary(t, self));
        let _ = writeln!(out, "## {}\n", w("conf-heading-totals"));
        table(&mut out, TOTAL_COLUMNS.map(w), total_rows(t, self), 1);
        for b in self.breakdowns() {
            let _ = writeln!(out, "\n## {}\n", w(b.heading));
            let [s, on, off, pct] = SHARE_COLUMNS.map(w);
            let rows = b.rows.iter().map(|r| share_cells(t, r)).collect();
            table(&mut out, [w(b.key), s, on, off, pct], rows, 1);
        }
        let _ = writeln!(out, "\n## {}\n", w("conf-heading-sessions"));
        if self.sessions.is_empty() {
            let _ = writeln!(out, "{}", w("conf-no-sessions"));
        } else {
            let _ = writeln!(out, "{}\n", w("conf-times-note"));
            let rows = self.sessions.iter().map(|r| session_cells(t, r)).collect();
            table(&mut out, SESSION_COLUMNS.map(w), rows, SESSION_TEXT_COLUMNS);
        }
        out
    }
}
