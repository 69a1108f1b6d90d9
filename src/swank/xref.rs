//! Cross references for `C-c C-w` and `M-?`: who calls, references, sets or binds a name,
//! who expands a macro, and whom a function calls. They are read from the compiled code of
//! the functions defined now (and the macros the compiler recorded in it), so they stay
//! current across redefinitions without a separate database.

use std::collections::BTreeSet;

use crate::lisp::builtins::{BuiltinTable, expect_symbol, value};
use crate::lisp::bytecode::{Op, Proto};
use crate::lisp::error::{LispError, LispResult};
use crate::lisp::image::Image;
use crate::lisp::object::Object;
use crate::lisp::value::{SymRef, Value};

/// How a function uses a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Calls,
    References,
    Sets,
    Binds,
    Macroexpands,
}

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%XREF", (2, Some(2)), |vm, _, a| {
        let kind = vm
            .image
            .as_symbol(a[0])
            .map(|k| vm.image.symbol_name(k).to_string())
            .unwrap_or_default();
        let name = expect_symbol(&vm.image, a[1])?;
        let found: Vec<SymRef> = match kind.as_str() {
            "CALLS" | "CALLERS" => users_of(&vm.image, name, Use::Calls),
            "REFERENCES" => users_of(&vm.image, name, Use::References),
            "SETS" => users_of(&vm.image, name, Use::Sets),
            "BINDS" => users_of(&vm.image, name, Use::Binds),
            "MACROEXPANDS" => users_of(&vm.image, name, Use::Macroexpands),
            "CALLS-WHO" | "CALLEES" => function_proto(&vm.image, name)
                .map(|proto| used_names(&proto, Use::Calls))
                .unwrap_or_default()
                .into_iter()
                .collect(),
            other => {
                return Err(LispError::simple(format!(
                    "xref :{} is not supported by swankd",
                    other.to_lowercase()
                )));
            }
        };
        let symbols: Vec<Value> = found.into_iter().map(Value::Symbol).collect();
        value(vm.image.list(&symbols)?)
    })?;
    Ok(())
}

/// The global functions (and macros) whose code uses `name` that way, by name.
fn users_of(image: &Image, name: SymRef, how: Use) -> Vec<SymRef> {
    let mut users: BTreeSet<(String, SymRef)> = BTreeSet::new();
    for sym in image.packages.all_symbols() {
        if let Some(proto) = function_proto(image, sym)
            && used_names(&proto, how).contains(&name)
        {
            users.insert((image.symbol_name(sym).to_string(), sym));
        }
    }
    users.into_iter().map(|(_, sym)| sym).collect()
}

fn function_proto(image: &Image, sym: SymRef) -> Option<std::rc::Rc<Proto>> {
    match image.object(image.heap.symbol(sym).function) {
        Some(Object::Closure(closure)) => Some(closure.proto.clone()),
        _ => None,
    }
}

/// The names `proto` and the functions nested in it use that way.
fn used_names(proto: &Proto, how: Use) -> BTreeSet<SymRef> {
    let mut names = BTreeSet::new();
    let mut pending = vec![proto];
    while let Some(proto) = pending.pop() {
        if how == Use::Macroexpands {
            names.extend(proto.macros.iter().copied());
        }
        for op in &proto.code {
            let index = match (how, op) {
                (
                    Use::Calls,
                    Op::CallGlobal(i, _) | Op::TailCallGlobal(i, _) | Op::FunctionOf(i),
                )
                | (Use::References, Op::Global(i))
                | (Use::Sets, Op::SetGlobal(i))
                | (Use::Binds, Op::BindSpecial(i)) => *i,
                _ => continue,
            };
            if let Some(Value::Symbol(sym)) = proto.constants.get(index as usize) {
                names.insert(*sym);
            }
        }
        pending.extend(proto.children.iter().map(|child| child.as_ref()));
    }
    names
}
