//! Heap objects other than conses and symbols.

use std::rc::Rc;

use num_bigint::BigInt;
use num_rational::BigRational;

use super::bytecode::Proto;
use super::hash_table::HashTable;
use super::lisp_string::LispString;
use super::package::PackageId;
use super::stream::Stream;
use super::sync::{ConditionVariableObject, LockObject, ThreadObject};
use super::value::{SymRef, Value};

/// Everything that lives in the object arena. Variants larger than most are boxed, so that
/// an arena slot stays small (see the size test below).
#[derive(Debug)]
pub enum Object {
    /// A simple string.
    String(LispString),
    Bignum(BigInt),
    Ratio(Box<BigRational>),
    Vector(LispVector),
    /// An array of rank other than one.
    Array(LispArray),
    HashTable(Box<HashTable>),
    Closure(Closure),
    Builtin(Builtin),
    /// A box holding a lexical variable that closures capture and assign.
    Cell(Value),
    Package(PackageId),
    Condition(Box<Condition>),
    Stream(Stream),
    Thread(Box<ThreadObject>),
    /// An instance of a `DEFSTRUCT` type.
    Struct(StructObject),
    /// An instance of a class made by `DEFCLASS` (or a class metaobject itself).
    Instance(InstanceObject),
    Lock(LockObject),
    ConditionVariable(ConditionVariableObject),
    /// A network object of the program other than a stream; closed when collected.
    Port(NetworkPort),
    /// A `RANDOM-STATE`: the generator's word.
    RandomState(u64),
    Pathname(Box<super::pathname::Pathname>),
}

/// The program's network objects that are not streams.
#[derive(Debug, Clone)]
pub enum NetworkPort {
    /// A listening socket (`USOCKET:SOCKET-LISTEN`).
    Listener(std::sync::Arc<dyn crate::events::ListenPort>),
    /// A WebSocket connection.
    WebSocket(std::sync::Arc<dyn crate::events::MessagePort>),
    /// A WebSocket endpoint (a path on a listening port).
    WebSocketEndpoint(std::sync::Arc<dyn crate::events::MessageListenPort>),
}

/// A structure instance: its layout `(NAME INCLUDED-NAMES SLOT-NAME ...)` and slot values.
#[derive(Debug)]
pub struct StructObject {
    pub layout: Value,
    pub slots: Vec<Value>,
}

/// A CLOS instance: its class object, the layout its slots were laid out by (compared
/// with the class's current layout to notice redefinitions), and one value per instance
/// slot (`Value::Unbound` for an unbound slot). By convention slot 0 of a class object is
/// its name, which the default printer and `TYPE-OF` read.
#[derive(Debug)]
pub struct InstanceObject {
    pub class: Value,
    pub layout: Value,
    pub slots: Box<[Value]>,
}

/// A general vector (`#(...)`), optionally with a fill pointer; with `characters`, a string
/// that has a fill pointer or is adjustable (simple strings are `Object::String`).
#[derive(Debug, Default)]
pub struct LispVector {
    pub items: Vec<Value>,
    pub fill_pointer: Option<usize>,
    pub adjustable: bool,
    /// Element type CHARACTER: every item is a `Value::Char`.
    pub characters: bool,
}

impl LispVector {
    /// The active characters of a string vector, as text.
    pub fn text(&self) -> Option<String> {
        self.characters.then(|| {
            self.active()
                .iter()
                .filter_map(|item| match item {
                    Value::Char(c) => Some(*c),
                    _ => None,
                })
                .collect()
        })
    }

    /// Appends `text` at the fill pointer of a string vector, growing it if it is
    /// adjustable; `false` (and nothing appended) if it has no fill pointer or no room.
    pub fn push_chars(&mut self, text: &str) -> bool {
        let Some(fill) = self.fill_pointer else {
            return false;
        };
        let needed = fill + text.chars().count();
        if needed > self.items.len() {
            if !self.adjustable {
                return false;
            }
            self.items
                .resize(needed.max(self.items.len() * 2), Value::Char('\0'));
        }
        for (slot, c) in self.items[fill..needed].iter_mut().zip(text.chars()) {
            *slot = Value::Char(c);
        }
        self.fill_pointer = Some(needed);
        true
    }

    /// The active elements (up to the fill pointer).
    pub fn active(&self) -> &[Value] {
        match self.fill_pointer {
            Some(fill) => &self.items[..fill.min(self.items.len())],
            None => &self.items,
        }
    }
}

/// An array of rank other than one: its dimensions and its elements in row-major order.
#[derive(Debug, Default)]
pub struct LispArray {
    pub dimensions: Vec<usize>,
    pub items: Vec<Value>,
}

/// A function made by `lambda`: compiled code plus the values it captured.
#[derive(Debug)]
pub struct Closure {
    pub proto: Rc<Proto>,
    pub captured: Box<[Value]>,
}

/// A function implemented in Rust.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub index: u32,
    pub name: SymRef,
}

/// A condition object: its type, its report text and named slots.
#[derive(Debug)]
pub struct Condition {
    pub type_name: SymRef,
    pub message: String,
    pub slots: Vec<(SymRef, Value)>,
}

impl Object {
    /// Calls `visit` on every value this object holds.
    pub fn for_each_child(&self, mut visit: impl FnMut(Value)) {
        match self {
            Object::Vector(vector) => vector.items.iter().for_each(|v| visit(*v)),
            Object::Array(array) => array.items.iter().for_each(|v| visit(*v)),
            Object::HashTable(table) => table.for_each_entry(|k, v| {
                visit(k);
                visit(v);
            }),
            Object::Closure(closure) => closure.captured.iter().for_each(|v| visit(*v)),
            Object::Builtin(builtin) => visit(Value::Symbol(builtin.name)),
            Object::Cell(value) => visit(*value),
            Object::Condition(condition) => {
                visit(Value::Symbol(condition.type_name));
                for (name, value) in &condition.slots {
                    visit(Value::Symbol(*name));
                    visit(*value);
                }
            }
            Object::Stream(stream) => stream.for_each_child(visit),
            Object::String(_)
            | Object::Bignum(_)
            | Object::Ratio(_)
            | Object::Package(_)
            | Object::Lock(_)
            | Object::ConditionVariable(_)
            | Object::Port(_)
            | Object::RandomState(_)
            | Object::Pathname(_) => {}
            Object::Struct(instance) => {
                visit(instance.layout);
                instance.slots.iter().for_each(|v| visit(*v));
            }
            Object::Instance(instance) => {
                visit(instance.class);
                visit(instance.layout);
                instance.slots.iter().for_each(|v| visit(*v));
            }
            Object::Thread(thread) => {
                if let Some(result) = thread.result {
                    visit(result);
                }
            }
        }
    }

    /// A rough size in bytes, for the heap limit.
    pub fn approximate_size(&self) -> usize {
        let payload = match self {
            Object::String(s) => s.size(),
            Object::Bignum(b) => b.bits() as usize / 8,
            Object::Vector(v) => v.items.capacity() * 16,
            Object::Array(a) => a.items.capacity() * 16,
            Object::HashTable(t) => t.len() * 48,
            Object::Closure(c) => c.captured.len() * 16,
            Object::Instance(i) => i.slots.len() * 16,
            _ => 0,
        };
        64 + payload
    }
}

#[cfg(test)]
mod tests {
    use super::Object;

    /// Every heap object takes one arena slot of this size, so one large variant would make
    /// every string and closure pay for it: large variants are boxed.
    #[test]
    fn an_object_takes_at_most_seven_words() {
        assert!(std::mem::size_of::<Object>() <= 56);
    }
}
