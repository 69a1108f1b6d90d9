//! One scenario's connection: request ids, waiting for a request's `:return`, and checking
//! every message that arrives on the way with [`shapes::check_event`], so no scenario can
//! pass while the server sends Emacs something it would choke on.

use std::time::Duration;

use lexpr::Value;

use super::client::{Address, Client, ClientError};
use super::shapes::{self, Outcome};

/// A connection plus the bookkeeping scenarios share.
pub struct Session {
    pub client: Client,
    next_id: i64,
}

impl Session {
    pub fn open(
        address: &Address,
        timeout: Duration,
        secret: Option<&[u8]>,
    ) -> Result<Session, String> {
        let client =
            Client::connect(address, timeout, secret).map_err(|error| error.to_string())?;
        Ok(Session { client, next_id: 1 })
    }

    /// A request id not used on this connection yet.
    pub fn next_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Sends `form` for `thread` without waiting; returns its id.
    pub fn start(&mut self, form: &str, thread: &str) -> Result<i64, String> {
        let id = self.next_id();
        self.client
            .send_rex(form, thread, id)
            .map_err(|error| format!("sending request {id}: {error}"))?;
        Ok(id)
    }

    /// Sends `form` for `thread` and waits for its `:return`; returns the message's index.
    pub fn call(&mut self, form: &str, thread: &str) -> Result<usize, String> {
        let id = self.start(form, thread)?;
        self.wait_return(id)
    }

    /// Calls `form` on a new thread and insists on `(:ok VALUE)`; returns the index of the
    /// `:return` (see [`Session::value`]).
    pub fn ok(&mut self, form: &str) -> Result<usize, String> {
        self.ok_on(form, "t")
    }

    /// Like [`Session::ok`] on `thread`.
    pub fn ok_on(&mut self, form: &str, thread: &str) -> Result<usize, String> {
        let index = self.call(form, thread)?;
        match self.outcome(index)? {
            Outcome::Ok(_) => Ok(index),
            Outcome::Abort(reason) => Err(format!("{form} was aborted: {reason}")),
        }
    }

    /// The `:return` of request `id`: already received (servers that run requests on
    /// threads of their own may answer them in any order), or waited for, checking
    /// everything that arrives meanwhile.
    pub fn wait_return(&mut self, id: i64) -> Result<usize, String> {
        self.find_from(0, &format!(":return for request {id}"), |message| {
            shapes::check_return(message).is_ok_and(|(got, _)| got == id)
        })
    }

    /// Receives (and checks) messages until one satisfies `wanted`; returns its index.
    pub fn receive_until(
        &mut self,
        what: &str,
        wanted: impl Fn(&Value) -> bool,
    ) -> Result<usize, String> {
        loop {
            let index = self
                .receive()
                .map_err(|error| format!("waiting for {what}: {error}"))?;
            let message = self.message(index);
            shapes::check_event(message)?;
            if wanted(message) {
                return Ok(index);
            }
        }
    }

    /// The first message at or after `start` that satisfies `wanted`, among those already
    /// received or, failing that, those still to come.
    pub fn find_from(
        &mut self,
        start: usize,
        what: &str,
        wanted: impl Fn(&Value) -> bool,
    ) -> Result<usize, String> {
        let received = self.client.received.len();
        if let Some(index) = (start..received).find(|&index| wanted(self.message(index))) {
            return Ok(index);
        }
        self.receive_until(what, wanted)
    }

    /// Where the next received message will be.
    pub fn mark(&self) -> usize {
        self.client.received.len()
    }

    /// The next message, unchecked.
    pub fn receive(&mut self) -> Result<usize, ClientError> {
        self.client.receive()
    }

    pub fn message(&self, index: usize) -> &Value {
        self.client
            .received
            .get(index)
            .map_or(&Value::Nil, |received| &received.value)
    }

    /// How the `:return` at `index` ended.
    pub fn outcome(&self, index: usize) -> Result<Outcome<'_>, String> {
        shapes::check_return(self.message(index)).map(|(_, outcome)| outcome)
    }

    /// The VALUE of the `(:return (:ok VALUE) ID)` at `index` (`nil` for anything else).
    pub fn value(&self, index: usize) -> &Value {
        match self.outcome(index) {
            Ok(Outcome::Ok(value)) => value,
            _ => &Value::Nil,
        }
    }

    /// Messages received after `index` up to and including `end`, by event name.
    pub fn names_between(&self, after: usize, end: usize) -> Vec<String> {
        (after + 1..=end)
            .filter_map(|index| shapes::event_name(self.message(index)))
            .map(str::to_string)
            .collect()
    }

    /// Loads the REPL contrib and creates the REPL, as slime-repl does on connect.
    pub fn open_repl(&mut self) -> Result<(), String> {
        let required = self.ok("(swank:swank-require '(swank-repl))")?;
        shapes::strings("swank-require's reply", self.value(required))?;
        let created = self.ok("(swank-repl:create-repl nil :coding-system \"utf-8-unix\")")?;
        check_create_repl(self.value(created))
    }
}

/// `(PACKAGE-NAME PROMPT)`: anything else means no REPL (brief, 0.5).
pub fn check_create_repl(value: &Value) -> Result<(), String> {
    let names = shapes::strings("create-repl's reply", value)?;
    if names.len() == 2 {
        Ok(())
    } else {
        Err(format!(
            "create-repl must answer (PACKAGE PROMPT), got {}",
            shapes::show(value)
        ))
    }
}
