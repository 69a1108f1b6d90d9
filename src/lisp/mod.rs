//! The interpreter.
//!
//! # Layout
//!
//! - `value`: the `Value` word; `heap`: arenas and the collector; `object`, `symbol`,
//!   `package`, `hash_table`, `stream`, `sync`: what lives in the heap; `lisp_string`: a
//!   simple string's text, indexed by character in constant time.
//! - `image`: the global image (heap + packages + well-known symbols).
//! - `reader` (text → datum) and `convert` (datum → heap values); `print` and `printer`
//!   (values → text); `pretty_stream`: output gathered inside `PPRINT-LOGICAL-BLOCK`.
//! - `compiler`: forms → `bytecode` prototypes. `vm`: runs a `thread` in fuel-bounded slices.
//! - `builtins`: functions written in Rust; `prelude.lisp`: functions and macros written in
//!   Lisp, compiled at boot; `clos.lisp`: classes and generic functions (on
//!   `builtins::instances`); `print_object`: PRINT-OBJECT methods for the printer;
//!   `builtin_arglists` and `builtin_docs`: lambda lists and docstrings for the standard
//!   operators and variables that have none of their own. `number`, `equality`, `format`,
//!   `output`: shared machinery. `socket_stream`: a program's TCP connection read and
//!   written as a stream.
//! - `transaction`: units of global change that install together or not at all.
//! - `system`: boots an image and evaluates text (what the scheduler and tests call).

pub mod boot_text;
pub mod builtin_arglists;
pub mod builtin_docs;
pub mod builtins;
pub mod bytecode;
pub mod cl_symbols;
pub mod compiler;
pub mod convert;
pub mod equality;
pub mod error;
pub mod format;
pub mod hash_table;
pub mod hash_table_sizing;
pub mod heap;
pub mod image;
pub mod lisp_string;
pub mod number;
pub mod object;
pub mod output;
pub mod package;
pub mod pathname;
pub mod pretty_stream;
pub mod print;
pub mod print_circle;
pub mod print_object;
pub mod printer;
pub mod reader;
pub mod report;
pub mod socket_stream;
pub mod stream;
pub mod stream_designator;
pub mod symbol;
pub mod sync;
pub mod system;
pub mod thread;
pub mod transaction;
pub mod value;
pub mod vm;
