//! The compiler's intermediate form: macroexpanded code with every variable resolved.

use super::super::value::{SymRef, Value};

/// A lexical variable, numbered per compilation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VarId(pub u32);

/// What is known about a lexical variable after analysis.
#[derive(Debug, Clone)]
pub struct VarInfo {
    /// The lambda whose frame holds the variable.
    pub lambda: u32,
    /// Referenced from an inner lambda.
    pub captured: bool,
    /// Assigned after it was bound.
    pub assigned: bool,
    /// For block tags: some `RETURN-FROM` targets it.
    pub used_as_block: bool,
    /// Read somewhere (for unused-variable notes).
    pub used: bool,
    /// The variable's name, for the debugger (none for internal variables).
    pub name: Option<SymRef>,
}

impl VarInfo {
    /// Captured and assigned variables live in a cell shared by every closure.
    pub fn boxed(&self) -> bool {
        self.captured && self.assigned
    }
}

/// What a `LET` or a parameter binds.
#[derive(Debug, Clone, Copy)]
pub enum Binding {
    Lexical(VarId),
    Special(SymRef),
}

/// Inline operations the VM implements directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Primitive {
    Add,
    Sub,
    Mul,
    Lt,
    Gt,
    Le,
    Ge,
    NumEq,
    Inc,
    Dec,
    Car,
    Cdr,
    Cons,
    Eq,
    Not,
    Length,
}

#[derive(Debug, Clone)]
pub enum Node {
    Const(Value),
    Var(VarId),
    SetVar(VarId, Box<Node>),
    Global(SymRef),
    SetGlobal(SymRef, Box<Node>),
    Function(SymRef),
    Lambda(Box<LambdaNode>),
    If(Box<Node>, Box<Node>, Box<Node>),
    Progn(Vec<Node>),
    /// Parallel binding: every init is evaluated, then all are bound.
    Let(Vec<(Binding, Node)>, Box<Node>),
    CallGlobal(SymRef, Vec<Node>),
    Call(Box<Node>, Vec<Node>),
    Primitive(Primitive, Vec<Node>),
    Block(VarId, Box<Node>),
    ReturnFrom(VarId, Box<Node>),
    MultipleValueList(Box<Node>),
    /// Repeats the body forever; only a non-local exit leaves it.
    Loop(Box<Node>),
    Catch(Box<Node>, Box<Node>),
    Throw(Box<Node>, Box<Node>),
    /// The protected form and the cleanup (a lambda of no arguments).
    UnwindProtect(Box<Node>, Box<Node>),
    /// The first form's values survive the rest.
    MultipleValueProg1(Box<Node>, Vec<Node>),
}

#[derive(Debug, Clone)]
pub struct OptionalParam {
    pub var: VarId,
    pub default: Node,
    pub supplied: Option<VarId>,
}

#[derive(Debug, Clone)]
pub struct KeyParam {
    pub keyword: SymRef,
    pub var: VarId,
    pub default: Node,
    pub supplied: Option<VarId>,
}

/// A lambda list after analysis. Every parameter is a lexical slot; special parameters are
/// rebound dynamically at the start of the body.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pub required: Vec<VarId>,
    pub optional: Vec<OptionalParam>,
    pub rest: Option<VarId>,
    pub keys: Vec<KeyParam>,
    pub has_keys: bool,
    pub allow_other_keys: bool,
    /// `&aux` variables, bound in order after every parameter; callers never supply them.
    pub aux: Vec<AuxVar>,
}

#[derive(Debug, Clone)]
pub struct AuxVar {
    pub var: VarId,
    pub init: Node,
}

#[derive(Debug, Clone)]
pub struct LambdaNode {
    pub name: Value,
    pub params: Params,
    pub body: Node,
    /// Variables of enclosing lambdas this lambda refers to, in capture order.
    pub free: Vec<VarId>,
    /// Global macros expanded in its own code.
    pub macros: Vec<SymRef>,
}
