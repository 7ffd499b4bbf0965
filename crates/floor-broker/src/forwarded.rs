//! The client address of a request: the TCP peer's, or, when the peer is
//! a trusted reverse proxy (`--trusted-proxy CIDR`), the address the
//! proxies forwarded.
//!
//! For a trusted peer the broker reads `X-Forwarded-For` when the request
//! has one, else `Forwarded` (RFC 7239, its `for=` parameters). It walks
//! the addresses from the right (the hop nearest the broker) and takes the
//! first one that is not itself a trusted proxy; when every one is
//! trusted, the left-most. An entry it cannot read (`unknown`, an
//! obfuscated identifier, garbage) stops the walk: the client is then the
//! nearest trusted hop that was read, so a malformed header can only make
//! a client count as its proxy, never as an address of its choosing. For
//! any other peer both headers are ignored: a client cannot choose its
//! own address.
//!
//! `X-Forwarded-For` is preferred because nearly every proxy writes it
//! (Caddy, nginx, HAProxy, Traefik, cloud load balancers), while many
//! pass a client's `Forwarded` through untouched; a proxy that writes only
//! `Forwarded` must remove any `X-Forwarded-For` a client sends.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The client address of a request (a request extension set by
/// [`crate::serve`]): the TCP peer's, or the forwarded one behind a
/// trusted proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The address ranges of trusted reverse proxies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

impl TrustedProxies {
    /// Proxies in these ranges.
    pub fn new(nets: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies { nets }
    }

    /// Whether `ip` is a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The client address of a request that came from TCP peer `peer`
    /// with these headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let hops = if headers.contains_key("x-forwarded-for") {
            joined(headers, "x-forwarded-for").map(|text| {
                split_outside_quotes(&text, ',')
                    .map(|hop| node(hop.trim()))
                    .collect::<Vec<_>>()
            })
        } else if headers.contains_key("forwarded") {
            joined(headers, "forwarded").map(|text| {
                split_outside_quotes(&text, ',')
                    .map(forwarded_for)
                    .collect::<Vec<_>>()
            })
        } else {
            return peer;
        };
        let Some(hops) = hops else {
            return peer;
        };
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            let Some(ip) = hop else {
                return client;
            };
            client = ip;
            if !self.contains(ip) {
                return ip;
            }
        }
        client
    }
}

/// Every field of a header joined with commas (a list may be split over
/// several fields); `None` when one is not visible ASCII.
fn joined(headers: &HeaderMap, name: &str) -> Option<String> {
    let fields: Option<Vec<&str>> = headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().ok())
        .collect();
    Some(fields?.join(","))
}

/// Splits at `separator`, except inside a quoted string (with `\`
/// escapes).
fn split_outside_quotes(text: &str, separator: char) -> impl Iterator<Item = &str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter()
}

/// The `for=` node of one `Forwarded` element, when it is an address.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    let value = split_outside_quotes(element, ';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then_some(value.trim())
    })?;
    let value = match value.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"')?,
        None => value,
    };
    node(value)
}

/// An address written as a node: `192.0.2.1`, `192.0.2.1:80`,
/// `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:80`.
fn node(text: &str) -> Option<IpAddr> {
    let ip = text
        .parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| text.strip_prefix('[')?.strip_suffix(']')?.parse().ok())?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(nets: &[&str]) -> TrustedProxies {
        TrustedProxies::new(nets.iter().map(|n| n.parse().unwrap()).collect())
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                axum::http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
            );
        }
        map
    }

    /// (peer, headers, expected client), for proxies 10.0.0.0/8 and
    /// fd00::/8.
    fn check(peer: &str, pairs: &[(&str, &str)], want: &str) {
        let trusted = proxies(&["10.0.0.0/8", "fd00::/8"]);
        let got = trusted.client(peer.parse().unwrap(), &headers(pairs));
        assert_eq!(got, want.parse::<IpAddr>().unwrap(), "{peer} {pairs:?}");
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address() {
        check(
            "192.0.2.9",
            &[("x-forwarded-for", "203.0.113.5")],
            "192.0.2.9",
        );
        check(
            "192.0.2.9",
            &[("forwarded", "for=203.0.113.5")],
            "192.0.2.9",
        );
        check(
            "2001:db8::9",
            &[("x-forwarded-for", "10.0.0.1")],
            "2001:db8::9",
        );
    }

    #[test]
    fn a_trusted_peer_forwards_the_right_most_untrusted_address() {
        check(
            "10.0.0.1",
            &[("x-forwarded-for", "203.0.113.5")],
            "203.0.113.5",
        );
        // A client's spoofed first entry is left of the real one.
        check(
            "10.0.0.1",
            &[("x-forwarded-for", "198.51.100.1, 203.0.113.5, 10.2.0.1")],
            "203.0.113.5",
        );
        // A list split over several fields.
        check(
            "10.0.0.1",
            &[
                ("x-forwarded-for", "198.51.100.1"),
                ("x-forwarded-for", "203.0.113.5"),
            ],
            "203.0.113.5",
        );
        // Every hop trusted: the left-most.
        check(
            "10.0.0.1",
            &[("x-forwarded-for", "10.9.9.9, 10.2.0.1")],
            "10.9.9.9",
        );
        // No header: the proxy itself.
        check("10.0.0.1", &[], "10.0.0.1");
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        check(
            "10.0.0.1",
            &[("forwarded", "for=203.0.113.5;proto=https")],
            "203.0.113.5",
        );
        check(
            "10.0.0.1",
            &[(
                "forwarded",
                r#"for=198.51.100.1, For="203.0.113.5:4711";by=10.0.0.1"#,
            )],
            "203.0.113.5",
        );
        check(
            "10.0.0.1",
            &[(
                "forwarded",
                r#"for="[2001:db8:cafe::17]:4711", for=10.3.0.1"#,
            )],
            "2001:db8:cafe::17",
        );
        // A quoted comma does not split an element.
        check(
            "10.0.0.1",
            &[("forwarded", r#"by="a,b";for=203.0.113.5"#)],
            "203.0.113.5",
        );
        // X-Forwarded-For wins when both are present.
        check(
            "10.0.0.1",
            &[
                ("forwarded", "for=198.51.100.1"),
                ("x-forwarded-for", "203.0.113.5"),
            ],
            "203.0.113.5",
        );
    }

    #[test]
    fn ipv6_and_mapped_addresses() {
        check(
            "fd00::1",
            &[("x-forwarded-for", "2001:db8::5")],
            "2001:db8::5",
        );
        check(
            "fd00::1",
            &[("x-forwarded-for", "[2001:db8::5]:443")],
            "2001:db8::5",
        );
        check(
            "::ffff:10.0.0.1",
            &[("x-forwarded-for", "::ffff:203.0.113.5")],
            "203.0.113.5",
        );
        check(
            "10.0.0.1",
            &[("x-forwarded-for", "203.0.113.5:8080")],
            "203.0.113.5",
        );
    }

    #[test]
    fn an_unreadable_hop_makes_the_client_its_proxy() {
        check(
            "10.0.0.1",
            &[("x-forwarded-for", "not-an-address")],
            "10.0.0.1",
        );
        check(
            "10.0.0.1",
            &[("x-forwarded-for", "203.0.113.5, garbage")],
            "10.0.0.1",
        );
        check(
            "10.0.0.1",
            &[("x-forwarded-for", "garbage, 10.2.0.1")],
            "10.2.0.1",
        );
        check("10.0.0.1", &[("x-forwarded-for", "")], "10.0.0.1");
        check("10.0.0.1", &[("forwarded", "for=unknown")], "10.0.0.1");
        check(
            "10.0.0.1",
            &[("forwarded", "for=_hidden, for=203.0.113.5")],
            "203.0.113.5",
        );
        check("10.0.0.1", &[("forwarded", "proto=https")], "10.0.0.1");
        check(
            "10.0.0.1",
            &[("forwarded", r#"for="203.0.113.5"#)],
            "10.0.0.1",
        );
        check(
            "10.0.0.1",
            &[("x-forwarded-for", "203.0.113.5\u{e9}")],
            "10.0.0.1",
        );
    }
}
