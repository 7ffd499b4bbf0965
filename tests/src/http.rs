//! HTTP clients for the broker's routes, and its metrics read back.

use crate::Floor;

/// An HTTP client for the broker's routes: every status is an answer,
/// not an error (redirects are followed).
pub fn http_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// [`http_agent`] that returns a redirect as the answer instead of
/// following it.
pub fn http_agent_seeing_redirects() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .build()
        .into()
}

/// The value of an unlabelled counter or gauge in `floor`'s `/metrics`
/// (0 when absent).
pub async fn metric(floor: &Floor, name: &str) -> u64 {
    let (status, body) = floor.http("GET", "/metrics", "", None).await;
    assert_eq!(status, 200);
    body.as_str()
        .expect("metrics as text")
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .unwrap_or(0.0) as u64
}

/// Waits until `/metrics` says `want` rooms are loaded (fails after
/// [`crate::DEADLINE`]).
pub async fn wait_for_loaded(floor: &Floor, want: u64) {
    let waited = tokio::time::timeout(crate::DEADLINE, async {
        loop {
            if metric(floor, "floor_rooms_loaded").await == want {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "floor_rooms_loaded never reached {want}");
}
