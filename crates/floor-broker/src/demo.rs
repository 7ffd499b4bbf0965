//! The demo room: modelled on IGF 2018 workshop #235, a 90-minute panel
//! with five speakers, 40 minutes of questions from the room and from
//! remote participants, and closing remarks.

use floor_protocol::{Command, Role};

use crate::broker::{Broker, IssuedTokens, RoomError};

/// The demo room's id.
pub const ROOM_ID: &str = "ws235";
/// The demo room's title.
pub const TITLE: &str =
    "IGF 2018 WS #235: How Can Developing Countries Do Digital Industrialization?";

/// The demo room's run of show (the proposal's 90 minutes).
pub const ROOM_FILE: &str = include_str!("../../../examples/igf2018-ws235.toml");

/// Opens the demo room, creating it on first use with its run of show and
/// its first phase started. Tokens are kept only as hashes, so every start
/// issues fresh ones for every role and the links it prints are the ones
/// that work.
pub async fn open(broker: &Broker) -> Result<IssuedTokens, RoomError> {
    if broker.find_room(ROOM_ID).await?.is_some() {
        return broker.rotate_tokens(ROOM_ID, &Role::ALL).await;
    }
    let issued = broker.create_room(ROOM_ID, TITLE).await?;
    let file = floor_core::programme::parse(ROOM_FILE).map_err(|e| RoomError::Refused {
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
        .await?;
    Ok(issued)
}
