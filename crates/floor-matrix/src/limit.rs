//! Each Matrix user's budget of commands: a token bucket per user, so
//! that one person flooding the room with `!hand` and `!lower` costs the
//! others nothing (the bridge ignores the excess; floor never sees it).

use std::collections::HashMap;

/// Commands a person may send at once.
pub const BURST: u32 = 5;

/// One more command every this many milliseconds.
pub const REFILL_MS: u64 = 12_000;

/// People whose budget has been full this long are forgotten, so that the
/// table does not grow with everyone who ever typed a command.
const FORGET_MS: u64 = BURST as u64 * REFILL_MS;

/// One person's budget.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Commands left, in thousandths.
    millis: u64,
    /// When it was last filled up to now.
    at_ms: u64,
}

/// The budgets of everyone who sent a command lately.
#[derive(Debug, Default)]
pub struct Buckets {
    buckets: HashMap<String, Bucket>,
}

impl Buckets {
    /// Takes one command from `user`'s budget at `now_ms`; `false` if none
    /// is left.
    pub fn take(&mut self, user: &str, now_ms: u64) -> bool {
        let full = u64::from(BURST) * 1_000;
        if self.buckets.len() > 10_000 {
            self.buckets
                .retain(|_, b| now_ms.saturating_sub(b.at_ms) < FORGET_MS);
        }
        let bucket = self.buckets.entry(user.to_owned()).or_insert(Bucket {
            millis: full,
            at_ms: now_ms,
        });
        // A thousandth of a command every `step` milliseconds, counted
        // whole so that no fraction is lost between two calls.
        let step = REFILL_MS / 1_000;
        let gained = now_ms.saturating_sub(bucket.at_ms) / step;
        bucket.millis = (bucket.millis + gained).min(full);
        bucket.at_ms = if bucket.millis == full {
            now_ms
        } else {
            bucket.at_ms + gained * step
        };
        if bucket.millis >= 1_000 {
            bucket.millis -= 1_000;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_refill_each_person_apart() {
        let mut b = Buckets::default();
        for _ in 0..BURST {
            assert!(b.take("@a:x", 0));
        }
        assert!(!b.take("@a:x", 0));
        assert!(b.take("@b:x", 0), "another person keeps their budget");
        assert!(!b.take("@a:x", REFILL_MS - 1));
        assert!(b.take("@a:x", REFILL_MS));
        assert!(!b.take("@a:x", REFILL_MS));
    }
}
