//! The staff sheet from the conference's record: every session still in
//! the programme, its staff's links drawn as QR codes, and its join code
//! (laid out by [`floor_files::sheet`]).

use floor_files::sheet::{SheetLink, SheetSession, staff_sheet};
use floor_protocol::Role;

use super::Conference;
use crate::broker::Broker;

/// The roles whose links the sheet prints, with their names on it.
pub const STAFF: [(Role, &str); 4] = [
    (Role::Chair, "Chair"),
    (Role::Moderator, "Online moderator"),
    (Role::Runner, "Mic runner"),
    (Role::Display, "Projector"),
];

/// A QR code of `text`, as an SVG element (empty when it cannot be drawn:
/// a link is far shorter than a QR code holds). One unit per module, a
/// quiet zone of four, and each row's runs of dark modules as one path
/// segment: a sheet holds hundreds of codes, and a rectangle per module
/// would make it megabytes.
pub fn qr_svg(text: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == qrcode::Color::Dark {
                let start = x;
                while x < width && row[x] == qrcode::Color::Dark {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + quiet,
                    y + quiet,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    )
}

impl Broker {
    /// The staff sheet of `conference`, as a whole HTML page.
    pub fn staff_sheet(&self, conference: &Conference) -> String {
        let public = self.config.public_url.trim_end_matches('/');
        let sessions: Vec<SheetSession> = conference
            .sessions
            .iter()
            .filter(|(_, session)| !session.archived)
            .map(|(id, session)| {
                let issued = crate::broker::IssuedTokens {
                    room: floor_protocol::message::RoomInfo {
                        id: id.clone(),
                        title: session.title.clone(),
                    },
                    tokens: session.plain_tokens(),
                };
                let links = self.links(&issued);
                let links = STAFF
                    .iter()
                    .filter_map(|(role, label)| {
                        let (_, link) = links.iter().find(|(r, _)| r == role)?;
                        Some(SheetLink {
                            label: (*label).to_owned(),
                            link: link.clone(),
                            qr_svg: qr_svg(link),
                        })
                    })
                    .collect();
                SheetSession {
                    id: id.clone(),
                    title: session.title.clone(),
                    kind: session.kind.clone(),
                    location: session.location.clone(),
                    starts_at_ms: session.starts_at_ms,
                    ends_at_ms: session.ends_at_ms,
                    time_zone: session.time_zone.clone(),
                    join_code: session
                        .tokens
                        .get(Role::Participant.as_str())
                        .map(|token| crate::join::pretty(&crate::join::code_of(token))),
                    join_url: format!("{public}/join"),
                    links,
                }
            })
            .collect();
        staff_sheet("Staff sheet", &sessions)
    }
}
