//! The report's dates and times, in the session's time zone: the one its
//! run of show names (`time_zone`), else UTC. The zone database is built
//! into floor-core (`floor_core::time_zone`, jiff's bundled copy of the IANA database), so the
//! report reads no file and is the same on every machine.

use floor_core::time_zone::zone;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Broker times (milliseconds since the Unix epoch) in words, in one
/// time zone.
#[derive(Debug, Clone)]
pub struct Clock {
    zone: TimeZone,
    name: String,
}

impl Clock {
    /// The clock of the zone named `name`; UTC when the database does not
    /// know it.
    pub fn new(name: &str) -> Clock {
        match zone(name) {
            Some(zone) => Clock {
                zone,
                name: name.to_owned(),
            },
            None => Clock {
                zone: TimeZone::UTC,
                name: "UTC".to_owned(),
            },
        }
    }

    fn at(&self, ms: u64) -> Option<jiff::Zoned> {
        let ms = i64::try_from(ms).ok()?;
        Some(
            Timestamp::from_millisecond(ms)
                .ok()?
                .to_zoned(self.zone.clone()),
        )
    }

    fn format(&self, ms: u64, pattern: &str) -> String {
        self.at(ms).map_or_else(
            || "an unknown time".to_owned(),
            |t| t.strftime(pattern).to_string(),
        )
    }

    /// The date, e.g. `Wednesday 2 December 2026`.
    pub fn date(&self, ms: u64) -> String {
        self.format(ms, "%A %-d %B %Y")
    }

    /// The time of day, e.g. `14:05`.
    pub fn time(&self, ms: u64) -> String {
        self.format(ms, "%H:%M")
    }

    /// The zone, named, with its offset from UTC at `ms`, e.g.
    /// `Europe/Paris, UTC+01:00`; just `UTC` for UTC.
    pub fn zone(&self, ms: u64) -> String {
        if self.name == "UTC" {
            return self.name.clone();
        }
        format!("{}, {}", self.name, self.format(ms, "UTC%:z"))
    }

    /// When the session ran, e.g. `Wednesday 2 December 2026, 14:05 to
    /// 15:35 (times in Europe/Paris, UTC+01:00)`; the end's date is given
    /// too when it is another day.
    pub fn span(&self, start: u64, end: u64) -> String {
        let end_words = if self.date(start) == self.date(end) {
            self.time(end)
        } else {
            format!("{}, {}", self.date(end), self.time(end))
        };
        format!(
            "{}, {} to {end_words} (times in {})",
            self.date(start),
            self.time(start),
            self.zone(start)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-12-02T13:05:00Z.
    const T: u64 = 1_796_216_700_000;

    #[test]
    fn times_read_in_the_session_s_zone() {
        let paris = Clock::new("Europe/Paris");
        assert_eq!(paris.date(T), "Wednesday 2 December 2026");
        assert_eq!(paris.time(T), "14:05");
        assert_eq!(
            paris.span(T, T + 90 * 60_000),
            "Wednesday 2 December 2026, 14:05 to 15:35 (times in Europe/Paris, UTC+01:00)"
        );
        let utc = Clock::new("UTC");
        assert_eq!(
            utc.span(T + 10 * 3_600_000, T + 12 * 3_600_000),
            "Wednesday 2 December 2026, 23:05 to Thursday 3 December 2026, 01:05 (times in UTC)"
        );
        assert_eq!(Clock::new("Mars/Olympus_Mons").zone(T), "UTC");
    }
}
