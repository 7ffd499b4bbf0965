//! The demo room: modelled on IGF 2018 workshop #235, a 90-minute panel
//! with five speakers, 40 minutes of questions from the room and from
//! remote participants, and closing remarks.
//!
//! The room keeps its queue, its run of show and its links across
//! restarts: its tokens are derived from the demo secret
//! ([`crate::demo_secret`]), so a start prints the links of the last one
//! and every page left open reconnects with the token it holds.

use std::path::PathBuf;

use floor_protocol::message::RoomInfo;
use floor_protocol::{Command, Role};

use crate::auth::RoleTokens;
use crate::broker::{Broker, IssuedTokens, RoomError};
use crate::demo_secret::{DemoSecret, Opened, SecretError};

/// The demo room's id.
pub const ROOM_ID: &str = "ws235";
/// The demo room's title.
pub const TITLE: &str =
    "IGF 2018 WS #235: How Can Developing Countries Do Digital Industrialization?";

/// The demo room's run of show (the proposal's 90 minutes).
pub const ROOM_FILE: &str = include_str!("../../../examples/igf2018-ws235.toml");

/// Why the demo room could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The demo secret is unusable.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The room could not be created, read or changed.
    #[error(transparent)]
    Room(#[from] RoomError),
}

/// A role's link, as a start of the demo finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleLink {
    /// The link derived from the secret: it opens the role's page.
    Works(String),
    /// The role's token was rotated since the secret issued it: the link
    /// derived from the secret no longer works, and the one given at the
    /// rotation does (the broker keeps only its hash, so it cannot print
    /// it). A rotation is never undone by a start.
    Rotated,
}

/// Where the demo room's links come from, this start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    /// The room was created, with tokens derived from the secret.
    NewRoom,
    /// The room existed but the secret was new (created by this start: the
    /// room was made before demo links were kept, or the secret file was
    /// deleted): every role's token was replaced with the derived one.
    NewSecret,
    /// The room and the secret existed: the links are those of earlier
    /// starts.
    Kept,
}

/// The demo room, opened.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The room.
    pub room: RoomInfo,
    /// Every role's link, in `Role::ALL`'s order. The display's link
    /// carries the participant token (`&join=`) when the participant's
    /// link works.
    pub links: Vec<(Role, RoleLink)>,
    /// How the links came to be.
    pub issue: Issue,
    /// The secret file.
    pub secret: PathBuf,
}

/// Opens the demo room, creating it on first use with its run of show and
/// its first phase started. Its tokens are derived from the demo secret in
/// the data directory (created on first use), so every start prints the
/// same links, and every open page, phone and projector reconnects with
/// the token it has. A role whose token was rotated since keeps the
/// rotated token ([`RoleLink::Rotated`]).
pub async fn open(broker: &Broker) -> Result<Demo, DemoError> {
    let Opened { secret, created } = DemoSecret::open_or_create(&broker.config.data)?;
    let derived: Vec<(Role, String)> = Role::ALL
        .iter()
        .map(|&role| (role, secret.token(ROOM_ID, role)))
        .collect();
    let (working, issue) = match broker.find_room(ROOM_ID).await? {
        None => {
            create(broker, derived.clone()).await?;
            (derived, Issue::NewRoom)
        }
        Some(_) if created => {
            broker.set_tokens(ROOM_ID, derived.clone()).await?;
            (derived, Issue::NewSecret)
        }
        Some(handle) => {
            let working: Vec<(Role, String)> = derived
                .into_iter()
                .filter(|(role, token)| handle.role_of(token) == Some(*role))
                .collect();
            keep_participant_token(broker, &handle, &working).await?;
            (working, Issue::Kept)
        }
    };
    let issued = IssuedTokens {
        room: RoomInfo {
            id: ROOM_ID.to_owned(),
            title: TITLE.to_owned(),
        },
        tokens: working,
    };
    let mut working = broker.links(&issued);
    let links = Role::ALL
        .iter()
        .map(|&role| match working.iter().position(|(r, _)| *r == role) {
            Some(at) => (role, RoleLink::Works(working.swap_remove(at).1)),
            None => (role, RoleLink::Rotated),
        })
        .collect();
    Ok(Demo {
        room: issued.room,
        links,
        issue,
        secret: secret.path().to_owned(),
    })
}

/// Stores the demo room's participant token itself when its store holds
/// only the hash (a store of a build before join codes) and the derived
/// token still works, so the room has a join code.
async fn keep_participant_token(
    broker: &Broker,
    handle: &crate::room::RoomHandle,
    working: &[(Role, String)],
) -> Result<(), RoomError> {
    let known = handle
        .tokens
        .read()
        .map(|tokens| tokens.participant().is_some())
        .unwrap_or(true);
    let participant = working.iter().find(|(role, _)| *role == Role::Participant);
    if let (false, Some(participant)) = (known, participant) {
        broker
            .set_tokens(ROOM_ID, vec![participant.clone()])
            .await?;
    }
    Ok(())
}

/// Creates the demo room with `tokens`, its run of show and its first
/// phase started.
async fn create(broker: &Broker, tokens: Vec<(Role, String)>) -> Result<(), RoomError> {
    broker
        .create_room_with(ROOM_ID, TITLE, RoleTokens::from_plain(tokens))
        .await?;
    let file = floor_files::programme::parse(ROOM_FILE).map_err(|e| RoomError::Refused {
        command: "set_programme",
        message: format!("examples/igf2018-ws235.toml: {e}"),
    })?;
    // Fixed request ids: idempotent if this ever runs twice.
    broker
        .run_as_chair(
            ROOM_ID,
            "demo-programme",
            Command::SetProgramme {
                programme: file.programme,
            },
        )
        .await?;
    broker
        .run_as_chair(ROOM_ID, "demo-phase-0", Command::StartPhase { phase: 0 })
        .await
}
