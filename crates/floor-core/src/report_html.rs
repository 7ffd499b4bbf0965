//! The session report as one HTML page that prints on A4, with two charts
//! drawn as SVG by `plotters`: the queue's length per channel over the
//! session, and the speaking time per channel.

use std::fmt::Write as _;

use plotters::prelude::*;

use crate::report::{PerChannel, Report, mmss};

const ONSITE: RGBColor = RGBColor(0, 107, 60);
const ONLINE: RGBColor = RGBColor(29, 78, 168);

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The queue's length per channel over the session, as SVG.
fn queue_chart(report: &Report) -> Result<String, String> {
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
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 260)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Requests waiting, per channel", ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(32)
            .y_label_area_size(36)
            .build_cartesian_2d(0f64..span, 0u64..top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("minutes into the session")
            .y_desc("waiting")
            .disable_x_mesh()
            .draw()
            .map_err(|e| e.to_string())?;
        for (label, color, pick) in [
            (
                "onsite",
                ONSITE,
                (|p: &crate::report::QueuePoint| p.onsite) as fn(&_) -> u64,
            ),
            ("online", ONLINE, |p: &crate::report::QueuePoint| p.online),
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
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// The speaking time per channel, as an SVG bar chart.
fn speaking_chart(speaking: PerChannel) -> Result<String, String> {
    let top = (speaking.onsite.max(speaking.online) as f64 / 60_000.0).max(1.0) * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 220)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Speaking time, per channel (minutes)", ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(32)
            .y_label_area_size(36)
            .build_cartesian_2d(0f64..2f64, 0f64..top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(0)
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, (label, color, ms)) in [
            ("onsite", ONSITE, speaking.onsite),
            ("online", ONLINE, speaking.online),
        ]
        .into_iter()
        .enumerate()
        {
            let x = i as f64;
            let height = ms as f64 / 60_000.0;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x + 0.2, 0.0), (x + 0.8, height)],
                    color.filled(),
                )))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{label}: {}", mmss(ms)),
                    (x + 0.22, height + top * 0.04),
                    ("sans-serif", 14),
                )))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

impl Report {
    /// The report as an HTML page with both charts, laid out for A4.
    pub fn html(&self) -> Result<String, String> {
        let mut out = String::new();
        let title = escape(&self.title);
        let _ = write!(
            out,
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Session report: {title}</title>\n<style>\n\
             @page {{ size: A4; margin: 16mm; }}\n\
             body {{ font: 10.5pt/1.4 system-ui, sans-serif; color: #161616; max-width: 178mm; margin: 0 auto; }}\n\
             h1 {{ font-size: 16pt; }} h2 {{ font-size: 12.5pt; margin-top: 1.2em; }}\n\
             table {{ border-collapse: collapse; width: 100%; margin: .4em 0; }}\n\
             th, td {{ border-bottom: 1px solid #c8c8c8; padding: 2pt 5pt; text-align: left; }}\n\
             td.n, th.n {{ text-align: right; font-variant-numeric: tabular-nums; }}\n\
             figure {{ margin: .6em 0; break-inside: avoid; }} figure svg {{ width: 100%; height: auto; }}\n\
             section {{ break-inside: avoid; }}\n\
             </style>\n</head>\n<body>\n<h1>Session report: {title}</h1>\n"
        );
        if let (Some(start), Some(end)) = (self.started_ms, self.ended_ms) {
            let _ = writeln!(
                out,
                "<p>Length of the log: {}.</p>",
                mmss(end.saturating_sub(start))
            );
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
            out.push_str("<section><h2>Speakers</h2><table><tr><th>Name</th><th>Affiliation</th><th>Stakeholder group</th><th>Region</th></tr>\n");
            for p in &self.speakers {
                let group = crate::report::label(p.stakeholder_group);
                let region = crate::report::label(p.region);
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&p.name),
                    escape(p.affiliation.as_deref().unwrap_or("–")),
                    escape(&group),
                    escape(&region)
                );
            }
            out.push_str("</table></section>\n");
        }
        out.push_str("<section><h2>Requests and turns</h2><table><tr><th></th><th class=\"n\">Onsite</th><th class=\"n\">Online</th><th class=\"n\">Total</th></tr>\n");
        for (name, c) in [("Requests", self.requests), ("Turns", self.turns)] {
            let _ = writeln!(
                out,
                "<tr><td>{name}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                c.onsite,
                c.online,
                c.total()
            );
        }
        out.push_str("</table>\n");
        for (title, requests, turns) in self.breakdowns() {
            let _ = writeln!(
                out,
                "<h3>{title}</h3><table><tr><th></th><th class=\"n\">Requests onsite</th><th class=\"n\">Requests online</th><th class=\"n\">Turns onsite</th><th class=\"n\">Turns online</th></tr>"
            );
            for (key, r) in requests {
                let t = turns.get(key).copied().unwrap_or_default();
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    escape(key),
                    r.onsite,
                    r.online,
                    t.onsite,
                    t.online
                );
            }
            out.push_str("</table>\n");
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
        let q = self.online_questions;
        let _ = writeln!(
            out,
            "<section><h2>Remote participation</h2><p>Online questions asked: {}; forwarded to the queue: {}; answered: {}. Merged as duplicates: {}; rejected: {}; withdrawn: {}.</p></section>",
            q.asked, q.forwarded, q.answered, self.merged, self.rejected, self.withdrawn,
        );
        let wait = |ms: Option<u64>| ms.map_or_else(|| "–".to_owned(), mmss);
        let _ = writeln!(
            out,
            "<section><h2>Waiting and speaking time</h2><table><tr><th></th><th class=\"n\">Onsite</th><th class=\"n\">Online</th></tr>\n\
             <tr><td>Median wait</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n\
             <tr><td>90th percentile wait</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n\
             <tr><td>Speaking time</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></table></section>",
            wait(self.waiting_onsite.median_ms),
            wait(self.waiting_online.median_ms),
            wait(self.waiting_onsite.p90_ms),
            wait(self.waiting_online.p90_ms),
            mmss(self.speaking_ms.onsite),
            mmss(self.speaking_ms.online)
        );
        let _ = writeln!(
            out,
            "<figure aria-label=\"Requests waiting per channel over the session\">{}</figure>",
            queue_chart(self)?
        );
        let _ = writeln!(
            out,
            "<figure aria-label=\"Speaking time per channel\">{}</figure>",
            speaking_chart(self.speaking_ms)?
        );
        out.push_str("<section><h2>Chair overrides</h2>");
        if self.overrides.is_empty() {
            out.push_str("<p>None: every turn followed the fairness policy.</p>");
        } else {
            out.push_str("<ul>");
            let start = self.started_ms.unwrap_or(0);
            for o in &self.overrides {
                let _ = write!(out, "<li>{}</li>", escape(&o.describe(start)));
            }
            out.push_str("</ul>");
        }
        out.push_str("</section>\n</body>\n</html>\n");
        Ok(out)
    }
}
