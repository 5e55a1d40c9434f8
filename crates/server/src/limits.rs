//! Token buckets: one per API key (its own requests per minute) and one per client IP
//! on the endpoints that need no key.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

pub(crate) struct Limits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_key: Mutex<HashMap<i64, (u32, Arc<DefaultDirectRateLimiter>)>>,
    clock: DefaultClock,
}

fn quota(rpm: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(rpm).unwrap_or(NonZeroU32::MIN))
}

/// Seconds to wait, rounded up, at least 1 (as HIBP's retry-after).
fn secs(wait: std::time::Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0).max(u64::from(wait.as_secs() == 0))
}

impl Limits {
    pub(crate) fn new(ip_rpm: u32) -> Limits {
        Limits {
            per_ip: RateLimiter::keyed(quota(ip_rpm)),
            per_key: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
        }
    }

    /// `Err(seconds to wait)` when the IP is over its limit.
    pub(crate) fn check_ip(&self, ip: IpAddr) -> Result<(), u64> {
        if self.per_ip.len() > 100_000 {
            self.per_ip.retain_recent();
        }
        self.per_ip
            .check_key(&ip)
            .map_err(|nu| secs(nu.wait_time_from(self.clock.now())))
    }

    /// `Err(seconds to wait)` when the key is over its `rpm`.
    pub(crate) fn check_key(&self, key_id: i64, rpm: u32) -> Result<(), u64> {
        let limiter = {
            let Ok(mut map) = self.per_key.lock() else {
                return Ok(());
            };
            let entry = map
                .entry(key_id)
                .or_insert_with(|| (rpm, Arc::new(RateLimiter::direct(quota(rpm)))));
            if entry.0 != rpm {
                *entry = (rpm, Arc::new(RateLimiter::direct(quota(rpm))));
            }
            entry.1.clone()
        };
        limiter
            .check()
            .map_err(|nu| secs(nu.wait_time_from(self.clock.now())))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn retry_after_rounds_up() {
        use std::time::Duration;
        assert_eq!(super::secs(Duration::from_millis(1)), 1);
        assert_eq!(super::secs(Duration::from_millis(1500)), 2);
        assert_eq!(super::secs(Duration::from_secs(3)), 3);
    }

    #[test]
    fn per_key_bucket_empties() {
        let l = super::Limits::new(1);
        assert!(l.check_key(1, 2).is_ok());
        assert!(l.check_key(1, 2).is_ok());
        let wait = l.check_key(1, 2).unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
        // Another key has its own bucket.
        assert!(l.check_key(2, 2).is_ok());
        let ip = "127.0.0.1".parse().unwrap();
        assert!(l.check_ip(ip).is_ok());
        assert!(l.check_ip(ip).is_err());
    }
}
