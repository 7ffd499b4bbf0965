//! [`RoomAddress`]: where a room is, read from the link the broker hands
//! out for each role.
//!
//! The broker prints one link per role, for example
//! `http://hall.example:8080/r/ws235/runner#token=3f9c...`. A client takes
//! that link as it is: the room id comes from the `/r/{room}` path, the
//! WebSocket endpoint is `/ws` beside it (`ws://` for an `http://` link,
//! `wss://`, WebSocket over TLS, for an `https://` one), and the token,
//! when the link carries one, from the `#token=` fragment.

use std::fmt;

use crate::error::AddressError;

/// A room on a broker: the WebSocket endpoint, the room id and, when the
/// link carried one, the role token.
#[derive(Clone, PartialEq, Eq)]
pub struct RoomAddress {
    /// The WebSocket URL of the broker, e.g. `ws://hall.example:8080/ws`
    /// or `wss://floor.example/ws`.
    pub ws_url: String,
    /// The room id.
    pub room: String,
    /// The token from the link's `#token=` fragment, if any.
    pub token: Option<String>,
}

impl fmt::Debug for RoomAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token is a secret; keep it out of logs.
        f.debug_struct("RoomAddress")
            .field("ws_url", &self.ws_url)
            .field("room", &self.room)
            .field("token", &self.token.as_ref().map(|_| "<secret>"))
            .finish()
    }
}

impl RoomAddress {
    /// Reads a room link.
    ///
    /// Accepted forms:
    /// - `http://host[:port][/prefix]/r/{room}[/{role}][#token=...]`, as the
    ///   broker prints it, or the same with `https://` for a broker behind
    ///   a TLS proxy: the endpoint is then `wss://host[:port][/prefix]/ws`
    ///   (see [`crate::tls`] for the certificates it trusts);
    /// - `ws://host[:port][/prefix]/ws?room={room}[#token=...]`, or `wss://`.
    ///
    /// ```
    /// use floor_client::RoomAddress;
    ///
    /// let address = RoomAddress::parse("http://127.0.0.1:8080/r/ws235/runner#token=abc").unwrap();
    /// assert_eq!(address.ws_url, "ws://127.0.0.1:8080/ws");
    /// assert_eq!(address.room, "ws235");
    /// assert_eq!(address.token.as_deref(), Some("abc"));
    ///
    /// let address = RoomAddress::parse("https://localhost:8443/r/ws235/display").unwrap();
    /// assert_eq!(address.ws_url, "wss://localhost:8443/ws");
    /// assert!(address.is_tls());
    /// ```
    pub fn parse(link: &str) -> Result<RoomAddress, AddressError> {
        let link = link.trim();
        let (link, fragment) = match link.split_once('#') {
            Some((link, fragment)) => (link, Some(fragment)),
            None => (link, None),
        };
        let token = fragment
            .and_then(|f| f.split('&').find_map(|kv| kv.strip_prefix("token=")))
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let (scheme, rest) = link
            .split_once("://")
            .ok_or_else(|| AddressError::Malformed(format!("{link:?} has no scheme")))?;
        let ws_scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" | "ws" => "ws",
            "https" | "wss" => "wss",
            other => {
                return Err(AddressError::Malformed(format!(
                    "scheme {other:?} is not http, https, ws or wss"
                )));
            }
        };
        let (rest, query) = match rest.split_once('?') {
            Some((rest, query)) => (rest, Some(query)),
            None => (rest, None),
        };
        let (host, path) = match rest.split_once('/') {
            Some((host, path)) => (host, path),
            None => (rest, ""),
        };
        if host.is_empty() {
            return Err(AddressError::Malformed(format!("{link:?} has no host")));
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let (prefix, room) = if let Some(at) = segments.iter().rposition(|s| *s == "r") {
            let room = segments.get(at + 1).ok_or_else(|| {
                AddressError::Malformed(format!("{link:?} names no room after /r/"))
            })?;
            (&segments[..at], (*room).to_owned())
        } else if segments.last() == Some(&"ws") {
            let room = query
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("room=")))
                .filter(|r| !r.is_empty())
                .ok_or_else(|| {
                    AddressError::Malformed(format!("{link:?} names no room (?room=...)"))
                })?;
            (&segments[..segments.len() - 1], room.to_owned())
        } else {
            return Err(AddressError::Malformed(format!(
                "{link:?} is not a room link (expected .../r/ROOM or .../ws?room=ROOM)"
            )));
        };
        let mut ws_url = format!("{ws_scheme}://{host}");
        for segment in prefix {
            ws_url.push('/');
            ws_url.push_str(segment);
        }
        ws_url.push_str("/ws");
        Ok(RoomAddress {
            ws_url,
            room,
            token,
        })
    }

    /// Whether the endpoint is WebSocket over TLS (`wss://`).
    pub fn is_tls(&self) -> bool {
        self.ws_url.starts_with("wss://")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_the_links_the_broker_prints() {
        let a = RoomAddress::parse("http://h:1/r/ws235/chair#token=t").unwrap();
        assert_eq!(
            (a.ws_url.as_str(), a.room.as_str(), a.token.as_deref()),
            ("ws://h:1/ws", "ws235", Some("t"))
        );
        let a = RoomAddress::parse("http://h/floor/r/main-hall").unwrap();
        assert_eq!(a.ws_url, "ws://h/floor/ws");
        assert_eq!(a.room, "main-hall");
        assert_eq!(a.token, None);
        let a = RoomAddress::parse("ws://h:9/ws?room=x#token=y").unwrap();
        assert_eq!((a.ws_url.as_str(), a.room.as_str()), ("ws://h:9/ws", "x"));
        assert!(!a.is_tls());
    }

    #[test]
    fn https_and_wss_links_speak_tls() {
        let a = RoomAddress::parse("https://localhost:8443/r/ws235/runner#token=t").unwrap();
        assert_eq!(
            (a.ws_url.as_str(), a.room.as_str(), a.token.as_deref()),
            ("wss://localhost:8443/ws", "ws235", Some("t"))
        );
        assert!(a.is_tls());
        let a = RoomAddress::parse("HTTPS://floor.example/hall/r/main").unwrap();
        assert_eq!(a.ws_url, "wss://floor.example/hall/ws");
        let a = RoomAddress::parse("wss://floor.example/ws?room=x").unwrap();
        assert_eq!(
            (a.ws_url.as_str(), a.room.as_str()),
            ("wss://floor.example/ws", "x")
        );
        assert!(a.is_tls());
    }

    #[test]
    fn refuses_what_is_not_a_room_link() {
        for bad in [
            "h:1/r/x",
            "http://h:1/",
            "http://h/r/",
            "ftp://h/r/x",
            "ws://h/ws",
            "https://h/",
            "wss://h/ws",
        ] {
            assert!(RoomAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_hides_the_token() {
        let a = RoomAddress::parse("http://h/r/x#token=t0k3n").unwrap();
        assert!(!format!("{a:?}").contains("t0k3n"));
    }
}
