//! Functions implemented in Rust, grouped by domain, and the table that names them.
//!
//! A builtin is a leaf: it runs to completion without calling Lisp code on the Rust stack.
//! Builtins that need to call Lisp (FUNCALL, APPLY, EVAL) return `Control::call` and let the
//! VM make the call; builtins that wait return `Control::park`.

mod args;
mod arrays;
mod composite_input;
mod composite_streams;
mod conditions;
mod control;
mod directories;
mod disassembly;
mod dispatch;
mod environment;
mod file_positions;
mod files;
mod floats;
pub mod hash;
mod input;
mod instances;
mod internal;
mod io;
mod lists;
mod math;
mod multidim;
mod numbers;
mod packages;
mod pathnames;
mod pretty;
mod random;
mod reading;
mod sequences;
mod sorting;
mod streams;
mod strings;
mod structs;
mod symbols;
mod text;
mod types;
mod write;

pub use args::*;
pub use control::compile_to_function;
pub use multidim::array_from_contents;
pub use random::fresh_seed as fresh_random_seed;
pub use sequences::sequence_length;

use super::error::LispResult;
use super::image::Image;
use super::object::{Builtin, Object};
use super::package::PackageId;
use super::thread::LispThread;
use super::value::{SymRef, Value};
use super::vm::{Park, Vm};

/// What a builtin asks the VM to do next: almost always to take a value. Anything else is
/// boxed, so that a builtin's `LispResult<Control>` is two words
/// (`tests::a_builtins_result_is_two_words`). It still comes back through memory: to the
/// Rust ABI it is not a pair of scalars, so the builtin stores its tag and payload and
/// the VM reads them back.
#[derive(Debug)]
pub enum Control {
    Value(Value),
    Other(Box<Request>),
}

/// What a builtin asks of the VM other than taking a value.
#[derive(Debug)]
pub enum Request {
    /// Call this function with these arguments in the builtin's place.
    Call(Value, Vec<Value>),
    Park(Park),
    /// Unwind to call frame `frame` (an index into the thread's frames) and call `function`
    /// with `args` in its place (see `Vm::restart_frame`).
    RestartFrame {
        frame: usize,
        function: Value,
        args: Vec<Value>,
    },
}

impl Control {
    /// Call `function` with `args` in the builtin's place.
    pub fn call(function: Value, args: Vec<Value>) -> Self {
        Control::Other(Box::new(Request::Call(function, args)))
    }

    pub fn park(park: Park) -> Self {
        Control::Other(Box::new(Request::Park(park)))
    }

    /// Unwind to call frame `frame` and call `function` with `args` in its place.
    pub fn restart_frame(frame: usize, function: Value, args: Vec<Value>) -> Self {
        Control::Other(Box::new(Request::RestartFrame {
            frame,
            function,
            args,
        }))
    }
}

pub type BuiltinFn = fn(&mut Vm, &mut LispThread, &[Value]) -> LispResult<Control>;

pub struct BuiltinEntry {
    pub name: SymRef,
    /// Minimum and maximum argument counts (`None`: no maximum).
    pub arity: (usize, Option<usize>),
    pub function: BuiltinFn,
}

#[derive(Default)]
pub struct BuiltinTable {
    entries: Vec<BuiltinEntry>,
}

impl BuiltinTable {
    pub fn get(&self, index: u32) -> Option<&BuiltinEntry> {
        self.entries.get(index as usize)
    }

    /// Defines `name` in `package` (exported) as a builtin function.
    pub fn define(
        &mut self,
        image: &mut Image,
        package: PackageId,
        name: &str,
        arity: (usize, Option<usize>),
        function: BuiltinFn,
    ) -> LispResult<SymRef> {
        let sym = image.intern(name, package)?;
        image.packages.export(package, std::rc::Rc::from(name));
        let index = self.entries.len() as u32;
        self.entries.push(BuiltinEntry {
            name: sym,
            arity,
            function,
        });
        let object = image
            .heap
            .alloc(Object::Builtin(Builtin { index, name: sym }))?;
        if let Some(symbol) = image.heap.symbol_mut(sym) {
            symbol.function = object;
        }
        Ok(sym)
    }
}

/// Registers every builtin.
pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    numbers::install(table, image)?;
    math::install(table, image)?;
    random::install(table, image)?;
    floats::install(table, image)?;
    environment::install(table, image)?;
    lists::install(table, image)?;
    symbols::install(table, image)?;
    packages::install(table, image)?;
    strings::install(table, image)?;
    structs::install(table, image)?;
    instances::install(table, image)?;
    dispatch::install(table, image)?;
    disassembly::install(table, image)?;
    text::install(table, image)?;
    types::install(table, image)?;
    sequences::install(table, image)?;
    sorting::install(table, image)?;
    arrays::install(table, image)?;
    multidim::install(table, image)?;
    hash::install(table, image)?;
    io::install(table, image)?;
    write::install(table, image)?;
    pretty::install(table, image)?;
    files::install(table, image)?;
    pathnames::install(table, image)?;
    directories::install(table, image)?;
    input::install(table, image)?;
    streams::install(table, image)?;
    composite_streams::install(table, image)?;
    composite_input::install(table, image)?;
    file_positions::install(table, image)?;
    control::install(table, image)?;
    reading::install(table, image)?;
    internal::install(table, image)?;
    conditions::install(table, image)?;
    Ok(())
}

/// Shorthand for a builtin's plain result.
pub fn value(value: Value) -> LispResult<Control> {
    Ok(Control::Value(value))
}

#[cfg(test)]
mod tests {
    use super::{Control, LispResult};

    /// A builtin's result is written to memory by the builtin and read back by the VM at
    /// once; the fewer words, the less there is to write and read.
    #[test]
    fn a_builtins_result_is_two_words() {
        assert_eq!(std::mem::size_of::<LispResult<Control>>(), 16);
    }
}
