//! The stamp a published message carries: its number in its room's
//! sequence and the time it was sent, so a subscriber can tell its
//! latency, a gap and a duplicate. One clock for the whole generator
//! process (publishers and subscribers share it).

use std::sync::OnceLock;
use std::time::Instant;

const MARK: &str = "bench:";

fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

/// Microseconds since the generator started.
pub fn now_us() -> u64 {
    u64::try_from(base().elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// The stamp of message `n`, sent now: `bench:<n>:<µs>`.
pub fn stamp(n: u64) -> String {
    format!("{MARK}{n}:{}", now_us())
}

/// A B0/B1 message of about 200 bytes carrying the stamp of message `n`
/// (the size of a typical floor event).
pub fn raw_message(room: &str, n: u64) -> String {
    let head = format!(
        "{{\"type\":\"events\",\"room\":\"{room}\",\"seq\":{n},\"text\":\"{}\",\"pad\":\"",
        stamp(n)
    );
    let pad = 200usize.saturating_sub(head.len() + 2);
    format!("{head}{}\"}}", "x".repeat(pad))
}

/// The stamp in a received message, if any: (n, sent at µs).
pub fn parse(text: &str) -> Option<(u64, u64)> {
    let at = text.find(MARK)? + MARK.len();
    let rest = &text[at..];
    let colon = rest.find(':')?;
    let n = rest[..colon].parse().ok()?;
    let digits = rest[colon + 1..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len() - colon - 1);
    let sent = rest[colon + 1..colon + 1 + digits].parse().ok()?;
    Some((n, sent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_reads_back() {
        let message = raw_message("r0", 42);
        assert_eq!(message.len(), 200);
        let (n, sent) = parse(&message).expect("a stamp");
        assert_eq!(n, 42);
        assert!(sent <= now_us());
        assert!(serde_json::from_str::<serde_json::Value>(&message).is_ok());
        assert_eq!(parse("no stamp here"), None);
        assert_eq!(parse("\"text\":\"bench:7:123\""), Some((7, 123)));
    }
}
