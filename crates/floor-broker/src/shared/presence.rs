//! Attendance across brokers: each broker reports how many of a room's
//! participant pages it holds, on a core NATS subject (not stored).

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::{Shared, SharedError};

/// The core NATS subject on which brokers report how many of a room's
/// participant pages they hold.
pub fn presence_subject(room: &str) -> String {
    format!("floor.presence.{room}")
}

/// One broker's count of a room's participant pages, sent to the others.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PresenceReport {
    /// The broker that holds them.
    pub broker: uuid::Uuid,
    /// Its participant pages, per channel.
    pub connected: floor_protocol::Attendance,
}

impl Shared {
    /// Tells the other brokers how many of `room`'s participant pages this
    /// one holds (core NATS, not stored; lost while disconnected, and
    /// sent again every [`crate::attendance::SHARE_INTERVAL`]).
    pub async fn report_presence(&self, room: &str, connected: floor_protocol::Attendance) {
        let report = PresenceReport {
            broker: self.broker,
            connected,
        };
        let Ok(body) = serde_json::to_vec(&report) else {
            return;
        };
        if let Err(error) = self
            .client
            .publish(presence_subject(room), body.into())
            .await
        {
            tracing::debug!(room, %error, "attendance not shared");
        }
    }

    /// Every broker's reports of `room`'s participant pages (this one's
    /// too), as they come; reports that do not decode are skipped.
    pub async fn presence_reports(
        &self,
        room: &str,
    ) -> Result<impl futures_util::Stream<Item = PresenceReport> + use<>, SharedError> {
        let reports = self
            .client
            .subscribe(presence_subject(room))
            .await
            .map_err(|e| SharedError::Nats(e.to_string()))?;
        Ok(reports
            .filter_map(|message| async move { serde_json::from_slice(&message.payload).ok() }))
    }
}
