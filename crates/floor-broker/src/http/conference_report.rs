//! `GET /api/conference/report`: the event's participation report.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::api_error;
use crate::broker::Broker;

/// `GET /api/conference/report?format=md|html|csv|json`.
pub(super) async fn report(State(_broker): State<Arc<Broker>>) -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "no_conference",
        "the conference report is not built yet",
    )
}
