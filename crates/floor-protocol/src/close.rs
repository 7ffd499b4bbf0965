//! The WebSocket close codes of the protocol (protocol/README.md, section
//! 14), and which of them end a link for good.

/// Normal closure.
pub const NORMAL: u16 = 1000;
/// The broker is shutting down; reconnect and resume.
pub const GOING_AWAY: u16 = 1001;
/// A text message that is not valid UTF-8 (RFC 6455, section 8.1).
pub const INVALID_TEXT: u16 = 1007;
/// A frame or message over the size limit.
pub const TOO_BIG: u16 = 1009;
/// The connection fell too far behind; reconnect and resume.
pub const TOO_SLOW: u16 = 4000;
/// No `hello` in time.
pub const HELLO_TIMEOUT: u16 = 4001;
/// The `hello` was refused, or the token was revoked.
pub const HELLO_REFUSED: u16 = 4002;
/// Too many invalid messages.
pub const ABUSE: u16 = 4003;
/// No pong in time.
pub const PING_TIMEOUT: u16 = 4004;
/// The store cannot be read right now (a shared store's room); try again
/// later (the standard "try again later" code).
pub const TRY_AGAIN_LATER: u16 = 1013;

/// The codes after which a client does not reconnect with the same link:
/// it was refused, or reconnecting would only repeat what was refused.
pub const FINAL: [u16; 2] = [HELLO_REFUSED, ABUSE];

/// Whether a client gives up the link after this close code.
pub fn is_final(code: u16) -> bool {
    FINAL.contains(&code)
}
