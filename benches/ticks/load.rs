//! The load each phase puts on the daemon while the program ticks.

use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

use crate::program::{self, PERIOD_MS};
use crate::wire::{Connection, WireError, lisp_string};

/// Connections issuing requests flat out in the last phase.
const FLOOD_CONNECTIONS: usize = 20;

#[derive(Debug, Clone, Copy)]
pub enum Load {
    /// Nothing: the baseline.
    Idle,
    /// One request spins `(loop)` for the whole phase; its client then disconnects.
    Spin,
    /// One client redefines `tick-work` every 10 ms, waiting for each reply.
    Redefine,
    /// Many clients evaluate `(+ 1 2)` as fast as the replies come.
    Flood,
}

impl Load {
    pub const ALL: [Load; 4] = [Load::Idle, Load::Spin, Load::Redefine, Load::Flood];

    pub fn name(self) -> &'static str {
        match self {
            Load::Idle => "(a) idle",
            Load::Spin => "(b) one request spins `(loop)`",
            Load::Redefine => "(c) `tick-work` redefined 100 times/s",
            Load::Flood => "(d) 20 connections evaluate `(+ 1 2)` flat out",
        }
    }

    pub fn duration(self) -> Duration {
        match self {
            Load::Idle => Duration::from_secs(3),
            Load::Spin => Duration::from_secs(10),
            Load::Redefine | Load::Flood => Duration::from_secs(5),
        }
    }

    /// Puts this load on the daemon at `addr` until `until`; returns what it did.
    pub fn run(self, addr: SocketAddr, until: Instant) -> Result<String, WireError> {
        match self {
            Load::Idle => {
                sleep_until(until);
                Ok("none".to_owned())
            }
            Load::Spin => {
                let mut connection = Connection::open(addr)?;
                connection.send(&interactive_eval("(loop)"))?;
                sleep_until(until);
                drop(connection);
                Ok("1 request spinning, then its client left".to_owned())
            }
            Load::Redefine => redefine(addr, until),
            Load::Flood => flood(addr, until),
        }
    }
}

fn redefine(addr: SocketAddr, until: Instant) -> Result<String, WireError> {
    let mut connection = Connection::open(addr)?;
    let start = Instant::now();
    let mut version = 0;
    while Instant::now() < until {
        version += 1;
        sleep_until(start + Duration::from_millis(PERIOD_MS) * version);
        connection.request(&interactive_eval(&program::redefinition(u64::from(
            version,
        ))))?;
    }
    Ok(format!("{version} redefinitions"))
}

fn flood(addr: SocketAddr, until: Instant) -> Result<String, WireError> {
    let counts: Vec<Result<u64, WireError>> = thread::scope(|scope| {
        let clients: Vec<_> = (0..FLOOD_CONNECTIONS)
            .map(|_| {
                scope.spawn(move || -> Result<u64, WireError> {
                    let mut connection = Connection::open(addr)?;
                    let mut done = 0;
                    while Instant::now() < until {
                        connection.request(&interactive_eval("(+ 1 2)"))?;
                        done += 1;
                    }
                    Ok(done)
                })
            })
            .collect();
        clients
            .into_iter()
            .map(|client| client.join().unwrap_or(Ok(0)))
            .collect()
    });
    let mut total = 0;
    for count in counts {
        total += count?;
    }
    Ok(format!("{total} requests answered"))
}

fn interactive_eval(form: &str) -> String {
    format!("(swank:interactive-eval {})", lisp_string(form))
}

fn sleep_until(deadline: Instant) {
    thread::sleep(deadline.saturating_duration_since(Instant::now()));
}
