//! The WebSocket upgrade of an HTTP/1.1 request (RFC 6455, section 4.2),
//! straight onto tokio-tungstenite.
//!
//! The broker owns its sockets as tokio-tungstenite streams rather than
//! through a framework's wrapper, because it writes raw frames: a message
//! longer than [`crate::outbound::FRAGMENT`] goes out as a text frame and
//! continuation frames (see [`crate::outbound`]).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use crate::limits::{MAX_MESSAGE, MAX_WRITE_BUFFER, READ_BUFFER, WRITE_BUFFER};

/// A WebSocket the broker serves.
pub type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// The one WebSocket configuration of the broker, used by every upgrade:
/// small buffers, a write buffer capped at [`MAX_WRITE_BUFFER`], and
/// frames and messages of at most [`MAX_MESSAGE`] bytes from the client
/// (larger ones are closed with 1009).
pub fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE))
}

/// Why a request cannot be upgraded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotAnUpgrade {
    /// Not a `GET`.
    #[error("a WebSocket upgrade is a GET request")]
    Method,
    /// No `Connection: upgrade` or no `Upgrade: websocket`.
    #[error("this route takes WebSocket upgrades only (Connection: upgrade, Upgrade: websocket)")]
    Headers,
    /// A `Sec-WebSocket-Version` other than 13.
    #[error("this broker speaks WebSocket version 13")]
    Version,
    /// No `Sec-WebSocket-Key`.
    #[error("the Sec-WebSocket-Key header is missing")]
    Key,
    /// The connection cannot be taken over (not HTTP/1.1).
    #[error("this connection cannot be upgraded")]
    Connection,
}

impl IntoResponse for NotAnUpgrade {
    fn into_response(self) -> Response {
        let status = match self {
            NotAnUpgrade::Method => StatusCode::METHOD_NOT_ALLOWED,
            NotAnUpgrade::Headers | NotAnUpgrade::Key => StatusCode::BAD_REQUEST,
            NotAnUpgrade::Version | NotAnUpgrade::Connection => StatusCode::UPGRADE_REQUIRED,
        };
        let mut response = (status, self.to_string()).into_response();
        if self == NotAnUpgrade::Version {
            response.headers_mut().insert(
                header::SEC_WEBSOCKET_VERSION,
                HeaderValue::from_static("13"),
            );
        }
        response
    }
}

/// Whether a comma-separated header holds `token` (case-insensitive).
fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// An accepted upgrade: the request's headers (for the checks that need
/// them), the `101` answer, and the connection to take over.
#[derive(Debug)]
pub struct Upgrade {
    headers: HeaderMap,
    response: Response,
    on_upgrade: hyper::upgrade::OnUpgrade,
}

impl Upgrade {
    /// The request's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Answers `101` and, once the client has the answer, runs `serve` on
    /// the socket in a task of its own.
    pub fn serve<F, Fut>(self, serve: F) -> Response
    where
        F: FnOnce(Socket) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            // The connection ended before the upgrade: nothing to serve.
            let Ok(upgraded) = on_upgrade.await else {
                return;
            };
            let socket = WebSocketStream::from_raw_socket(
                TokioIo::new(upgraded),
                Role::Server,
                Some(config()),
            )
            .await;
            serve(socket).await;
        });
        self.response
    }
}

/// Checks that `request` asks for a WebSocket and prepares the upgrade.
pub fn accept(mut request: Request) -> Result<Upgrade, NotAnUpgrade> {
    if request.method() != Method::GET {
        return Err(NotAnUpgrade::Method);
    }
    let asked = request.headers();
    if !has_token(asked, header::CONNECTION, "upgrade")
        || !has_token(asked, header::UPGRADE, "websocket")
    {
        return Err(NotAnUpgrade::Headers);
    }
    if asked
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_none_or(|v| v.as_bytes() != b"13")
    {
        return Err(NotAnUpgrade::Version);
    }
    let key = asked
        .get(header::SEC_WEBSOCKET_KEY)
        .ok_or(NotAnUpgrade::Key)?;
    let accept =
        HeaderValue::from_str(&derive_accept_key(key.as_bytes())).map_err(|_| NotAnUpgrade::Key)?;
    let on_upgrade = request
        .extensions_mut()
        .remove::<hyper::upgrade::OnUpgrade>()
        .ok_or(NotAnUpgrade::Connection)?;
    let headers = std::mem::take(request.headers_mut());
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let answer = response.headers_mut();
    answer.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    answer.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    answer.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    Ok(Upgrade {
        headers,
        response,
        on_upgrade,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = axum::http::Request::builder().uri("/ws");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap_or_default()
    }

    const GOOD: [(&str, &str); 4] = [
        ("connection", "keep-alive, Upgrade"),
        ("upgrade", "WebSocket"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];

    #[test]
    fn a_request_without_the_websocket_headers_is_refused() {
        let refused = |headers: &[(&str, &str)]| accept(request(headers)).err();
        assert_eq!(refused(&GOOD[1..]), Some(NotAnUpgrade::Headers));
        let mut old = GOOD;
        old[2].1 = "8";
        assert_eq!(refused(&old), Some(NotAnUpgrade::Version));
        assert_eq!(refused(&GOOD[..3]), Some(NotAnUpgrade::Key));
        // Good headers, but no connection to take over.
        assert_eq!(refused(&GOOD), Some(NotAnUpgrade::Connection));
    }
}
