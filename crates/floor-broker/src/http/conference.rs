//! The conference's JSON API: the programme's import (admin), its
//! sessions (admin or `ops`), the `ops` token (admin) and the staff sheet
//! (admin).

use std::net::IpAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use floor_protocol::conference::{ConferenceImport, ListedSession};
use serde::Serialize;

use super::{api_error, bearer, failed_guess, require_admin};
use crate::broker::{Broker, RoomError};
use crate::commit::WriteError;
use crate::conference::{ImportError, RecordError};
use crate::forwarded::ClientAddr;

fn record_error(error: RecordError) -> Response {
    match error {
        RecordError::Store(_) => api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            error.to_string(),
        ),
        RecordError::Decode(_) => api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            error.to_string(),
        ),
    }
}

/// `PUT /api/conference`: imports the whole programme.
pub(super) async fn import(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    headers: HeaderMap,
    body: Result<Json<ConferenceImport>, axum::extract::rejection::JsonRejection>,
) -> Response {
    if let Some(response) = require_admin(&broker, client, &headers).await {
        return response;
    }
    let Json(programme) = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return api_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "a programme is at most 2 MiB of JSON",
            );
        }
        Err(rejection) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "invalid_message",
                rejection.body_text(),
            );
        }
    };
    match broker.import_conference(&programme.sessions).await {
        Ok(outcome) => Json(outcome).into_response(),
        Err(error @ ImportError::Invalid { .. }) => {
            api_error(StatusCode::BAD_REQUEST, "invalid_field", error.to_string())
        }
        Err(error @ ImportError::RoomExists(_)) => {
            api_error(StatusCode::CONFLICT, "room_exists", error.to_string())
        }
        Err(ImportError::Record(error)) => record_error(error),
        Err(
            error @ ImportError::Room {
                source: RoomError::Refused { .. },
                ..
            },
        ) => api_error(StatusCode::CONFLICT, "refused", error.to_string()),
        Err(error @ ImportError::Room { .. }) => api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            error.to_string(),
        ),
    }
}

/// `None` when the request carries the admin or the `ops` token;
/// otherwise the 401, as a failed guess of `client`.
pub(super) async fn require_ops(
    broker: &Arc<Broker>,
    client: IpAddr,
    headers: &HeaderMap,
) -> Option<Response> {
    if let Some(token) = bearer(headers)
        && (broker.is_admin(token) || broker.is_ops(token).await)
    {
        return None;
    }
    let answer = api_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "this needs the admin or the ops token as `Authorization: Bearer TOKEN`",
    );
    Some(failed_guess(broker, client, answer).await)
}

/// The body of `GET /api/conference`.
#[derive(Debug, Serialize)]
struct Sessions {
    sessions: Vec<ListedSession>,
}

/// `GET /api/conference`: every session of the conference, archived ones
/// included, by start, location and id.
pub(super) async fn sessions(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = require_ops(&broker, client, &headers).await {
        return response;
    }
    let conference = match broker.conference().await {
        Ok((conference, _)) => conference,
        Err(error) => return record_error(error),
    };
    let sessions = conference.listed(true);
    Json(Sessions { sessions }).into_response()
}

/// The answer of `POST /api/conference/ops-token`.
#[derive(Debug, Serialize)]
struct OpsToken {
    token: String,
    link: String,
}

/// `POST /api/conference/ops-token`: a new `ops` token (the old one stops
/// working).
pub(super) async fn ops_token(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = require_admin(&broker, client, &headers).await {
        return response;
    }
    match broker.issue_ops_token().await {
        Ok(token) => {
            let link = format!(
                "{}/conference#token={token}",
                broker.config.public_url.trim_end_matches('/')
            );
            Json(OpsToken { token, link }).into_response()
        }
        Err(error) => record_error(error),
    }
}

/// `GET /api/conference/sheet`: the staff sheet, a whole HTML page.
pub(super) async fn sheet(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = require_admin(&broker, client, &headers).await {
        return response;
    }
    let conference = match broker.conference().await {
        Ok((conference, _)) => conference,
        Err(error) => return record_error(error),
    };
    if conference.sessions.is_empty() {
        return api_error(
            StatusCode::NOT_FOUND,
            "no_conference",
            "no programme was imported: run `floor conference import FILE` first",
        );
    }
    let broker = broker.clone();
    match tokio::task::spawn_blocking(move || broker.staff_sheet(&conference)).await {
        Ok(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            html,
        )
            .into_response(),
        Err(_) => record_error(RecordError::Store(WriteError::Failed(
            "the sheet failed".into(),
        ))),
    }
}
