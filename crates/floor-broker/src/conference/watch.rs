//! `/conference/ws`: the venue dashboard's subscription. The first message
//! is `{"type": "watch", "token": TOKEN}` (the admin or the `ops` token)
//! within the `hello` time; the broker answers with the whole picture (a
//! `conference` message), then sends each room's changed summary (`room`)
//! and the whole picture again when an import changed the sessions. A
//! dashboard that falls behind the feed is sent the whole picture again;
//! it never slows a room. A wrong token is a failed guess of the client's
//! address, refused with `unauthorized` and close 4002.

use std::sync::Arc;
use std::time::Duration;

use floor_protocol::conference::{LiveMessage, WatchMessage};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use crate::addresses::AddressGuard;
use crate::broker::Broker;
use crate::connection::{Close, close_code, close_socket, read_error_close};
use crate::limits::HELLO_TIMEOUT;
use crate::outbound;
use crate::upgrade::Socket;

/// How often the broker pings a dashboard, so that proxies keep the
/// socket open.
const PING_EVERY: Duration = Duration::from_secs(30);

fn text(message: &LiveMessage) -> Option<Utf8Bytes> {
    serde_json::to_string(message).ok().map(Utf8Bytes::from)
}

/// The whole picture: the sessions in the programme and every summary.
async fn picture(broker: &Broker) -> Option<Utf8Bytes> {
    let (conference, _) = broker.conference().await.ok()?;
    let sessions = conference.listed(false);
    text(&LiveMessage::Conference {
        server_time_ms: crate::room::now_ms(),
        sessions,
        rooms: broker.live.summaries(),
    })
}

/// Refuses the subscription with `code` and closes.
async fn refuse(socket: &mut Socket, code: &str, message: &str) {
    let refusal = LiveMessage::Error {
        code: code.to_owned(),
        message: message.to_owned(),
    };
    if let Some(text) = text(&refusal) {
        let _ = outbound::write_text(socket, text, true).await;
    }
    close_socket(
        socket,
        Close::new(close_code::HELLO_REFUSED, "subscription refused"),
    )
    .await;
}

/// Serves one dashboard's socket.
pub(crate) async fn serve(mut socket: Socket, broker: Arc<Broker>, address: AddressGuard) {
    let token = match timeout(HELLO_TIMEOUT, socket.next()).await {
        Err(_) => {
            close_socket(
                &mut socket,
                Close::new(close_code::HELLO_TIMEOUT, "no watch in time"),
            )
            .await;
            return;
        }
        Ok(None) => return,
        Ok(Some(Err(error))) => {
            if let Some(close) = read_error_close(&error) {
                close_socket(&mut socket, close).await;
            }
            return;
        }
        Ok(Some(Ok(Message::Text(first)))) => match serde_json::from_str(first.as_str()) {
            Ok(WatchMessage::Watch { token }) => token,
            Err(_) => {
                let message = "the first message is {\"type\": \"watch\", \"token\": TOKEN}";
                refuse(&mut socket, "invalid_message", message).await;
                return;
            }
        },
        Ok(Some(Ok(_))) => {
            let message = "the first message is a text: {\"type\": \"watch\", \"token\": TOKEN}";
            refuse(&mut socket, "invalid_message", message).await;
            return;
        }
    };
    let allowed = |broker: Arc<Broker>, token: String| async move {
        broker.is_admin(&token) || broker.is_ops(&token).await
    };
    if !allowed(broker.clone(), token.clone()).await {
        let penalty = address.failed();
        penalty.wait(&broker.shutdown).await;
        refuse(
            &mut socket,
            "unauthorized",
            "this needs the admin or the ops token",
        )
        .await;
        return;
    }
    let mut feed = broker.live.subscribe();
    let mut sessions = broker.live.sessions_changed();
    sessions.mark_unchanged();
    let Some(first) = picture(&broker).await else {
        close_socket(
            &mut socket,
            Close::new(close_code::TRY_AGAIN_LATER, "store unavailable"),
        )
        .await;
        return;
    };
    if outbound::write_text(&mut socket, first, true)
        .await
        .is_err()
    {
        return;
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let close = loop {
        let send = tokio::select! {
            () = broker.shutdown.cancelled() => {
                break Some(Close::new(close_code::GOING_AWAY, "broker shutting down"));
            }
            _ = ping.tick() => {
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    break None;
                }
                continue;
            }
            changed = sessions.changed() => {
                if changed.is_err() {
                    break None;
                }
                // The ops token may have been replaced meanwhile.
                if !allowed(broker.clone(), token.clone()).await {
                    refuse(&mut socket, "unauthorized", "this token was replaced").await;
                    return;
                }
                picture(&broker).await
            }
            summary = feed.recv() => match summary {
                Ok(text) => Some(text),
                Err(RecvError::Lagged(_)) => picture(&broker).await,
                Err(RecvError::Closed) => break None,
            },
            incoming = socket.next() => match incoming {
                None => break None,
                Some(Err(error)) => break read_error_close(&error),
                // The dashboard has nothing more to say; pings and a
                // close are answered by the socket.
                Some(Ok(_)) => continue,
            },
        };
        if let Some(text) = send
            && outbound::write_text(&mut socket, text, true).await.is_err()
        {
            break None;
        }
    };
    if let Some(close) = close {
        close_socket(&mut socket, close).await;
    }
}
