//! The ticking program the daemon runs, and the lines it prints.
//!
//! The program schedules tick `k` at `start + k * 10 ms`, sleeps until then, and prints
//! `tick K LATENESS-US VERSION LATEST`: how late it woke (in microseconds, measured with
//! `get-internal-real-time`), the number `(tick-work)` returned, and the number the latest
//! completed redefinition stored in `*latest*` before the call. A redefinition is visible
//! at the next tick exactly when `VERSION >= LATEST` on every tick.

use std::time::Instant;

/// Milliseconds between ticks.
pub const PERIOD_MS: u64 = 10;

pub const SOURCE: &str = r#"
(defvar *latest* 0)
(defun tick-work () 0)
(let* ((period (/ internal-time-units-per-second 100))
       (start (get-internal-real-time))
       (k 0))
  (loop
    (incf k)
    (let* ((due (+ start (* k period)))
           (now (get-internal-real-time)))
      (when (> due now)
        (sleep (/ (- due now) internal-time-units-per-second)))
      (let* ((lateness (- (get-internal-real-time) due))
             (latest *latest*)
             (version (tick-work)))
        (format t "tick ~d ~d ~d ~d~%" k lateness version latest)
        (finish-output)))))
"#;

/// The form a client evaluates to install version `n` of `tick-work`.
pub fn redefinition(n: u64) -> String {
    format!("(progn (defun tick-work () {n}) (setf *latest* {n}))")
}

/// One printed tick, stamped with when the bench read it.
#[derive(Debug, Clone, Copy)]
pub struct Tick {
    pub lateness_us: i64,
    pub version: u64,
    pub latest: u64,
    pub read_at: Instant,
}

impl Tick {
    /// Parses a `tick K LATENESS VERSION LATEST` line; `None` for any other line.
    pub fn parse(line: &str, read_at: Instant) -> Option<Tick> {
        let mut fields = line.strip_prefix("tick ")?.split(' ');
        let _k: u64 = fields.next()?.parse().ok()?;
        let lateness_us = fields.next()?.parse().ok()?;
        let version = fields.next()?.parse().ok()?;
        let latest = fields.next()?.parse().ok()?;
        Some(Tick {
            lateness_us,
            version,
            latest,
            read_at,
        })
    }

    /// Later than one period: the rhythm slipped.
    pub fn missed(&self) -> bool {
        self.lateness_us > (PERIOD_MS * 1000) as i64
    }

    /// The function that ran is older than the latest completed redefinition.
    pub fn stale(&self) -> bool {
        self.version < self.latest
    }
}
