//! Per-address limits on WebSockets: how many one client address may hold
//! open at once, and a lockout after repeated failed handshakes (a wrong
//! token, an unknown room, a malformed or missing `hello`), so tokens
//! cannot be guessed at speed.
//!
//! Behind a reverse proxy every connection comes from the proxy's address;
//! there, the proxy's own per-client limits apply and the cap here should
//! be raised or turned off (`0`).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::limits::{FAILED_HANDSHAKE_BURST, FAILED_HANDSHAKES_PER_MINUTE, LOCKOUT};

/// Why an address may not open a WebSocket now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The address holds as many WebSockets as it may.
    #[error("this address already holds {0} connections, the most allowed")]
    TooManyConnections(u32),
    /// The address failed too many handshakes lately.
    #[error("too many failed handshakes from this address; retry in {} s", .0.as_secs().max(1))]
    LockedOut(Duration),
}

/// The per-address state of a broker.
#[derive(Debug)]
pub struct Addresses {
    open: DashMap<IpAddr, u32>,
    failures: DefaultKeyedRateLimiter<IpAddr>,
    locked: DashMap<IpAddr, Instant>,
    max_open: u32,
}

impl Addresses {
    /// Limits with at most `max_open` WebSockets per address (`0`: no cap).
    pub fn new(max_open: u32) -> Addresses {
        let per_minute = NonZeroU32::new(FAILED_HANDSHAKES_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(FAILED_HANDSHAKE_BURST).unwrap_or(NonZeroU32::MIN);
        Addresses {
            open: DashMap::new(),
            failures: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
            locked: DashMap::new(),
            max_open,
        }
    }

    /// Admits a WebSocket from `ip`, counted until the guard is dropped.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<AddressGuard, Refusal> {
        if let Some(until) = self.locked.get(&ip).map(|u| *u) {
            let now = Instant::now();
            if until > now {
                return Err(Refusal::LockedOut(until - now));
            }
            self.locked.remove_if(&ip, |_, until| *until <= now);
        }
        let mut open = self.open.entry(ip).or_insert(0);
        if self.max_open > 0 && *open >= self.max_open {
            return Err(Refusal::TooManyConnections(self.max_open));
        }
        *open += 1;
        drop(open);
        Ok(AddressGuard {
            addresses: self.clone(),
            ip,
        })
    }

    /// Counts a failed handshake from `ip`; past the allowance, the
    /// address is locked out for [`LOCKOUT`].
    pub fn failed_handshake(&self, ip: IpAddr) {
        if self.failures.check_key(&ip).is_err() {
            tracing::warn!(%ip, "too many failed handshakes; address locked out");
            self.locked.insert(ip, Instant::now() + LOCKOUT);
        }
        if self.failures.len() > 100_000 {
            self.failures.retain_recent();
        }
    }
}

/// An open WebSocket counted against its address.
#[derive(Debug)]
pub struct AddressGuard {
    addresses: Arc<Addresses>,
    ip: IpAddr,
}

impl AddressGuard {
    /// The address.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }
}

impl Drop for AddressGuard {
    fn drop(&mut self) {
        self.addresses.open.remove_if_mut(&self.ip, |_, open| {
            *open = open.saturating_sub(1);
            *open == 0
        });
    }
}
