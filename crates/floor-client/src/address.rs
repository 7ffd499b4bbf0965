//! [`RoomAddress`]: where a room is, read from the link the broker hands
//! out for each role.
//!
//! The broker prints one link per role, for example
//! `http://hall.example:8080/r/ws235/runner#token=3f9c...`. A client takes
//! that link as it is: the room id comes from the `/r/{room}` path, the
//! WebSocket endpoint is `/ws` beside it, and the token, when the link
//! carries one, from the `#token=` fragment.

use std::fmt;

use crate::error::AddressError;

/// A room on a broker: the WebSocket endpoint, the room id and, when the
/// link carried one, the role token.
#[derive(Clone, PartialEq, Eq)]
pub struct RoomAddress {
    /// The WebSocket URL of the broker, e.g. `ws://hall.example:8080/ws`.
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
    ///   broker prints it (`https` is accepted but needs a TLS-terminating
    ///   proxy in front of the client, see [`AddressError::Tls`]);
    /// - `ws://host[:port][/prefix]/ws?room={room}[#token=...]`.
    ///
    /// ```
    /// use floor_client::RoomAddress;
    ///
    /// let address = RoomAddress::parse("http://127.0.0.1:8080/r/ws235/runner#token=abc").unwrap();
    /// assert_eq!(address.ws_url, "ws://127.0.0.1:8080/ws");
    /// assert_eq!(address.room, "ws235");
    /// assert_eq!(address.token.as_deref(), Some("abc"));
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
            "https" | "wss" => return Err(AddressError::Tls),
            other => {
                return Err(AddressError::Malformed(format!(
                    "scheme {other:?} is not http or ws"
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
    }

    #[test]
    fn refuses_what_is_not_a_room_link() {
        for bad in [
            "h:1/r/x",
            "http://h:1/",
            "http://h/r/",
            "ftp://h/r/x",
            "ws://h/ws",
        ] {
            assert!(RoomAddress::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            RoomAddress::parse("https://h/r/x"),
            Err(AddressError::Tls)
        ));
    }

    #[test]
    fn debug_hides_the_token() {
        let a = RoomAddress::parse("http://h/r/x#token=t0k3n").unwrap();
        assert!(!format!("{a:?}").contains("t0k3n"));
    }
}
