//! What the readers share about times: time zones by IANA name, civil
//! times placed in a zone, and frab's `HH:MM` clock times and durations.
//!
//! Time zones come from jiff's database, which this workspace builds with
//! the IANA database bundled (`tzdb-bundle-always`), so a programme reads
//! the same on a machine without `/usr/share/zoneinfo`.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// The time zone of an IANA name, or a sentence saying it is none.
pub(crate) fn zone(name: &str) -> Result<TimeZone, String> {
    jiff::tz::db()
        .get(name)
        .map_err(|_| format!("{name:?} is not an IANA time zone name (such as Europe/Paris)"))
}

/// The instant a civil time names in a zone. A time that a clock change
/// skips or repeats is read as the clock read it before the change
/// (RFC 5545's rule, jiff's "compatible" choice).
pub(crate) fn in_zone(time: DateTime, zone: &TimeZone) -> Result<Timestamp, String> {
    time.to_zoned(zone.clone())
        .map(|z| z.timestamp())
        .map_err(|e| format!("{time} has no instant in its time zone: {e}"))
}

/// Hours and minutes written `H:MM` or `HH:MM` (and optionally `:SS`),
/// as a duration from zero: frab's `<start>` and `<duration>`.
pub(crate) fn clock(text: &str) -> Option<SignedDuration> {
    let mut parts = text.trim().split(':');
    let hours: i64 = digits(parts.next()?)?;
    let minutes: i64 = digits(parts.next()?)?;
    let seconds: i64 = match parts.next() {
        Some(s) => digits(s)?,
        None => 0,
    };
    if parts.next().is_some() || minutes > 59 || seconds > 59 {
        return None;
    }
    Some(SignedDuration::from_secs(
        hours * 3600 + minutes * 60 + seconds,
    ))
}

fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn clock_times_read() {
        assert_eq!(clock("01:30"), Some(SignedDuration::from_mins(90)));
        assert_eq!(clock("0:45"), Some(SignedDuration::from_mins(45)));
        assert_eq!(clock("10:00:30"), Some(SignedDuration::from_secs(36030)));
        for bad in ["", "90", "1:60", "a:b", "1:30:00:00", "-1:30"] {
            assert_eq!(clock(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn zones_come_from_the_bundled_database() {
        let paris = zone("Europe/Paris").unwrap();
        let at = in_zone(jiff::civil::datetime(2018, 11, 12, 10, 0, 0, 0), &paris).unwrap();
        assert_eq!(at.to_string(), "2018-11-12T09:00:00Z");
        assert!(
            zone("Mars/Olympus_Mons")
                .unwrap_err()
                .contains("Mars/Olympus_Mons")
        );
    }
}
