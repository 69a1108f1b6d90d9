//! Stream designators resolved to the stream that does the work: `T` and `NIL` stand for
//! the standard streams, a two-way stream reads from its input and writes to its output,
//! an echo stream writes to its output (and is read itself, to echo what is read), and a
//! synonym stream is whatever stream its symbol holds when it is used.

use super::error::{LispError, LispResult};
use super::object::Object;
use super::stream::Stream;
use super::thread::LispThread;
use super::value::{SymRef, Value};
use super::vm::Vm;

/// How many two-way, echo and synonym streams a resolution follows before it calls the chain
/// circular (a synonym stream of a symbol whose value is that same stream).
const MAX_INDIRECTIONS: usize = 32;

#[derive(Clone, Copy)]
enum Direction {
    Input,
    Output,
}

impl Vm {
    /// Resolves an output stream designator (`T`/`NIL` mean `*STANDARD-OUTPUT*`).
    pub fn output_stream(&self, thread: &LispThread, designator: Value) -> LispResult<Value> {
        self.resolve_stream(thread, designator, Direction::Output)
    }

    /// Resolves an input stream designator (`T`/`NIL` or absent mean `*STANDARD-INPUT*`).
    pub fn input_stream(
        &self,
        thread: &LispThread,
        designator: Option<Value>,
    ) -> LispResult<Value> {
        self.resolve_stream(thread, designator.unwrap_or(Value::Nil), Direction::Input)
    }

    fn resolve_stream(
        &self,
        thread: &LispThread,
        designator: Value,
        direction: Direction,
    ) -> LispResult<Value> {
        let s = &self.image.sym;
        let standard = match direction {
            Direction::Input => s.standard_input,
            Direction::Output => s.standard_output,
        };
        let mut stream = match designator {
            Value::Nil => self.symbol_value(thread, standard)?,
            Value::Symbol(sym) if sym == s.t => self.symbol_value(thread, standard)?,
            other => other,
        };
        for _ in 0..MAX_INDIRECTIONS {
            stream = match self.image.object(stream) {
                Some(Object::Stream(Stream::TwoWay { input, output })) => match direction {
                    Direction::Input => *input,
                    Direction::Output => *output,
                },
                Some(Object::Stream(Stream::Echo { output, .. })) => match direction {
                    Direction::Input => return Ok(stream),
                    Direction::Output => *output,
                },
                Some(Object::Stream(Stream::Synonym { symbol })) => {
                    self.symbol_value(thread, *symbol)?
                }
                Some(Object::Stream(Stream::Closed(_))) => return Err(closed(self, stream)),
                _ => return Ok(stream),
            };
        }
        Err(LispError::simple(format!(
            "The stream {} leads back to itself through synonym or two-way streams.",
            super::print::prin1_to_string(&self.image, designator)
        )))
    }

    /// The error reading or writing a closed stream signals (SBCL's wording).
    pub fn closed_stream_error(&self, stream: Value) -> LispError {
        closed(self, stream)
    }

    /// Makes a synonym stream of `symbol`.
    pub fn make_synonym_stream(&mut self, symbol: SymRef) -> LispResult<Value> {
        Ok(self
            .image
            .heap
            .alloc(Object::Stream(Stream::Synonym { symbol }))?)
    }
}

fn closed(vm: &Vm, stream: Value) -> LispError {
    LispError::new(
        super::error::ErrorKind::StreamError(stream),
        format!(
            "{} is closed",
            super::print::prin1_to_string(&vm.image, stream)
        ),
    )
}
