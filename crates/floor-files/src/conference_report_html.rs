//! The event's participation report as one HTML page that prints on A4,
//! laid out as the session report's page is (its style, tables and
//! figures), with three bar charts drawn as SVG by `plotters`: the online
//! share of turns by day, by session type and by location.
//!
//! Each chart has one horizontal bar per group, from 0 to 100 %, labelled
//! beyond its end with the group, the share and the turns it counts
//! (`Salle XI: 40.0% (2/5)`); a group with no turn has no bar, and its
//! label says so. The same figures are in the table above each chart.

use std::fmt::Write as _;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::conference_report::{ConferenceReport, ShareRow};
use crate::conference_report_markdown::{
    SESSION_COLUMNS, SHARE_COLUMNS, TOTAL_COLUMNS, session_cells, share, share_cells, summary,
    total_rows,
};
use crate::report_html::{ChartError, ONLINE, STYLE, figure, named, table};
use crate::report_lang::{Form, Lang, Texts, escape};

/// The width of the chart's axis, in per cent: room beyond a full bar for
/// its label.
const AXIS_PCT: f64 = 160.0;

/// The sessions' table, thirteen columns wide, in a smaller type to fit
/// the page's width (it may run over pages).
const SESSIONS_STYLE: &str = "\
section.sessions { break-inside: auto; }
section.sessions table { font-size: 8pt; }
section.sessions th, section.sessions td { padding-inline: 2pt; }
section.sessions td:nth-child(2), section.sessions td:nth-child(3) { white-space: nowrap; }
";

/// A group's label in a chart (SVG text, which plotters escapes).
fn chart_label(t: &Texts, row: &ShareRow) -> String {
    let key = if row.key.is_empty() {
        t.word("not-given")
    } else {
        row.key.clone()
    };
    let figures = match row.online_turn_share_pct {
        Some(_) => format!(
            "{} ({}/{})",
            share(t, row.online_turn_share_pct),
            row.turns.online,
            row.turns.total()
        ),
        None => t.word("conf-no-turns"),
    };
    // SVG text holds no <bdi>: the key, a name people gave, is kept apart
    // between FSI and PDI.
    t.text(
        "conf-chart-bar",
        &[
            ("key", format!("\u{2068}{key}\u{2069}").into()),
            ("figures", figures.into()),
        ],
    )
}

/// The online share of turns of `rows`, as an SVG chart of horizontal
/// bars, the first row's at the top.
fn share_chart(rows: &[ShareRow], t: &Texts, name: &str) -> Result<String, ChartError> {
    let n = rows.len().max(1);
    let height = 56 + 28 * n as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .margin_right(24)
            .x_label_area_size(36)
            .y_label_area_size(12)
            .build_cartesian_2d(0f64..AXIS_PCT, 0f64..n as f64)?;
        let ticks = |x: &f64| {
            if *x <= 100.0 {
                format!("{x:.0}")
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .x_labels(9)
            .x_label_formatter(&ticks)
            .y_labels(0)
            .x_desc(t.word("conf-chart-x"))
            // Fixed sizes: plotters would scale them to the chart's
            // height, which grows with the number of bars.
            .label_style(("sans-serif", 12))
            .axis_desc_style(("sans-serif", 13))
            .draw()?;
        let style = ("sans-serif", 14)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, row) in rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let width = row.online_turn_share_pct.unwrap_or(0.0);
            if row.online_turn_share_pct.is_some() {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.2), (width.max(0.4), y + 0.8)],
                    ONLINE.filled(),
                )))?;
            }
            chart.draw_series(std::iter::once(Text::new(
                chart_label(t, row),
                (width + AXIS_PCT * 0.012, y + 0.5),
                style.clone(),
            )))?;
        }
        root.present()?;
    }
    Ok(named(svg, name))
}

impl ConferenceReport {
    /// The report as an HTML page with its three charts, laid out for A4,
    /// in English.
    pub fn html(&self) -> Result<String, ChartError> {
        self.html_in(Lang::En)
    }

    /// The report as an HTML page with its three charts, laid out for A4,
    /// in `lang` (`dir="rtl"` for Arabic; titles, types and locations in
    /// `<bdi>`).
    pub fn html_in(&self, lang: Lang) -> Result<String, ChartError> {
        let t = &Texts::new(lang, Form::Html);
        let w = |id: &str| t.word(id);
        let mut out = String::new();
        let title = w("conf-report-title");
        let _ = write!(
            out,
            "<!doctype html>\n<html lang=\"{}\" dir=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}{SESSIONS_STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<p>{}</p>\n",
            lang.code(),
            lang.dir(),
            escape(&title),
            escape(&title),
            summary(t, self)
        );
        let _ = write!(out, "<section><h2>{}</h2>", w("conf-heading-totals"));
        let rows = total_rows(t, self).into_iter().map(Vec::from).collect();
        table(&mut out, &TOTAL_COLUMNS.map(w), rows, true);
        out.push_str("</section>\n");
        for b in self.breakdowns() {
            let _ = write!(out, "<section><h2>{}</h2>", w(b.heading));
            let mut columns = vec![w(b.key)];
            columns.extend(SHARE_COLUMNS.map(w));
            let day = b.key == "conf-column-day";
            let rows = b
                .rows
                .iter()
                .map(|r| {
                    let mut cells = Vec::from(share_cells(t, r));
                    if let Some(key) = cells.first_mut().filter(|_| day) {
                        *key = format!("<span class=\"day\">{key}</span>");
                    }
                    cells
                })
                .collect();
            table(&mut out, &columns, rows, true);
            let caption = w(b.chart);
            figure(
                &mut out,
                t,
                &caption,
                &share_chart(b.rows, t, &caption)?,
                false,
            );
            out.push_str("</section>\n");
        }
        let _ = writeln!(
            out,
            "<section class=\"sessions\"><h2>{}</h2>",
            w("conf-heading-sessions")
        );
        if self.sessions.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", w("conf-no-sessions"));
        } else {
            let _ = writeln!(out, "<p>{}</p>", w("conf-times-note"));
            let rows = self
                .sessions
                .iter()
                .map(|r| Vec::from(session_cells(t, r)))
                .collect();
            table(&mut out, &SESSION_COLUMNS.map(w), rows, false);
        }
        out.push_str("</section>\n</main>\n</body>\n</html>\n");
        Ok(out)
    }
}
