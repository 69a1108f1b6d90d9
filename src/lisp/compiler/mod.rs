//! The compiler: Lisp forms to bytecode prototypes.
//!
//! `analyze` macroexpands and resolves variables into the `ir`; `codegen` emits instructions.
//! Special forms live in `forms`, lambda lists in `lambda_list`, macro lambda lists in
//! `destructure`, backquote in `backquote`, `macrolet` and `symbol-macrolet` in `local_macros`.

mod analyze;
mod backquote;
mod codegen;
mod destructure;
mod forms;
mod ir;
mod lambda_list;
mod local_macros;
mod simple_call;
mod tagbody;

use std::rc::Rc;

pub use analyze::{CompileHost, CompileNote};
pub use simple_call::simple_call;

use super::bytecode::Proto;
use super::error::LispResult;
use super::value::Value;
use analyze::Analyzer;
use ir::{Node, Params};

/// Compiles a top-level form into a function of no arguments that evaluates it.
pub fn compile_toplevel(host: &mut dyn CompileHost, form: Value) -> LispResult<Rc<Proto>> {
    let mut analyzer = Analyzer::new(host);
    let node = analyzer.lambda_with(Value::Nil, |this| {
        let body = this.form(form)?;
        Ok((Params::default(), body))
    })?;
    analyzer.note_unused_variables();
    let t = analyzer.image().sym.t;
    match node {
        Node::Lambda(lambda) => Ok(codegen::generate(&analyzer.vars, &lambda, t)),
        _ => Err(super::error::LispError::simple(
            "internal compiler error: no lambda",
        )),
    }
}
