//! Opening a connection: the socket, `hello`, the broker's `welcome`
//! (or its refusal), the first snapshot, and the broker's clock offset.

use floor_protocol::{
    ClientMessage, ErrorCode, Hello, PROTOCOL_VERSION, Resume, RoomInfo, ServerMessage,
};
use futures_util::{SinkExt, StreamExt};
use tokio::time::timeout;
use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use super::Socket;
use crate::error::ConnectError;
use crate::options::ConnectOptions;
use crate::state::RoomState;

/// The broker's `welcome`, unpacked.
#[derive(Debug, Clone)]
pub(crate) struct Welcome {
    pub(crate) room: RoomInfo,
    pub(crate) role: floor_protocol::Role,
    pub(crate) client: floor_protocol::ClientKey,
    pub(crate) epoch: Uuid,
    pub(crate) head: u64,
    pub(crate) server_time_ms: u64,
}

/// The local clock, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The broker's clock minus the local clock at `welcome`, in milliseconds.
pub(crate) fn clock_offset(welcome: &Welcome) -> i64 {
    let broker = i64::try_from(welcome.server_time_ms).unwrap_or(i64::MAX);
    let local = i64::try_from(now_ms()).unwrap_or(i64::MAX);
    broker.saturating_sub(local)
}

/// Connects, says `hello` and reads the `welcome`.
pub(crate) async fn handshake(
    options: &ConnectOptions,
    token: &str,
    resume: Option<Resume>,
) -> Result<(Socket, Welcome), ConnectError> {
    let url = &options.address.ws_url;
    let unreachable = |reason: String| ConnectError::Unreachable {
        url: url.clone(),
        reason,
    };
    let connector = if options.address.is_tls() {
        let config = match &options.extra_roots {
            Some(roots) => roots.config.clone(),
            None => crate::tls::default_config()?,
        };
        Some(Connector::Rustls(config))
    } else {
        None
    };
    let attempt = async {
        let (mut socket, _) =
            tokio_tungstenite::connect_async_tls_with_config(url.as_str(), None, false, connector)
                .await
                .map_err(|e| match crate::tls::certificate_failure(&e) {
                    Some(reason) => ConnectError::Certificate {
                        url: url.clone(),
                        reason,
                    },
                    None => unreachable(e.to_string()),
                })?;
        let hello = ClientMessage::Hello(Hello {
            protocol: PROTOCOL_VERSION,
            room: options.address.room.clone(),
            token: token.to_owned(),
            client_id: options.client_id.clone(),
            channel: options.channel,
            resume,
            agent: Some(options.agent.clone()),
            compact_order: true,
        });
        let text = serde_json::to_string(&hello).map_err(|e| unreachable(e.to_string()))?;
        socket
            .send(Message::Text(text.into()))
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        loop {
            let message = match socket.next().await {
                Some(Ok(message)) => message,
                Some(Err(e)) => return Err(unreachable(e.to_string())),
                None => return Err(unreachable("closed before welcome".into())),
            };
            let text = match message {
                Message::Text(text) => text,
                Message::Close(frame) => {
                    return Err(unreachable(format!(
                        "closed before welcome: {}",
                        frame.map(|f| f.reason.to_string()).unwrap_or_default()
                    )));
                }
                _ => continue,
            };
            match serde_json::from_str::<ServerMessage>(&text) {
                Ok(ServerMessage::Welcome {
                    room,
                    role,
                    client,
                    epoch,
                    head,
                    server_time_ms,
                    ..
                }) => {
                    return Ok((
                        socket,
                        Welcome {
                            room,
                            role,
                            client,
                            epoch,
                            head,
                            server_time_ms,
                        },
                    ));
                }
                Ok(ServerMessage::Error(error)) => {
                    return Err(match error.code {
                        ErrorCode::Internal
                        | ErrorCode::StorageUnavailable
                        | ErrorCode::RateLimited => unreachable(error.message),
                        code => ConnectError::Refused {
                            code,
                            message: error.message,
                        },
                    });
                }
                Ok(other) => {
                    return Err(unreachable(format!(
                        "expected welcome, got {}",
                        kind_of(&other)
                    )));
                }
                Err(e) => return Err(unreachable(format!("unreadable welcome: {e}"))),
            }
        }
    };
    match timeout(options.connect_timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(unreachable(format!(
            "no welcome within {} s",
            options.connect_timeout.as_secs()
        ))),
    }
}

/// Reads until the first snapshot, after a `hello` without `resume`.
pub(crate) async fn first_snapshot(
    options: &ConnectOptions,
    socket: &mut Socket,
) -> Result<RoomState, ConnectError> {
    let unreachable = |reason: String| ConnectError::Unreachable {
        url: options.address.ws_url.clone(),
        reason,
    };
    let read = async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    if let Ok(ServerMessage::Snapshot {
                        epoch, room, order, ..
                    }) = serde_json::from_str::<ServerMessage>(&text)
                    {
                        return Ok(RoomState::from_snapshot(epoch, room, order));
                    }
                }
                Some(Ok(Message::Close(_))) | None => {
                    return Err(unreachable("closed before the snapshot".into()));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(unreachable(e.to_string())),
            }
        }
    };
    timeout(options.connect_timeout, read)
        .await
        .unwrap_or_else(|_| Err(unreachable("no snapshot in time".into())))
}

/// A server message's type, as the protocol names it.
fn kind_of(message: &ServerMessage) -> &'static str {
    match message {
        ServerMessage::Welcome { .. } => "welcome",
        ServerMessage::Snapshot { .. } => "snapshot",
        ServerMessage::Events { .. } => "events",
        ServerMessage::Order { .. } => "order",
        ServerMessage::Ack { .. } => "ack",
        ServerMessage::Error(_) => "error",
    }
}
