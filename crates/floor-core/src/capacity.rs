//! The bound on a room: at most `max_open_entries` open entries (pending,
//! waiting or speaking) at once.
//!
//! Only `submit` adds an open entry; every other command keeps an entry
//! open (`approve`, `edit`, `pin`, `call` of a waiting one) or closes one
//! (`withdraw`, `reject`, `merge`, `finish`, `next`), and nothing reopens a
//! closed entry. So the bound holds if `submit` respects it and the cap is
//! never set below what the room holds: the two checks below.

use floor_protocol::limits::OPEN_ENTRIES_MAX;

use crate::error::CommandError;
use crate::room::Room;

/// Refuses a new entry when the room holds as many open entries as its
/// cap allows.
pub(crate) fn admit(room: &Room) -> Result<(), CommandError> {
    let cap = room.settings().max_open_entries;
    if room.open_count() >= usize::try_from(cap).unwrap_or(usize::MAX) {
        return Err(CommandError::RoomFull { cap });
    }
    Ok(())
}

/// Checks a new cap: from 1 to [`OPEN_ENTRIES_MAX`], and no lower than the
/// number of entries the room holds open now (the chair closes the queue
/// to stop new requests; a cap below the open entries would break the
/// bound without taking anyone out of the queue).
pub(crate) fn check_cap(room: &Room, cap: u32) -> Result<(), CommandError> {
    const FIELD: &str = "patch.max_open_entries";
    if !(1..=OPEN_ENTRIES_MAX).contains(&cap) {
        return Err(CommandError::invalid(
            FIELD,
            format!("must be from 1 to {OPEN_ENTRIES_MAX}"),
        ));
    }
    let open = room.open_count();
    if usize::try_from(cap).unwrap_or(usize::MAX) < open {
        return Err(CommandError::invalid(
            FIELD,
            format!("the room holds {open} open requests now; the cap cannot be below that"),
        ));
    }
    Ok(())
}
