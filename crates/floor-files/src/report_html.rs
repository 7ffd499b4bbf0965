//! The session report as one HTML page that prints on A4, with two charts
//! drawn as SVG by `plotters`: the queue's length per channel over the
//! session, and the speaking time per channel.
//!
//! The page is one `<main>` with headings in order; every table has a
//! header in each column and a header for each row. A chart's legend is
//! HTML under its plot, never inside it, and a bar's label sits beyond the
//! bar's end, so neither can cover what is drawn.
//!
//! In any of the six languages ([`Lang`]): the page gives its `lang` and
//! `dir` (`rtl` for Arabic), lays out with logical CSS properties only,
//! and holds people's names and words in `<bdi>`.

use std::fmt::Write as _;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::{PerChannel, QueuePoint, Report, mmss};
use crate::report_lang::{Form, Lang, Texts, escape};
use crate::report_time::Clock;

/// Why a chart of the report could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("a chart could not be drawn: {0}")]
pub struct ChartError(#[from] DrawingAreaErrorKind<std::io::Error>);

pub(crate) const ONSITE: RGBColor = RGBColor(0, 107, 60);
pub(crate) const ONLINE: RGBColor = RGBColor(29, 78, 168);

/// An HTML table: a header per column, the first cell of each row its
/// header; with `numeric`, every column after the first holds figures.
/// The cells are HTML already (user content escaped in `<bdi>`).
pub(crate) fn table(out: &mut String, columns: &[String], rows: Vec<Vec<String>>, numeric: bool) {
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
                let _ = write!(out, "<th scope=\"row\">{cell}</th>");
            } else {
                let _ = write!(out, "<td{n}>{cell}</td>");
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// A chart's SVG made an image with a name for assistive technology.
pub(crate) fn named(svg: String, name: &str) -> String {
    svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", escape(name)),
        1,
    )
}

/// A chart in its figure: the caption, the SVG, the legend under it.
pub(crate) fn figure(out: &mut String, t: &Texts, caption: &str, svg: &str, legend: bool) {
    let _ = write!(
        out,
        "<figure><figcaption>{}</figcaption>{svg}",
        escape(caption)
    );
    if legend {
        let _ = write!(
            out,
            "<ul class=\"legend\"><li><span class=\"swatch\" style=\"background:{}\"></span>{}</li><li><span class=\"swatch\" style=\"background:{}\"></span>{}</li></ul>",
            hex(ONSITE),
            escape(&t.word("channel-onsite")),
            hex(ONLINE),
            escape(&t.word("channel-online"))
        );
    }
    out.push_str("</figure>\n");
}

fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The queue's length per channel over the session, as SVG, its time
/// axis in the session's time zone.
fn queue_chart(report: &Report, t: &Texts, clock: &Clock) -> Result<String, ChartError> {
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
    let at = |x: &f64| clock.time(t, start + (x * 60_000.0) as u64);
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
            .x_desc(t.text("chart-queue-x", &[("zone", clock.zone(t, start).into())]))
            .y_desc(t.word("chart-queue-y"))
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
    Ok(named(svg, &t.word("chart-queue-name")))
}

/// The speaking time per channel, as an SVG bar chart of horizontal bars,
/// each labelled beyond its end.
fn speaking_chart(speaking: PerChannel, t: &Texts) -> Result<String, ChartError> {
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
            .x_desc(t.word("chart-speaking-x"))
            .draw()?;
        let style = ("sans-serif", 14)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, (label, color, ms)) in [
            ("channel-online", ONLINE, speaking.online),
            ("channel-onsite", ONSITE, speaking.onsite),
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
                t.text(
                    "chart-bar",
                    &[("channel", t.word(label).into()), ("time", mmss(ms).into())],
                ),
                (width + top * 0.015, y + 0.5),
                style.clone(),
            )))?;
        }
        root.present()?;
    }
    Ok(named(svg, &t.word("chart-speaking-name")))
}

/// The page's style: A4, and logical properties only, so that a report
/// written right to left lays out as one written left to right, mirrored.
/// A column's header may break a long word (a Russian one, say), so that
/// a table of figures never runs off a phone's screen. The charts are laid
/// out left to right in every language, as plotters draws them, so that a
/// bar's label, anchored at its start beyond the bar's end, runs away from
/// the bar on a page written right to left too; each label takes its own
/// direction from its first letter (an Arabic label reads right to left,
/// a name in it kept apart between FSI and PDI). A day (`2026-12-04`)
/// never breaks at its hyphens.
pub(crate) const STYLE: &str = "\
@page { size: A4; margin: 16mm; }
body { font: 10.5pt/1.4 system-ui, sans-serif; color: #161616; max-inline-size: 178mm; margin-block: 0; margin-inline: auto; }
h1 { font-size: 16pt; } h2 { font-size: 12.5pt; margin-block-start: 1.2em; } h3 { font-size: 11pt; }
table { border-collapse: collapse; inline-size: 100%; margin-block: .4em; }
th, td { border-block-end: 1px solid #c8c8c8; padding-block: 2pt; padding-inline: 5pt; text-align: start; vertical-align: top; }
th, td { hyphens: auto; overflow-wrap: break-word; } thead th { overflow-wrap: anywhere; }
tbody th { font-weight: normal; }
td.n, th.n { text-align: end; font-variant-numeric: tabular-nums; }
bdi { unicode-bidi: isolate; }
figure { margin-block: .6em; margin-inline: 0; break-inside: avoid; } figure svg { inline-size: 100%; block-size: auto; display: block; }
figure svg { direction: ltr; } figure svg text { unicode-bidi: plaintext; }
.day { white-space: nowrap; }
figcaption { font-weight: 600; }
ul.legend { list-style: none; display: flex; gap: 1.5em; padding: 0; margin-block: .2em 0; margin-inline: 3em 0; }
.swatch { display: inline-block; inline-size: 1.6em; block-size: .35em; margin-inline-end: .4em; vertical-align: middle; }
section { break-inside: avoid; }
@media screen { body { padding-inline: 12px; } }
@media screen and (max-width: 30em) { table { font-size: 9.5pt; } th, td { padding-inline: 3pt; } }
";

impl Report {
    /// The report as an HTML page with both charts, laid out for A4, in
    /// English.
    pub fn html(&self) -> Result<String, ChartError> {
        self.html_in(Lang::En)
    }

    /// The report as an HTML page with both charts, laid out for A4, in
    /// `lang` (`dir="rtl"` for Arabic; people's names and what they wrote
    /// in `<bdi>`).
    pub fn html_in(&self, lang: Lang) -> Result<String, ChartError> {
        self.render_html(&Texts::new(lang, Form::Html))
    }

    fn render_html(&self, t: &Texts) -> Result<String, ChartError> {
        let w = |id: &str| t.word(id);
        let mut out = String::new();
        let title = t.text("report-title", &[("title", t.user(&self.title).into())]);
        let clock = self.clock();
        let lang = t.lang();
        let _ = write!(
            out,
            "<!doctype html>\n<html lang=\"{}\" dir=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n",
            lang.code(),
            lang.dir(),
            escape(&t.text("report-title", &[("title", self.title.as_str().into())]))
        );
        if let Some(when) = self.when(t) {
            let _ = writeln!(out, "<p>{when}</p>");
        }
        let people = self.people();
        if !people.is_empty() {
            let _ = write!(out, "<section><h2>{}</h2><ul>", w("heading-session"));
            for (role, p) in people {
                let line = t.text(
                    "person-role",
                    &[
                        ("role", w(role).into()),
                        ("person", crate::report::describe_person(t, p).into()),
                    ],
                );
                let _ = write!(out, "<li>{line}</li>");
            }
            out.push_str("</ul></section>\n");
        }
        if !self.speakers.is_empty() {
            let _ = write!(out, "<section><h2>{}</h2>", w("heading-speakers"));
            let rows = self.speaker_rows(t).into_iter().map(Vec::from).collect();
            table(&mut out, &Report::SPEAKER_COLUMNS.map(w), rows, false);
            out.push_str("</section>\n");
        }
        let _ = write!(out, "<section><h2>{}</h2>", w("heading-requests-turns"));
        let rows = [("row-requests", self.requests), ("row-turns", self.turns)]
            .into_iter()
            .map(|(name, c)| {
                vec![
                    w(name),
                    c.onsite.to_string(),
                    c.online.to_string(),
                    c.total().to_string(),
                ]
            })
            .collect();
        let columns = [
            "column-figure",
            "channel-onsite",
            "channel-online",
            "column-total",
        ]
        .map(w);
        table(&mut out, &columns, rows, true);
        let _ = writeln!(out, "<p>{}</p>", self.requests_by_origin.sentence(t));
        for b in self.breakdowns() {
            let _ = writeln!(out, "<h3>{}</h3>", w(b.title));
            let rows = b
                .requests
                .iter()
                .map(|(key, r)| {
                    let turns = b.turns.get(key).copied().unwrap_or_default();
                    vec![
                        (b.label)(t, key),
                        r.onsite.to_string(),
                        r.online.to_string(),
                        turns.onsite.to_string(),
                        turns.online.to_string(),
                    ]
                })
                .collect();
            let columns = [
                b.key,
                "column-requests-onsite",
                "column-requests-online",
                "column-turns-onsite",
                "column-turns-online",
            ]
            .map(w);
            table(&mut out, &columns, rows, true);
        }
        out.push_str("</section>\n");
        let audience = self
            .remote_audience_peak
            .map(|peak| format!(" {}", t.text("remote-audience", &[("peak", peak.into())])))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<section><h2>{}</h2><p>{}{audience}</p><h3>{}</h3><p>{}</p></section>",
            w("heading-participants"),
            self.attendance(t),
            w("heading-gender"),
            self.genders.sentence(t)
        );
        let _ = writeln!(
            out,
            "<section><h2>{}</h2><p>{}</p></section>",
            w("heading-remote"),
            self.remote_sentence(t)
        );
        let _ = write!(out, "<section><h2>{}</h2>", w("heading-questions"));
        if self.questions.is_empty() {
            let _ = write!(out, "<p>{}</p>", w("no-requests"));
        } else {
            let rows = self
                .questions
                .iter()
                .map(|q| {
                    let [at, who, request, text, outcome] = q.cells(t, &clock);
                    // The person heads the row; the time follows.
                    vec![who, at, request, text, outcome]
                })
                .collect();
            let [at, who, request, text, outcome] = crate::report::Question::COLUMNS.map(w);
            table(&mut out, &[who, at, request, text, outcome], rows, false);
        }
        out.push_str("</section>\n");
        let wait = |ms: Option<u64>| ms.map_or_else(|| "–".to_owned(), mmss);
        let _ = write!(out, "<section><h2>{}</h2>", w("heading-waiting"));
        let rows = vec![
            vec![
                w("row-median-wait"),
                wait(self.waiting_onsite.median_ms),
                wait(self.waiting_online.median_ms),
            ],
            vec![
                w("row-p90-wait"),
                wait(self.waiting_onsite.p90_ms),
                wait(self.waiting_online.p90_ms),
            ],
            vec![
                w("row-speaking-time"),
                mmss(self.speaking_ms.onsite),
                mmss(self.speaking_ms.online),
            ],
        ];
        let columns = ["column-figure", "channel-onsite", "channel-online"].map(w);
        table(&mut out, &columns, rows, true);
        figure(
            &mut out,
            t,
            &w("chart-queue"),
            &queue_chart(self, t, &clock)?,
            true,
        );
        figure(
            &mut out,
            t,
            &w("chart-speaking"),
            &speaking_chart(self.speaking_ms, t)?,
            false,
        );
        let _ = write!(
            out,
            "</section>\n<section><h2>{}</h2>",
            w("heading-overrides")
        );
        if self.overrides.is_empty() {
            let _ = write!(out, "<p>{}</p>", w("overrides-none"));
        } else {
            out.push_str("<ul>");
            let start = self.started_ms.unwrap_or(0);
            for o in &self.overrides {
                let _ = write!(out, "<li>{}</li>", o.describe(t, &clock, start));
            }
            out.push_str("</ul>");
        }
        out.push_str("</section>\n</main>\n</body>\n</html>\n");
        Ok(out)
    }
}
