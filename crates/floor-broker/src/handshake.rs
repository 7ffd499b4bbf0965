//! The WebSocket handshake of floor's protocol: the first message must be
//! a `hello` this broker accepts (protocol version, client id, a room it
//! serves, a token of that room) within [`HELLO_TIMEOUT`]; a refusal is
//! told to the client with its error and close code, and held against the
//! client's address (see [`crate::addresses`]).

use std::sync::Arc;

use floor_protocol::message::Hello;
use floor_protocol::{ClientMessage, ErrorCode, PROTOCOL_VERSION, Role};
use futures_util::{SinkExt, StreamExt};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::Message;

use crate::addresses::AddressGuard;
use crate::auth::{self, TokenHash};
use crate::broker::Broker;
use crate::connection::{Close, SEND_TIMEOUT, close_code, read_error_close};
use crate::limits::{HELLO_TIMEOUT, HELLO_WAIT, MAX_JSON_DEPTH, json_too_deep};
use crate::room::{RoomHandle, error_text};
use crate::upgrade::Socket;

/// A decoded frame, or why it is refused.
pub(crate) fn decode(text: &str) -> Result<ClientMessage, (ErrorCode, String)> {
    if json_too_deep(text, MAX_JSON_DEPTH) {
        return Err((
            ErrorCode::BadJson,
            format!("JSON nests deeper than {MAX_JSON_DEPTH} levels"),
        ));
    }
    // One pass; serde_json tells a text that is not JSON from JSON that is
    // not a floor message.
    serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => (
            ErrorCode::InvalidMessage,
            format!("not a floor message: {e}"),
        ),
        _ => (ErrorCode::BadJson, format!("not valid JSON: {e}")),
    })
}

async fn send_error(
    socket: &mut Socket,
    request_id: Option<String>,
    code: ErrorCode,
    message: String,
) {
    let text = error_text(request_id, code, message);
    let _ = timeout(SEND_TIMEOUT, socket.send(Message::Text(text))).await;
}

pub(crate) type Accepted = (Hello, Arc<RoomHandle>, Role, TokenHash);

/// How a connection that got no further than its `hello` ends.
enum NoHello {
    /// The client went away, or the broker is stopping (with the close
    /// to send then).
    Ended(Option<Close>),
    /// The `hello` was late, missing or wrong: the error to send, then the
    /// close. It is held against the client's address.
    Refused(ErrorCode, String, Close),
}

/// Waits for a valid `hello`. `Err(None)`: the client went away. A refused
/// `hello` is counted against `address` before the client is told (so a
/// client that has read the refusal finds it already counted), and told
/// late past the address's allowance.
pub(crate) async fn handshake(
    socket: &mut Socket,
    broker: &Arc<Broker>,
    address: &AddressGuard,
) -> Result<Accepted, Option<Close>> {
    match accept_hello(socket, broker).await {
        Ok(accepted) => Ok(accepted),
        Err(NoHello::Ended(close)) => Err(close),
        Err(NoHello::Refused(code, message, close)) => {
            // The store's trouble is not the client's fault. A failed
            // guess leaves the address's socket count, and its answer
            // may come late (`crate::addresses`).
            let penalty = (code != ErrorCode::StorageUnavailable).then(|| address.failed());
            if let Some(penalty) = &penalty {
                penalty.wait(&broker.shutdown).await;
            }
            send_error(socket, None, code, message).await;
            Err(Some(close))
        }
    }
}

/// Reads the first message and checks it is a `hello` this broker accepts.
async fn accept_hello(socket: &mut Socket, broker: &Arc<Broker>) -> Result<Accepted, NoHello> {
    let deadline = Instant::now() + HELLO_TIMEOUT;
    let refused = |code, message: &str| {
        NoHello::Refused(
            code,
            message.to_owned(),
            Close::new(close_code::HELLO_REFUSED, "hello refused"),
        )
    };
    let hello = loop {
        let received = tokio::select! {
            _ = broker.shutdown.cancelled() => return Err(NoHello::Ended(Some(Close::new(close_code::GOING_AWAY, "broker shutting down")))),
            received = timeout(deadline - Instant::now(), socket.next()) => received,
        };
        let message = match received {
            Err(_) => {
                return Err(NoHello::Refused(
                    ErrorCode::HelloRequired,
                    "no hello within 10 s".into(),
                    Close::new(close_code::HELLO_TIMEOUT, "no hello in time"),
                ));
            }
            Ok(None) => return Err(NoHello::Ended(None)),
            // Invalid UTF-8 (1007) or a frame over the limit (1009) is
            // closed with its code; nothing is held against the address.
            Ok(Some(Err(error))) => return Err(NoHello::Ended(read_error_close(&error))),
            Ok(Some(Ok(message))) => message,
        };
        match message {
            Message::Text(text) => match decode(&text) {
                Ok(ClientMessage::Hello(hello)) => break hello,
                Ok(_) => {
                    return Err(refused(
                        ErrorCode::HelloRequired,
                        "the first message must be hello",
                    ));
                }
                Err((code, message)) => return Err(refused(code, &message)),
            },
            Message::Binary(_) => {
                return Err(refused(
                    ErrorCode::BinaryFrame,
                    "binary frames are not part of the protocol",
                ));
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            Message::Close(_) => return Err(NoHello::Ended(None)),
        }
    };

    if hello.protocol != PROTOCOL_VERSION {
        return Err(refused(
            ErrorCode::UnsupportedProtocol,
            &format!("this broker speaks protocol {PROTOCOL_VERSION}"),
        ));
    }
    let id = &hello.client_id;
    if id.is_empty() || id.chars().count() > 64 || id.chars().any(char::is_control) {
        return Err(refused(
            ErrorCode::InvalidMessage,
            "client_id must be 1 to 64 characters",
        ));
    }
    // Compared as the broker derives keys: the exact id, byte for byte.
    if id == auth::BROKER_CLIENT_ID {
        return Err(refused(
            ErrorCode::InvalidMessage,
            "client_id `floor-broker` is reserved for the broker's own commands",
        ));
    }
    if hello.agent.as_ref().is_some_and(|a| a.chars().count() > 64) {
        return Err(refused(
            ErrorCode::InvalidMessage,
            "agent must be at most 64 characters",
        ));
    }
    let room = match broker.find_room_within(&hello.room, HELLO_WAIT).await {
        Ok(Some(room)) => room,
        Ok(None) => return Err(refused(ErrorCode::RoomNotFound, "no room has this id")),
        Err(_) => {
            return Err(NoHello::Refused(
                ErrorCode::StorageUnavailable,
                "the room cannot be read from the store right now; try again".into(),
                Close::new(close_code::TRY_AGAIN_LATER, "try again later"),
            ));
        }
    };
    let role = room.role_of(&hello.token).ok_or_else(|| {
        refused(
            ErrorCode::Unauthorized,
            "this token does not open this room",
        )
    })?;
    let hash = auth::hash_token(&hello.token);
    Ok((hello, room, role, hash))
}
