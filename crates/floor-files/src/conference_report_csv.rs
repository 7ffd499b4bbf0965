//! The event's participation report as CSV, written by the `csv` crate:
//! one row per session, under a fixed English header, each cell made safe
//! for spreadsheets as the session report's are (a title that starts with
//! `=` is written with a `'` in front).
//!
//! Columns: `id,title,type,location,time_zone,day,start,end,`
//! `requests_onsite,requests_online,turns_onsite,turns_online,`
//! `online_turn_share_pct,median_wait_onsite_ms,median_wait_online_ms,`
//! `remote_audience_peak`. `day`, `start` and `end` are local to the
//! session's time zone (`2026-12-02`, `14:05`); a share has one decimal;
//! a figure that has no value is an empty cell.

use crate::conference_report::{ConferenceReport, SessionRow};
use crate::report_csv::neutral;
use crate::report_lang::{Form, Lang, Texts};

/// The header's cells.
pub(crate) const CSV_HEADER: [&str; 16] = [
    "id",
    "title",
    "type",
    "location",
    "time_zone",
    "day",
    "start",
    "end",
    "requests_onsite",
    "requests_online",
    "turns_onsite",
    "turns_online",
    "online_turn_share_pct",
    "median_wait_onsite_ms",
    "median_wait_online_ms",
    "remote_audience_peak",
];

fn cells(t: &Texts, row: &SessionRow) -> [String; 16] {
    let clock = row.clock();
    let opt = |v: Option<u64>| v.map_or_else(String::new, |v| v.to_string());
    [
        row.id.clone(),
        row.title.clone(),
        row.kind.clone(),
        row.location.clone(),
        row.time_zone.clone(),
        row.day.clone(),
        clock.time(t, row.starts_at_ms),
        clock.time(t, row.ends_at_ms),
        row.requests.onsite.to_string(),
        row.requests.online.to_string(),
        row.turns.onsite.to_string(),
        row.turns.online.to_string(),
        row.online_turn_share_pct
            .map_or_else(String::new, |v| format!("{v:.1}")),
        opt(row.median_wait_onsite_ms),
        opt(row.median_wait_online_ms),
        opt(row.remote_audience_peak.map(u64::from)),
    ]
}

impl ConferenceReport {
    /// The report as CSV: a header, then one row per session, every cell
    /// safe to open in a spreadsheet.
    pub fn csv(&self) -> String {
        // The words are English's only for a time that cannot be written,
        // which a programme's time never is.
        let t = Texts::new(Lang::En, Form::Text);
        let mut writer = csv::Writer::from_writer(Vec::new());
        // Writing to memory fails only on an I/O error, which a Vec never
        // gives.
        let _ = writer.write_record(CSV_HEADER);
        for row in &self.sessions {
            let _ = writer.write_record(cells(&t, row).iter().map(|c| neutral(c).into_owned()));
        }
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}
