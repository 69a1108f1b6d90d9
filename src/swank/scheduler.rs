//! Green threads and who runs next: a round-robin run queue, a timer list of sleepers, and
//! the queues of threads waiting for another thread, a lock or a condition variable.
//!
//! A thread that is not running lives here; the session takes it out for its slice and puts
//! it back. Waiting never trusts its wake-up: the Lisp code that parked re-checks what it
//! waited for, so a spurious or early wake-up (an interrupt, a timeout) is harmless.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::time::Instant;

use crate::events::ConnectionId;
use crate::lisp::heap::Marker;
use crate::lisp::thread::{LispThread, ThreadId};
use crate::lisp::value::{ObjRef, Value};

/// What a green thread is doing for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Nothing (an idle REPL thread).
    None,
    /// Answering `(:emacs-rex ... ID)`.
    Request { id: i64 },
    /// The program's main thread (loading files, running the service).
    Program,
    /// A thread the program started with `BT:MAKE-THREAD`.
    Background,
    /// An idle thread interrupted from Emacs: it shows SLDB and answers no request.
    Interrupt,
}

/// What a waiting thread waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WaitKey {
    /// Another thread's end (`JOIN-THREAD`).
    Thread(ThreadId),
    /// A lock or condition variable object.
    Object(ObjRef),
    /// A request from Emacs for this thread, which is in the debugger.
    Mailbox(ThreadId),
    /// A line from Emacs for this thread's `*STANDARD-INPUT*`.
    Input(ThreadId),
    /// A change on any of the program sockets this thread waits on (which ones is kept in
    /// `SwankHost::socket_waiters`).
    Sockets(ThreadId),
    /// Emacs catching up with a connection's output (`:write-done`); the thread was held
    /// between slices, not parked by Lisp code.
    Output(ConnectionId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Runnable,
    Sleeping(Instant),
    Waiting {
        key: WaitKey,
        deadline: Option<Instant>,
    },
    Idle,
}

pub struct GreenThread {
    pub thread: LispThread,
    pub state: State,
    pub job: Job,
    pub connection: Option<ConnectionId>,
}

pub struct Scheduler {
    threads: BTreeMap<ThreadId, GreenThread>,
    /// Runnable threads in round-robin order, as (thread, ticket). An entry whose ticket is
    /// not the thread's current one in `queued` is stale and skipped, so queueing, moving to
    /// the front and removing are all O(1) however many threads wait.
    run_queue: VecDeque<(ThreadId, u64)>,
    /// The ticket of each thread's live entry in `run_queue`.
    queued: HashMap<ThreadId, u64>,
    next_ticket: u64,
    timers: BinaryHeap<Reverse<(Instant, ThreadId)>>,
    waiters: HashMap<WaitKey, VecDeque<ThreadId>>,
    next_id: ThreadId,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler {
            threads: BTreeMap::new(),
            run_queue: VecDeque::new(),
            queued: HashMap::new(),
            next_ticket: 0,
            timers: BinaryHeap::new(),
            waiters: HashMap::new(),
            next_id: 1,
        }
    }
}

impl Scheduler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves a thread id (for a thread built outside the scheduler and added later).
    pub fn allocate_id(&mut self) -> ThreadId {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Creates an idle thread and returns its id.
    pub fn spawn(&mut self, name: &str, connection: Option<ConnectionId>) -> ThreadId {
        let id = self.allocate_id();
        self.insert(GreenThread {
            thread: LispThread::new(id, name),
            state: State::Idle,
            job: Job::None,
            connection,
        });
        id
    }

    /// Adds a thread built elsewhere (its id from [`Scheduler::allocate_id`]).
    pub fn insert(&mut self, green: GreenThread) {
        self.threads.insert(green.thread.id, green);
    }

    pub fn get(&self, id: ThreadId) -> Option<&GreenThread> {
        self.threads.get(&id)
    }

    pub fn get_mut(&mut self, id: ThreadId) -> Option<&mut GreenThread> {
        self.threads.get_mut(&id)
    }

    pub fn ids(&self) -> Vec<ThreadId> {
        self.threads.keys().copied().collect()
    }

    pub fn remove(&mut self, id: ThreadId) -> Option<GreenThread> {
        self.queued.remove(&id);
        self.threads.remove(&id)
    }

    /// Queues `id` at the back (`front`: at the front), replacing an earlier entry.
    fn enqueue(&mut self, id: ThreadId, front: bool) {
        self.next_ticket += 1;
        let ticket = self.next_ticket;
        self.queued.insert(id, ticket);
        if front {
            self.run_queue.push_front((id, ticket));
        } else {
            self.run_queue.push_back((id, ticket));
        }
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
            if !self.queued.contains_key(&id) {
                self.enqueue(id, false);
            }
        }
    }

    /// Like [`Scheduler::make_runnable`], but ahead of everyone: for a sleeper whose time
    /// has come, so that a program's tick is late by at most the slice running now, however
    /// many requests are queued.
    fn make_runnable_first(&mut self, id: ThreadId) {
        if let Some(thread) = self.threads.get_mut(&id) {
            thread.state = State::Runnable;
            self.enqueue(id, true);
        }
    }

    pub fn sleep(&mut self, id: ThreadId, until: Instant) {
        if let Some(thread) = self.threads.get_mut(&id) {
            thread.state = State::Sleeping(until);
            self.timers.push(Reverse((until, id)));
        }
    }

    /// Parks `id` until [`Scheduler::wake_one`]/[`Scheduler::wake_all`] on `key` or until
    /// `deadline`.
    pub fn wait(&mut self, id: ThreadId, key: WaitKey, deadline: Option<Instant>) {
        let Some(thread) = self.threads.get_mut(&id) else {
            return;
        };
        thread.state = State::Waiting { key, deadline };
        self.waiters.entry(key).or_default().push_back(id);
        if let Some(deadline) = deadline {
            self.timers.push(Reverse((deadline, id)));
        }
    }

    /// Wakes the longest-waiting thread on `key`; false if none waited.
    pub fn wake_one(&mut self, key: WaitKey, value: Value) -> bool {
        while let Some(id) = self.waiters.get_mut(&key).and_then(VecDeque::pop_front) {
            if self.wake_waiter(id, key, value) {
                self.drop_empty_queue(key);
                return true;
            }
        }
        self.drop_empty_queue(key);
        false
    }

    pub fn wake_all(&mut self, key: WaitKey, value: Value) {
        if let Some(queue) = self.waiters.remove(&key) {
            for id in queue {
                self.wake_waiter(id, key, value);
            }
        }
    }

    /// Makes every thread held on `key` runnable again, leaving their stacks alone: for
    /// threads held between slices rather than parked by a Lisp call.
    pub fn release_all(&mut self, key: WaitKey) {
        if let Some(queue) = self.waiters.remove(&key) {
            for id in queue {
                if matches!(self.threads.get(&id), Some(t) if t.state == (State::Waiting { key, deadline: None }))
                {
                    self.make_runnable(id);
                }
            }
        }
    }

    /// Ends a wait or sleep early (an interrupt); the thread re-checks what it waited for.
    pub fn wake(&mut self, id: ThreadId) {
        let state = self.threads.get(&id).map(|t| t.state);
        match state {
            Some(State::Waiting { key, .. }) => {
                if let Some(queue) = self.waiters.get_mut(&key) {
                    queue.retain(|t| *t != id);
                }
                self.drop_empty_queue(key);
                self.make_runnable(id);
            }
            Some(State::Sleeping(_)) => self.make_runnable(id),
            _ => {}
        }
    }

    fn wake_waiter(&mut self, id: ThreadId, key: WaitKey, value: Value) -> bool {
        let Some(green) = self.threads.get_mut(&id) else {
            return false;
        };
        if !matches!(green.state, State::Waiting { key: k, .. } if k == key) {
            return false;
        }
        if let Some(top) = green.thread.stack.last_mut() {
            *top = value;
        }
        self.make_runnable(id);
        true
    }

    fn drop_empty_queue(&mut self, key: WaitKey) {
        if self.waiters.get(&key).is_some_and(VecDeque::is_empty) {
            self.waiters.remove(&key);
        }
    }

    /// Moves sleepers whose time has come (to the front) and waiters whose deadline passed
    /// to the run queue. A timed-out waiter's park value is NIL.
    pub fn wake_sleepers(&mut self, now: Instant) {
        while let Some(Reverse((when, id))) = self.timers.peek().copied() {
            if when > now {
                break;
            }
            self.timers.pop();
            let state = self.threads.get(&id).map(|t| t.state);
            match state {
                Some(State::Sleeping(until)) if until == when => self.make_runnable_first(id),
                Some(State::Waiting {
                    deadline: Some(deadline),
                    ..
                }) if deadline == when => self.wake(id),
                _ => {}
            }
        }
    }

    /// The next thread to run, in round-robin order.
    pub fn next_runnable(&mut self) -> Option<ThreadId> {
        while let Some((id, ticket)) = self.run_queue.pop_front() {
            if self.queued.get(&id) != Some(&ticket) {
                continue;
            }
            self.queued.remove(&id);
            if matches!(self.threads.get(&id), Some(t) if t.state == State::Runnable) {
                return Some(id);
            }
        }
        None
    }

    pub fn requeue(&mut self, id: ThreadId) {
        self.enqueue(id, false);
    }

    /// When the earliest timer fires.
    pub fn next_wakeup(&self) -> Option<Instant> {
        self.timers.peek().map(|Reverse((when, _))| *when)
    }

    pub fn threads_of(&self, connection: ConnectionId) -> Vec<ThreadId> {
        self.threads
            .iter()
            .filter(|(_, t)| t.connection == Some(connection))
            .map(|(id, _)| *id)
            .collect()
    }

    pub fn mark_roots(&self, marker: &mut Marker) {
        for green in self.threads.values() {
            green.thread.mark_roots(marker);
        }
        for key in self.waiters.keys() {
            if let WaitKey::Object(object) = key {
                marker.value(Value::Object(*object));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wake_one_skips_threads_that_stopped_waiting() {
        let mut scheduler = Scheduler::new();
        let first = scheduler.spawn("a", None);
        let second = scheduler.spawn("b", None);
        let key = WaitKey::Object(ObjRef(7));
        scheduler.wait(first, key, None);
        scheduler.wait(second, key, None);
        scheduler.wake(first);
        assert_eq!(scheduler.next_runnable(), Some(first));
        assert!(scheduler.wake_one(key, Value::Nil));
        assert_eq!(scheduler.next_runnable(), Some(second));
        assert!(!scheduler.wake_one(key, Value::Nil));
    }

    #[test]
    fn a_deadline_ends_a_wait() {
        let mut scheduler = Scheduler::new();
        let id = scheduler.spawn("a", None);
        let now = Instant::now();
        scheduler.wait(id, WaitKey::Thread(9), Some(now));
        scheduler.wake_sleepers(now);
        assert_eq!(scheduler.next_runnable(), Some(id));
        assert!(!scheduler.wake_one(WaitKey::Thread(9), Value::Nil));
    }

    #[test]
    fn the_run_queue_holds_each_thread_once_in_order() {
        let mut scheduler = Scheduler::new();
        let ids: Vec<ThreadId> = (0..4).map(|_| scheduler.spawn("t", None)).collect();
        // Spawned threads are runnable; queueing again changes nothing.
        for &id in &ids {
            scheduler.make_runnable(id);
        }
        scheduler.make_runnable_first(ids[2]);
        scheduler.remove(ids[1]);
        let order: Vec<ThreadId> = std::iter::from_fn(|| scheduler.next_runnable()).collect();
        assert_eq!(order, vec![ids[2], ids[0], ids[3]]);
        scheduler.requeue(ids[0]);
        scheduler.requeue(ids[0]);
        assert_eq!(scheduler.next_runnable(), Some(ids[0]));
        assert_eq!(scheduler.next_runnable(), None);
    }
}
