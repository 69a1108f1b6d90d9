//! Which connections the idle interpreter reads itself (see [`DirectRead`]): the few it
//! heard from last, whose clients are the likeliest to send again while it spins. Reading
//! every connection on every turn of the spin would cost a system call each.

use std::collections::HashMap;
use std::sync::Arc;

use crate::events::{ConnectionId, DirectRead};

/// How many connections are read while the interpreter spins.
const READ_WHILE_SPINNING: usize = 4;

#[derive(Default)]
pub struct DirectReaders {
    readers: HashMap<ConnectionId, Arc<dyn DirectRead>>,
    /// The connections last heard from, most recent first.
    recent: Vec<ConnectionId>,
}

impl DirectReaders {
    pub fn connected(&mut self, connection: ConnectionId, reader: Option<Arc<dyn DirectRead>>) {
        if let Some(reader) = reader {
            self.readers.insert(connection, reader);
        }
    }

    pub fn disconnected(&mut self, connection: ConnectionId) {
        self.readers.remove(&connection);
        self.recent.retain(|recent| *recent != connection);
    }

    /// A message came from `connection`.
    pub fn heard_from(&mut self, connection: ConnectionId) {
        if self.recent.first() == Some(&connection) || !self.readers.contains_key(&connection) {
            return;
        }
        self.recent.retain(|recent| *recent != connection);
        self.recent.insert(0, connection);
        self.recent.truncate(READ_WHILE_SPINNING);
    }

    /// Reads the recent connections' sockets; what they decode arrives in the channel.
    /// Whether any forwarded a message.
    pub fn pump(&self) -> bool {
        let mut forwarded = false;
        for connection in &self.recent {
            if let Some(reader) = self.readers.get(connection) {
                forwarded |= reader.pump();
            }
        }
        forwarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, Default)]
    struct CountingReader(AtomicUsize);

    impl DirectRead for CountingReader {
        fn pump(&self) -> bool {
            self.0.fetch_add(1, Ordering::Relaxed);
            false
        }
    }

    #[test]
    fn only_the_connections_last_heard_from_are_read() {
        let mut readers = DirectReaders::default();
        let counters: Vec<Arc<CountingReader>> = (0..6).map(|_| Arc::default()).collect();
        for (connection, counter) in counters.iter().enumerate() {
            readers.connected(connection as ConnectionId, Some(counter.clone()));
        }
        for connection in [0, 1, 2, 3, 4, 5, 5, 2] {
            readers.heard_from(connection);
        }
        readers.disconnected(4);
        readers.pump();
        let pumped: Vec<usize> = counters
            .iter()
            .map(|counter| counter.0.load(Ordering::Relaxed))
            .collect();
        assert_eq!(pumped, vec![0, 0, 1, 1, 0, 1]);
    }
}
