//! `MACROLET` and `SYMBOL-MACROLET`: macros and symbol macros that exist only in the
//! lexical scope of a body, expanded as the body is compiled.
//!
//! A local macro's expander is compiled on its own, in the global environment (as Common
//! Lisp defines it, apart from enclosing local macros, which it does not see), and called
//! like a global macro's.

use std::rc::Rc;

use super::super::error::{LispError, LispResult};
use super::super::object::{Closure, Object};
use super::super::value::{SymRef, Value};
use super::analyze::Analyzer;
use super::codegen;
use super::ir::Node;

impl Analyzer<'_> {
    /// `(macrolet ((NAME LAMBDA-LIST . BODY)*) . BODY)`.
    pub(super) fn macrolet(&mut self, args: Value) -> LispResult<Node> {
        let (definitions, body) = self.definitions_and_body(args, "MACROLET")?;
        let mut macros = Vec::with_capacity(definitions.len());
        for definition in definitions {
            let parts = self.list(definition, "a MACROLET definition")?;
            let name = self.name_symbol(parts.first().copied(), "MACROLET")?;
            let lambda_list = parts.get(1).copied().unwrap_or(Value::Nil);
            let expander = self.local_expander(name, lambda_list, parts.get(2..).unwrap_or(&[]))?;
            macros.push((name, expander));
        }
        self.with_local_macros(&macros, false, |this| this.body(&body))
    }

    /// `(symbol-macrolet ((SYMBOL EXPANSION)*) . BODY)`.
    pub(super) fn symbol_macrolet(&mut self, args: Value) -> LispResult<Node> {
        let (definitions, body) = self.definitions_and_body(args, "SYMBOL-MACROLET")?;
        let mut macros = Vec::with_capacity(definitions.len());
        for definition in definitions {
            let parts = self.list(definition, "a SYMBOL-MACROLET definition")?;
            let [name, expansion] = parts.as_slice() else {
                return Err(LispError::program(
                    "a SYMBOL-MACROLET definition is (SYMBOL EXPANSION)",
                ));
            };
            let name = self.name_symbol(Some(*name), "SYMBOL-MACROLET")?;
            macros.push((name, *expansion));
        }
        self.with_local_macros(&macros, true, |this| this.body(&body))
    }

    fn definitions_and_body(
        &mut self,
        args: Value,
        operator: &str,
    ) -> LispResult<(Vec<Value>, Vec<Value>)> {
        let items = self.list(args, operator)?;
        let Some(definitions) = items.first().copied() else {
            return Err(LispError::program(format!(
                "{operator} needs a list of definitions"
            )));
        };
        let definitions = self.list(definitions, &format!("the {operator} definitions"))?;
        Ok((definitions, items[1..].to_vec()))
    }

    /// Compiles a local macro's expander into a function of `(form env)`.
    fn local_expander(
        &mut self,
        name: SymRef,
        lambda_list: Value,
        body: &[Value],
    ) -> LispResult<Value> {
        let mut compiler = Analyzer::new(&mut *self.host);
        let Node::Lambda(lambda) = compiler.macro_function(name, lambda_list, body)? else {
            return Err(LispError::simple(
                "internal compiler error: a macro function is not a lambda",
            ));
        };
        let t = compiler.image().sym.t;
        let proto = codegen::generate(&compiler.vars, &lambda, t);
        Ok(compiler.image().heap.alloc(Object::Closure(Closure {
            proto: Rc::clone(&proto),
            captured: Box::new([]),
        }))?)
    }
}
