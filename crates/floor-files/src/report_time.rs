//! The report's dates and times, in the session's time zone: the one its
//! run of show names (`time_zone`), else UTC. The zone database is built
//! into floor-core (`floor_core::time_zone`, jiff's bundled copy of the IANA database), so the
//! report reads no file and is the same on every machine. Names of days
//! and months, and the words around times, come from the report's
//! language ([`Texts`]).

use floor_core::time_zone::zone;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::report_lang::Texts;

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

    fn format(&self, t: &Texts, ms: u64, pattern: &str) -> String {
        self.at(ms).map_or_else(
            || t.word("unknown-time"),
            |z| z.strftime(pattern).to_string(),
        )
    }

    /// The date in `t`'s language, e.g. `Wednesday 2 December 2026`.
    pub fn date(&self, t: &Texts, ms: u64) -> String {
        let Some(z) = self.at(ms) else {
            return t.word("unknown-time");
        };
        let weekday = t.word(&format!("weekday-{}", z.weekday().to_monday_one_offset()));
        let month = t.word(&format!("month-{}", z.month()));
        t.text(
            "date",
            &[
                ("weekday", weekday.into()),
                ("day", z.day().into()),
                ("month", month.into()),
                ("year", z.year().into()),
            ],
        )
    }

    /// The date as `2026-12-02`, for sorting.
    pub fn iso_date(&self, ms: u64) -> String {
        self.at(ms)
            .map_or_else(String::new, |z| z.strftime("%Y-%m-%d").to_string())
    }

    /// The time of day, e.g. `14:05`.
    pub fn time(&self, t: &Texts, ms: u64) -> String {
        self.format(t, ms, "%H:%M")
    }

    /// The zone, named, with its offset from UTC at `ms`, e.g.
    /// `Europe/Paris, UTC+01:00`; just `UTC` for UTC.
    pub fn zone(&self, t: &Texts, ms: u64) -> String {
        if self.name == "UTC" {
            return self.name.clone();
        }
        t.text(
            "zone-offset",
            &[
                ("zone", self.name.as_str().into()),
                ("offset", self.format(t, ms, "UTC%:z").into()),
            ],
        )
    }

    /// When the session ran, e.g. `Wednesday 2 December 2026, 14:05 to
    /// 15:35 (times in Europe/Paris, UTC+01:00)`; the end's date is given
    /// too when it is another day.
    pub fn span(&self, t: &Texts, start: u64, end: u64) -> String {
        let date = self.date(t, start);
        let end_date = self.date(t, end);
        let mut args = vec![
            ("start", self.time(t, start).into()),
            ("end", self.time(t, end).into()),
            ("zone", self.zone(t, start).into()),
        ];
        if date == end_date {
            args.push(("date", date.into()));
            t.text("span-same-day", &args)
        } else {
            args.push(("date", date.into()));
            args.push(("end_date", end_date.into()));
            t.text("span-two-days", &args)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report_lang::{Form, Lang};

    // 2026-12-02T13:05:00Z.
    const T: u64 = 1_796_216_700_000;

    #[test]
    fn times_read_in_the_session_s_zone() {
        let t = &Texts::new(Lang::En, Form::Text);
        let plain = |s: String| s.replace(['\u{2068}', '\u{2069}'], "");
        let paris = Clock::new("Europe/Paris");
        assert_eq!(plain(paris.date(t, T)), "Wednesday 2 December 2026");
        assert_eq!(paris.time(t, T), "14:05");
        assert_eq!(
            plain(paris.span(t, T, T + 90 * 60_000)),
            "Wednesday 2 December 2026, 14:05 to 15:35 (times in Europe/Paris, UTC+01:00)"
        );
        let utc = Clock::new("UTC");
        assert_eq!(
            plain(utc.span(t, T + 10 * 3_600_000, T + 12 * 3_600_000)),
            "Wednesday 2 December 2026, 23:05 to Thursday 3 December 2026, 01:05 (times in UTC)"
        );
        assert_eq!(Clock::new("Mars/Olympus_Mons").zone(t, T), "UTC");
    }
}
