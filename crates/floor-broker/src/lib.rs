//! The floor broker: serves rooms over WebSockets, durably, to thousands
//! of screens.
//!
//! It drives the core state machine ([`floor_core::Room`]) and never
//! re-implements one of its rules: a room task decides and applies
//! commands, the writer commits their events to the log before anything is
//! acknowledged, and each event is serialized once and broadcast to every
//! subscriber of its room.
//!
//! # Layout
//! - [`broker`]: shared state ([`Broker`]): the room registry, start-up
//!   (rebuilding rooms from the log), room creation, token rotation.
//! - [`conference`]: an event's sessions, one room each: the import of its
//!   programme, its record, the `ops` token and the staff sheet.
//! - [`room`]: one task per room: batches, commit, broadcast, resume.
//! - [`commit`]: the writer thread and its group commit.
//! - [`supervise`]: room tasks and the writer restarted after a panic.
//! - [`lane`]: the thread the rooms and the staff's connections run on,
//!   so that fan-out to the screens never delays an acknowledgement.
//! - [`connection`]: one task per WebSocket: limits, forwarding.
//! - [`handshake`]: the `hello` a connection must open with.
//! - [`upgrade`]: the WebSocket upgrade onto tokio-tungstenite.
//! - [`outbound`]: writing a message, fragmented when it is long.
//! - [`http`]: the routes: `/ws`, `/healthz`, `/metrics`, `/api/rooms`.
//! - [`join`]: the join code, `/join`, the landing page `/` and the icon.
//! - [`pages`]: the role pages (`/r/{room}/{page}`, `/assets/`), `/qr.svg`
//!   and `/api/chat/parse`; the files are in `src/pages/`.
//! - [`addresses`]: per-address limits: open WebSockets and plain HTTP
//!   connections, and the slowing of failed guesses.
//! - [`forwarded`]: the client address behind a trusted reverse proxy.
//! - [`budget`]: the participants' budget of `submit`s per client address.
//! - [`attendance`]: participant pages connected per channel, and the task
//!   that records each new peak in the room's log.
//! - [`auth`]: tokens, hashes and client keys.
//! - [`limits`]: every limit in one place.
//! - [`metrics`]: Prometheus metrics.
//! - [`demo`]: the demo room, which keeps its links across restarts.
//! - [`demo_secret`]: the demo room's secret file, from which its tokens
//!   are derived.
//! - [`config`]: the configuration the binary resolves.

pub mod addresses;
pub mod attendance;
pub mod auth;
pub mod broker;
pub mod budget;
pub mod commit;
pub mod conference;
pub mod config;
pub mod connection;
pub mod demo;
pub mod demo_secret;
pub mod forwarded;
pub mod handshake;
pub mod http;
pub mod join;
pub mod lane;
pub mod limits;
pub mod metrics;
pub mod outbound;
pub mod pages;
pub mod room;
pub mod shared;
mod shared_start;
pub mod supervise;
pub mod upgrade;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use floor_core::declarations::Declarations;

pub use broker::{Broker, Opened};
pub use config::Config;

/// The listen backlog: large, so a hall full of phones can connect at once.
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds a listener with a [`LISTEN_BACKLOG`] backlog.
pub fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_nodelay(true)?;
    // Accepted sockets inherit this: a fixed, modest kernel send buffer
    // bounds the memory a stuck client can pin, and makes it fall behind
    // the room (and be dropped) after a known amount of traffic.
    socket.set_send_buffer_size(limits::SOCKET_SEND_BUFFER)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Serves until `shutdown` completes; then stops accepting, closes every
/// WebSocket with 1001 and returns.
///
/// The accept loop is hyper's own connection builder with a timer, so a
/// client must send its request head within [`limits::HEADER_READ_TIMEOUT`]
/// (a slowloris client that never finishes its headers is disconnected,
/// and so is a kept-alive connection idle that long). It counts each
/// connection against its TCP peer address until it closes or becomes a
/// WebSocket, and refuses one past the cap
/// ([`Config::max_http_connections_per_address`]) with a 429 written
/// before any request is read. Each request carries its peer address
/// (`ConnectInfo`) and its client address ([`forwarded::ClientAddr`]:
/// the peer's, or the forwarded one behind a trusted proxy) for the
/// per-address limits.
pub async fn serve(
    listener: tokio::net::TcpListener,
    broker: Arc<Broker>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let app = http::router(broker.clone());
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits::HEADER_READ_TIMEOUT);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait a little rather
                    // than spin; the connections open now still close.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let counted = match broker.addresses.admit_http(peer.ip()) {
            Ok(counted) => counted,
            Err(refusal) => {
                refuse_connection(&stream, refusal);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let proxies = broker.addresses.proxies().clone();
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            // hyper's timer starts at the request's first byte: a
            // connection that never sends one is closed here.
            let mut first = [0u8; 1];
            match tokio::time::timeout(limits::HEADER_READ_TIMEOUT, stream.peek(&mut first)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => return,
            }
            let service = hyper::service::service_fn(
                move |mut request: hyper::Request<hyper::body::Incoming>| {
                    let client = proxies.client(peer.ip(), request.headers());
                    let extensions = request.extensions_mut();
                    extensions.insert(axum::extract::ConnectInfo(peer));
                    extensions.insert(forwarded::ClientAddr(client));
                    app.clone().oneshot(request)
                },
            );
            let connection = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned();
            let _ = watcher.watch(connection).await;
            // Closed, or handed to a WebSocket (counted on its own).
            drop(counted);
        });
    }
    drop(listener);
    // WebSockets watch this and close with 1001; plain HTTP requests in
    // flight get a moment to finish.
    broker.shutdown.cancel();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), graceful.shutdown()).await;
    Ok(())
}

/// Answers a connection refused by the per-address cap with a 429 and
/// closes it. The answer is written without waiting (a fresh socket's
/// send buffer is empty), so a flood of refused connections costs no task.
fn refuse_connection(stream: &tokio::net::TcpStream, refusal: addresses::Refusal) {
    tracing::debug!(%refusal, "connection refused");
    let body = serde_json::json!({
        "error": "too_many_connections",
        "message": refusal.to_string(),
    })
    .to_string();
    let response = format!(
        "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.try_write(response.as_bytes());
}

/// Reads a room's whole log from a store, decoded, and the genders
/// declared beside it: for the session report (the broker's HTTP endpoint
/// and `floor report`), folded as a room's load folds them
/// ([`room::apply_stored`]: a row that does not decode or a gap makes the
/// log unreadable). A reader of its own is safe beside the running writer
/// (WAL).
pub fn read_log(
    store: &floor_store::Store,
    room: &str,
) -> Result<(Vec<floor_protocol::RoomEvent>, Declarations), room::LoadError> {
    let mut events = Vec::new();
    let mut bad = None;
    store.for_each_event(room, 0, |_, body| {
        if bad.is_none()
            && let Err(error) = crate::room::apply_stored(&mut events, body)
        {
            bad = Some(error);
        }
    })?;
    if let Some(source) = bad {
        return Err(room::LoadError::Replay {
            room: room.to_owned(),
            source,
        });
    }
    let declared = Declarations::from_pairs(store.declarations(room)?).map_err(|source| {
        room::LoadError::Declarations {
            room: room.to_owned(),
            source,
        }
    })?;
    Ok((events, declared))
}
