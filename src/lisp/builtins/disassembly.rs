//! `DISASSEMBLE`'s listing: the bytecode of a closure and of the functions nested in it.

use super::super::bytecode::Proto;
use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::print::prin1_to_string;
use super::{BuiltinTable, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%DISASSEMBLE", (1, Some(1)), |vm, _, a| {
        let text = match vm.image.object(a[0]) {
            Some(Object::Closure(closure)) => {
                let proto = closure.proto.clone();
                let mut text = String::new();
                list_proto(&vm.image, &proto, 0, &mut text);
                text
            }
            Some(Object::Builtin(_)) => format!(
                "{} is built into swankd (Rust): it has no bytecode.\n",
                prin1_to_string(&vm.image, a[0])
            ),
            _ => return Err(LispError::type_error(a[0], "FUNCTION")),
        };
        value(vm.image.string(text)?)
    })?;
    Ok(())
}

/// Appends the listing of `proto`, then of each function defined inside it, indented.
fn list_proto(image: &Image, proto: &Proto, depth: usize, text: &mut String) {
    let indent = "  ".repeat(depth);
    let name = prin1_to_string(image, proto.name);
    text.push_str(&format!(
        "{indent}; {name}: {} instructions, {} locals\n",
        proto.code.len(),
        proto.local_count
    ));
    for (pc, op) in proto.code.iter().enumerate() {
        text.push_str(&format!("{indent}{pc:5}: {op:?}\n"));
    }
    if !proto.constants.is_empty() {
        text.push_str(&format!("{indent}; constants:\n"));
        for (index, constant) in proto.constants.iter().enumerate() {
            let printed = prin1_to_string(image, *constant);
            text.push_str(&format!("{indent}{index:5}: {printed}\n"));
        }
    }
    for child in &proto.children {
        list_proto(image, child, depth + 1, text);
    }
}
