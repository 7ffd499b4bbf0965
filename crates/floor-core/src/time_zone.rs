//! Time zones by IANA name, from the database built into floor-core
//! (jiff's bundled copy of the IANA database), so that a run of show's
//! `time_zone` is checked the same way on every machine, reading no file.

use jiff::tz::TimeZone;

/// The zone of an IANA name (`Europe/Paris`, `UTC`), if the database
/// knows it.
pub fn zone(name: &str) -> Option<TimeZone> {
    if name.is_empty() || name.chars().count() > floor_protocol::limits::TIME_ZONE_MAX {
        return None;
    }
    jiff::tz::db().get(name).ok()
}
