// Generated from the floor-protocol crate (src/pages.rs): do not edit.
// Regenerate with FLOOR_UPDATE_SCHEMA=1 cargo test -p floor-protocol --test schema.

/** The length limits of free-text fields, in Unicode scalar values after trimming (section 11.2). */
export const LIMITS = Object.freeze({"affiliation":120,"language":35,"location":40,"name":80,"reason":200,"text":1000});

/** The statuses of an open request: a person's, counted by one_entry_per_person and the room's cap. */
export const OPEN_STATUSES = Object.freeze(["pending","waiting","speaking"]);

/** Error codes after which a command is sent again, later, with the same request id. */
export const RETRY_CODES = Object.freeze(["rate_limited","storage_unavailable","outcome_unknown"]);

/** Close codes after which a page does not reconnect with the same link. */
export const FINAL_CLOSES = Object.freeze([4002,4003]);

/** How long a command refused with a retry code waits before it is sent again. */
export const RETRY_AFTER_MS = 1000;

/** The first reconnection delay's ceiling; it doubles with each attempt (with jitter). */
export const RECONNECT_MIN_MS = 250;

/** The largest reconnection delay's ceiling. */
export const RECONNECT_MAX_MS = 10000;

/** The services a relayed request can come from (provenance.source); each has a label in the pages' strings. */
export const SOURCES = Object.freeze(["matrix"]);

/** A new room's settings; a view from an older broker may lack a field added since. */
export const SETTINGS_DEFAULTS = Object.freeze({"first_time_first":true,"intake_window_s":30,"max_open_entries":500,"moderated":false,"one_entry_per_person":true,"opens_with":"online","policy":{"kind":"alternate"},"speaking_limit_s":120});

/** Most slots an order lists; those waiting past it stand after this many. */
export const ORDER_SLOTS_MAX = 50;
