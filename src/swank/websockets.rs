//! The Rust half of the WebSocket API (`websocket.lisp` is the Lisp half): endpoints,
//! clients, receiving, sending and closing, over the host's `SocketControl`. Waiting goes
//! through `%WAIT-FOR-STREAMS` (in `sockets`), as for TCP sockets.

use std::sync::Arc;

use crate::events::{MessagePort, WsEvent, WsMessage};
use crate::lisp::builtins::{BuiltinTable, Control, expect_fixnum, expect_string, value};
use crate::lisp::error::{LispError, LispResult};
use crate::lisp::image::Image;
use crate::lisp::object::{LispVector, NetworkPort, Object};
use crate::lisp::thread::LispThread;
use crate::lisp::value::Value;
use crate::lisp::vm::Vm;

use super::sockets::{Port, control, port, port_number, signal};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%WS-LISTEN", (3, Some(3)), |vm, _, a| {
        let host = expect_string(&vm.image, a[0])?;
        let port = port_number(a[1])?;
        let path = expect_string(&vm.image, a[2])?;
        match control(vm)?.websocket_listen(&host, port, &path) {
            Ok(endpoint) => value(
                vm.image
                    .heap
                    .alloc(Object::Port(NetworkPort::WebSocketEndpoint(endpoint)))?,
            ),
            Err(error) => signal(vm, error),
        }
    })?;
    table.define(image, swankd, "%WS-CONNECT", (1, Some(1)), |vm, _, a| {
        let url = expect_string(&vm.image, a[0])?;
        match control(vm)?.websocket_connect(&url) {
            Ok(port) => value(websocket(vm, port)?),
            Err(error) => signal(vm, error),
        }
    })?;
    table.define(image, swankd, "%WS-ACCEPT", (1, Some(1)), |vm, _, a| {
        let Port::Endpoint(endpoint) = port(vm, a[0])? else {
            return Err(LispError::type_error(a[0], "WEBSOCKET-ENDPOINT"));
        };
        match endpoint.accept() {
            Ok(Some(port)) => value(websocket(vm, port)?),
            Ok(None) => value(Value::Nil),
            Err(error) => signal(vm, error),
        }
    })?;
    table.define(
        image,
        swankd,
        "%WS-CONNECTED-P",
        (1, Some(1)),
        |vm, _, a| match message_port(vm, a[0])?.connected() {
            Ok(done) => value(vm.image.boolean(done)),
            Err(error) => signal(vm, error),
        },
    )?;
    table.define(image, swankd, "%WS-RECEIVE", (1, Some(1)), receive)?;
    table.define(image, swankd, "%WS-SEND", (2, Some(2)), send)?;
    table.define(image, swankd, "%WS-CLOSE", (3, Some(3)), |vm, _, a| {
        let code = u16::try_from(expect_fixnum(a[1])?)
            .map_err(|_| LispError::type_error(a[1], "(INTEGER 1000 4999)"))?;
        let reason = expect_string(&vm.image, a[2])?;
        message_port(vm, a[0])?.close(code, &reason);
        value(Value::Nil)
    })?;
    Ok(())
}

fn websocket(vm: &mut Vm, port: Arc<dyn MessagePort>) -> LispResult<Value> {
    Ok(vm
        .image
        .heap
        .alloc(Object::Port(NetworkPort::WebSocket(port)))?)
}

fn message_port(vm: &Vm, object: Value) -> LispResult<Arc<dyn MessagePort>> {
    match port(vm, object)? {
        Port::Message(port) => Ok(port),
        _ => Err(LispError::type_error(object, "WEBSOCKET")),
    }
}

/// `(%WS-RECEIVE WS)`: NIL when nothing waits; else `:TEXT` and a string, `:BINARY` and a
/// vector of octets, or `:CLOSE` and `(CODE REASON)`.
fn receive(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let Some(event) = message_port(vm, a[0])?.receive() else {
        return value(Value::Nil);
    };
    let (kind, data) = match event {
        WsEvent::Message(WsMessage::Text(text)) => ("TEXT", vm.image.string(text)?),
        WsEvent::Message(WsMessage::Binary(bytes)) => {
            let items = bytes.iter().map(|b| Value::Fixnum(i64::from(*b))).collect();
            let vector = LispVector {
                items,
                ..Default::default()
            };
            ("BINARY", vm.image.heap.alloc(Object::Vector(vector))?)
        }
        WsEvent::Closed { code, reason } => {
            let reason = vm.image.string(reason)?;
            (
                "CLOSE",
                vm.image.list(&[Value::Fixnum(i64::from(code)), reason])?,
            )
        }
    };
    let kind = Value::Symbol(vm.image.keyword(kind)?);
    thread.mv = Some(smallvec::smallvec![kind, data]);
    value(kind)
}

/// `(%WS-SEND WS DATA)`: a string goes as a text message, a vector of octets as a binary
/// one. T once queued; NIL when the output buffer has no room.
fn send(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let message = match vm.image.object(a[1]) {
        Some(Object::String(text)) => WsMessage::Text(text.as_str().to_string()),
        Some(Object::Vector(vector)) => WsMessage::Binary(
            vector
                .active()
                .iter()
                .map(|item| match item {
                    Value::Fixnum(n) => u8::try_from(*n).ok(),
                    _ => None,
                })
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| LispError::type_error(a[1], "(VECTOR (UNSIGNED-BYTE 8))"))?,
        ),
        _ => {
            return Err(LispError::type_error(
                a[1],
                "(OR STRING (VECTOR (UNSIGNED-BYTE 8)))",
            ));
        }
    };
    match message_port(vm, a[0])?.send(message) {
        Ok(sent) => value(vm.image.boolean(sent)),
        Err(error) => signal(vm, error),
    }
}
