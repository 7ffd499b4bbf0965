//! `GET /api/conference/report`: the event's participation report, one
//! row per session still in the programme (archived sessions are left
//! out), each computed from its room's log as the session report is.
//!
//! Each log is read from the store (`Broker::read_log`), never by loading
//! the room, and folded into its report on a blocking thread, one session
//! at a time, so that only the sessions' reports are held at once, not
//! their logs.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use floor_files::conference_report::{ConferenceReport, SessionInfo};
use floor_files::report::Report;

use super::api_error;
use super::conference::require_ops;
use super::rooms::{ReportForm, ReportQuery};
use crate::broker::Broker;
use crate::conference::{Conference, RecordError};
use crate::forwarded::ClientAddr;
use crate::room::LoadError;

/// Why the report could not be built.
#[derive(Debug, thiserror::Error)]
enum BuildError {
    /// The store could not be read now.
    #[error("the log of {room} cannot be read now: {source}")]
    Unavailable {
        /// The session's room.
        room: String,
        /// Why.
        source: LoadError,
    },
    /// A log was read but is corrupt, or a form failed.
    #[error("{0}")]
    Internal(String),
}

impl BuildError {
    fn response(self) -> Response {
        match self {
            BuildError::Unavailable { .. } => api_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                self.to_string(),
            ),
            BuildError::Internal(message) => {
                api_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
            }
        }
    }
}

/// A failed read of a log: a store that cannot be read now is a `503`; a
/// log or declarations that do not read, a `500`.
fn load_error(room: &str, error: LoadError) -> BuildError {
    match error {
        LoadError::Replay { .. } | LoadError::Declarations { .. } => {
            BuildError::Internal(error.to_string())
        }
        source => BuildError::Unavailable {
            room: room.to_owned(),
            source,
        },
    }
}

/// The conference's record, or the answer when it cannot be read or
/// holds no session.
async fn record(broker: &Broker) -> Result<Conference, Response> {
    let conference = match broker.conference().await {
        Ok((conference, _)) => conference,
        Err(error @ RecordError::Store(_)) => {
            return Err(api_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                error.to_string(),
            ));
        }
        Err(error @ RecordError::Decode(_)) => {
            return Err(api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                error.to_string(),
            ));
        }
    };
    if conference.sessions.is_empty() {
        return Err(api_error(
            StatusCode::NOT_FOUND,
            "no_conference",
            "no programme was imported: run `floor conference import FILE` first",
        ));
    }
    Ok(conference)
}

/// Each session still in the programme with its report, folded from its
/// room's log; a room with no event gets an empty report (a row of
/// zeros).
async fn session_reports(
    broker: &Broker,
    conference: Conference,
) -> Result<Vec<(SessionInfo, Report)>, BuildError> {
    let mut sessions = Vec::new();
    for (id, session) in conference.sessions {
        if session.archived {
            continue;
        }
        let (events, declared) = broker
            .read_log(&id)
            .await
            .map_err(|error| load_error(&id, error))?;
        let title = session.title.clone();
        let report = if events.is_empty() {
            Report::from_events(&title, &[])
        } else {
            tokio::task::spawn_blocking(move || Report::from_log(&title, &events, &declared))
                .await
                .map_err(|_| BuildError::Internal(format!("the report of {id} failed")))?
        }
        .map_err(|error| BuildError::Internal(format!("the log of {id} does not fold: {error}")))?;
        let info = SessionInfo {
            id,
            title: session.title,
            kind: session.kind,
            location: session.location,
            starts_at_ms: session.starts_at_ms,
            ends_at_ms: session.ends_at_ms,
            time_zone: session.time_zone,
        };
        sessions.push((info, report));
    }
    Ok(sessions)
}

/// The report in `form`, in `lang` for the human forms.
fn render(
    report: &ConferenceReport,
    form: ReportForm,
    lang: floor_files::Lang,
) -> Result<String, BuildError> {
    let internal = |error: &dyn std::fmt::Display| BuildError::Internal(error.to_string());
    Ok(match form {
        ReportForm::Json => serde_json::to_string_pretty(report).map_err(|e| internal(&e))?,
        ReportForm::Csv => report.csv(),
        ReportForm::Html => report.html_in(lang).map_err(|e| internal(&e))?,
        ReportForm::Markdown => report.markdown_in(lang),
    })
}

/// `GET /api/conference/report?format=md|html|csv|json&lang=...`: the
/// event's participation report, for the admin or the `ops` token.
pub(super) async fn report(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    Query(query): Query<ReportQuery>,
    headers: HeaderMap,
) -> Response {
    match build(&broker, client, &query, &headers).await {
        Ok(response) | Err(response) => response,
    }
}

async fn build(
    broker: &Arc<Broker>,
    client: IpAddr,
    query: &ReportQuery,
    headers: &HeaderMap,
) -> Result<Response, Response> {
    if let Some(response) = require_ops(broker, client, headers).await {
        return Err(response);
    }
    let Some(form) = ReportForm::parse(query.format.as_deref()) else {
        return Err(api_error(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            "format is md, json, csv or html",
        ));
    };
    let Ok(lang) = query
        .lang
        .as_deref()
        .unwrap_or("en")
        .parse::<floor_files::Lang>()
    else {
        return Err(api_error(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            "lang is ar, zh, en, fr, ru or es",
        ));
    };
    let conference = record(broker).await?;
    let sessions = session_reports(broker, conference)
        .await
        .map_err(BuildError::response)?;
    let built =
        tokio::task::spawn_blocking(move || render(&ConferenceReport::new(sessions), form, lang))
            .await
            .map_err(|_| BuildError::Internal("the report failed".into()).response())?;
    let text = built.map_err(BuildError::response)?;
    Ok(([(header::CONTENT_TYPE, form.content_type())], text).into_response())
}
