//! The HTTP face of the broker: the WebSocket upgrade, health, metrics and
//! the small JSON API for rooms. Every handshake check that needs HTTP
//! headers (the browser `Origin`) happens in the upgrade handler, the last
//! point where headers are at hand.
//!
//! With [`Config::conformance_echo`](crate::Config::conformance_echo) set
//! (the hidden `--conformance-echo` flag), `GET /ws/echo` also serves a
//! plain echo over a socket configured exactly as `/ws`'s, for WebSocket
//! conformance suites (Autobahn|Testsuite) that need an echo server.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Extension, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use floor_protocol::Role;
use floor_protocol::message::SnapshotReason;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::addresses::{AddressGuard, Refusal};
use crate::broker::{Broker, IssuedTokens, RoomError};
use crate::connection::{self, Close, close_code};
use crate::forwarded::ClientAddr;
use crate::limits::{REQUEST_BODY_TIMEOUT, REQUEST_TIMEOUT};
use crate::room::RoomMsg;
use crate::upgrade::{self, Socket};
use crate::{join, outbound, pages};
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

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

async fn websocket(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    request: Request,
) -> Response {
    let upgrade = match upgrade::accept(request) {
        Ok(upgrade) => upgrade,
        Err(refusal) => return refusal.into_response(),
    };
    let address = match admit(&broker, client, upgrade.headers()) {
        Ok(guard) => guard,
        Err(refusal) => return *refusal,
    };
    upgrade.serve(move |socket| connection::serve(socket, broker, address))
}

/// `GET /ws/echo`, routed only with the conformance echo on: the same
/// checks and socket configuration as `/ws`, then [`echo`].
async fn echo_websocket(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    request: Request,
) -> Response {
    let upgrade = match upgrade::accept(request) {
        Ok(upgrade) => upgrade,
        Err(refusal) => return refusal.into_response(),
    };
    let address = match admit(&broker, client, upgrade.headers()) {
        Ok(guard) => guard,
        Err(refusal) => return *refusal,
    };
    upgrade.serve(move |socket| echo(socket, broker, address))
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

/// The body of `POST /api/rooms`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRoom {
    id: String,
    title: String,
}

/// A room's tokens and links, as returned once.
#[derive(Debug, Serialize)]
struct IssuedBody {
    id: String,
    title: String,
    tokens: serde_json::Map<String, serde_json::Value>,
    links: serde_json::Map<String, serde_json::Value>,
}

fn issued_body(broker: &Broker, issued: &IssuedTokens) -> IssuedBody {
    let mut tokens = serde_json::Map::new();
    let mut links = serde_json::Map::new();
    for (role, token) in &issued.tokens {
        tokens.insert(role.as_str().into(), token.clone().into());
    }
    for (role, link) in broker.links(issued) {
        links.insert(role.as_str().into(), link.into());
    }
    IssuedBody {
        id: issued.room.id.clone(),
        title: issued.room.title.clone(),
        tokens,
        links,
    }
}

fn room_error(error: RoomError) -> Response {
    match error {
        RoomError::BadId | RoomError::BadTitle => {
            api_error(StatusCode::BAD_REQUEST, "invalid_field", error.to_string())
        }
        RoomError::Exists(_) => api_error(StatusCode::CONFLICT, "room_exists", error.to_string()),
        RoomError::NotFound(_) => {
            api_error(StatusCode::NOT_FOUND, "room_not_found", error.to_string())
        }
        RoomError::Write(_) => api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            error.to_string(),
        ),
        RoomError::Refused { .. } => api_error(StatusCode::CONFLICT, "refused", error.to_string()),
    }
}

async fn create_room(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    headers: HeaderMap,
    body: Result<Json<NewRoom>, axum::extract::rejection::JsonRejection>,
) -> Response {
    if let Some(response) = require_admin(&broker, client, &headers).await {
        return response;
    }
    let Json(new_room) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "invalid_message",
                rejection.body_text(),
            );
        }
    };
    match broker.create_room(&new_room.id, &new_room.title).await {
        Ok(issued) => (StatusCode::CREATED, Json(issued_body(&broker, &issued))).into_response(),
        Err(error) => room_error(error),
    }
}

#[derive(Debug, Serialize)]
struct RoomSummary {
    id: String,
    title: String,
}

async fn list_rooms(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = require_admin(&broker, client, &headers).await {
        return response;
    }
    let mut rooms: Vec<RoomSummary> = match broker.room_list().await {
        Ok(rooms) => rooms
            .into_iter()
            .map(|(id, title)| RoomSummary { id, title })
            .collect(),
        Err(error) => {
            return api_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                error.to_string(),
            );
        }
    };
    rooms.sort_by(|a, b| a.id.cmp(&b.id));
    Json(rooms).into_response()
}

/// The room `id` (loaded from a shared store if this broker does not serve
/// it yet), or the API's answer when there is none or it cannot be read.
/// An unknown room is a failed guess of `client`, unless the request
/// carries the admin token.
pub(crate) async fn api_room(
    broker: &Arc<Broker>,
    client: IpAddr,
    headers: &HeaderMap,
    id: &str,
) -> Result<Arc<crate::room::RoomHandle>, Response> {
    match broker.find_room(id).await {
        Ok(Some(room)) => Ok(room),
        Ok(None) => {
            let answer = api_error(
                StatusCode::NOT_FOUND,
                "room_not_found",
                "no room has this id",
            );
            if bearer(headers).is_some_and(|t| broker.is_admin(t)) {
                return Err(answer);
            }
            Err(failed_guess(broker, client, answer).await)
        }
        Err(error) => Err(room_error(error)),
    }
}

async fn room_snapshot(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let room = match api_room(&broker, client, &headers, &id).await {
        Ok(room) => room,
        Err(response) => return response,
    };
    let authorized =
        bearer(&headers).is_some_and(|t| broker.is_admin(t) || room.role_of(t).is_some());
    if !authorized {
        let answer = api_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this needs a token of the room (or the admin token) as `Authorization: Bearer TOKEN`",
        );
        return failed_guess(&broker, client, answer).await;
    }
    let (reply, answer) = oneshot::channel();
    let reason = SnapshotReason::Requested;
    if !room.send(RoomMsg::Snapshot { reason, reply }).await {
        return api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "room_closed",
            "the room is closing",
        );
    }
    match answer.await {
        Ok((text, _)) => (
            [(header::CONTENT_TYPE, "application/json")],
            text.as_str().to_owned(),
        )
            .into_response(),
        Err(_) => api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "room_closed",
            "the room is closing",
        ),
    }
}

/// The body of `POST /api/rooms/{id}/rotate`: the roles to rotate (all
/// when absent).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rotate {
    #[serde(default)]
    roles: Option<Vec<Role>>,
}

async fn rotate_tokens(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Rotate>, axum::extract::rejection::JsonRejection>,
) -> Response {
    if let Some(response) = require_admin(&broker, client, &headers).await {
        return response;
    }
    // The body is required (`{}` rotates every role), so a body sent
    // without its content type is refused rather than read as "all".
    let roles = match body {
        Ok(Json(rotate)) => rotate.roles.unwrap_or_else(|| Role::ALL.to_vec()),
        Err(rejection) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "invalid_message",
                rejection.body_text(),
            );
        }
    };
    match broker.rotate_tokens(&id, &roles).await {
        Ok(issued) => Json(issued_body(&broker, &issued)).into_response(),
        Err(error) => room_error(error),
    }
}

/// The query of `/api/rooms/{id}/report`.
#[derive(Debug, Deserialize)]
struct ReportQuery {
    /// `md` (the default), `json`, `csv` or `html`.
    #[serde(default)]
    format: Option<String>,
}

/// `GET /api/rooms/{id}/report`: the session report, for the chair (or
/// the admin), computed from the room's log.
async fn report(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<ReportQuery>,
    headers: HeaderMap,
) -> Response {
    let room = match api_room(&broker, client, &headers, &id).await {
        Ok(room) => room,
        Err(response) => return response,
    };
    let token = bearer(&headers);
    let admin = token.is_some_and(|t| broker.is_admin(t));
    let role = token.and_then(|t| room.role_of(t));
    if !admin && role != Some(Role::Chair) {
        let answer = api_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the report needs the room's chair token (or the admin token) as `Authorization: Bearer TOKEN`",
        );
        // Another role's token is no guess: it is refused at once.
        if role.is_some() {
            return answer;
        }
        return failed_guess(&broker, client, answer).await;
    }
    let format = query.format.unwrap_or_else(|| "md".to_owned());
    if !matches!(format.as_str(), "md" | "json" | "csv" | "html") {
        return api_error(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            "format is md, json, csv or html",
        );
    }
    let title = room.info.title.clone();
    let (events, declared) = match broker.read_log(&id).await {
        Ok(log) => log,
        Err(message) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", message),
    };
    let built = tokio::task::spawn_blocking(move || -> Result<String, String> {
        let report = floor_files::report::Report::from_log(&title, &events, &declared)
            .map_err(|e| e.to_string())?;
        Ok(match format.as_str() {
            "json" => serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?,
            "csv" => report.csv(),
            "html" => report.html()?,
            _ => report.markdown(),
        })
    })
    .await;
    match built {
        Ok(Ok(text)) => {
            let content_type = if text.starts_with("<!doctype html>") {
                "text/html; charset=utf-8"
            } else if text.starts_with('{') {
                "application/json"
            } else if text.starts_with("section,") {
                "text/csv; charset=utf-8"
            } else {
                "text/markdown; charset=utf-8"
            };
            ([(header::CONTENT_TYPE, content_type)], text).into_response()
        }
        Ok(Err(message)) => api_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", message),
        Err(_) => api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the report failed",
        ),
    }
}
