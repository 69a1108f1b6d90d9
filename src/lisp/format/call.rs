//! FORMAT calling Lisp: `~/name/` calls the function NAME, and `~?` takes a function (made
//! by FORMATTER, or any function of a stream and arguments) as its control.
//!
//! The function runs as a nested evaluation and writes to a string output stream that
//! starts at the column the output has reached (so FRESH-LINE and `~&` inside it know
//! where they are); what it wrote joins the output where the directive stands.

use super::super::object::Object;
use super::super::stream::Stream;
use super::super::value::{SymRef, Value};
use super::error::{FormatResult, format_error};
use super::{Directive, Formatter, Param};

impl Formatter<'_> {
    /// `~/name/`: calls NAME with the stream, the next argument, whether `:` and `@` were
    /// given, and the directive's parameters (an omitted one as NIL).
    pub(super) fn call_named(
        &mut self,
        directive: &Directive,
        args: &[Value],
        index: &mut usize,
    ) -> FormatResult<()> {
        let name = directive.function.as_deref().unwrap_or_default();
        let function = self.named_function(name)?;
        let arg = self.next_arg(args, index)?;
        let mut call = vec![
            arg,
            self.vm.image.boolean(directive.colon),
            self.vm.image.boolean(directive.at),
        ];
        call.extend(directive.params.iter().map(|param| match param {
            Some(Param::Number(n)) => Value::Fixnum(*n),
            Some(Param::Char(c)) => Value::Char(*c),
            _ => Value::Nil,
        }));
        self.call_with_stream(Value::Symbol(function), &call)?;
        Ok(())
    }

    /// `~?` (`~@?` when `at`) whose control is the function `function`: it is called with
    /// the stream and the arguments of the list that follows it (with `~@?`, the remaining
    /// arguments, of which it returns those it left unused).
    pub(super) fn call_control(
        &mut self,
        function: Value,
        at: bool,
        args: &[Value],
        index: &mut usize,
    ) -> FormatResult<()> {
        if !at {
            let list = self.next_arg(args, index)?;
            let sub = self
                .vm
                .image
                .list_to_vec(list)
                .ok_or_else(|| super::LispError::type_error(list, "LIST"))?;
            self.call_with_stream(function, &sub)?;
            return Ok(());
        }
        let rest = args.get(*index..).unwrap_or_default();
        let values = self.call_with_stream(function, rest)?;
        let unused = values.first().copied().unwrap_or(Value::Nil);
        let left = self
            .vm
            .image
            .list_to_vec(unused)
            .map_or(0, |unused| unused.len());
        *index = args.len().saturating_sub(left).max(*index);
        Ok(())
    }

    /// Whether `value` is a function FORMAT can call as a control.
    pub(super) fn is_function(&self, value: Value) -> bool {
        matches!(
            self.vm.image.object(value),
            Some(Object::Closure(_) | Object::Builtin(_))
        )
    }

    /// The symbol `~/name/` names: `name` upper-cased, in the package its prefix names
    /// (`pkg:name` or `pkg::name`), else in COMMON-LISP-USER; interned, as SBCL does.
    fn named_function(&mut self, name: &str) -> FormatResult<SymRef> {
        let name = name.to_uppercase();
        let (package, symbol_name) = match name.split_once(':') {
            Some((package_name, rest)) => {
                let package = self.vm.image.packages.find(package_name).ok_or_else(|| {
                    format_error(format!("Package {package_name} does not exist."))
                })?;
                (package, rest.strip_prefix(':').unwrap_or(rest))
            }
            None => (self.vm.image.pkg.cl_user, name.as_str()),
        };
        Ok(self.vm.image.intern(symbol_name, package)?)
    }

    /// Calls `function` with a fresh string output stream, at the output's column, and
    /// `args`; appends what it wrote to the output and returns its values.
    fn call_with_stream(&mut self, function: Value, args: &[Value]) -> FormatResult<Vec<Value>> {
        let stream = self
            .vm
            .image
            .heap
            .alloc(Object::Stream(Stream::StringOutput {
                text: String::new(),
                column: self.column(),
            }))?;
        let mut call = Vec::with_capacity(args.len() + 1);
        call.push(stream);
        call.extend_from_slice(args);
        let values = self.vm.call_nested(self.thread, function, &call)?;
        let written = match self.vm.image.object_mut(stream) {
            Some(Object::Stream(Stream::StringOutput { text, .. })) => std::mem::take(text),
            Some(Object::Stream(Stream::Closed(made))) => match &mut **made {
                Stream::StringOutput { text, .. } => std::mem::take(text),
                _ => String::new(),
            },
            _ => String::new(),
        };
        self.out.push_str(&written);
        Ok(values)
    }
}
