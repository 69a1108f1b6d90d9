//! A client connection that numbers its requests and checks every reply.
//!
//! Every request is answered by a frame that is compared with the exact reply SBCL's swank
//! gives; anything else (a wrong reply, an event before the reply) is recorded as a mismatch.
//! A socket error or timeout is returned as an error and ends the measurement.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::wire::{Connection, WireError};

/// The request timed for round trips.
const EVAL_FORM: &str = "(swank:interactive-eval \"(+ 1 2)\")";
/// Its answer, as swank formats it for the echo area.
const EVAL_VALUE: &str = "(:ok \"=> 3 (2 bits, #x3, #o3, #b11)\")";
/// What Emacs sends first on every new connection.
const CONNECTION_INFO_FORM: &str = "(swank:connection-info)";
/// What slime-repl sends first: load swank's REPL contrib.
const REQUIRE_REPL_FORM: &str = "(swank:swank-require '(swank-repl))";
/// What slime-repl sends next, as SLIME 2.27 sends it.
const CREATE_REPL_FORM: &str = "(swank-repl:create-repl nil :coding-system \"utf-8-unix\")";
/// create-repl's answer: the package's name and its prompt.
const CREATE_REPL_VALUE: &str = "(:ok (\"COMMON-LISP-USER\" \"CL-USER\"))";
/// Frames tolerated before a `:return`; a server that only sends events is broken.
const MAX_FRAMES_PER_REPLY: usize = 100;
/// How many mismatching frames are kept to be printed.
const MAX_SAMPLES: usize = 5;

/// Frames that were not the expected reply: how many, and the first few.
#[derive(Debug, Default)]
pub struct Mismatches {
    pub count: u64,
    pub samples: Vec<String>,
}

impl Mismatches {
    pub fn record(&mut self, frame: String) {
        self.count += 1;
        self.keep(frame);
    }

    /// Adds `other`'s count and as many of its samples as there is room for.
    pub fn absorb(&mut self, other: Mismatches) {
        self.count += other.count;
        other.samples.into_iter().for_each(|frame| self.keep(frame));
    }

    fn keep(&mut self, frame: String) {
        if self.samples.len() < MAX_SAMPLES {
            self.samples.push(frame);
        }
    }
}

/// Which reply a request expects.
#[derive(Clone, Copy)]
pub enum Request {
    /// `(+ 1 2)` through `interactive-eval`.
    Eval,
    ConnectionInfo,
    /// `swank-require` of `swank-repl`.
    RequireRepl,
    CreateRepl,
}

impl Request {
    fn form(self) -> &'static str {
        match self {
            Self::Eval => EVAL_FORM,
            Self::ConnectionInfo => CONNECTION_INFO_FORM,
            Self::RequireRepl => REQUIRE_REPL_FORM,
            Self::CreateRepl => CREATE_REPL_FORM,
        }
    }

    /// Whether `frame` is the right `:return` for this request sent with `id`.
    fn accepts(self, frame: &str, id: u64) -> bool {
        let ok_list =
            || frame.starts_with("(:return (:ok (") && frame.ends_with(&format!(") {id})"));
        match self {
            Self::Eval => frame == format!("(:return {EVAL_VALUE} {id})"),
            Self::ConnectionInfo => ok_list(),
            // The modules loaded so far, whose list differs between servers.
            Self::RequireRepl => ok_list() && frame.contains("\"SWANK-REPL\""),
            Self::CreateRepl => frame == format!("(:return {CREATE_REPL_VALUE} {id})"),
        }
    }
}

/// A connection that numbers its requests and checks every reply.
pub struct Client {
    connection: Connection,
    next_id: u64,
    pub mismatches: Mismatches,
}

impl Client {
    pub fn open(addr: SocketAddr, timeout: Duration) -> Result<Self, WireError> {
        Ok(Self {
            connection: Connection::open(addr, timeout)?,
            next_id: 1,
            mismatches: Mismatches::default(),
        })
    }

    /// Sends `form` to be run on `thread` (`t` or `:repl-thread`); returns the request's id.
    pub fn send(&mut self, form: &str, thread: &str) -> Result<u64, WireError> {
        let id = self.next_id;
        self.next_id += 1;
        self.connection.send_rex(form, thread, id)?;
        Ok(id)
    }

    /// Answers `(:ping THREAD TAG)` with `(:emacs-pong THREAD TAG)`, as Emacs does; returns
    /// whether `frame` was such a ping.
    ///
    /// SBCL's swank sends a ping after every 100 messages of output and waits for the pong.
    pub fn answer_ping(&mut self, frame: &str) -> Result<bool, WireError> {
        let Some(arguments) = frame
            .strip_prefix("(:ping ")
            .and_then(|rest| rest.strip_suffix(')'))
        else {
            return Ok(false);
        };
        let numbers: Vec<&str> = arguments.split(' ').collect();
        let well_formed =
            numbers.len() == 2 && numbers.iter().all(|number| number.parse::<u64>().is_ok());
        if !well_formed {
            return Ok(false);
        }
        self.connection
            .send(&format!("(:emacs-pong {arguments})"))?;
        Ok(true)
    }

    /// Reads the next whole frame.
    pub fn read_frame(&mut self) -> Result<String, WireError> {
        self.connection.read_frame()
    }

    /// Sends `request` and reads up to its `:return`; returns the time that took.
    pub fn round_trip(&mut self, request: Request) -> Result<Duration, WireError> {
        let sent = Instant::now();
        let id = self.send(request.form(), "t")?;
        for _ in 0..MAX_FRAMES_PER_REPLY {
            let frame = self.connection.read_frame()?;
            let elapsed = sent.elapsed();
            let is_return = frame.starts_with("(:return ");
            if !request.accepts(&frame, id) {
                self.mismatches.record(frame);
            }
            if is_return {
                return Ok(elapsed);
            }
        }
        Err(WireError::NoReturn(MAX_FRAMES_PER_REPLY))
    }

    /// Makes `count` round trips of `request`, discarding the times.
    pub fn repeat(&mut self, request: Request, count: u64) -> Result<(), WireError> {
        for _ in 0..count {
            self.round_trip(request)?;
        }
        Ok(())
    }
}
