//! The heap objects behind threads, locks and condition variables. Their behaviour (who
//! runs, who waits) belongs to the scheduler in `swank`; these only hold the state Lisp code
//! can see and the printer shows.

use super::thread::ThreadId;
use super::value::Value;

/// A Lisp thread object (`BT:CURRENT-THREAD`, `BT:MAKE-THREAD`).
#[derive(Debug)]
pub struct ThreadObject {
    pub id: ThreadId,
    pub name: String,
    /// Set when the thread ends: its function's first value (NIL if it failed).
    pub result: Option<Value>,
    /// The thread ended without its function returning (an error, `DESTROY-THREAD`).
    pub aborted: bool,
}

/// A lock (`BT:MAKE-LOCK`, `BT:MAKE-RECURSIVE-LOCK`).
#[derive(Debug)]
pub struct LockObject {
    pub name: String,
    pub recursive: bool,
    pub owner: Option<ThreadId>,
    /// How many times the owner holds it (above 1 only for recursive locks).
    pub depth: u32,
}

/// A condition variable (`BT:MAKE-CONDITION-VARIABLE`): only a name; its waiters are in the
/// scheduler.
#[derive(Debug)]
pub struct ConditionVariableObject {
    pub name: String,
}
