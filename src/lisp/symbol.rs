//! Symbols: a name, a home package, and the cells a global definition lives in.

use std::rc::Rc;

use super::package::PackageId;
use super::value::Value;

/// Where a definition came from, for M-. and compiler notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceLocation {
    File {
        path: String,
        position: usize,
    },
    Buffer {
        name: String,
        offset: usize,
        file: Option<String>,
    },
}

/// Documentation and metadata of a symbol's definitions. Most symbols of a running image
/// have one and keep it for its life, so it is kept small: texts without spare capacity,
/// and the rarer source locations boxed.
#[derive(Debug, Clone, Default)]
pub struct SymbolInfo {
    pub function_doc: Option<Box<str>>,
    pub variable_doc: Option<Box<str>>,
    /// The lambda list as written, printed (e.g. `(A &OPTIONAL (B 2))`).
    pub arglist: Option<Box<str>>,
    pub function_source: Option<Box<SourceLocation>>,
    pub variable_source: Option<Box<SourceLocation>>,
}

/// What the function cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionKind {
    Function,
    Macro,
}

#[derive(Debug)]
pub struct Symbol {
    pub name: Rc<str>,
    pub package: Option<PackageId>,
    /// The global value, or `Value::Unbound`.
    pub value: Value,
    /// The global function or macro expander, or `Value::Unbound`.
    pub function: Value,
    pub function_kind: FunctionKind,
    pub plist: Value,
    /// Proclaimed special (`defvar`, `defparameter`).
    pub special: bool,
    pub constant: bool,
    /// How many dynamic bindings of this symbol exist in all threads; zero means the global
    /// value is current everywhere.
    pub dynamic_bindings: u32,
    pub info: Option<Box<SymbolInfo>>,
}

impl Symbol {
    pub fn new(name: Rc<str>, package: Option<PackageId>) -> Self {
        Symbol {
            name,
            package,
            value: Value::Unbound,
            function: Value::Unbound,
            function_kind: FunctionKind::Function,
            plist: Value::Nil,
            special: false,
            constant: false,
            dynamic_bindings: 0,
            info: None,
        }
    }

    pub fn info_mut(&mut self) -> &mut SymbolInfo {
        self.info.get_or_insert_with(Default::default)
    }

    pub fn is_macro(&self) -> bool {
        self.function_kind == FunctionKind::Macro && !matches!(self.function, Value::Unbound)
    }
}
