//! Start-up to listening, and resident memory when idle: both from servers started for the
//! purpose, one after another.
//!
//! A start is timed from just before the process is spawned until its port file holds the
//! port and a TCP connection to that port is accepted. The connection then asks for
//! `connection-info` (checked, not timed) and closes; after a pause the server's resident
//! memory is read, and the server is killed.

use std::thread;
use std::time::Duration;

use crate::Failure;
use crate::client::{Client, Mismatches, Request};
use crate::measure::{Settings, percentile};
use crate::memory;
use crate::servers::{Server, StartError};

/// Untimed starts before the timed ones (SBCL compiles swank on its very first start).
const STARTUP_WARMUP: u64 = 1;
/// How long a server is left alone after its first connection closed before its resident
/// memory is read.
const IDLE_SETTLE: Duration = Duration::from_millis(300);

/// What the starts found.
#[derive(Debug)]
pub struct Startup {
    /// Median time from spawning to the first accepted connection.
    pub to_listening: Duration,
    /// Median resident memory when idle, in bytes; `None` if it could not be read.
    pub idle_resident: Option<u64>,
}

/// Starts a server with `start` `settings.starts` times (after an untimed start).
pub fn startup(
    start: &dyn Fn() -> Result<Server, StartError>,
    settings: &Settings,
) -> Result<(Startup, Mismatches), Failure> {
    let mut mismatches = Mismatches::default();
    let mut times = Vec::new();
    let mut residents = Vec::new();
    for attempt in 0..STARTUP_WARMUP + settings.starts {
        let server = start().map_err(Failure::Start)?;
        let mut client = Client::open(server.addr, settings.timeout).map_err(Failure::Wire)?;
        let to_listening = server.spawned.elapsed();
        client
            .round_trip(Request::ConnectionInfo)
            .map_err(Failure::Wire)?;
        mismatches.absorb(std::mem::take(&mut client.mismatches));
        drop(client);
        thread::sleep(IDLE_SETTLE);
        let resident = memory::resident(server.pid());
        drop(server);
        if attempt >= STARTUP_WARMUP {
            times.push(to_listening);
            residents.push(resident);
        }
    }
    times.sort_unstable();
    let idle_resident = residents
        .into_iter()
        .collect::<Option<Vec<u64>>>()
        .map(|mut all| {
            all.sort_unstable();
            percentile(&all, 50)
        });
    let startup = Startup {
        to_listening: percentile(&times, 50),
        idle_resident,
    };
    Ok((startup, mismatches))
}
