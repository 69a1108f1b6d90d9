//! `PRINT-OBJECT` for the printer. The printer (`print.rs`) is plain Rust over the heap and
//! cannot call Lisp, so before a builtin prints a value it finds the CLOS instances inside
//! it (and the generic functions, closures that dispatch) and runs `SWANKD::%PRINT-OBJECT-TO-STRING` on each (a nested evaluation, which calls
//! the generic function `PRINT-OBJECT`); the printer then uses that text for the instance,
//! or with `*PRINT-PRETTY*` the method's output as a document whose logical blocks join the
//! layout of what is printed.

use std::collections::HashSet;

use super::error::LispResult;
use super::object::Object;
use super::printer::pretty::Document;
use super::thread::LispThread;
use super::value::{ObjRef, Value};
use super::vm::Vm;

/// How many heap nodes the search for instances looks at before giving up on the rest.
/// Conses are not remembered (that cost more than the search), so shared or circular list
/// structure is walked again until this bound.
const MAX_NODES: usize = 100_000;
/// `PRINT-OBJECT` methods that print instances print inside a nested evaluation; beyond this
/// depth instances print in the default `#<CLASS {id}>` form.
const MAX_NESTING: usize = 16;

/// What a `PRINT-OBJECT` method printed for an instance.
#[derive(Debug, Clone)]
pub enum PrintedInstance {
    Text(String),
    /// Printed with `*PRINT-PRETTY*`: its blocks and newlines join the enclosing layout.
    Pretty(Document),
}

/// Whether `finish_printing` must clear the texts (only the outermost print does).
#[must_use]
pub struct PrintPreparation {
    outermost: bool,
}

impl Vm {
    /// [`Self::prepare_printing`], inlined where no root is on the heap (numbers, characters,
    /// symbols: the common FORMAT arguments), which needs nothing prepared.
    #[inline]
    pub fn prepare_printing_unless_immediate(
        &mut self,
        thread: &mut LispThread,
        roots: &[Value],
        escapes: &[bool],
    ) -> LispResult<PrintPreparation> {
        if roots
            .iter()
            .all(|root| !matches!(root, Value::Cons(_) | Value::Object(_)))
        {
            let outermost = self.image.printed_instances.is_empty();
            return Ok(PrintPreparation { outermost });
        }
        self.prepare_printing(thread, roots, escapes)
    }

    /// Computes the `PRINT-OBJECT` text of every instance inside `roots`, for each
    /// `*PRINT-ESCAPE*` setting in `escapes`.
    pub fn prepare_printing(
        &mut self,
        thread: &mut LispThread,
        roots: &[Value],
        escapes: &[bool],
    ) -> LispResult<PrintPreparation> {
        let outermost = self.image.printed_instances.is_empty();
        let preparation = PrintPreparation { outermost };
        if roots.iter().all(|&root| self.holds_no_instances(root)) {
            return Ok(preparation);
        }
        let dispatcher = Value::Symbol(self.image.sym.generic_function_code);
        let structures = self
            .image
            .heap
            .symbol(self.image.sym.print_object_for_structures)
            .value
            .truthy();
        let instances = self.instances_inside(roots, dispatcher, structures);
        if instances.is_empty() || self.nested > MAX_NESTING {
            return Ok(preparation);
        }
        let function = self
            .image
            .heap
            .symbol(self.image.sym.print_object_to_string)
            .function;
        if !matches!(function, Value::Object(_)) {
            return Ok(preparation);
        }
        for instance in instances {
            for &escape in escapes {
                if self
                    .image
                    .printed_instances
                    .contains_key(&(instance, escape))
                {
                    continue;
                }
                let flag = self.image.boolean(escape);
                let result = self.call_nested(thread, function, &[Value::Object(instance), flag]);
                let values = match result {
                    Ok(values) => values,
                    Err(error) => {
                        self.finish_printing(PrintPreparation { outermost });
                        return Err(error);
                    }
                };
                if let Some(text) = values.first().and_then(|v| self.image.as_str(*v)) {
                    let text = text.to_string();
                    self.image
                        .printed_instances
                        .insert((instance, escape), PrintedInstance::Text(text));
                }
            }
        }
        Ok(preparation)
    }

    /// Forgets the texts `prepare_printing` computed, once the outermost print is done.
    pub fn finish_printing(&mut self, preparation: PrintPreparation) {
        if preparation.outermost {
            self.image.printed_instances.clear();
        }
    }

    /// The instances reachable from `roots` through conses, vectors and structures, the
    /// generic functions (closures whose code is named `dispatcher`), the conditions
    /// MAKE-CONDITION made (printing computes their report), and with
    /// `structures` the structures and conditions too (once a PRINT-OBJECT method exists
    /// for one).
    /// Values printing cannot reach an instance from: immediates and strings.
    fn holds_no_instances(&self, value: Value) -> bool {
        match value {
            Value::Cons(_) => false,
            Value::Object(_) => matches!(self.image.object(value), Some(Object::String(_))),
            _ => true,
        }
    }

    fn instances_inside(
        &self,
        roots: &[Value],
        dispatcher: Value,
        structures: bool,
    ) -> Vec<ObjRef> {
        let mut found = Vec::new();
        let mut seen_objects = HashSet::new();
        let mut pending: Vec<Value> = roots.to_vec();
        let mut visited = 0;
        while let Some(value) = pending.pop() {
            visited += 1;
            if visited > MAX_NODES {
                break;
            }
            match value {
                Value::Cons(r) => {
                    let (car, cdr) = self.image.heap.car_cdr(r);
                    pending.push(cdr);
                    pending.push(car);
                }
                Value::Object(r) => {
                    if !seen_objects.insert(r) {
                        continue;
                    }
                    match self.image.heap.object(r) {
                        Some(Object::Instance(_)) => found.push(r),
                        Some(Object::Closure(c)) if c.proto.name.eq(dispatcher) => found.push(r),
                        Some(Object::Vector(v)) => pending.extend(v.items.iter().rev()),
                        Some(Object::Struct(s)) => {
                            if structures {
                                found.push(r);
                            }
                            pending.extend(s.slots.iter().rev());
                        }
                        Some(Object::Condition(c))
                            if structures
                                || c.slots.iter().any(|(name, value)| {
                                    *name == self.image.sym.lazy_report && value.truthy()
                                }) =>
                        {
                            found.push(r)
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        found
    }
}
