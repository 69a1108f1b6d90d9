//! Lisp state kept per connection (the inspector's, the presentations', the indentation
//! hints sent) in tables keyed by connection id: forgotten when the connection closes, so
//! that clients coming and going for months leave nothing behind.
//!
//! The Lisp sources register each such table's variable in
//! `SWANKD::*PER-CONNECTION-TABLES*`.

use crate::events::ConnectionId;
use crate::lisp::builtins::hash::remove_key;
use crate::lisp::value::Value;
use crate::lisp::vm::Vm;

const REGISTRY: &str = "*PER-CONNECTION-TABLES*";

/// Removes `connection`'s entry from every registered table.
pub fn forget_connection(vm: &mut Vm, connection: ConnectionId) {
    let image = &mut vm.image;
    let Some((registry, _)) = image.packages.find_symbol(image.pkg.swankd, REGISTRY) else {
        return;
    };
    let registered = image.heap.symbol(registry).value;
    let variables = image.list_to_vec(registered).unwrap_or_default();
    let key = Value::Fixnum(i64::try_from(connection).unwrap_or(i64::MAX));
    for variable in variables {
        let Value::Symbol(sym) = variable else {
            continue;
        };
        let table = image.heap.symbol(sym).value;
        if let Err(error) = remove_key(image, table, key) {
            tracing::warn!(connection, error = %error.message, "cannot forget a connection's state");
        }
    }
}
