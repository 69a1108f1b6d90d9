//! Summaries of each phase's ticks and the markdown table.

use crate::program::{PERIOD_MS, Tick};

/// One phase's ticks and what its load did.
pub struct Phase {
    pub name: &'static str,
    pub load: String,
    pub ticks: Vec<Tick>,
}

struct Summary {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    missed: usize,
    stale: usize,
}

impl Summary {
    fn of(ticks: &[Tick]) -> Option<Summary> {
        let mut lateness: Vec<i64> = ticks.iter().map(|tick| tick.lateness_us).collect();
        lateness.sort_unstable();
        let max = *lateness.last()?;
        let ms = |us: i64| us as f64 / 1000.0;
        Some(Summary {
            p50_ms: ms(percentile(&lateness, 0.50)),
            p99_ms: ms(percentile(&lateness, 0.99)),
            max_ms: ms(max),
            missed: ticks.iter().filter(|tick| tick.missed()).count(),
            stale: ticks.iter().filter(|tick| tick.stale()).count(),
        })
    }
}

/// Nearest-rank percentile of sorted, non-empty `values`.
fn percentile(values: &[i64], fraction: f64) -> i64 {
    let rank = (fraction * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

pub fn print(phases: &[Phase]) {
    println!(
        "| phase | ticks | lateness p50 ms | p99 ms | max ms | missed (> {PERIOD_MS} ms) | \
         ran an older `tick-work` than the latest defined | load |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    let mut stale_total = 0;
    for phase in phases {
        match Summary::of(&phase.ticks) {
            Some(s) => {
                stale_total += s.stale;
                println!(
                    "| {} | {} | {:.2} | {:.2} | {:.2} | {} | {} | {} |",
                    phase.name,
                    phase.ticks.len(),
                    s.p50_ms,
                    s.p99_ms,
                    s.max_ms,
                    s.missed,
                    s.stale,
                    phase.load
                );
            }
            None => println!(
                "| {} | 0 | - | - | - | - | - | {} |",
                phase.name, phase.load
            ),
        }
    }
    let verdict = if stale_total == 0 { "yes" } else { "no" };
    println!();
    println!("Every redefinition visible at the next tick: {verdict}.");
}
