//! The HTTP face of the broker: the WebSocket upgrade, health, metrics and
//! the small JSON API for rooms. Every handshake check that needs HTTP
//! headers (the browser `Origin`) happens in the upgrade handler, the last
//! point where headers are at hand.
//!
//! With [`Config::conformance_echo`](crate::Config::conformance_echo) set
//! (the hidden `--conformance-echo` flag), `GET /ws/echo` also serves a
//! plain echo over a socket configured exactly as `/ws`'s, for WebSocket
//! conformance suites (Autobahn|Testsuite) that need an echo server.
//!
//! The WebSocket routes are in `ws.rs`; the rooms' JSON API
//! (`/api/rooms...`) is in `rooms.rs`; the conference's
//! (`/api/conference...`) in `conference.rs`.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Serialize;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::broker::Broker;
use crate::limits::{REQUEST_BODY_TIMEOUT, REQUEST_TIMEOUT};
use crate::{join, pages};

mod conference;
mod conference_report;
mod rooms;
mod ws;

pub(crate) use rooms::api_room;
use rooms::{create_room, list_rooms, report, room_snapshot, rotate_tokens};
use ws::{conference_websocket, echo_websocket, websocket};

/// The broker's routes (and `/ws/echo` when the configuration asks for
/// the conformance echo).
pub fn router(broker: Arc<Broker>) -> Router {
    let mut router = Router::new();
    if broker.config.conformance_echo {
        tracing::warn!("conformance echo enabled on /ws/echo: for conformance testing only");
        router = router.route("/ws/echo", get(echo_websocket));
    }
    router
        .route("/", get(join::landing))
        .route("/favicon.ico", get(join::favicon))
        .route("/join", get(join::join_page).post(join::join_submit))
        .route("/api/rooms/{id}/join-code", get(join::room_code))
        .route("/ws", get(websocket))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/rooms", post(create_room).get(list_rooms))
        .route("/api/rooms/{id}", get(room_snapshot))
        .route("/api/rooms/{id}/rotate", post(rotate_tokens))
        .route("/api/rooms/{id}/report", get(report))
        .route(
            "/api/conference",
            put(conference::import).get(conference::sessions),
        )
        .route("/api/conference/ops-token", post(conference::ops_token))
        .route("/api/conference/sheet", get(conference::sheet))
        .route("/api/conference/report", get(conference_report::report))
        .route("/conference", get(pages::conference_page))
        .route("/conference/sheet", get(pages::sheet_page))
        .route("/conference/ws", get(conference_websocket))
        .route("/api/chat/parse", post(pages::parse_chat))
        .route("/api/programme/parse", post(pages::parse_programme))
        .route("/api/programme/format", post(pages::format_programme))
        .route("/r/{room}/{page}", get(pages::page))
        .route("/assets/{file}", get(pages::asset))
        .route("/qr.svg", post(pages::qr))
        // A request body that stalls, or a request that lasts, holds a
        // connection no longer than these (`/ws` answers its upgrade at
        // once; the socket's own limits apply after it).
        .layer(RequestBodyTimeoutLayer::new(REQUEST_BODY_TIMEOUT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(broker)
}

/// An API error body.
#[derive(Debug, Serialize)]
struct ApiError {
    error: &'static str,
    message: String,
}

pub(crate) fn api_error(
    status: StatusCode,
    error: &'static str,
    message: impl Into<String>,
) -> Response {
    (
        status,
        Json(ApiError {
            error,
            message: message.into(),
        }),
    )
        .into_response()
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// `None` when the request carries the admin token; otherwise the 401,
/// as a failed guess of `client`.
async fn require_admin(
    broker: &Arc<Broker>,
    client: IpAddr,
    headers: &HeaderMap,
) -> Option<Response> {
    match bearer(headers) {
        Some(token) if broker.is_admin(token) => None,
        _ => Some(
            failed_guess(
                broker,
                client,
                api_error(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "this needs the admin token as `Authorization: Bearer TOKEN`",
                ),
            )
            .await,
        ),
    }
}

/// Answers a failed guess from `client` (a token that opens nothing, an
/// unknown room): counted against the address, and answered late past its
/// allowance (see [`crate::addresses`]).
pub(crate) async fn failed_guess(
    broker: &Arc<Broker>,
    client: IpAddr,
    answer: Response,
) -> Response {
    let penalty = broker.addresses.failed(client);
    penalty.wait(&broker.shutdown).await;
    answer
}

/// The body of `/healthz`.
#[derive(Debug, Serialize)]
struct Health {
    /// "ok", or "degraded" when anything below is wrong.
    status: &'static str,
    /// "available", or "unavailable" when writes are refused.
    storage: &'static str,
    /// Rooms served.
    rooms: usize,
    /// Rooms whose task died and does not serve yet.
    failed_rooms: Vec<String>,
    /// What is wrong, in sentences (empty when ok).
    problems: Vec<String>,
}

impl Health {
    fn of(broker: &Broker) -> Health {
        let health = broker.log.health();
        let storage = health.storage_problem();
        let failed_rooms = health.failed_rooms();
        let mut problems: Vec<String> = storage.iter().cloned().collect();
        problems.extend(failed_rooms.iter().map(|room| {
            format!("room {room}: its task died and is being loaded again from the log")
        }));
        Health {
            status: if problems.is_empty() {
                "ok"
            } else {
                "degraded"
            },
            storage: if storage.is_none() {
                "available"
            } else {
                "unavailable"
            },
            rooms: broker.rooms.len(),
            failed_rooms,
            problems,
        }
    }
}

/// The answer of `/healthz`: 200 and `status: "ok"`, or 503 and
/// `status: "degraded"` with the problems.
pub(crate) fn health(broker: &Broker) -> (StatusCode, serde_json::Value) {
    let body = Health::of(broker);
    let status = if body.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, serde_json::to_value(body).unwrap_or_default())
}

async fn healthz(State(broker): State<Arc<Broker>>) -> Response {
    let (status, body) = health(&broker);
    (status, Json(body)).into_response()
}

async fn metrics(State(broker): State<Arc<Broker>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        broker.metrics.render(),
    )
        .into_response()
}
