//! The WebSocket routes: `/ws` (checked, then upgraded and served by
//! `connection.rs`) and the conformance echo `/ws/echo`.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Extension, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

use super::api_error;
use crate::addresses::{AddressGuard, Refusal};
use crate::broker::Broker;
use crate::connection::{self, Close, close_code};
use crate::forwarded::ClientAddr;
use crate::outbound;
use crate::upgrade::{self, Socket};

/// Whether a browser `Origin` may open a WebSocket: its own origin (same
/// host), or one on the allowlist. Clients that are not browsers send no
/// `Origin` and are let through; their token is what counts.
fn origin_allowed(broker: &Broker, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let allowed = &broker.config.allowed_origins;
    if allowed
        .iter()
        .any(|a| a == "*" || a.trim_end_matches('/') == origin)
    {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin.split_once("://"), host) {
        (Some((scheme, rest)), Some(host)) => {
            (scheme == "http" || scheme == "https") && rest == host
        }
        _ => false,
    }
}

/// The checks before any WebSocket upgrade: the browser `Origin`, then the
/// per-address admission of the client address. The guard counts the
/// socket against its address until dropped; `Err` is the refusal to send
/// instead of upgrading (boxed: a response is large). Failed guesses are
/// never refused here: they are answered late (after the `hello`).
fn admit(
    broker: &Arc<Broker>,
    client: IpAddr,
    headers: &HeaderMap,
) -> Result<AddressGuard, Box<Response>> {
    if !origin_allowed(broker, headers) {
        tracing::warn!("cross-origin WebSocket refused");
        return Err(Box::new(api_error(
            StatusCode::FORBIDDEN,
            "forbidden_origin",
            "this origin may not open WebSockets on this broker",
        )));
    }
    broker.addresses.admit(client).map_err(|refusal| {
        let Refusal::TooManyConnections(_) = refusal;
        Box::new(api_error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_connections",
            refusal.to_string(),
        ))
    })
}

pub(super) async fn websocket(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    request: Request,
) -> Response {
    checked_upgrade(broker, client, request, connection::serve)
}

/// `GET /conference/ws`: the venue dashboard's subscription, with the
/// same checks and socket configuration as `/ws`.
pub(super) async fn conference_websocket(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    request: Request,
) -> Response {
    checked_upgrade(broker, client, request, crate::conference::watch::serve)
}

/// `GET /ws/echo`, routed only with the conformance echo on: the same
/// checks and socket configuration as `/ws`, then [`echo`].
pub(super) async fn echo_websocket(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    request: Request,
) -> Response {
    checked_upgrade(broker, client, request, echo)
}

/// Upgrades `request` after [`upgrade::accept`]'s and [`admit`]'s checks,
/// and serves the socket with `serve`; otherwise answers their refusal.
fn checked_upgrade<F, Fut>(
    broker: Arc<Broker>,
    client: IpAddr,
    request: Request,
    serve: F,
) -> Response
where
    F: FnOnce(Socket, Arc<Broker>, AddressGuard) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let upgrade = match upgrade::accept(request) {
        Ok(upgrade) => upgrade,
        Err(refusal) => return refusal.into_response(),
    };
    let address = match admit(&broker, client, upgrade.headers()) {
        Ok(guard) => guard,
        Err(refusal) => return *refusal,
    };
    upgrade.serve(move |socket| serve(socket, broker, address))
}

/// Sends every text and binary message back as it came. Pings are
/// answered, and a peer's close is answered, by the socket itself. Ends
/// as `/ws` does: a message or frame over the limit is closed with 1009,
/// a text message that is not valid UTF-8 with 1007, any other read error
/// (a protocol violation) drops the connection, and a broker shutting
/// down closes with 1001.
async fn echo(mut socket: Socket, broker: Arc<Broker>, _address: AddressGuard) {
    let close = loop {
        let incoming = tokio::select! {
            _ = broker.shutdown.cancelled() => {
                break Some(Close::new(close_code::GOING_AWAY, "broker shutting down"));
            }
            incoming = socket.next() => incoming,
        };
        match incoming {
            None => break None,
            Some(Err(error)) => break connection::read_error_close(&error),
            Some(Ok(Message::Text(text))) => {
                if outbound::write_text(&mut socket, text, true).await.is_err() {
                    break None;
                }
            }
            Some(Ok(Message::Binary(data))) => {
                if outbound::write_binary(&mut socket, data).await.is_err() {
                    break None;
                }
            }
            // Pongs are ignored; pings and a peer's close are answered by
            // the socket, whose next read then ends.
            Some(Ok(
                Message::Ping(_) | Message::Pong(_) | Message::Close(_) | Message::Frame(_),
            )) => {}
        }
    };
    if let Some(close) = close {
        connection::close_socket(&mut socket, close).await;
    }
}
