//! Green threads and who runs next: a round-robin run queue and a timer list of sleepers.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::time::Instant;

use crate::events::ConnectionId;
use crate::lisp::heap::Marker;
use crate::lisp::thread::{LispThread, ThreadId};

/// What a green thread is doing for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Nothing (an idle REPL thread).
    None,
    /// Answering `(:emacs-rex ... ID)`.
    Request { id: i64 },
    /// The program's main thread (loading files, running the service).
    Program,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Runnable,
    Sleeping(Instant),
    Idle,
}

pub struct GreenThread {
    pub thread: LispThread,
    pub state: State,
    pub job: Job,
    pub connection: Option<ConnectionId>,
}

#[derive(Default)]
pub struct Scheduler {
    threads: BTreeMap<ThreadId, GreenThread>,
    run_queue: VecDeque<ThreadId>,
    sleepers: BinaryHeap<Reverse<(Instant, ThreadId)>>,
    next_id: ThreadId,
}

impl Scheduler {
    pub fn new() -> Self {
        Scheduler {
            next_id: 1,
            ..Default::default()
        }
    }

    /// Creates an idle thread and returns its id.
    pub fn spawn(&mut self, name: &str, connection: Option<ConnectionId>) -> ThreadId {
        let id = self.next_id;
        self.next_id += 1;
        self.threads.insert(
            id,
            GreenThread {
                thread: LispThread::new(id, name),
                state: State::Idle,
                job: Job::None,
                connection,
            },
        );
        id
    }

    pub fn get(&self, id: ThreadId) -> Option<&GreenThread> {
        self.threads.get(&id)
    }

    pub fn get_mut(&mut self, id: ThreadId) -> Option<&mut GreenThread> {
        self.threads.get_mut(&id)
    }

    pub fn remove(&mut self, id: ThreadId) -> Option<GreenThread> {
        self.run_queue.retain(|t| *t != id);
        self.threads.remove(&id)
    }

    /// Temporarily takes a thread out to run it; `put_back` returns it.
    pub fn take(&mut self, id: ThreadId) -> Option<GreenThread> {
        self.threads.remove(&id)
    }

    pub fn put_back(&mut self, id: ThreadId, thread: GreenThread) {
        self.threads.insert(id, thread);
    }

    pub fn make_runnable(&mut self, id: ThreadId) {
        if let Some(thread) = self.threads.get_mut(&id) {
            thread.state = State::Runnable;
            if !self.run_queue.contains(&id) {
                self.run_queue.push_back(id);
            }
        }
    }

    pub fn sleep(&mut self, id: ThreadId, until: Instant) {
        if let Some(thread) = self.threads.get_mut(&id) {
            thread.state = State::Sleeping(until);
            self.sleepers.push(Reverse((until, id)));
        }
    }

    /// Moves sleepers whose time has come to the run queue.
    pub fn wake_sleepers(&mut self, now: Instant) {
        while let Some(Reverse((when, id))) = self.sleepers.peek().copied() {
            if when > now {
                break;
            }
            self.sleepers.pop();
            let due = matches!(self.threads.get(&id), Some(t) if t.state == State::Sleeping(when));
            if due {
                self.make_runnable(id);
            }
        }
    }

    /// The next thread to run, in round-robin order.
    pub fn next_runnable(&mut self) -> Option<ThreadId> {
        while let Some(id) = self.run_queue.pop_front() {
            if matches!(self.threads.get(&id), Some(t) if t.state == State::Runnable) {
                return Some(id);
            }
        }
        None
    }

    pub fn requeue(&mut self, id: ThreadId) {
        self.run_queue.push_back(id);
    }

    /// When the earliest sleeper wakes.
    pub fn next_wakeup(&self) -> Option<Instant> {
        self.sleepers.peek().map(|Reverse((when, _))| *when)
    }

    pub fn threads_of(&self, connection: ConnectionId) -> Vec<ThreadId> {
        self.threads
            .iter()
            .filter(|(_, t)| t.connection == Some(connection))
            .map(|(id, _)| *id)
            .collect()
    }

    pub fn mark_roots(&self, marker: &mut Marker) {
        for thread in self.threads.values() {
            thread.thread.mark_roots(marker);
        }
    }
}
