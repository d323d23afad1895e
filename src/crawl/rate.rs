//! `--rate`: at most N requests per second per host, by handing out time slots.
//!
//! The lock is held only to compute a slot, never across the wait.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Per-host request pacing.
pub struct HostRate {
    interval: Option<Duration>,
    next: Mutex<HashMap<String, Instant>>,
}

impl HostRate {
    /// `rate` requests per second per host; `None` = unlimited.
    pub fn new(rate: Option<f64>) -> Self {
        HostRate {
            interval: rate
                .filter(|r| *r > 0.0 && r.is_finite())
                .map(|r| Duration::from_secs_f64(1.0 / r)),
            next: Mutex::new(HashMap::new()),
        }
    }

    /// Wait for `host`'s next slot.
    pub async fn wait(&self, host: &str) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut map = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let next = map.entry(host.to_string()).or_insert(now);
            let slot = (*next).max(now);
            *next = slot + interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn paces_per_host() {
        let r = HostRate::new(Some(20.0));
        let t = std::time::Instant::now();
        for _ in 0..5 {
            r.wait("a.test").await;
        }
        r.wait("b.test").await;
        let el = t.elapsed();
        assert!(el >= Duration::from_millis(190), "{el:?}");
        assert!(el < Duration::from_millis(600), "{el:?}");
    }
}
