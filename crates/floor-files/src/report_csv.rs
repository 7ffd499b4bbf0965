//! The session report as CSV, written by the `csv` crate: one row per
//! figure (`section,item,onsite,online,total`; a figure that is not per
//! channel has only its total).
//!
//! Names come from participants, and a spreadsheet runs a cell that starts
//! with `=`, `+`, `-` or `@` as a formula (CSV injection): such a cell, or
//! one that starts with a tab or a carriage return, or with one of those
//! signs after leading blanks, is written with a `'` in front, which
//! spreadsheets show as text.

use std::borrow::Cow;

use crate::report::{Origin, PerChannel, Report};

/// A cell a spreadsheet will not run: `'` in front of one that could be
/// read as a formula.
pub(crate) fn neutral(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['\t', '\r'])
        || cell
            .trim_start()
            .starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The rows of the report, each of five cells.
fn rows(report: &Report) -> Vec<[String; 5]> {
    let n = |v: u64| v.to_string();
    let blank = String::new;
    let mut rows = vec![["section", "item", "onsite", "online", "total"].map(str::to_owned)];
    let per_channel = |section: &str, item: &str, c: PerChannel| {
        [
            section.to_owned(),
            item.to_owned(),
            n(c.onsite),
            n(c.online),
            n(c.total()),
        ]
    };
    rows.push(per_channel("requests", "all", report.requests));
    rows.push(per_channel("turns", "all", report.turns));
    for origin in Origin::ALL {
        let count = report.requests_by_origin.get(origin);
        rows.push([
            "requests by origin".into(),
            origin.key().into(),
            blank(),
            blank(),
            n(count),
        ]);
    }
    for (section, map) in [
        ("requests by kind", &report.requests_by_kind),
        ("turns by kind", &report.turns_by_kind),
        ("requests by stakeholder group", &report.requests_by_group),
        ("turns by stakeholder group", &report.turns_by_group),
        ("requests by region", &report.requests_by_region),
        ("turns by region", &report.turns_by_region),
    ] {
        for (key, c) in map {
            rows.push(per_channel(section, key, *c));
        }
    }
    rows.push(per_channel("speaking ms", "all", report.speaking_ms));
    let ms = |v: Option<u64>| v.map_or_else(String::new, n);
    for (item, onsite, online) in [
        (
            "median",
            report.waiting_onsite.median_ms,
            report.waiting_online.median_ms,
        ),
        (
            "p90",
            report.waiting_onsite.p90_ms,
            report.waiting_online.p90_ms,
        ),
    ] {
        rows.push([
            "waiting ms".into(),
            item.into(),
            ms(onsite),
            ms(online),
            blank(),
        ]);
    }
    let q = report.online_questions;
    for (item, count) in [
        ("asked", q.asked),
        ("forwarded", q.forwarded),
        ("answered", q.answered),
    ] {
        rows.push([
            "online questions".into(),
            item.into(),
            blank(),
            n(count),
            n(count),
        ]);
    }
    for (item, count) in [
        ("merged", report.merged),
        ("rejected", report.rejected),
        ("withdrawn", report.withdrawn),
    ] {
        rows.push(["entries".into(), item.into(), blank(), blank(), n(count)]);
    }
    if let Some(peak) = report.remote_audience_peak {
        let peak = u64::from(peak);
        rows.push([
            "remote audience".into(),
            "peak".into(),
            blank(),
            n(peak),
            n(peak),
        ]);
    }
    if let Some(peak) = report.attendance_peak {
        rows.push([
            "participant pages".into(),
            "peak".into(),
            n(peak.onsite),
            n(peak.online),
            blank(),
        ]);
    }
    if report.genders.withheld {
        rows.push([
            "gender declared".into(),
            "not published".into(),
            blank(),
            blank(),
            blank(),
        ]);
    } else {
        for (item, shown) in report.genders.wire_rows() {
            rows.push(["gender declared".into(), item, blank(), blank(), shown]);
        }
    }
    for o in &report.overrides {
        rows.push([
            "overrides".into(),
            format!("{} {} ({})", o.action, o.name, o.channel.as_str()),
            blank(),
            blank(),
            n(1),
        ]);
    }
    rows
}

impl Report {
    /// The report as CSV: one row per figure
    /// (`section,item,onsite,online,total`; a figure that is not per
    /// channel has only its total), every cell safe to open in a
    /// spreadsheet.
    pub fn csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for row in rows(self) {
            // Writing to memory fails only on an I/O error, which a Vec
            // never gives.
            let _ = writer.write_record(row.iter().map(|cell| neutral(cell).into_owned()));
        }
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::neutral;

    #[test]
    fn cells_a_spreadsheet_could_run_are_made_text() {
        for risky in [
            "=2+5",
            "+1",
            "-1",
            "@SUM(A1)",
            "  =HYPERLINK(\"x\")",
            "\t=1",
            "\r=1",
            "\tname",
        ] {
            assert_eq!(neutral(risky), format!("'{risky}"), "{risky:?}");
        }
        for plain in ["Amina Diallo", "12", "x=1", "pin Bo (onsite)", ""] {
            assert_eq!(neutral(plain), plain);
        }
    }
}
