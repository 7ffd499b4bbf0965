//! Capped exponential backoff with full jitter, for reconnecting.

use std::time::Duration;

use rand::Rng;

/// Delays between reconnection attempts: attempt `n` waits a random time
/// between half of `min(max, initial * 2^n)` and all of it, so a venue full
/// of clients that lost the broker together do not return together.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    /// A backoff starting at `initial` and never exceeding `max`.
    pub fn new(initial: Duration, max: Duration) -> Backoff {
        Backoff {
            initial,
            max: max.max(initial),
            attempt: 0,
        }
    }

    /// The number of delays handed out since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The ceiling of the next delay, before jitter.
    pub fn ceiling(&self) -> Duration {
        let factor = 2u32.saturating_pow(self.attempt.min(20));
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// The next delay.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self.ceiling();
        self.attempt = self.attempt.saturating_add(1);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        let low = millis / 2;
        Duration::from_millis(rand::rng().random_range(low..=millis))
    }

    /// Starts again from `initial`, after a connection that worked.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_doubles_and_stays_capped() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
        let mut ceilings = Vec::new();
        for _ in 0..10 {
            ceilings.push(b.ceiling().as_millis());
            let d = b.next_delay();
            assert!(d <= Duration::from_secs(5));
        }
        assert_eq!(
            ceilings,
            [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000]
        );
        b.reset();
        assert_eq!(b.ceiling(), Duration::from_millis(100));
    }

    #[test]
    fn jitter_stays_within_half_and_full_ceiling() {
        let mut b = Backoff::new(Duration::from_millis(1000), Duration::from_millis(1000));
        for _ in 0..200 {
            let d = b.next_delay().as_millis();
            assert!((500..=1000).contains(&d), "{d}");
        }
    }
}
