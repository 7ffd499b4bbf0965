//! The participants' budget of `submit`s per client address.
//!
//! A participant's `hello` picks its own `client_id`, so the core's "one
//! open entry per participant" rule stops an honest page, not a script
//! that connects afresh for every request. The budget counts submissions
//! per address instead: each participant `submit` the connection passes on
//! to its room spends one, whatever its client id, request id or fate in
//! the room. The staff's roles never spend it.
//!
//! A venue's NAT puts a whole audience behind one address, so the default
//! ([`PARTICIPANT_SUBMITS_PER_MINUTE`]) lets a minute's worth come at
//! once: thirty people asking for the floor in the same moment, and
//! thirty more every minute after, is more than any chair can call, while
//! a script gets no further than that (filling a room of 500 would take it
//! a quarter of an hour, in plain view of the chair).
//!
//! [`PARTICIPANT_SUBMITS_PER_MINUTE`]: crate::limits::PARTICIPANT_SUBMITS_PER_MINUTE

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Keys above which idle addresses are forgotten.
const FORGET_ABOVE: usize = 100_000;

/// Why a participant's `submit` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "this network has sent {per_minute} requests to speak in the last minute, the most allowed; \
     retry in {} s with the same request id", wait.as_secs().max(1)
)]
pub struct Spent {
    /// The budget per minute.
    pub per_minute: u32,
    /// How long until the address may submit again.
    pub wait: Duration,
}

/// The per-address budget of participant submissions of a broker.
#[derive(Debug)]
pub struct SubmitBudget {
    /// `None` when the budget is off.
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_minute: u32,
}

impl SubmitBudget {
    /// A budget of `per_minute` submissions per address, all of which may
    /// come at once (`0`: no budget).
    pub fn new(per_minute: u32) -> SubmitBudget {
        let limiter = NonZeroU32::new(per_minute)
            .map(|rate| RateLimiter::keyed(Quota::per_minute(rate).allow_burst(rate)));
        SubmitBudget {
            limiter,
            per_minute,
        }
    }

    /// Spends one submission of `ip`'s budget, or says how long to wait.
    /// A refusal spends nothing.
    pub fn spend(&self, ip: IpAddr) -> Result<(), Spent> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        let spent = limiter.check_key(&ip).map_err(|not_until| Spent {
            per_minute: self.per_minute,
            wait: not_until.wait_time_from(limiter.clock().now()),
        });
        if limiter.len() > FORGET_ABOVE {
            limiter.retain_recent();
        }
        spent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_burst_and_no_more() {
        let budget = SubmitBudget::new(3);
        let hall = IpAddr::from([192, 0, 2, 1]);
        for _ in 0..3 {
            assert!(budget.spend(hall).is_ok());
        }
        let spent = budget.spend(hall).unwrap_err();
        assert!(spent.wait > Duration::ZERO && spent.wait <= Duration::from_secs(20));
        // Another address has a budget of its own.
        assert!(budget.spend(IpAddr::from([192, 0, 2, 2])).is_ok());
    }

    #[test]
    fn zero_turns_the_budget_off() {
        let budget = SubmitBudget::new(0);
        let hall = IpAddr::from([192, 0, 2, 1]);
        assert!((0..1000).all(|_| budget.spend(hall).is_ok()));
    }
}
