//! The venue dashboard across brokers: each broker publishes its rooms'
//! summaries on a core NATS subject (not stored), and merges the others'
//! into its feed (`crate::conference::live`).

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::{Shared, SharedError};

/// The core NATS subject of room summaries.
const SUMMARY_SUBJECT: &str = "floor.summary";

/// One broker's summary of one room, sent to the others.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryReport {
    /// The broker that serves the room.
    pub broker: uuid::Uuid,
    /// Its summary (its own screens only).
    pub summary: floor_protocol::conference::RoomSummary,
}

impl Shared {
    /// Tells the other brokers this one's summary of a room (lost while
    /// disconnected; sent again every few seconds).
    pub async fn report_summary(&self, summary: floor_protocol::conference::RoomSummary) {
        let report = SummaryReport {
            broker: self.broker,
            summary,
        };
        let Ok(body) = serde_json::to_vec(&report) else {
            return;
        };
        if let Err(error) = self.client.publish(SUMMARY_SUBJECT, body.into()).await {
            tracing::debug!(%error, "a room summary was not shared");
        }
    }

    /// Other brokers' summaries, as they come (this one's are left out;
    /// those that do not decode are skipped).
    pub async fn summary_reports(
        &self,
    ) -> Result<impl futures_util::Stream<Item = SummaryReport> + use<>, SharedError> {
        let me = self.broker;
        let reports = self
            .client
            .subscribe(SUMMARY_SUBJECT)
            .await
            .map_err(|e| SharedError::Nats(e.to_string()))?;
        Ok(reports.filter_map(move |message| async move {
            let report: SummaryReport = serde_json::from_slice(&message.payload).ok()?;
            (report.broker != me).then_some(report)
        }))
    }
}
