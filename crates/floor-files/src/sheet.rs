//! The staff sheet of a conference: a printable HTML page (A4), one page
//! per location and day, giving for every session the links of its staff
//! (chair, online moderator, mic runner, projector) as QR codes and the
//! participants' join code, for the people who equip each room.
//!
//! The caller draws the QR codes (SVG) and hands them in with the links;
//! this module lays them out. Dates and times are in each session's time
//! zone (UTC when it has none).

use std::collections::BTreeMap;

use crate::report_lang::{Form, Lang, Texts, escape};
use crate::report_time::Clock;

/// One session on the sheet.
#[derive(Debug, Clone)]
pub struct SheetSession {
    /// Its room's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its type (may be empty).
    pub kind: String,
    /// Where it is held.
    pub location: String,
    /// When it starts, in ms since the Unix epoch.
    pub starts_at_ms: u64,
    /// When it ends, in ms since the Unix epoch.
    pub ends_at_ms: u64,
    /// Its time zone (an IANA name); UTC when absent.
    pub time_zone: Option<String>,
    /// The participants' join code (`ABCD-EFGH`), when the room has one.
    pub join_code: Option<String>,
    /// Where the join code is typed (`PUBLIC_URL/join`).
    pub join_url: String,
    /// The staff's links, in the order they are printed.
    pub links: Vec<SheetLink>,
}

/// A staff link with its QR code.
#[derive(Debug, Clone)]
pub struct SheetLink {
    /// Who it is for, as printed (`Chair`).
    pub label: String,
    /// The link.
    pub link: String,
    /// Its QR code, an SVG element.
    pub qr_svg: String,
}

/// The sheet's style: A4 pages, one per location and day.
const STYLE: &str = "
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 0; color: #000; background: #fff; }
section.page { break-after: page; padding: 0; }
section.page:last-child { break-after: auto; }
header h1 { font-size: 16pt; margin: 0 0 1mm; }
header p { margin: 0 0 4mm; font-size: 10pt; }
article { break-inside: avoid; border-block-start: 0.4mm solid #000; padding-block: 2mm; }
article h2 { font-size: 11pt; margin: 0 0 1mm; }
article .when { font-size: 10pt; margin: 0 0 1mm; }
article .join { font-size: 10pt; margin: 0 0 2mm; }
article .join b { font-family: ui-monospace, monospace; font-size: 12pt; letter-spacing: 0.5mm; }
.codes { display: flex; gap: 4mm; }
figure { margin: 0; inline-size: 40mm; text-align: center; }
figure svg { inline-size: 34mm; block-size: 34mm; display: block; margin-inline: auto; }
figcaption { font-size: 9pt; font-weight: 600; }
figcaption small { display: block; font-weight: 400; font-size: 6pt; overflow-wrap: anywhere; }
@media screen { section.page { max-inline-size: 186mm; margin: 8mm auto; } }
";

/// The sheet of `sessions`, under the title `title`.
pub fn staff_sheet(title: &str, sessions: &[SheetSession]) -> String {
    let texts = Texts::new(Lang::En, Form::Html);
    // (day, location) → sessions, the day as the local date's ISO form so
    // that pages come in order.
    let mut pages: BTreeMap<(String, String), Vec<&SheetSession>> = BTreeMap::new();
    for session in sessions {
        let clock = Clock::new(session.time_zone.as_deref().unwrap_or("UTC"));
        pages
            .entry((
                clock.iso_date(session.starts_at_ms),
                session.location.clone(),
            ))
            .or_default()
            .push(session);
    }
    let mut html = String::new();
    html.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str(&format!("<title>{}</title>\n", escape(title)));
    html.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));
    for ((_, location), mut sessions) in pages {
        sessions.sort_by_key(|s| (s.starts_at_ms, s.id.clone()));
        let first = sessions[0];
        let clock = Clock::new(first.time_zone.as_deref().unwrap_or("UTC"));
        html.push_str("<section class=\"page\">\n<header>\n");
        html.push_str(&format!(
            "<h1><bdi>{}</bdi> · {}</h1>\n",
            escape(&location),
            escape(&clock.date(&texts, first.starts_at_ms))
        ));
        html.push_str(&format!(
            "<p><bdi>{}</bdi>. For the room's staff: scan a code to open that role's page. Keep this sheet away from the audience: each code opens a staff role.</p>\n</header>\n",
            escape(title)
        ));
        for session in sessions {
            html.push_str(&article(&texts, session));
        }
        html.push_str("</section>\n");
    }
    html.push_str("</body>\n</html>\n");
    html
}

fn article(texts: &Texts, session: &SheetSession) -> String {
    let clock = Clock::new(session.time_zone.as_deref().unwrap_or("UTC"));
    let mut html = format!(
        "<article id=\"session-{}\">\n<h2><bdi>{}</bdi></h2>\n",
        escape(&session.id),
        escape(&session.title)
    );
    let kind = if session.kind.is_empty() {
        String::new()
    } else {
        format!(" · <bdi>{}</bdi>", escape(&session.kind))
    };
    html.push_str(&format!(
        "<p class=\"when\">{}–{} ({}){kind} · room <code>{}</code></p>\n",
        clock.time(texts, session.starts_at_ms),
        clock.time(texts, session.ends_at_ms),
        escape(&clock.zone(texts, session.starts_at_ms)),
        escape(&session.id)
    ));
    match &session.join_code {
        Some(code) => html.push_str(&format!(
            "<p class=\"join\">Participants join at {} with the code <b class=\"join-code\">{}</b></p>\n",
            escape(&session.join_url),
            escape(code)
        )),
        None => html.push_str("<p class=\"join\">This room has no join code.</p>\n"),
    }
    html.push_str("<div class=\"codes\">\n");
    for link in &session.links {
        html.push_str(&format!(
            "<figure data-link=\"{}\">{}<figcaption>{}<small>{}</small></figcaption></figure>\n",
            escape(&link.link),
            link.qr_svg,
            escape(&link.label),
            escape(&link.link)
        ));
    }
    html.push_str("</div>\n</article>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, location: &str, starts_at_ms: u64) -> SheetSession {
        SheetSession {
            id: id.into(),
            title: format!("Session <{id}>"),
            kind: "Workshop".into(),
            location: location.into(),
            starts_at_ms,
            ends_at_ms: starts_at_ms + 90 * 60_000,
            time_zone: Some("Europe/Paris".into()),
            join_code: Some("ABCD-EFGH".into()),
            join_url: "https://floor.example/join".into(),
            links: vec![SheetLink {
                label: "Chair".into(),
                link: format!("https://floor.example/r/{id}/chair#token=x"),
                qr_svg: "<svg></svg>".into(),
            }],
        }
    }

    #[test]
    fn one_page_per_location_and_day_in_order_with_local_times() {
        // 2018-11-12T09:00:00Z is 10:00 in Paris.
        let monday = 1_542_013_200_000;
        let day = 24 * 3600 * 1000;
        let sessions = [
            session("b", "Room II", monday),
            session("a", "Room I", monday + day),
            session("c", "Room I", monday),
            session("d", "Room I", monday + 3 * 3600 * 1000),
        ];
        let html = staff_sheet("IGF", &sessions);
        assert_eq!(html.matches("<section class=\"page\">").count(), 3);
        let first = html.find("Room I</bdi> · Monday 12 November 2018").unwrap();
        let second = html
            .find("Room II</bdi> · Monday 12 November 2018")
            .unwrap();
        let third = html
            .find("Room I</bdi> · Tuesday 13 November 2018")
            .unwrap();
        assert!(first < second && second < third);
        // Within a page, by start; times local.
        assert!(html.find("session-c").unwrap() < html.find("session-d").unwrap());
        assert!(html.contains("10:00–11:30"));
        // Titles are escaped; the code and the join address are there.
        assert!(html.contains("Session &lt;c&gt;"));
        assert!(html.contains("<b class=\"join-code\">ABCD-EFGH</b>"));
        assert!(html.contains("@page { size: A4"));
    }
}
