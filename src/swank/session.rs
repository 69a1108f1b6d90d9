//! The interpreter thread's loop: takes events from the network side, starts requests on
//! green threads, runs threads in slices, sends replies, and collects garbage between slices.

use std::cell::RefMut;
use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

use lexpr::Value as Wire;

use crate::events::{ConnectionId, EmacsMessage, Outbox, ThreadSelector, ToInterpreter};
use crate::lisp::compiler::simple_call;
use crate::lisp::error::LispError;
use crate::lisp::object::Object;
use crate::lisp::package::PackageId;
use crate::lisp::report;
use crate::lisp::stream::Stream;
use crate::lisp::thread::ThreadId;
use crate::lisp::value::Value;
use crate::lisp::vm::{Outcome, Park, Vm};

use super::debugger::{Mail, MailboxRequest};
use super::host::{ConnectionHost, SharedHost};
use super::output::{Flush, Pacing, flush_output, output_backlogged, speaks_write_done};
use super::package_name::guess_package;
use super::scheduler::{Job, Scheduler, State, WaitKey};
use super::threads::{self, WaitFor};
use super::wire_value::{from_wire, to_wire};

/// Instructions a thread may run before another gets a turn.
const SLICE_FUEL: u64 = 20_000;

/// A request waiting for its connection's REPL thread.
struct PendingRequest {
    form: Wire,
    package: Option<String>,
    id: i64,
}

pub struct Session {
    pub vm: Vm,
    host: SharedHost,
    repl_queues: HashMap<ConnectionId, VecDeque<PendingRequest>>,
    exit: Option<tokio::sync::oneshot::Sender<i32>>,
    /// Standard input not yet forming a complete form.
    input: String,
    /// See [`crate::runtime::RuntimeConfig::idle_spin`].
    pub idle_spin: Duration,
    /// Collecting and releasing memory while there is nothing to run.
    pub idle_tidying: super::idle_tidying::IdleTidying,
    /// The sockets read while spinning.
    direct_readers: super::direct_reading::DirectReaders,
}

impl Session {
    pub fn new(mut vm: Vm, host: SharedHost, exit: tokio::sync::oneshot::Sender<i32>) -> Self {
        vm.host = Some(Box::new(host.clone()));
        Session {
            vm,
            host,
            repl_queues: HashMap::new(),
            exit: Some(exit),
            input: String::new(),
            idle_spin: Duration::ZERO,
            idle_tidying: super::idle_tidying::IdleTidying::new(0),
            direct_readers: Default::default(),
        }
    }

    /// Starts the program's main thread, which loads files and evaluates forms.
    pub fn start_program(&mut self, files: &[String], forms: &[String]) {
        let id = self.sched().spawn("main thread", None);
        let result = (|| -> Result<(), LispError> {
            let image = &mut self.vm.image;
            let files: Vec<Value> = files
                .iter()
                .map(|f| image.string(f.clone()))
                .collect::<Result<_, _>>()?;
            let forms: Vec<Value> = forms
                .iter()
                .map(|f| image.string(f.clone()))
                .collect::<Result<_, _>>()?;
            let files = image.list(&files)?;
            let forms = image.list(&forms)?;
            let swankd = image.pkg.swankd;
            let run = image.intern("%RUN-PROGRAM", swankd)?;
            let Some(mut green) = self.sched().take(id) else {
                return Ok(());
            };
            let started =
                self.vm
                    .start_call(&mut green.thread, Value::Symbol(run), &[files, forms]);
            green.job = Job::Program;
            self.sched().put_back(id, green);
            started
        })();
        match result {
            Ok(()) => self.sched().make_runnable(id),
            Err(error) => {
                tracing::error!(error = %report::report(&self.vm.image, &error), "cannot start the program")
            }
        }
    }

    /// Sends `(:read-string THREAD TAG)` for a thread that wants a line of input; false if
    /// it cannot be asked for (no connection), and the thread goes on at once.
    fn ask_for_input(&mut self, thread: ThreadId, stream: crate::lisp::value::ObjRef) -> bool {
        let mut host = self.host.borrow_mut();
        let Some(connection) = host.connection_of(thread) else {
            return false;
        };
        let tag = host.next_input_tag;
        host.next_input_tag += 1;
        host.input_waits.insert((connection, tag), (thread, stream));
        let request = Wire::list(vec![
            Wire::keyword("read-string"),
            Wire::from(thread as i64),
            Wire::from(tag),
        ]);
        host.send(connection, request);
        true
    }

    /// Sends `(:read-from-minibuffer THREAD TAG PROMPT INITIAL)`; false if there is no
    /// connection to ask (the thread goes on at once with NIL).
    fn ask_minibuffer(
        &mut self,
        thread: ThreadId,
        prompt: crate::lisp::value::ObjRef,
        initial: Option<crate::lisp::value::ObjRef>,
    ) -> bool {
        let text = |r| {
            self.vm
                .image
                .as_str(Value::Object(r))
                .map(Wire::string)
                .unwrap_or(Wire::Nil)
        };
        let (prompt, initial) = (text(prompt), initial.map_or(Wire::Nil, text));
        let mut host = self.host.borrow_mut();
        let Some(connection) = host.connection_of(thread) else {
            return false;
        };
        let tag = host.next_input_tag;
        host.next_input_tag += 1;
        host.minibuffer_waits.insert((connection, tag), thread);
        let request = Wire::list(vec![
            Wire::keyword("read-from-minibuffer"),
            Wire::from(thread as i64),
            Wire::from(tag),
            prompt,
            initial,
        ]);
        host.send(connection, request);
        true
    }

    /// `(:emacs-return THREAD TAG VALUE)`: the answer to `:read-from-minibuffer` (a string,
    /// or NIL when the user gave none) becomes the waiting call's value.
    fn minibuffer_answered(&mut self, connection: ConnectionId, tag: i64, answer: &Wire) {
        let waiting = self
            .host
            .borrow_mut()
            .minibuffer_waits
            .remove(&(connection, tag));
        let Some(thread) = waiting else {
            tracing::debug!(connection, tag, "answer from Emacs that nobody waits for");
            return;
        };
        let value = match answer.as_str() {
            Some(text) => match self.vm.image.string(text) {
                Ok(value) => value,
                Err(_) => Value::Nil,
            },
            None => Value::Nil,
        };
        self.sched().wake_one(WaitKey::Input(thread), value);
    }

    /// `(:emacs-return-string THREAD TAG STRING)`: the line goes into the waiting thread's
    /// input stream and the thread runs again.
    fn input_arrived(&mut self, connection: ConnectionId, tag: i64, text: &str) {
        let waiting = self
            .host
            .borrow_mut()
            .input_waits
            .remove(&(connection, tag));
        let Some((thread, stream)) = waiting else {
            tracing::debug!(connection, tag, "input from Emacs that nobody waits for");
            return;
        };
        if let Some(Object::Stream(Stream::ConnectionInput {
            buffered, position, ..
        })) = self.vm.image.heap.object_mut(stream)
        {
            buffered.drain(..(*position).min(buffered.len()));
            *position = 0;
            buffered.push_str(text);
        }
        self.sched().wake_one(WaitKey::Input(thread), Value::Nil);
    }

    /// Standard input: each complete top-level form is run by a new program thread, in
    /// order of arrival; an incomplete one waits for more text.
    fn input(&mut self, text: &str) {
        self.input.push_str(text);
        let options = crate::lisp::system::read_options(&self.vm);
        loop {
            match crate::lisp::reader::read_one(&self.input, 0, &options) {
                Ok(Some((_, end))) => {
                    let form: String = self.input.drain(..end).collect();
                    self.start_program(&[], &[form]);
                }
                Ok(None) => {
                    self.input.clear();
                    return;
                }
                Err(crate::lisp::reader::ReadError::Incomplete { .. }) => return,
                Err(error) => {
                    tracing::warn!(%error, "unreadable standard input; dropped");
                    self.input.clear();
                    return;
                }
            }
        }
    }

    fn sched(&self) -> RefMut<'_, Scheduler> {
        RefMut::map(self.host.borrow_mut(), |host| &mut host.scheduler)
    }

    /// Runs until the network side says to shut down.
    pub fn run(&mut self, receiver: &Receiver<ToInterpreter>) {
        loop {
            loop {
                match receiver.try_recv() {
                    Ok(ToInterpreter::Shutdown) => return,
                    Ok(event) => self.handle_event(event),
                    Err(_) => break,
                }
            }
            self.sched().wake_sleepers(Instant::now());
            let next = self.sched().next_runnable();
            if let Some(id) = next {
                if !self.hold_for_output(id) {
                    self.idle_tidying.note_activity();
                    self.run_slice(id);
                }
            } else {
                let wakeup = self.sched().next_wakeup();
                let event = match self.spin_for_event(receiver, wakeup) {
                    Ok(Some(event)) => Ok(event),
                    Ok(None) => {
                        self.tidy_while_idle();
                        let timeout = match wakeup {
                            Some(when) => when.saturating_duration_since(Instant::now()),
                            None => Duration::from_secs(1),
                        };
                        receiver.recv_timeout(timeout)
                    }
                    Err(disconnected) => Err(disconnected),
                };
                match event {
                    Ok(ToInterpreter::Shutdown) => return,
                    Ok(event) => self.handle_event(event),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            self.after_slice();
        }
    }

    /// Checks for an event for up to `idle_spin` (or until `wakeup`), yielding the processor
    /// between checks. Sleeping in the channel and being woken by the sender costs a request
    /// tens of microseconds on a busy machine; a client that sends its next request as soon
    /// as the last reply arrives finds the interpreter still awake.
    fn spin_for_event(
        &self,
        receiver: &Receiver<ToInterpreter>,
        wakeup: Option<Instant>,
    ) -> Result<Option<ToInterpreter>, RecvTimeoutError> {
        if self.idle_spin.is_zero() {
            return Ok(None);
        }
        let started = Instant::now();
        let mut until = started + self.idle_spin;
        if let Some(wakeup) = wakeup {
            until = until.min(wakeup);
        }
        loop {
            match receiver.try_recv() {
                Ok(event) => return Ok(Some(event)),
                Err(TryRecvError::Disconnected) => return Err(RecvTimeoutError::Disconnected),
                Err(TryRecvError::Empty) => {}
            }
            if self.direct_readers.pump() {
                continue;
            }
            if Instant::now() >= until {
                return Ok(None);
            }
            std::thread::yield_now();
        }
    }

    /// Holds a thread whose connection's output Emacs has not caught up with (SLIME 2.28
    /// and later); [`Session::write_done`] lets it go on.
    fn hold_for_output(&mut self, id: ThreadId) -> bool {
        let connection = self.sched().get(id).and_then(|green| green.connection);
        let Some(connection) = connection else {
            return false;
        };
        let backlogged = output_backlogged(&self.vm, &self.host.borrow(), connection);
        if backlogged {
            self.sched().wait(id, WaitKey::Output(connection), None);
        }
        backlogged
    }

    /// `(:write-done THREAD)`: the gathered output can go, and held threads can go on.
    fn write_done(&mut self, connection: ConnectionId) {
        super::output::write_done(&mut self.vm, connection);
        self.sched().release_all(WaitKey::Output(connection));
    }

    fn after_slice(&mut self) {
        flush_output(&mut self.vm, Flush::Paced);
        let overflowed = std::mem::take(&mut self.host.borrow_mut().overflowed);
        for connection in overflowed {
            self.disconnect(connection);
        }
        if let Some(code) = self.host.borrow_mut().exit_code.take()
            && let Some(exit) = self.exit.take()
        {
            let _ = exit.send(code);
        }
        if self.vm.image.heap.wants_collection() {
            self.collect_garbage();
        }
    }

    /// With nothing to run: collects the garbage of what ran once there is enough of it, and
    /// gives freed memory back (see [`super::idle_tidying`]).
    fn tidy_while_idle(&mut self) {
        let allocated = self.vm.image.heap.allocated_since_collection();
        let tidy = self.idle_tidying.due(allocated, Instant::now());
        if tidy.collect {
            self.collect_garbage();
        }
        if tidy.release {
            super::idle_tidying::release_free_memory();
        }
    }

    fn collect_garbage(&mut self) {
        let started = Instant::now();
        let image = &mut self.vm.image;
        let symbols: Vec<_> = image.packages.all_symbols().collect();
        let host = self.host.borrow();
        let scheduler = &host.scheduler;
        let mut pinned: Vec<Value> = host
            .connections
            .values()
            .flat_map(|c| [c.output_stream, c.input_stream])
            .collect();
        pinned.extend(image.package_objects());
        let stats = self.vm.image.heap.collect(|marker| {
            for sym in symbols {
                marker.value(Value::Symbol(sym));
            }
            marker.values(&pinned);
            scheduler.mark_roots(marker);
        });
        tracing::debug!(
            freed = stats.freed_bytes,
            live = stats.live_bytes,
            micros = started.elapsed().as_micros() as u64,
            "garbage collected"
        );
    }

    fn handle_event(&mut self, event: ToInterpreter) {
        self.idle_tidying.note_activity();
        match event {
            ToInterpreter::Connected {
                connection,
                peer,
                outbox,
                inbound,
            } => {
                self.direct_readers.connected(connection, inbound);
                self.connect(connection, peer, outbox)
            }
            ToInterpreter::Message {
                connection,
                message,
            } => {
                self.direct_readers.heard_from(connection);
                self.message(connection, message)
            }
            ToInterpreter::Disconnected { connection } => {
                self.direct_readers.disconnected(connection);
                self.disconnect(connection)
            }
            ToInterpreter::Input { text } => self.input(&text),
            ToInterpreter::SocketReady { socket } => self.socket_ready(socket),
            ToInterpreter::Shutdown => {}
        }
    }

    /// Wakes the threads waiting on a program socket; each checks again what it waits for.
    fn socket_ready(&mut self, socket: crate::events::SocketId) {
        let waiting = self.host.borrow_mut().socket_waiters.remove(&socket);
        let t = Value::Symbol(self.vm.image.sym.t);
        for thread in waiting.into_iter().flatten() {
            self.sched().wake_one(WaitKey::Sockets(thread), t);
        }
    }

    fn connect(&mut self, connection: ConnectionId, peer: String, outbox: Outbox) {
        let stream = Stream::Connection {
            connection,
            pending: String::new(),
            column: 0,
        };
        let input = Stream::ConnectionInput {
            connection,
            buffered: String::new(),
            position: 0,
        };
        let streams = self
            .vm
            .image
            .heap
            .alloc(Object::Stream(stream))
            .and_then(|output| Ok((output, self.vm.image.heap.alloc(Object::Stream(input))?)));
        let (output_stream, input_stream) = match streams {
            Ok(streams) => streams,
            Err(error) => {
                tracing::error!(connection, %error, "cannot accept connection");
                return;
            }
        };
        tracing::info!(connection, %peer, "client connected");
        let write_done = speaks_write_done(&self.host.borrow().slime_version);
        self.host.borrow_mut().connections.insert(
            connection,
            ConnectionHost {
                outbox,
                peer,
                output_stream,
                input_stream,
                repl_thread: None,
                repl_created: false,
                pacing: Pacing {
                    client_version: None,
                    write_done,
                    unacknowledged: 0,
                },
            },
        );
    }

    fn disconnect(&mut self, connection: ConnectionId) {
        let Some(removed) = self.host.borrow_mut().connections.remove(&connection) else {
            return;
        };
        // The socket must not outlive the interpreter's memory of it (when the session gives
        // up on a client; a no-op once the client has gone by itself).
        removed.outbox.close();
        tracing::info!(connection, "client disconnected");
        self.repl_queues.remove(&connection);
        super::connection_state::forget_connection(&mut self.vm, connection);
        let threads = self.sched().threads_of(connection);
        for id in threads {
            self.retire_thread(id, None);
        }
        // Program threads whose debugger this client showed wait for the next one.
        self.host
            .borrow_mut()
            .thread_connections
            .retain(|_, shown_to| *shown_to != connection);
    }

    fn message(&mut self, connection: ConnectionId, message: EmacsMessage) {
        match message {
            EmacsMessage::Rex {
                form,
                package,
                thread,
                id,
            } => self.rex(connection, form, package, thread, id),
            EmacsMessage::Interrupt { thread } => self.interrupt(connection, thread),
            EmacsMessage::Pong { .. } => {}
            EmacsMessage::WriteDone { .. } => self.write_done(connection),
            EmacsMessage::ReturnString { tag, string, .. } => {
                self.input_arrived(connection, tag, &string)
            }
            EmacsMessage::Return { tag, value, .. } => {
                self.minibuffer_answered(connection, tag, &value)
            }
        }
    }

    fn rex(
        &mut self,
        connection: ConnectionId,
        form: Wire,
        package: Option<String>,
        selector: ThreadSelector,
        id: i64,
    ) {
        let request = PendingRequest { form, package, id };
        let repl = self
            .host
            .borrow()
            .connections
            .get(&connection)
            .and_then(|c| c.repl_thread);
        let request = match (&selector, repl) {
            (ThreadSelector::Id(thread), _) => {
                self.deliver_to_debugger(*thread as ThreadId, request)
            }
            (ThreadSelector::Repl, Some(repl)) => self.deliver_to_debugger(repl, request),
            _ => Err(request),
        };
        let Err(request) = request else {
            return;
        };
        match selector {
            ThreadSelector::Any => {
                let thread = self.sched().spawn("worker", Some(connection));
                self.start_request(connection, thread, request);
            }
            ThreadSelector::Repl => self.repl_request(connection, request),
            ThreadSelector::Id(thread) => {
                let repl = self
                    .host
                    .borrow_mut()
                    .connections
                    .get(&connection)
                    .and_then(|c| c.repl_thread);
                if repl == Some(thread as ThreadId) {
                    self.repl_request(connection, request);
                } else {
                    let message = format!("Thread not found: {thread}");
                    let reply = Wire::list(vec![
                        Wire::keyword("invalid-rpc"),
                        Wire::from(id),
                        Wire::string(message),
                    ]);
                    self.host.borrow_mut().send(connection, reply);
                }
            }
        }
    }

    /// Hands a request to a thread that is in the debugger, which evaluates it there; gives
    /// the request back if the thread is not in the debugger.
    fn deliver_to_debugger(
        &mut self,
        thread: ThreadId,
        request: PendingRequest,
    ) -> Result<(), PendingRequest> {
        let mut host = self.host.borrow_mut();
        let Some(mailbox) = host.mailboxes.get_mut(&thread) else {
            return Err(request);
        };
        mailbox.push_back(Mail::Request(MailboxRequest {
            id: request.id,
            form: request.form,
            package: request.package,
        }));
        host.scheduler
            .wake_one(WaitKey::Mailbox(thread), Value::Nil);
        Ok(())
    }

    fn repl_request(&mut self, connection: ConnectionId, request: PendingRequest) {
        let existing = self
            .host
            .borrow_mut()
            .connections
            .get(&connection)
            .and_then(|c| c.repl_thread);
        let thread = match existing {
            Some(thread) if self.sched().get(thread).is_some() => thread,
            _ => {
                let thread = self.sched().spawn("repl-thread", Some(connection));
                if let Some(c) = self.host.borrow_mut().connections.get_mut(&connection) {
                    c.repl_thread = Some(thread);
                }
                thread
            }
        };
        let idle = matches!(self.sched().get(thread), Some(t) if t.state == State::Idle);
        if idle {
            self.start_request(connection, thread, request);
        } else {
            self.repl_queues
                .entry(connection)
                .or_default()
                .push_back(request);
        }
    }

    /// Converts the form, binds the request's dynamic environment and schedules the thread.
    fn start_request(
        &mut self,
        connection: ConnectionId,
        thread: ThreadId,
        request: PendingRequest,
    ) {
        let PendingRequest { form, package, id } = request;
        self.host
            .borrow_mut()
            .thread_connections
            .insert(thread, connection);
        let package = guess_package(&self.vm.image, package.as_deref());
        let output = self
            .host
            .borrow_mut()
            .connections
            .get(&connection)
            .map(|c| (c.output_stream, c.input_stream));
        let Some(mut green) = self.sched().take(thread) else {
            return;
        };
        let started = self.prepare_request(&mut green.thread, &form, package, output, id);
        green.job = Job::Request { id };
        self.sched().put_back(thread, green);
        match started {
            Ok(()) => self.sched().make_runnable(thread),
            Err(error) => self.finish_request(thread, Err(error)),
        }
    }

    fn prepare_request(
        &mut self,
        thread: &mut crate::lisp::thread::LispThread,
        form: &Wire,
        package: PackageId,
        output: Option<(Value, Value)>,
        request_id: i64,
    ) -> Result<(), LispError> {
        self.vm.reset_thread(thread);
        let form = from_wire(&mut self.vm.image, form, package)?;
        let package_object = self.vm.image.package_object(package)?;
        let s = self.vm.image.sym;
        self.vm.bind_special(thread, s.package_var, package_object);
        let swank = self.vm.image.pkg.swank;
        let pending = self.vm.image.intern("*PENDING-CONTINUATIONS*", swank)?;
        // A negative id marks work that answers no request (an interrupt of an idle thread).
        let ids = if request_id < 0 {
            Value::Nil
        } else {
            self.vm.image.list(&[Value::Fixnum(request_id)])?
        };
        self.vm.bind_special(thread, pending, ids);
        if let Some((output, input)) = output {
            for sym in [s.standard_output, s.error_output, s.trace_output] {
                self.vm.bind_special(thread, sym, output);
            }
            self.vm.bind_special(thread, s.standard_input, input);
            let terminal = self
                .vm
                .image
                .heap
                .alloc(Object::Stream(Stream::TwoWay { input, output }))?;
            self.vm.bind_special(thread, s.terminal_io, terminal);
        }
        let swankd = self.vm.image.pkg.swankd;
        let wrapper = Value::Symbol(self.vm.image.intern("%CALL-WITH-ABORT-RESTART", swankd)?);
        if let Some((operator, mut arguments)) = simple_call(&self.vm.image, form) {
            arguments.insert(0, Value::Symbol(operator));
            return self.vm.start_call(thread, wrapper, &arguments);
        }
        let function = crate::lisp::builtins::compile_to_function(&mut self.vm, thread, form)?;
        self.vm.start_call(thread, wrapper, &[function])
    }

    fn run_slice(&mut self, id: ThreadId) {
        let Some(mut green) = self.sched().take(id) else {
            return;
        };
        self.vm.enter_transaction(&mut green.thread);
        let outcome = self.vm.run(&mut green.thread, SLICE_FUEL, 0);
        match outcome {
            Outcome::Finished(_) | Outcome::Failed(_) => {
                self.vm.abandon_transaction(&mut green.thread)
            }
            Outcome::Yielded | Outcome::Parked(_) => self.vm.leave_transaction(&mut green.thread),
        }
        self.sched().put_back(id, green);
        match outcome {
            Outcome::Yielded | Outcome::Parked(Park::Yield) => self.sched().requeue(id),
            Outcome::Parked(Park::Sleep(duration)) => {
                self.sched().sleep(id, Instant::now() + duration)
            }
            Outcome::Parked(Park::Wait(reason)) => match reason.downcast::<WaitFor>() {
                Ok(wait) => self.park(id, *wait),
                Err(_) => {
                    let error = LispError::unsupported("waiting for input from Emacs");
                    self.finish(id, Err(error));
                }
            },
            Outcome::Finished(values) => self.finish(id, Ok(values)),
            Outcome::Failed(error) => self.finish(id, Err(error)),
        }
    }

    /// Files a thread that parked under what it waits for. What it waits for may already
    /// have happened (a lock released while it was out of fuel): then it runs again at once
    /// and re-checks.
    fn park(&mut self, id: ThreadId, wait: WaitFor) {
        let ready = match &wait {
            WaitFor::Thread(target) => self.sched().get(*target).is_none(),
            WaitFor::Lock(lock) => threads::lock_is_free(&self.vm, *lock),
            WaitFor::Condition { .. } => false,
            WaitFor::Request(thread) => self
                .host
                .borrow()
                .mailboxes
                .get(thread)
                .is_some_and(|mailbox| !mailbox.is_empty()),
            WaitFor::Input { stream, .. } => !self.ask_for_input(id, *stream),
            WaitFor::Minibuffer {
                prompt, initial, ..
            } => !self.ask_minibuffer(id, *prompt, *initial),
            WaitFor::Sockets { sockets, .. } => {
                self.host.borrow_mut().wait_on_sockets(id, sockets);
                false
            }
        };
        if ready {
            self.sched().make_runnable(id);
        } else {
            self.sched().wait(id, wait.key(), wait.deadline());
        }
    }

    fn finish(&mut self, id: ThreadId, result: Result<Vec<Value>, LispError>) {
        if self.vm.image.heap.near_limit() {
            // An allocation bomb's garbage becomes garbage when its thread ends: reclaim it
            // before the next request runs into the limit.
            self.vm.image.heap.request_collection();
        }
        let job = self.sched().get(id).map(|t| t.job.clone());
        match job {
            Some(Job::Request { .. }) => self.finish_request(id, result),
            Some(Job::Interrupt) => {
                flush_output(&mut self.vm, Flush::Ordering);
                let connection = self.sched().get(id).and_then(|t| t.connection);
                self.release_thread(id, connection);
            }
            Some(Job::Program | Job::Background) => {
                let name = self
                    .sched()
                    .get(id)
                    .map(|t| t.thread.name.clone())
                    .unwrap_or_default();
                match &result {
                    Ok(_) => tracing::info!(thread = %name, "thread finished"),
                    Err(error) => tracing::error!(
                        thread = %name,
                        condition = %report::type_name(&self.vm.image, error),
                        message = %report::report(&self.vm.image, error),
                        "unhandled error; the thread ended"
                    ),
                }
                let value = match &result {
                    Ok(values) => Some(values.first().copied().unwrap_or(Value::Nil)),
                    Err(_) => None,
                };
                self.retire_thread(id, value);
            }
            _ => {}
        }
    }

    /// Removes a thread for good: records its result for `JOIN-THREAD` (`None`: it did not
    /// return normally) and wakes joiners.
    fn retire_thread(&mut self, id: ThreadId, result: Option<Value>) {
        let removed = self.sched().remove(id);
        if let Some(mut green) = removed {
            threads::mark_finished(&mut self.vm, &green.thread, result);
            self.vm.reset_thread(&mut green.thread);
        }
        self.host.borrow_mut().thread_connections.remove(&id);
        self.host.borrow_mut().forget_socket_waits(id);
        self.sched().wake_all(WaitKey::Thread(id), Value::Nil);
    }

    /// Sends the request's single reply and frees or reuses its thread.
    fn finish_request(&mut self, id: ThreadId, result: Result<Vec<Value>, LispError>) {
        flush_output(&mut self.vm, Flush::Ordering);
        let Some((job, connection)) = self.sched().get(id).map(|g| (g.job.clone(), g.connection))
        else {
            return;
        };
        let Job::Request { id: request_id } = job else {
            return;
        };
        let reply = match result {
            Ok(values) => {
                let value = to_wire(
                    &self.vm.image,
                    values.first().copied().unwrap_or(Value::Nil),
                );
                Wire::list(vec![Wire::keyword("ok"), value])
            }
            Err(error) => Wire::list(vec![
                Wire::keyword("abort"),
                Wire::string(abort_text(&self.vm, &error)),
            ]),
        };
        let reply = Wire::list(vec![Wire::keyword("return"), reply, Wire::from(request_id)]);
        if let Some(connection) = connection {
            self.host.borrow_mut().send(connection, reply);
        }
        self.release_thread(id, connection);
    }

    fn release_thread(&mut self, id: ThreadId, connection: Option<ConnectionId>) {
        let is_repl = connection
            .and_then(|c| {
                self.host
                    .borrow_mut()
                    .connections
                    .get(&c)
                    .and_then(|c| c.repl_thread)
            })
            .is_some_and(|repl| repl == id);
        let taken = self.sched().take(id);
        if let Some(mut green) = taken {
            self.vm.reset_thread(&mut green.thread);
            green.job = Job::None;
            green.state = State::Idle;
            self.sched().put_back(id, green);
        }
        if !is_repl {
            self.retire_thread(id, None);
            return;
        }
        let next =
            connection.and_then(|c| self.repl_queues.get_mut(&c).and_then(VecDeque::pop_front));
        if let (Some(request), Some(connection)) = (next, connection) {
            self.start_request(connection, id, request);
        }
    }

    /// `:emacs-interrupt`: stops the connection's running evaluation and aborts its request.
    fn interrupt(&mut self, connection: ConnectionId, selector: ThreadSelector) {
        let target = match selector {
            ThreadSelector::Id(id) => Some(id as ThreadId),
            ThreadSelector::Repl => self.repl_thread_for_interrupt(connection),
            ThreadSelector::Any => {
                let busy_worker = {
                    let scheduler = self.sched();
                    scheduler
                        .threads_of(connection)
                        .into_iter()
                        .rev()
                        .find(|id| matches!(scheduler.get(*id), Some(t) if t.job != Job::None))
                };
                busy_worker.or_else(|| self.repl_thread_for_interrupt(connection))
            }
        };
        let Some(target) = target else {
            let message = Wire::list(vec![
                Wire::keyword("debug-condition"),
                Wire::from(0),
                Wire::string("No thread to interrupt"),
            ]);
            self.host.borrow_mut().send(connection, message);
            return;
        };
        self.announce_new_repl_output(connection, target);
        let job = self.sched().get(target).map(|t| t.job.clone());
        match job {
            Some(Job::None) => self.interrupt_idle(connection, target),
            Some(_) => self.interrupt_into_debugger(target),
            None => {
                let message = Wire::list(vec![
                    Wire::keyword("debug-condition"),
                    Wire::from(target as i64),
                    Wire::string(format!("Thread with id {target} not found")),
                ]);
                self.host.borrow_mut().send(connection, message);
            }
        }
    }

    /// SLIME 2.28 and later start a fresh output region when the REPL thread is interrupted,
    /// told by `(:new-repl-output)`; older SLIME does not know the event.
    fn announce_new_repl_output(&mut self, connection: ConnectionId, target: ThreadId) {
        let mut host = self.host.borrow_mut();
        let newer_repl = host
            .connections
            .get(&connection)
            .is_some_and(|c| c.pacing.write_done && c.repl_thread == Some(target));
        if newer_repl {
            host.send(
                connection,
                Wire::list(vec![Wire::keyword("new-repl-output")]),
            );
        }
    }

    /// The connection's REPL thread, made if the client has a REPL but no thread yet.
    fn repl_thread_for_interrupt(&mut self, connection: ConnectionId) -> Option<ThreadId> {
        let (existing, repl_created) = {
            let host = self.host.borrow();
            let c = host.connections.get(&connection)?;
            (c.repl_thread, c.repl_created)
        };
        if let Some(thread) = existing.filter(|t| self.sched().get(*t).is_some()) {
            return Some(thread);
        }
        if !repl_created {
            return None;
        }
        let thread = self.sched().spawn("repl-thread", Some(connection));
        if let Some(c) = self.host.borrow_mut().connections.get_mut(&connection) {
            c.repl_thread = Some(thread);
        }
        Some(thread)
    }

    /// An interrupt of an idle thread (swank interrupts the idle REPL thread): it enters
    /// SLDB with "Interrupt from Emacs", answering no request.
    fn interrupt_idle(&mut self, connection: ConnectionId, thread: ThreadId) {
        let form = Wire::list(vec![Wire::symbol("swankd::%interrupt-from-emacs")]);
        let request = PendingRequest {
            form,
            package: None,
            id: -1,
        };
        self.start_request(connection, thread, request);
        if let Some(green) = self.sched().get_mut(thread) {
            green.job = Job::Interrupt;
        }
    }

    /// Makes `target` enter SLDB with "Interrupt from Emacs" and a CONTINUE restart at its
    /// next instruction.
    fn interrupt_into_debugger(&mut self, target: ThreadId) {
        let swankd = self.vm.image.pkg.swankd;
        let function = self
            .vm
            .image
            .packages
            .find_symbol(swankd, "%INTERRUPT-FROM-EMACS")
            .map(|(sym, _)| self.vm.image.heap.symbol(sym).function);
        let Some(function) = function else {
            tracing::error!("the debugger's interrupt function is missing");
            return;
        };
        let taken = self.sched().take(target);
        let Some(mut green) = taken else { return };
        let pushed = self.vm.push_interrupt(&mut green.thread, function);
        self.sched().put_back(target, green);
        match pushed {
            Ok(()) => self.sched().wake(target),
            Err(error) => {
                tracing::warn!(thread = target, error = %error.message, "cannot interrupt the thread")
            }
        }
    }
}

/// The text of an `(:abort TEXT)` reply: `NIL` when the ABORT restart ended the request (as
/// swank sends), otherwise the condition as `#<TYPE "report">`.
fn abort_text(vm: &Vm, error: &LispError) -> String {
    if matches!(error.kind, crate::lisp::error::ErrorKind::Aborted) {
        return error.message.clone();
    }
    format!(
        "#<{} \"{}\">",
        report::type_name(&vm.image, error),
        report::report(&vm.image, error).replace('"', "\\\"")
    )
}
