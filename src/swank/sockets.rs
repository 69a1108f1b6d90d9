//! The Rust half of the usocket subset (`usocket.lisp` is the Lisp half, with the public
//! names): builtins that open, accept, close and wait on program sockets through the
//! host's [`SocketControl`].
//!
//! A connected socket is a `Stream::Socket` (its usocket object's stream); a listener is an
//! `Object::SocketListener`. Either is closed by `%SOCKET-CLOSE`, or when the collector
//! frees it (dropping the last handle on its port closes the socket). Failures become
//! usocket conditions: the builtin is replaced by a call of `USOCKET::%SOCKET-ERROR` with
//! the kind of error and its text.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::events::{
    ListenPort, MessageListenPort, MessagePort, Readiness, SocketControl, SocketError, StreamPort,
};
use crate::lisp::builtins::{
    BuiltinTable, Control, expect_fixnum, expect_list, expect_string, value,
};
use crate::lisp::error::{LispError, LispResult};
use crate::lisp::image::Image;
use crate::lisp::number::Number;
use crate::lisp::object::{NetworkPort, Object};
use crate::lisp::stream::{SocketStream, Stream};
use crate::lisp::thread::LispThread;
use crate::lisp::value::Value;
use crate::lisp::vm::{Park, Vm};

use super::host::with_host;
use super::threads::WaitFor;

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%SOCKET-LISTEN", (4, Some(4)), listen)?;
    table.define(image, swankd, "%SOCKET-CONNECT", (4, Some(4)), connect)?;
    table.define(
        image,
        swankd,
        "%SOCKET-CONNECTED-P",
        (1, Some(1)),
        |vm, _, a| match stream_port(vm, a[0])?.connected() {
            Ok(done) => value(vm.image.boolean(done)),
            Err(error) => signal(vm, error),
        },
    )?;
    table.define(image, swankd, "%SOCKET-ACCEPT", (1, Some(1)), |vm, _, a| {
        let Port::Listener(listener) = port(vm, a[0])? else {
            return Err(LispError::type_error(a[0], "SOCKET-LISTENER"));
        };
        match listener.accept() {
            Ok(Some(port)) => value(socket_stream(vm, port)?),
            Ok(None) => value(Value::Nil),
            Err(error) => signal(vm, error),
        }
    })?;
    table.define(image, swankd, "%SOCKET-CLOSE", (1, Some(1)), |vm, _, a| {
        match port(vm, a[0])? {
            Port::Listener(listener) => listener.close(),
            Port::Stream(_) => vm.socket_close(a[0], false),
            Port::Message(port) => port.close(1000, ""),
            Port::Endpoint(port) => port.close(),
        }
        value(Value::Nil)
    })?;
    table.define(
        image,
        swankd,
        "%SOCKET-READY-P",
        (2, Some(2)),
        |vm, _, a| {
            let readiness = readiness(vm, a[1])?;
            let ready = port(vm, a[0])?.ready(readiness);
            value(vm.image.boolean(ready))
        },
    )?;
    table.define(
        image,
        swankd,
        "%WAIT-FOR-STREAMS",
        (3, Some(3)),
        wait_for_streams,
    )?;
    table.define(image, swankd, "%SOCKET-ADDRESS", (2, Some(2)), address)?;
    Ok(())
}

/// A socket object's port.
pub(super) enum Port {
    Stream(Arc<dyn StreamPort>),
    Listener(Arc<dyn ListenPort>),
    Message(Arc<dyn MessagePort>),
    Endpoint(Arc<dyn MessageListenPort>),
}

impl Port {
    fn id(&self) -> crate::events::SocketId {
        match self {
            Port::Stream(port) => port.id(),
            Port::Listener(port) => port.id(),
            Port::Message(port) => port.id(),
            Port::Endpoint(port) => port.id(),
        }
    }

    /// Whether ready for `readiness` (a listener is asked about clients whatever it is).
    fn ready(&self, readiness: Readiness) -> bool {
        match self {
            Port::Stream(port) => port.ready(readiness),
            Port::Listener(port) => port.ready(),
            Port::Message(port) => port.ready(readiness),
            Port::Endpoint(port) => port.ready(),
        }
    }
}

pub(super) fn port(vm: &Vm, object: Value) -> LispResult<Port> {
    match vm.image.object(object) {
        Some(Object::Stream(Stream::Socket(socket))) => Ok(Port::Stream(socket.port.clone())),
        Some(Object::Port(NetworkPort::Listener(listener))) => Ok(Port::Listener(listener.clone())),
        Some(Object::Port(NetworkPort::WebSocket(port))) => Ok(Port::Message(port.clone())),
        Some(Object::Port(NetworkPort::WebSocketEndpoint(port))) => {
            Ok(Port::Endpoint(port.clone()))
        }
        _ => Err(LispError::type_error(
            object,
            "(OR SOCKET-STREAM SOCKET-LISTENER)",
        )),
    }
}

fn stream_port(vm: &Vm, object: Value) -> LispResult<Arc<dyn StreamPort>> {
    match port(vm, object)? {
        Port::Stream(port) => Ok(port),
        _ => Err(LispError::type_error(object, "SOCKET-STREAM")),
    }
}

pub(super) fn control(vm: &Vm) -> LispResult<Arc<dyn SocketControl>> {
    with_host(vm, |host| host.sockets.clone())
        .flatten()
        .ok_or_else(|| LispError::simple("this swankd has no network side for sockets"))
}

fn socket_stream(vm: &mut Vm, port: Arc<dyn StreamPort>) -> LispResult<Value> {
    let stream = Stream::Socket(SocketStream {
        port,
        column: 0,
        closed: false,
    });
    Ok(vm.image.heap.alloc(Object::Stream(stream))?)
}

/// Replaces the builtin by `(USOCKET::%SOCKET-ERROR KIND TEXT)`, which signals the usocket
/// condition.
pub(super) fn signal(vm: &mut Vm, error: SocketError) -> LispResult<Control> {
    let kind = match &error {
        SocketError::AddressInUse(_) => "ADDRESS-IN-USE",
        SocketError::ConnectionRefused(_) => "CONNECTION-REFUSED",
        SocketError::Timeout(_) => "TIMEOUT",
        SocketError::HostNotFound(_) => "HOST-NOT-FOUND",
        SocketError::RemoteNotAllowed(_) => "REMOTE-NOT-ALLOWED",
        SocketError::TooManySockets(_) => "TOO-MANY-SOCKETS",
        SocketError::LineTooLong(_) | SocketError::Closed | SocketError::Other(_) => "OTHER",
    };
    let usocket = vm
        .image
        .packages
        .find("USOCKET")
        .ok_or_else(|| LispError::simple(error.to_string()))?;
    let signaller = vm.image.intern("%SOCKET-ERROR", usocket)?;
    let kind = vm.image.keyword(kind)?;
    let text = vm.image.string(error.to_string())?;
    Ok(Control::call(
        Value::Symbol(signaller),
        vec![Value::Symbol(kind), text],
    ))
}

pub(super) fn port_number(value: Value) -> LispResult<u16> {
    let port = expect_fixnum(value)?;
    u16::try_from(port).map_err(|_| LispError::type_error(value, "(INTEGER 0 65535)"))
}

/// `(%SOCKET-LISTEN HOST PORT BACKLOG REUSE-ADDRESS)`: a listener object.
fn listen(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let host = expect_string(&vm.image, a[0])?;
    let port = port_number(a[1])?;
    let backlog = u32::try_from(expect_fixnum(a[2])?.max(1)).unwrap_or(u32::MAX);
    match control(vm)?.listen(&host, port, backlog, a[3].truthy()) {
        Ok(listener) => value(
            vm.image
                .heap
                .alloc(Object::Port(NetworkPort::Listener(listener)))?,
        ),
        Err(error) => signal(vm, error),
    }
}

/// `(%SOCKET-CONNECT HOST PORT TIMEOUT NODELAY)`: a socket stream, maybe still connecting
/// (see `%SOCKET-CONNECTED-P`).
fn connect(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let host = expect_string(&vm.image, a[0])?;
    let port = port_number(a[1])?;
    let timeout = seconds(vm, a[2])?;
    match control(vm)?.connect(&host, port, timeout, a[3].truthy()) {
        Ok(port) => value(socket_stream(vm, port)?),
        Err(error) => signal(vm, error),
    }
}

fn seconds(vm: &Vm, value: Value) -> LispResult<Option<Duration>> {
    if value.is_nil() {
        return Ok(None);
    }
    let seconds = Number::expect(&vm.image, value)?.to_f64();
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(LispError::type_error(value, "(OR NULL (REAL 0))"));
    }
    Ok(Some(Duration::from_secs_f64(seconds.min(1.0e9))))
}

fn readiness(vm: &Vm, keyword: Value) -> LispResult<Readiness> {
    let name = match keyword {
        Value::Symbol(sym) => vm.image.symbol_name(sym).to_string(),
        _ => String::new(),
    };
    Ok(match name.as_str() {
        "INPUT" => Readiness::Input,
        "OUTPUT" => Readiness::Output,
        "DRAINED" => Readiness::Drained,
        "ACCEPT" => Readiness::Accept,
        "CONNECTED" => Readiness::Connected,
        _ => {
            return Err(LispError::type_error(
                keyword,
                "(MEMBER :INPUT :OUTPUT :DRAINED :ACCEPT :CONNECTED)",
            ));
        }
    })
}

/// `(%WAIT-FOR-STREAMS OBJECTS READINESS TIMEOUT)`: T at once if any socket is ready,
/// otherwise parks until one may be (T) or TIMEOUT seconds pass (NIL).
fn wait_for_streams(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let objects = expect_list(&vm.image, a[0])?;
    let readiness = readiness(vm, a[1])?;
    let timeout = seconds(vm, a[2])?;
    let mut sockets = Vec::with_capacity(objects.len());
    for object in objects {
        let port = port(vm, object)?;
        if port.ready(readiness) {
            return value(vm.image.t());
        }
        sockets.push(port.id());
    }
    if timeout == Some(Duration::ZERO) {
        return value(Value::Nil);
    }
    Ok(Control::park(Park::Wait(Box::new(WaitFor::Sockets {
        thread: thread.id,
        sockets,
        deadline: timeout.map(|timeout| Instant::now() + timeout),
    }))))
}

/// `(%SOCKET-ADDRESS OBJECT PEER-P)`: the address (a vector of octets) and port of the
/// socket's own end, or of its peer.
fn address(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let address: Option<SocketAddr> = match port(vm, a[0])? {
        Port::Stream(port) if a[1].truthy() => port.peer_address(),
        Port::Stream(port) => port.local_address(),
        Port::Listener(_) | Port::Endpoint(_) if a[1].truthy() => None,
        Port::Listener(port) => port.local_address(),
        Port::Endpoint(port) => port.local_address(),
        Port::Message(port) if a[1].truthy() => port.peer_address(),
        Port::Message(_) => None,
    };
    let Some(address) = address else {
        thread.mv = Some(smallvec::smallvec![Value::Nil, Value::Nil]);
        return value(Value::Nil);
    };
    let octets: Vec<Value> = match address.ip() {
        IpAddr::V4(ip) => ip
            .octets()
            .iter()
            .map(|o| Value::Fixnum(i64::from(*o)))
            .collect(),
        IpAddr::V6(ip) => ip
            .octets()
            .iter()
            .map(|o| Value::Fixnum(i64::from(*o)))
            .collect(),
    };
    let vector = vm
        .image
        .heap
        .alloc(Object::Vector(crate::lisp::object::LispVector {
            items: octets,
            ..Default::default()
        }))?;
    let port = Value::Fixnum(i64::from(address.port()));
    thread.mv = Some(smallvec::smallvec![vector, port]);
    value(vector)
}
