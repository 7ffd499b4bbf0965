//! The rooms' JSON API: create and list rooms (admin), a room's snapshot,
//! token rotation and the session report.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use floor_core::audience::Audience;
use floor_protocol::Role;
use floor_protocol::message::SnapshotReason;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use super::{api_error, bearer, failed_guess, require_admin};
use crate::broker::{Broker, IssuedTokens, RoomError};
use crate::forwarded::ClientAddr;
use crate::room::RoomMsg;

/// The body of `POST /api/rooms`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewRoom {
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

pub(super) async fn create_room(
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

pub(super) async fn list_rooms(
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

pub(super) async fn room_snapshot(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let room = match api_room(&broker, client, &headers, &id).await {
        Ok(room) => room,
        Err(response) => return response,
    };
    // The admin and the staff see the people's accounts; a participant's
    // or a display's token does not.
    let audience = bearer(&headers).and_then(|t| {
        if broker.is_admin(t) {
            Some(Audience::Staff)
        } else {
            room.role_of(t).map(Audience::of)
        }
    });
    let Some(audience) = audience else {
        let answer = api_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this needs a token of the room (or the admin token) as `Authorization: Bearer TOKEN`",
        );
        return failed_guess(&broker, client, answer).await;
    };
    let (reply, answer) = oneshot::channel();
    let reason = SnapshotReason::Requested;
    if !room
        .send(RoomMsg::Snapshot {
            reason,
            audience,
            reply,
        })
        .await
    {
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
pub(super) struct Rotate {
    #[serde(default)]
    roles: Option<Vec<Role>>,
}

pub(super) async fn rotate_tokens(
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
pub(super) struct ReportQuery {
    /// `md` (the default), `json`, `csv` or `html`.
    #[serde(default)]
    pub(super) format: Option<String>,
    /// The language of the `md` and `html` forms: `ar`, `zh`, `en` (the
    /// default), `fr`, `ru` or `es`; `json` and `csv` are the same in
    /// every language.
    #[serde(default)]
    pub(super) lang: Option<String>,
}

/// `GET /api/rooms/{id}/report`: the session report, for the chair (or
/// the admin), computed from the room's log, in the form `format` names
/// and, for its human forms, the language `lang` names.
pub(super) async fn report(
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
    let Some(form) = ReportForm::parse(query.format.as_deref()) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            "format is md, json, csv or html",
        );
    };
    let Ok(lang) = query
        .lang
        .as_deref()
        .unwrap_or("en")
        .parse::<floor_files::Lang>()
    else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            "lang is ar, zh, en, fr, ru or es",
        );
    };
    let title = room.title();
    let (events, declared) = match broker.read_log(&id).await {
        Ok(log) => log,
        Err(error) => {
            return api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                error.to_string(),
            );
        }
    };
    let built = tokio::task::spawn_blocking(move || -> Result<String, ReportError> {
        let report = floor_files::report::Report::from_log(&title, &events, &declared)?;
        Ok(match form {
            ReportForm::Json => serde_json::to_string_pretty(&report)?,
            ReportForm::Csv => report.csv(),
            ReportForm::Html => report.html_in(lang)?,
            ReportForm::Markdown => report.markdown_in(lang),
        })
    })
    .await;
    match built {
        Ok(Ok(text)) => ([(header::CONTENT_TYPE, form.content_type())], text).into_response(),
        Ok(Err(error)) => api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            error.to_string(),
        ),
        Err(_) => api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the report failed",
        ),
    }
}

/// The report's forms, by the `format` query's value.
#[derive(Debug, Clone, Copy)]
pub(super) enum ReportForm {
    Markdown,
    Json,
    Csv,
    Html,
}

impl ReportForm {
    /// The form `format` names (`md` when absent); `None` for another.
    pub(super) fn parse(format: Option<&str>) -> Option<ReportForm> {
        match format.unwrap_or("md") {
            "md" => Some(ReportForm::Markdown),
            "json" => Some(ReportForm::Json),
            "csv" => Some(ReportForm::Csv),
            "html" => Some(ReportForm::Html),
            _ => None,
        }
    }

    pub(super) fn content_type(self) -> &'static str {
        match self {
            ReportForm::Markdown => "text/markdown; charset=utf-8",
            ReportForm::Json => "application/json",
            ReportForm::Csv => "text/csv; charset=utf-8",
            ReportForm::Html => "text/html; charset=utf-8",
        }
    }
}

/// Why a report could not be built from a log that was read.
#[derive(Debug, thiserror::Error)]
enum ReportError {
    #[error("the log does not fold: {0}")]
    Fold(#[from] floor_core::ApplyError),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Chart(#[from] floor_files::ChartError),
}
