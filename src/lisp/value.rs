//! The `Value` type: a small `Copy` word that is either an immediate or a handle into the heap.

use std::fmt;

/// A handle to a cons cell in the heap.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct ConsRef(pub u32);

/// A handle to a symbol in the heap.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct SymRef(pub u32);

/// A handle to any other heap object (strings, vectors, functions, ...).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct ObjRef(pub u32);

/// One Lisp value. Immediates are stored inline; everything else is a handle.
#[derive(Clone, Copy, Debug)]
pub enum Value {
    /// `NIL`: the empty list and false.
    Nil,
    /// A fixnum. Results that do not fit become bignum objects.
    Fixnum(i64),
    Char(char),
    Single(f32),
    Double(f64),
    Symbol(SymRef),
    Cons(ConsRef),
    Object(ObjRef),
    /// Internal marker for "no value" (unbound slots, unsupplied optionals). Never visible
    /// to Lisp code.
    Unbound,
}

impl Value {
    pub fn is_nil(self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn truthy(self) -> bool {
        !matches!(self, Value::Nil)
    }

    pub fn is_list(self) -> bool {
        matches!(self, Value::Nil | Value::Cons(_))
    }

    /// `EQ`: identity. Immediates compare by value, as in most Lisps. Deliberately not
    /// `PartialEq`, which would suggest structural equality.
    #[allow(clippy::should_implement_trait)]
    pub fn eq(self, other: Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) | (Value::Unbound, Value::Unbound) => true,
            (Value::Fixnum(a), Value::Fixnum(b)) => a == b,
            (Value::Char(a), Value::Char(b)) => a == b,
            (Value::Single(a), Value::Single(b)) => a.to_bits() == b.to_bits(),
            (Value::Double(a), Value::Double(b)) => a.to_bits() == b.to_bits(),
            (Value::Symbol(a), Value::Symbol(b)) => a == b,
            (Value::Cons(a), Value::Cons(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => a == b,
            _ => false,
        }
    }

    pub fn from_bool(b: bool, t: SymRef) -> Value {
        if b { Value::Symbol(t) } else { Value::Nil }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}
