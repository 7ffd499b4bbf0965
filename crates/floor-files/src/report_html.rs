//! The session report as one HTML page that prints on A4, with two charts
//! drawn as SVG by `plotters`: the queue's length per channel over the
//! session, and the speaking time per channel.
//!
//! The page is one `<main>` with headings in order; every table has a
//! header in each column and a header for each row. A chart's legend is
//! HTML under its plot, never inside it, and a bar's label sits beyond the
//! bar's end, so neither can cover what is drawn.

use std::fmt::Write as _;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::{PerChannel, QueuePoint, Report, mmss};
use crate::report_time::Clock;

/// Why a chart of the report could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("a chart could not be drawn: {0}")]
pub struct ChartError(#[from] DrawingAreaErrorKind<std::io::Error>);

const ONSITE: RGBColor = RGBColor(0, 107, 60);
const ONLINE: RGBColor = RGBColor(29, 78, 168);

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An HTML table: a header per column, the first cell of each row its
/// header; with `numeric`, every column after the first holds figures.
fn table(out: &mut String, columns: &[&str], rows: Vec<Vec<String>>, numeric: bool) {
    let n = if numeric { " class=\"n\"" } else { "" };
    out.push_str("<table><thead><tr>");
    for (i, c) in columns.iter().enumerate() {
        let class = if i > 0 { n } else { "" };
        let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", escape(c));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{}</th>", escape(cell));
            } else {
                let _ = write!(out, "<td{n}>{}</td>", escape(cell));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// A chart's SVG made an image with a name for assistive technology.
fn named(svg: String, name: &str) -> String {
    svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", escape(name)),
        1,
    )
}

/// A chart in its figure: the caption, the SVG, the legend under it.
fn figure(out: &mut String, caption: &str, svg: &str, legend: bool) {
    let _ = write!(
        out,
        "<figure><figcaption>{}</figcaption>{svg}",
        escape(caption)
    );
    if legend {
        let _ = write!(
            out,
            "<ul class=\"legend\"><li><span class=\"swatch\" style=\"background:{}\"></span>Onsite</li><li><span class=\"swatch\" style=\"background:{}\"></span>Online</li></ul>",
            hex(ONSITE),
            hex(ONLINE)
        );
    }
    out.push_str("</figure>\n");
}

fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The queue's length per channel over the session, as SVG, its time
/// axis in the session's time zone.
fn queue_chart(report: &Report, clock: &Clock) -> Result<String, ChartError> {
    let start = report.started_ms.unwrap_or(0);
    let end = report.ended_ms.unwrap_or(start).max(start + 60_000);
    let span = (end - start) as f64 / 60_000.0;
    let top = report
        .queue
        .iter()
        .map(|p| p.onsite.max(p.online))
        .max()
        .unwrap_or(0)
        .max(1)
        + 1;
    let at = |x: &f64| clock.time(start + (x * 60_000.0) as u64);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 240)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .margin_right(24)
            .x_label_area_size(36)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..span, 0u64..top)?;
        chart
            .configure_mesh()
            .x_desc(format!("time of day ({})", clock.zone(start)))
            .y_desc("waiting")
            .x_label_formatter(&at)
            .x_labels(7)
            .disable_x_mesh()
            .draw()?;
        for (color, pick) in [
            (
                ONSITE,
                (|p: &QueuePoint| p.onsite) as fn(&QueuePoint) -> u64,
            ),
            (ONLINE, |p: &QueuePoint| p.online),
        ] {
            // A step line: the count holds until the next change.
            let mut points = vec![(0.0, 0u64)];
            for p in &report.queue {
                let x = p.at_ms.saturating_sub(start) as f64 / 60_000.0;
                let previous = points.last().map_or(0, |&(_, y)| y);
                points.push((x, previous));
                points.push((x, pick(p)));
            }
            let last = points.last().map_or(0, |&(_, y)| y);
            points.push((span, last));
            chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
        }
        root.present()?;
    }
    Ok(named(svg, "Requests waiting per channel over the session"))
}

/// The speaking time per channel, as an SVG bar chart of horizontal bars,
/// each labelled beyond its end.
fn speaking_chart(speaking: PerChannel) -> Result<String, ChartError> {
    // Room beyond the longest bar for its label.
    let top = (speaking.onsite.max(speaking.online) as f64 / 60_000.0).max(1.0) * 1.5;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 160)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .margin_right(24)
            .x_label_area_size(36)
            .y_label_area_size(12)
            .build_cartesian_2d(0f64..top, 0f64..2f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .x_labels(6)
            .y_labels(0)
            .x_desc("minutes")
            .draw()?;
        let style = ("sans-serif", 14)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, (label, color, ms)) in [
            ("Online", ONLINE, speaking.online),
            ("Onsite", ONSITE, speaking.onsite),
        ]
        .into_iter()
        .enumerate()
        {
            let y = i as f64;
            let width = ms as f64 / 60_000.0;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.2), (width, y + 0.8)],
                color.filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("{label}: {}", mmss(ms)),
                (width + top * 0.015, y + 0.5),
                style.clone(),
            )))?;
        }
        root.present()?;
    }
    Ok(named(svg, "Speaking time per channel"))
}

impl Report {
    /// The report as an HTML page with both charts, laid out for A4.
    pub fn html(&self) -> Result<String, ChartError> {
        let mut out = String::new();
        let title = escape(&self.title);
        let clock = self.clock();
        let _ = write!(
            out,
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Session report: {title}</title>\n<style>\n\
             @page {{ size: A4; margin: 16mm; }}\n\
             body {{ font: 10.5pt/1.4 system-ui, sans-serif; color: #161616; max-width: 178mm; margin: 0 auto; }}\n\
             h1 {{ font-size: 16pt; }} h2 {{ font-size: 12.5pt; margin-top: 1.2em; }} h3 {{ font-size: 11pt; }}\n\
             table {{ border-collapse: collapse; width: 100%; margin: .4em 0; }}\n\
             th, td {{ border-bottom: 1px solid #c8c8c8; padding: 2pt 5pt; text-align: left; vertical-align: top; }}\n\
             tbody th {{ font-weight: normal; }}\n\
             td.n, th.n {{ text-align: right; font-variant-numeric: tabular-nums; }}\n\
             figure {{ margin: .6em 0; break-inside: avoid; }} figure svg {{ width: 100%; height: auto; display: block; }}\n\
             figcaption {{ font-weight: 600; }}\n\
             ul.legend {{ list-style: none; display: flex; gap: 1.5em; padding: 0; margin: .2em 0 0 3em; }}\n\
             .swatch {{ display: inline-block; width: 1.6em; height: .35em; margin-right: .4em; vertical-align: middle; }}\n\
             section {{ break-inside: avoid; }}\n\
             </style>\n</head>\n<body>\n<main>\n<h1>Session report: {title}</h1>\n"
        );
        if let Some(when) = self.when() {
            let _ = writeln!(out, "<p>{}.</p>", escape(&when));
        }
        let people = self.people();
        if !people.is_empty() {
            out.push_str("<section><h2>The session</h2><ul>");
            for (role, p) in people {
                let _ = write!(
                    out,
                    "<li>{role}: {}</li>",
                    escape(&crate::report::describe_person(p))
                );
            }
            out.push_str("</ul></section>\n");
        }
        if !self.speakers.is_empty() {
            out.push_str("<section><h2>Speakers</h2>");
            let rows = self.speaker_rows().into_iter().map(Vec::from).collect();
            table(&mut out, &Report::SPEAKER_COLUMNS, rows, false);
            out.push_str("</section>\n");
        }
        out.push_str("<section><h2>Requests and turns</h2>");
        let rows = [("Requests", self.requests), ("Turns", self.turns)]
            .into_iter()
            .map(|(name, c)| {
                vec![
                    name.to_owned(),
                    c.onsite.to_string(),
                    c.online.to_string(),
                    c.total().to_string(),
                ]
            })
            .collect();
        table(
            &mut out,
            &["Figure", "Onsite", "Online", "Total"],
            rows,
            true,
        );
        for b in self.breakdowns() {
            let _ = writeln!(out, "<h3>{}</h3>", b.title);
            let rows = b
                .requests
                .iter()
                .map(|(key, r)| {
                    let t = b.turns.get(key).copied().unwrap_or_default();
                    vec![
                        (b.label)(key),
                        r.onsite.to_string(),
                        r.online.to_string(),
                        t.onsite.to_string(),
                        t.online.to_string(),
                    ]
                })
                .collect();
            let columns = [
                b.key,
                "Requests onsite",
                "Requests online",
                "Turns onsite",
                "Turns online",
            ];
            table(&mut out, &columns, rows, true);
        }
        out.push_str("</section>\n");
        let attendance = match self.attendance_peak {
            Some(peak) => format!(
                "Participant pages connected at the peak: {} in the room, {} online (each channel's own peak).",
                peak.onsite, peak.online
            ),
            None => "No participant page connected.".to_owned(),
        };
        let _ = writeln!(
            out,
            "<section><h2>Participants</h2><p>{attendance}{}</p><h3>Gender (self-declared)</h3><p>{}</p></section>",
            self.remote_audience_peak
                .map(|p| format!(" Largest remote audience counted by the online moderator: {p}."))
                .unwrap_or_default(),
            escape(&self.genders.sentence())
        );
        let _ = writeln!(
            out,
            "<section><h2>Remote participation</h2><p>{}</p></section>",
            escape(&self.remote_sentence())
        );
        out.push_str("<section><h2>Questions and what became of them</h2>");
        if self.questions.is_empty() {
            out.push_str("<p>No one asked for the floor.</p>");
        } else {
            let rows = self
                .questions
                .iter()
                .map(|q| {
                    let [at, who, request, text, outcome] = q.cells(&clock);
                    // The person heads the row; the time follows.
                    vec![who, at, request, text, outcome]
                })
                .collect();
            let [at, who, request, text, outcome] = crate::report::Question::COLUMNS;
            table(&mut out, &[who, at, request, text, outcome], rows, false);
        }
        out.push_str("</section>\n");
        let wait = |ms: Option<u64>| ms.map_or_else(|| "–".to_owned(), mmss);
        out.push_str("<section><h2>Waiting and speaking time</h2>");
        let rows = vec![
            vec![
                "Median wait".to_owned(),
                wait(self.waiting_onsite.median_ms),
                wait(self.waiting_online.median_ms),
            ],
            vec![
                "90th percentile wait".to_owned(),
                wait(self.waiting_onsite.p90_ms),
                wait(self.waiting_online.p90_ms),
            ],
            vec![
                "Speaking time".to_owned(),
                mmss(self.speaking_ms.onsite),
                mmss(self.speaking_ms.online),
            ],
        ];
        table(&mut out, &["Figure", "Onsite", "Online"], rows, true);
        figure(
            &mut out,
            "Requests waiting, per channel",
            &queue_chart(self, &clock)?,
            true,
        );
        figure(
            &mut out,
            "Speaking time, per channel",
            &speaking_chart(self.speaking_ms)?,
            false,
        );
        out.push_str("</section>\n<section><h2>Chair overrides</h2>");
        if self.overrides.is_empty() {
            out.push_str("<p>None: every turn followed the fairness policy.</p>");
        } else {
            out.push_str("<ul>");
            let start = self.started_ms.unwrap_or(0);
            for o in &self.overrides {
                let _ = write!(out, "<li>{}</li>", escape(&o.describe(&clock, start)));
            }
            out.push_str("</ul>");
        }
        out.push_str("</section>\n</main>\n</body>\n</html>\n");
        Ok(out)
    }
}
