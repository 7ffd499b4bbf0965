//! Per-address limits: how many WebSockets, and how many plain HTTP
//! connections, one client address may hold open at once, and the slowing
//! of failed guesses (a wrong token, an unknown room, a malformed or
//! missing `hello`).
//!
//! Failed guesses are slowed, never locked out: a request or `hello` with
//! a valid token is checked first and goes straight through, whatever its
//! address did before. Per address, a burst of [`FAILURE_BURST`] failures
//! (refilled at [`FAILURES_PER_MINUTE`]) is answered at once; a failure
//! past that allowance is answered only after [`FAILURE_DELAY`], and at
//! most [`DELAYED_PER_ADDRESS`] such late answers are pending per address
//! (a failure beyond them is answered at once), so a guesser pins a
//! bounded number of sockets and tasks. A WebSocket whose `hello` failed
//! leaves the address's WebSocket count before it waits (see
//! [`AddressGuard::failed`]): late answers never fill the cap that valid
//! tokens need.
//!
//! The client address is the TCP peer's, or, for a peer inside a trusted
//! proxy range, the one the proxy forwarded ([`crate::forwarded`]).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use dashmap::DashMap;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio_util::sync::CancellationToken;

use crate::forwarded::TrustedProxies;
use crate::limits::{DELAYED_PER_ADDRESS, FAILURE_BURST, FAILURE_DELAY, FAILURES_PER_MINUTE};

/// Why an address may not open a connection now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The address holds as many connections of this kind as it may.
    #[error("this address already holds {0} connections, the most allowed")]
    TooManyConnections(u32),
}

/// The per-address state of a broker.
#[derive(Debug)]
pub struct Addresses {
    /// Open WebSockets per client address.
    open: Counts,
    /// Plain HTTP connections per TCP peer address (trusted proxies not
    /// counted).
    http: Counts,
    /// Each address's allowance of failures answered at once.
    failures: DefaultKeyedRateLimiter<IpAddr>,
    /// Late answers pending per address.
    delayed: DashMap<IpAddr, u32>,
    /// The proxies whose forwarded client addresses are believed.
    proxies: TrustedProxies,
}

impl Addresses {
    /// Limits with at most `max_open` WebSockets and `max_http` plain HTTP
    /// connections per address (`0`: no cap), believing the forwarded
    /// addresses of `proxies`.
    pub fn new(max_open: u32, max_http: u32, proxies: TrustedProxies) -> Addresses {
        let per_minute = NonZeroU32::new(FAILURES_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(FAILURE_BURST).unwrap_or(NonZeroU32::MIN);
        Addresses {
            open: Counts::new(max_open),
            http: Counts::new(max_http),
            failures: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
            delayed: DashMap::new(),
            proxies,
        }
    }

    /// The limits a configuration asks for.
    pub fn from_config(config: &crate::Config) -> Addresses {
        Addresses::new(
            config.max_connections_per_address,
            config.max_http_connections_per_address,
            TrustedProxies::new(config.trusted_proxies.clone()),
        )
    }

    /// The trusted proxies.
    pub fn proxies(&self) -> &TrustedProxies {
        &self.proxies
    }

    /// Admits a WebSocket from client address `ip`, counted until the
    /// guard is dropped (or its handshake fails).
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<AddressGuard, Refusal> {
        self.open.take(ip)?;
        Ok(AddressGuard {
            addresses: self.clone(),
            ip,
            counted: AtomicBool::new(true),
        })
    }

    /// Admits a plain HTTP connection from TCP peer `peer`, counted until
    /// the guard is dropped (the connection closes or becomes a
    /// WebSocket). A trusted proxy is not counted: it carries many
    /// clients, each counted by its forwarded address where it opens a
    /// WebSocket.
    pub fn admit_http(self: &Arc<Self>, peer: IpAddr) -> Result<HttpGuard, Refusal> {
        if self.proxies.contains(peer) {
            return Ok(HttpGuard { held: None });
        }
        self.http.take(peer)?;
        Ok(HttpGuard {
            held: Some((self.clone(), peer)),
        })
    }

    /// Counts a failed guess from `ip` and says when to answer it: at once
    /// within the address's allowance, or after [`FAILURE_DELAY`] while
    /// fewer than [`DELAYED_PER_ADDRESS`] late answers are pending for the
    /// address (at once beyond them).
    pub fn failed(self: &Arc<Self>, ip: IpAddr) -> Penalty {
        if self.failures.len() > 100_000 {
            self.failures.retain_recent();
        }
        if self.failures.check_key(&ip).is_ok() {
            return Penalty { slot: None };
        }
        let mut pending = self.delayed.entry(ip).or_insert(0);
        if *pending >= DELAYED_PER_ADDRESS {
            return Penalty { slot: None };
        }
        *pending += 1;
        drop(pending);
        tracing::debug!(%ip, "failed guess answered late");
        Penalty {
            slot: Some((self.clone(), ip)),
        }
    }
}

/// Counts of open connections per address, with a cap.
#[derive(Debug)]
struct Counts {
    open: DashMap<IpAddr, u32>,
    max: u32,
}

impl Counts {
    fn new(max: u32) -> Counts {
        Counts {
            open: DashMap::new(),
            max,
        }
    }

    fn take(&self, ip: IpAddr) -> Result<(), Refusal> {
        let mut open = self.open.entry(ip).or_insert(0);
        if self.max > 0 && *open >= self.max {
            return Err(Refusal::TooManyConnections(self.max));
        }
        *open += 1;
        Ok(())
    }

    fn release(&self, ip: IpAddr) {
        self.open.remove_if_mut(&ip, |_, open| {
            *open = open.saturating_sub(1);
            *open == 0
        });
    }
}

/// When to answer a failed guess. A late answer's slot is held until the
/// penalty is dropped: keep it until the answer is sent.
#[derive(Debug)]
#[must_use = "a penalty is served by waiting for it"]
pub struct Penalty {
    slot: Option<(Arc<Addresses>, IpAddr)>,
}

impl Penalty {
    /// Whether the answer waits.
    pub fn is_late(&self) -> bool {
        self.slot.is_some()
    }

    /// Waits as long as the answer must (or until `shutdown`).
    pub async fn wait(&self, shutdown: &CancellationToken) {
        if self.is_late() {
            tokio::select! {
                () = tokio::time::sleep(FAILURE_DELAY) => {}
                () = shutdown.cancelled() => {}
            }
        }
    }

    /// How long a late answer waits.
    pub fn delay(&self) -> Duration {
        if self.is_late() {
            FAILURE_DELAY
        } else {
            Duration::ZERO
        }
    }
}

impl Drop for Penalty {
    fn drop(&mut self) {
        if let Some((addresses, ip)) = self.slot.take() {
            addresses.delayed.remove_if_mut(&ip, |_, pending| {
                *pending = pending.saturating_sub(1);
                *pending == 0
            });
        }
    }
}

/// An open WebSocket counted against its client address.
#[derive(Debug)]
pub struct AddressGuard {
    addresses: Arc<Addresses>,
    ip: IpAddr,
    counted: AtomicBool,
}

impl AddressGuard {
    /// The client address (the forwarded one behind a trusted proxy).
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// The handshake failed: the socket leaves its address's WebSocket
    /// count at once (so sockets waiting for a late answer never fill the
    /// cap), and the failure is counted against the address.
    pub fn failed(&self) -> Penalty {
        self.release();
        self.addresses.failed(self.ip)
    }

    fn release(&self) {
        if self.counted.swap(false, Ordering::AcqRel) {
            self.addresses.open.release(self.ip);
        }
    }
}

impl Drop for AddressGuard {
    fn drop(&mut self) {
        self.release();
    }
}

/// A plain HTTP connection counted against its peer address.
#[derive(Debug)]
pub struct HttpGuard {
    held: Option<(Arc<Addresses>, IpAddr)>,
}

impl Drop for HttpGuard {
    fn drop(&mut self) {
        if let Some((addresses, ip)) = self.held.take() {
            addresses.http.release(ip);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addresses(max_open: u32, max_http: u32) -> Arc<Addresses> {
        let proxies = TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]);
        Arc::new(Addresses::new(max_open, max_http, proxies))
    }

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn failures_past_the_burst_are_late_and_bounded_per_address() {
        let addresses = addresses(0, 0);
        for _ in 0..FAILURE_BURST {
            assert!(!addresses.failed(A).is_late());
        }
        let late: Vec<Penalty> = (0..DELAYED_PER_ADDRESS)
            .map(|_| addresses.failed(A))
            .collect();
        assert!(late.iter().all(Penalty::is_late));
        assert_eq!(late[0].delay(), FAILURE_DELAY);
        // Beyond the pending late answers, at once; another address is
        // not concerned.
        assert!(!addresses.failed(A).is_late());
        assert!(!addresses.failed(B).is_late());
        drop(late);
        assert!(addresses.failed(A).is_late());
        assert!(addresses.delayed.is_empty());
    }

    #[test]
    fn a_failed_handshake_leaves_the_websocket_count() {
        let addresses = addresses(2, 0);
        let first = addresses.admit(A).ok();
        let second = addresses.admit(A).ok();
        assert!(first.is_some() && second.is_some());
        assert_eq!(
            addresses.admit(A).err(),
            Some(Refusal::TooManyConnections(2))
        );
        let penalty = second.as_ref().map(AddressGuard::failed);
        let third = addresses.admit(A);
        assert!(third.is_ok(), "the failed socket was counted out");
        drop((penalty, second));
        assert_eq!(
            addresses.admit(A).err(),
            Some(Refusal::TooManyConnections(2))
        );
        drop((first, third));
        assert!(addresses.open.open.is_empty());
    }

    #[test]
    fn plain_http_connections_are_capped_per_peer_but_not_for_proxies() {
        let addresses = addresses(0, 1);
        let held = addresses.admit_http(A);
        assert!(held.is_ok());
        assert!(addresses.admit_http(A).is_err());
        assert!(addresses.admit_http(B).is_ok());
        let proxy = IpAddr::from([10, 1, 2, 3]);
        let through: Vec<_> = (0..5).map(|_| addresses.admit_http(proxy)).collect();
        assert!(through.iter().all(Result::is_ok));
        drop(held);
        assert!(addresses.admit_http(A).is_ok());
    }
}
