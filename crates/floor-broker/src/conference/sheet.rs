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
/// a link is far shorter than a QR code holds).
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build()
            .split_once("?>")
            .map_or_else(String::new, |(_, svg)| svg.trim().to_owned()),
        Err(_) => String::new(),
    }
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
