//! Protocol messages as tests build and check them: a `submit`, an
//! acknowledgement or refusal asserted, the attendance peak read from the
//! events a client saw.

use serde_json::{Value, json};

use crate::{Client, DEADLINE};

/// A `submit` command for a person on a channel.
pub fn submit(channel: &str, name: &str) -> Value {
    json!({"type": "submit", "entry": {"channel": channel, "person": {"name": name}}})
}

/// Asserts an `ack` and returns it.
pub fn acked(answer: Value) -> Value {
    assert_eq!(answer["type"], "ack", "expected an ack: {answer}");
    answer
}

/// Asserts an `error` with the code and returns it.
pub fn refused(answer: Value, code: &str) -> Value {
    assert_eq!(answer["type"], "error", "expected an error: {answer}");
    assert_eq!(answer["code"], code, "{answer}");
    answer
}

/// Each channel's attendance peak so far (onsite, online), folded from the
/// `attendance_recorded` events a client has seen.
pub fn attendance_peak(client: &Client) -> (u64, u64) {
    client
        .events
        .iter()
        .filter(|e| e["event"]["type"] == "attendance_recorded")
        .fold((0, 0), |(onsite, online), e| {
            let c = &e["event"]["connected"];
            (
                onsite.max(c["onsite"].as_u64().expect("a count")),
                online.max(c["online"].as_u64().expect("a count")),
            )
        })
}

/// Reads a client's messages until the logged attendance peak reaches
/// `want` on both channels (within [`DEADLINE`]), then asserts it is
/// `want` exactly.
pub async fn wait_for_attendance_peak(client: &mut Client, want: (u64, u64)) {
    let reached = |(onsite, online): (u64, u64)| onsite >= want.0 && online >= want.1;
    let waited = tokio::time::timeout(DEADLINE, async {
        while !reached(attendance_peak(client)) {
            client.next().await;
        }
    })
    .await;
    let peak = attendance_peak(client);
    assert!(
        waited.is_ok(),
        "the peak stayed at {peak:?}, short of {want:?}"
    );
    assert_eq!(peak, want, "the logged attendance peak");
}
