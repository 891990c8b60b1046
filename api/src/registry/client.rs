//! The registry client: reqwest with a timeout per call, retries with exponential backoff and
//! full jitter on 5xx, timeouts, malformed answers and 429 (honouring `Retry-After`), a rate
//! limit shared by every call of this instance, and a circuit breaker that stops calling during
//! an outage (jobs pause) and lets one probe through after a while (jobs resume).
//! The pure parts (backoff, `Retry-After`, breaker, rate limiter) are tested in place.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::{VERIFY_PATH, VerificationRequest, VerificationResponse, check_response};
use crate::config::RegistrySettings;

/// The delay before retry number `attempt` (0-based): a uniformly random share (`jitter` in
/// [0, 1)) of `base · 2^attempt`, capped at `max` ("full jitter").
pub fn backoff_delay(attempt: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(20));
    let ceiling = base.saturating_mul(factor).min(max);
    ceiling.mul_f64(jitter.clamp(0.0, 1.0))
}

/// A `Retry-After` header: delay seconds, or an HTTP date (a date in the past means now).
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// The circuit breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls flow; counts consecutive failures.
    Closed { failures: u32 },
    /// No calls until `until`.
    Open { until: Instant },
    /// One probe call is in flight; its result closes or reopens the breaker.
    HalfOpen,
}

/// A consecutive-failure circuit breaker.
#[derive(Debug, Clone)]
pub struct Breaker {
    threshold: u32,
    open_for: Duration,
    state: BreakerState,
}

impl Breaker {
    pub fn new(threshold: u32, open_for: Duration) -> Breaker {
        Breaker { threshold: threshold.max(1), open_for, state: BreakerState::Closed { failures: 0 } }
    }
    pub fn state(&self) -> BreakerState {
        self.state
    }
    /// May a call go out now? After the open period, exactly one probe is allowed.
    pub fn allow(&mut self, now: Instant) -> bool {
        match self.state {
            BreakerState::Closed { .. } => true,
            BreakerState::Open { until } if now >= until => {
                self.state = BreakerState::HalfOpen;
                true
            }
            BreakerState::Open { .. } | BreakerState::HalfOpen => false,
        }
    }
    /// True while calls are being refused (open, or a probe is out).
    pub fn is_open(&self, now: Instant) -> bool {
        match self.state {
            BreakerState::Closed { .. } => false,
            BreakerState::Open { until } => now < until,
            BreakerState::HalfOpen => true,
        }
    }
    pub fn on_success(&mut self) {
        self.state = BreakerState::Closed { failures: 0 };
    }
    pub fn on_failure(&mut self, now: Instant) {
        self.state = match self.state {
            BreakerState::Closed { failures } if failures + 1 < self.threshold => {
                BreakerState::Closed { failures: failures + 1 }
            }
            _ => BreakerState::Open { until: now + self.open_for },
        };
    }
}

/// A rate limiter that hands out evenly spaced send slots (`rate` per second; 0 = unlimited).
#[derive(Debug, Clone)]
pub struct RateLimiter {
    interval: Duration,
    next: Option<Instant>,
}

impl RateLimiter {
    pub fn new(rate_per_sec: f64) -> RateLimiter {
        let interval = if rate_per_sec > 0.0 { Duration::from_secs_f64(1.0 / rate_per_sec) } else { Duration::ZERO };
        RateLimiter { interval, next: None }
    }
    /// Reserves the next slot: the instant the caller may send.
    pub fn reserve(&mut self, now: Instant) -> Instant {
        if self.interval.is_zero() {
            return now;
        }
        let slot = match self.next {
            Some(next) if next > now => next,
            _ => now,
        };
        self.next = Some(slot + self.interval);
        slot
    }
}

/// Why a call gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The breaker is open: the registry is considered down; nothing was sent.
    #[error("the registry is unavailable (circuit open)")]
    BreakerOpen,
    /// 5xx, timeouts, 429s or malformed answers, still after every retry.
    #[error("the registry did not answer usably after retries: {0}")]
    Unavailable(String),
    /// The registry refused the call itself (401, 403, 413, other 4xx): retrying cannot help.
    #[error("the registry refused the call: {0}")]
    Refused(String),
}

impl CallError {
    /// Worth sending again later.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, CallError::Refused(_))
    }
}

/// One attempt's failure.
enum Attempt {
    Retry { cause: String, at_least: Duration, breaker_failure: bool },
    Refused(String),
}

/// The HTTP client of the registry, shared by every worker of this instance.
pub struct RegistryClient {
    http: reqwest::Client,
    url: String,
    api_key: Option<String>,
    settings: RegistrySettings,
    breaker: Mutex<Breaker>,
    limiter: Mutex<RateLimiter>,
}

impl RegistryClient {
    pub fn new(settings: &RegistrySettings) -> anyhow::Result<RegistryClient> {
        // reqwest is built without a TLS provider of its own: install rustls' ring (once).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.timeout_ms))
            .connect_timeout(Duration::from_millis(settings.timeout_ms.min(5_000)))
            .pool_max_idle_per_host(settings.concurrency as usize * 2)
            .build()?;
        Ok(RegistryClient {
            http,
            url: format!("{}{VERIFY_PATH}", settings.base_url.trim_end_matches('/')),
            api_key: settings.api_key.as_ref().map(|k| k.expose().to_owned()),
            settings: settings.clone(),
            breaker: Mutex::new(Breaker::new(
                settings.breaker_failure_threshold,
                Duration::from_secs(settings.breaker_open_secs),
            )),
            limiter: Mutex::new(RateLimiter::new(settings.rate_limit_per_sec)),
        })
    }

    pub fn settings(&self) -> &RegistrySettings {
        &self.settings
    }

    /// True while the breaker refuses calls.
    pub fn is_open(&self) -> bool {
        self.breaker.lock().map(|b| b.is_open(Instant::now())).unwrap_or(false)
    }

    /// May a call go out now (possibly as the breaker's probe)?
    fn allow(&self) -> bool {
        self.breaker.lock().map(|mut b| b.allow(Instant::now())).unwrap_or(true)
    }

    fn record(&self, ok: bool) {
        if let Ok(mut b) = self.breaker.lock() {
            if ok { b.on_success() } else { b.on_failure(Instant::now()) }
        }
    }

    async fn wait_for_slot(&self) {
        let slot = self.limiter.lock().map(|mut l| l.reserve(Instant::now())).unwrap_or_else(|_| Instant::now());
        tokio::time::sleep_until(slot.into()).await;
    }

    /// Sends one call with its idempotency key, retrying as configured. Returns a checked
    /// answer (one well-formed result per item sent) or why there is none.
    pub async fn verify(&self, key: &str, request: &VerificationRequest) -> Result<VerificationResponse, CallError> {
        let base = Duration::from_millis(self.settings.backoff_base_ms);
        let max = Duration::from_millis(self.settings.backoff_max_ms);
        let mut last = String::new();
        for attempt in 0..=self.settings.max_retries {
            if !self.allow() {
                return Err(CallError::BreakerOpen);
            }
            self.wait_for_slot().await;
            match self.attempt(key, request).await {
                Ok(answer) => {
                    self.record(true);
                    return Ok(answer);
                }
                Err(Attempt::Refused(cause)) => {
                    // The registry is up and answering: the breaker sees a success.
                    self.record(true);
                    return Err(CallError::Refused(cause));
                }
                Err(Attempt::Retry { cause, at_least, breaker_failure }) => {
                    self.record(!breaker_failure);
                    tracing::warn!(attempt, %cause, "registry call failed");
                    last = cause;
                    if attempt < self.settings.max_retries {
                        let delay = backoff_delay(attempt, base, max, rand::random::<f64>()).max(at_least);
                        tokio::time::sleep(delay).await;
                    }
                }
            }
        }
        Err(CallError::Unavailable(last))
    }

    async fn attempt(&self, key: &str, request: &VerificationRequest) -> Result<VerificationResponse, Attempt> {
        let mut req = self.http.post(&self.url).header("Idempotency-Key", key).json(request);
        if let Some(api_key) = &self.api_key {
            req = req.bearer_auth(api_key);
        }
        let retry =
            |cause: String, breaker_failure: bool| Attempt::Retry { cause, at_least: Duration::ZERO, breaker_failure };
        let res = match req.send().await {
            Ok(res) => res,
            Err(e) if e.is_timeout() => return Err(retry("timeout".to_owned(), true)),
            Err(e) => return Err(retry(format!("connection: {e}"), true)),
        };
        let status = res.status();
        if status.as_u16() == 429 {
            let wait = res
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, Utc::now()))
                .unwrap_or(Duration::from_secs(1));
            return Err(Attempt::Retry {
                cause: "429 rate limited".to_owned(),
                at_least: wait,
                breaker_failure: false,
            });
        }
        if status.is_server_error() {
            return Err(retry(format!("HTTP {}", status.as_u16()), true));
        }
        if status.is_client_error() {
            return Err(Attempt::Refused(format!("HTTP {}", status.as_u16())));
        }
        let bytes = match res.bytes().await {
            Ok(b) => b,
            Err(e) if e.is_timeout() => return Err(retry("timeout".to_owned(), true)),
            Err(e) => return Err(retry(format!("reading the answer: {e}"), true)),
        };
        let answer: VerificationResponse =
            serde_json::from_slice(&bytes).map_err(|e| retry(format!("malformed answer: {e}"), false))?;
        check_response(request, &answer).map_err(|e| retry(format!("malformed answer: {e}"), false))?;
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_full_jitter_and_a_cap() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(2);
        // (attempt, jitter, expected ms)
        let cases = [
            (0, 1.0, 100),
            (1, 1.0, 200),
            (3, 1.0, 800),
            (4, 1.0, 1600),
            (5, 1.0, 2000),
            (30, 1.0, 2000),
            (3, 0.5, 400),
            (3, 0.0, 0),
            (2, 2.0, 400),
        ];
        for (attempt, jitter, ms) in cases {
            assert_eq!(backoff_delay(attempt, base, max, jitter), Duration::from_millis(ms), "{attempt} {jitter}");
        }
    }

    #[test]
    fn retry_after_as_seconds_or_a_date() {
        let now: DateTime<Utc> = "2026-11-30T03:00:00Z".parse().expect("now");
        let cases = [
            ("2", Some(2)),
            (" 0 ", Some(0)),
            ("Mon, 30 Nov 2026 03:00:05 GMT", Some(5)),
            ("Mon, 30 Nov 2026 02:59:00 GMT", Some(0)),
            ("soon", None),
            ("-1", None),
        ];
        for (value, secs) in cases {
            assert_eq!(parse_retry_after(value, now), secs.map(Duration::from_secs), "{value}");
        }
    }

    #[test]
    fn breaker_opens_after_the_threshold_and_probes_once() {
        let t0 = Instant::now();
        let mut b = Breaker::new(3, Duration::from_secs(10));
        b.on_failure(t0);
        b.on_failure(t0);
        assert!(b.allow(t0), "two failures: still closed");
        b.on_success();
        b.on_failure(t0);
        b.on_failure(t0);
        assert!(!b.is_open(t0), "a success resets the count");
        b.on_failure(t0);
        assert_eq!(b.state(), BreakerState::Open { until: t0 + Duration::from_secs(10) });
        assert!(!b.allow(t0 + Duration::from_secs(9)));
        assert!(b.allow(t0 + Duration::from_secs(10)), "the probe");
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert!(!b.allow(t0 + Duration::from_secs(10)), "only one probe");
        b.on_failure(t0 + Duration::from_secs(11));
        assert_eq!(b.state(), BreakerState::Open { until: t0 + Duration::from_secs(21) }, "failed probe reopens");
        assert!(b.allow(t0 + Duration::from_secs(21)));
        b.on_success();
        assert_eq!(b.state(), BreakerState::Closed { failures: 0 });
    }

    #[test]
    fn rate_limiter_spaces_slots() {
        let t0 = Instant::now();
        let mut l = RateLimiter::new(4.0);
        let slots: Vec<Duration> = (0..4).map(|_| l.reserve(t0) - t0).collect();
        assert_eq!(slots, vec![0, 250, 500, 750].into_iter().map(Duration::from_millis).collect::<Vec<_>>());
        // After a quiet second, the next call goes at once.
        assert_eq!(l.reserve(t0 + Duration::from_secs(3)), t0 + Duration::from_secs(3));
        let mut unlimited = RateLimiter::new(0.0);
        assert_eq!(unlimited.reserve(t0), t0);
        assert_eq!(unlimited.reserve(t0), t0);
    }
}
