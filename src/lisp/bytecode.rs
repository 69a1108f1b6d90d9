//! Compiled code: instructions and the prototypes closures are made from.

use std::rc::Rc;

use super::value::{SymRef, Value};

/// Where a closure's captured slot is copied from when the closure is made.
#[derive(Debug, Clone, Copy)]
pub enum CaptureFrom {
    Local(u32),
    Captured(u32),
}

/// One VM instruction. Jump targets are absolute instruction indexes.
#[derive(Debug, Clone, Copy)]
pub enum Op {
    Const(u32),
    Nil,
    T,
    Fixnum(i32),
    Local(u32),
    SetLocal(u32),
    /// The local slot holds a cell; push the cell's value.
    LocalCell(u32),
    SetLocalCell(u32),
    /// Replace the local slot's value with a new cell holding it.
    MakeCell(u32),
    Captured(u32),
    CapturedCell(u32),
    SetCapturedCell(u32),
    /// Symbol value (dynamic binding or global) of the constant symbol.
    Global(u32),
    SetGlobal(u32),
    /// The global function of the constant symbol.
    FunctionOf(u32),
    MakeClosure(u32),
    Pop,
    Dup,
    Jump(u32),
    JumpIfNil(u32),
    JumpIfTrue(u32),
    /// Jump when the local slot holds a supplied argument.
    JumpIfSupplied(u32, u32),
    /// Push T if the local slot holds a supplied argument, else NIL.
    Supplied(u32),
    /// Callee below N arguments on the stack.
    Call(u16),
    TailCall(u16),
    /// Call the global function of the constant symbol (late binding by name).
    CallGlobal(u32, u16),
    TailCallGlobal(u32, u16),
    /// Return the top of the stack as a single value.
    Return,
    /// Return the top of the stack, keeping the multiple values the last call produced.
    ReturnMv,
    ClearMv,
    /// Replace the top of the stack by the list of all values the last call produced.
    MvList,
    /// Pop a value and bind the constant symbol dynamically.
    BindSpecial(u32),
    Unbind(u32),
    /// Create a block tag in the local slot; a `ReturnFrom` to it resumes at the target.
    BlockEnter(u32, u32),
    BlockExit,
    /// Pop a value and a block tag; unwind to the block.
    ReturnFrom,
    /// Pop a catch tag and establish a catch that resumes at the target.
    CatchEnter(u32),
    CatchExit,
    /// Pop a value and a tag; unwind to the innermost catch of that tag.
    Throw,
    /// Pop a cleanup function and establish it for exits through this point.
    UnwindProtectEnter,
    /// Leave the protected form normally: run the cleanup, keep the form's values.
    UnwindProtectExit,
    /// Replace a list on the stack by its first element, with all of it as multiple values.
    MvFromList,
    Add,
    Sub,
    Mul,
    Lt,
    Gt,
    Le,
    Ge,
    NumEq,
    Car,
    Cdr,
    Cons,
    Eq,
    Not,
    /// `(LENGTH SEQUENCE)` on the popped value.
    Length,
    /// Pop two values and compare them; jump when the comparison's truth equals the flag.
    CompareJump(Compare, bool, u32),
    /// [`Op::CompareJump`] on two local slots, without using the stack.
    CompareLocalsJump {
        compare: Compare,
        when: bool,
        a: u16,
        b: u16,
        target: u32,
    },
    /// [`Op::CompareJump`] on a local slot and a small fixnum, without using the stack.
    CompareLocalFixnumJump {
        compare: Compare,
        when: bool,
        a: u16,
        b: i16,
        target: u32,
    },
    /// Add a fixnum to the top of the stack.
    AddImmediate(i32),
    /// Add a fixnum to an unboxed local slot, pushing nothing.
    AddToLocal(u32, i32),
}

/// The comparisons [`Op::CompareJump`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Lt,
    Gt,
    Le,
    Ge,
    NumEq,
    Eq,
}

/// How a function's arguments map onto its first local slots:
/// `required`, then `optional`, then the rest list, then one slot per key.
#[derive(Debug, Clone, Default)]
pub struct LambdaShape {
    pub required: u16,
    pub optional: u16,
    pub rest: bool,
    /// Keyword symbols, in slot order.
    pub keys: Vec<SymRef>,
    pub has_keys: bool,
    pub allow_other_keys: bool,
}

impl LambdaShape {
    pub fn slot_count(&self) -> usize {
        self.required as usize + self.optional as usize + usize::from(self.rest) + self.keys.len()
    }

    pub fn is_simple(&self) -> bool {
        self.optional == 0 && !self.rest && !self.has_keys
    }
}

/// A compiled function body.
#[derive(Debug)]
pub struct Proto {
    /// The function's name for backtraces (a symbol, a list like `(LAMBDA ...)`, or NIL).
    pub name: Value,
    pub code: Vec<Op>,
    pub constants: Vec<Value>,
    pub children: Vec<Rc<Proto>>,
    /// How to fill this function's captured values from the frame that creates it.
    pub captures: Vec<CaptureFrom>,
    pub shape: LambdaShape,
    pub local_count: u32,
    /// Per local slot: the variable's name and whether the slot holds a cell (a variable
    /// closures capture and assign), for the debugger. `None` for internal slots.
    pub local_names: Vec<Option<(SymRef, bool)>>,
    /// Global macros expanded in this function's own code (xref `:macroexpands`).
    pub macros: Vec<SymRef>,
}
