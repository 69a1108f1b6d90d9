//! What the interpreter tidies when it has nothing to run: the garbage made since the last
//! collection, once there is enough of it, and memory the process freed but the C allocator
//! still holds. Both are done there, where no request waits for them, rather than when the
//! heap has doubled (the first time after 64 MiB) or never.

use std::time::{Duration, Instant};

/// The least time between two releases of freed memory.
const RELEASE_INTERVAL: Duration = Duration::from_secs(1);

/// When to collect and when to release memory while idle.
#[derive(Debug)]
pub struct IdleTidying {
    /// Bytes allocated since the last collection that make an idle moment collect; zero
    /// never does.
    collection_bytes: usize,
    last_release: Instant,
    /// Something ran (an event or a thread) since memory was last released.
    active: bool,
}

/// What an idle moment should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tidy {
    pub collect: bool,
    pub release: bool,
}

impl IdleTidying {
    pub fn new(collection_bytes: usize) -> Self {
        IdleTidying {
            collection_bytes,
            last_release: Instant::now(),
            active: false,
        }
    }

    /// Something ran: what it freed may be worth giving back at the next idle moment.
    pub fn note_activity(&mut self) {
        self.active = true;
    }

    /// What to do at an idle moment at `now`, with `allocated` bytes allocated since the
    /// last collection. A collection always releases what it freed; otherwise memory is
    /// released at most once a `RELEASE_INTERVAL`, and only after activity.
    pub fn due(&mut self, allocated: usize, now: Instant) -> Tidy {
        let collect = self.collection_bytes > 0 && allocated >= self.collection_bytes;
        let release =
            collect || (self.active && now.duration_since(self.last_release) >= RELEASE_INTERVAL);
        if release {
            self.last_release = now;
            self.active = false;
        }
        Tidy { collect, release }
    }
}

/// Hands the memory the process has freed back to the operating system: the C allocator
/// keeps freed memory for reuse, so after a burst (a large request, many connections) the
/// process would otherwise stay as large as the burst made it.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enough_garbage_collects_and_releases_at_once() {
        let mut tidying = IdleTidying::new(100);
        let now = Instant::now();
        assert_eq!(
            tidying.due(99, now),
            Tidy {
                collect: false,
                release: false
            }
        );
        assert_eq!(
            tidying.due(100, now),
            Tidy {
                collect: true,
                release: true
            }
        );
    }

    #[test]
    fn memory_is_released_after_activity_at_most_once_an_interval() {
        let mut tidying = IdleTidying::new(0);
        let start = Instant::now();
        let later = start + RELEASE_INTERVAL;
        assert!(!tidying.due(1 << 30, later).release, "no activity yet");
        tidying.note_activity();
        assert!(!tidying.due(0, start).release, "too soon");
        assert!(tidying.due(0, later).release);
        tidying.note_activity();
        assert!(!tidying.due(0, later).release, "released just now");
        assert!(tidying.due(0, later + RELEASE_INTERVAL).release);
    }
}
