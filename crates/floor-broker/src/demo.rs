//! The demo room: modelled on IGF 2018 workshop #235, a 90-minute panel
//! with five speakers, 40 minutes of questions from the room and from
//! remote participants, and closing remarks.

use floor_protocol::Role;

use crate::broker::{Broker, IssuedTokens, RoomError};

/// The demo room's id.
pub const ROOM_ID: &str = "ws235";
/// The demo room's title.
pub const TITLE: &str =
    "IGF 2018 WS #235: How Can Developing Countries Do Digital Industrialization?";

/// Opens the demo room, creating it on first use. Tokens are kept only as
/// hashes, so every start issues fresh ones for every role and the links
/// it prints are the ones that work.
pub async fn open(broker: &Broker) -> Result<IssuedTokens, RoomError> {
    if broker.room(ROOM_ID).is_some() {
        broker.rotate_tokens(ROOM_ID, &Role::ALL).await
    } else {
        broker.create_room(ROOM_ID, TITLE).await
    }
}
