//! Booting an image (globals, builtins, the Lisp prelude) and evaluating text synchronously.
//!
//! Synchronous evaluation is for boot and tests; live code runs in green threads under the
//! scheduler.

use super::boot_text::{BootText, boot_text};
use super::builtins::{self, BuiltinTable};
use super::convert::datum_to_value;
use super::error::{ErrorKind, LispError, LispResult};
use super::image::Image;
use super::object::Object;
use super::package::PackageId;
use super::reader::{self, ReadOptions};
use super::stream::Stream;
use super::thread::LispThread;
use super::value::{SymRef, Value};
use super::vm::{Limits, Outcome, Vm};

const PRELUDE: BootText = boot_text!("src/lisp/prelude.lisp");
const CLOS: BootText = boot_text!("src/lisp/clos.lisp");

/// Sizes and limits of a new image.
#[derive(Debug, Clone)]
pub struct SystemConfig {
    pub heap_limit: usize,
    /// The least allocation between two collections (see `Heap::set_collection_interval`).
    pub collection_interval: usize,
    pub limits: Limits,
}

impl Default for SystemConfig {
    fn default() -> Self {
        SystemConfig {
            heap_limit: 2 << 30,
            collection_interval: super::heap::DEFAULT_COLLECTION_INTERVAL,
            limits: Limits::default(),
        }
    }
}

/// Creates an image with every builtin and the prelude loaded.
pub fn boot(config: &SystemConfig) -> LispResult<Vm> {
    let mut image = Image::new(config.heap_limit)?;
    image
        .heap
        .set_collection_interval(config.collection_interval);
    let mut table = BuiltinTable::default();
    builtins::install(&mut table, &mut image)?;
    let mut vm = Vm::new(image, table, config.limits.clone());
    define_globals(&mut vm)?;
    load_prelude(&mut vm)?;
    super::builtin_arglists::install(&mut vm.image);
    super::builtin_docs::install(&mut vm.image);
    Ok(vm)
}

fn define_globals(vm: &mut Vm) -> LispResult<()> {
    let image = &mut vm.image;
    let s = image.sym;
    let stdout = image
        .heap
        .alloc(Object::Stream(Stream::ProcessOutput { column: 0 }))?;
    let stderr = image
        .heap
        .alloc(Object::Stream(Stream::ProcessError { column: 0 }))?;
    let stdin = image.heap.alloc(Object::Stream(Stream::StringInput {
        text: String::new(),
        position: 0,
        from_file: false,
    }))?;
    let terminal = image.heap.alloc(Object::Stream(Stream::TwoWay {
        input: stdin,
        output: stdout,
    }))?;
    let query = image.heap.alloc(Object::Stream(Stream::Synonym {
        symbol: s.terminal_io,
    }))?;
    let debug = image.heap.alloc(Object::Stream(Stream::Synonym {
        symbol: s.terminal_io,
    }))?;
    let random_state = image
        .heap
        .alloc(Object::RandomState(super::builtins::fresh_random_seed()))?;
    let working_directory = std::env::current_dir()
        .map(|directory| format!("{}/", directory.display()))
        .unwrap_or_default();
    let default_pathname = image.heap.alloc(Object::Pathname(Box::new(
        super::pathname::Pathname::parse(&working_directory),
    )))?;
    let cl_user = image.package_object(image.pkg.cl_user)?;
    let features = {
        let names = ["SWANKD", "COMMON-LISP", "ANSI-CL", "64-BIT"];
        let mut keywords = Vec::new();
        for name in names {
            keywords.push(Value::Symbol(image.keyword(name)?));
        }
        image.list(&keywords)?
    };
    let upcase = Value::Symbol(s.upcase);
    let t = image.t();
    let globals = [
        (s.standard_output, stdout),
        (s.error_output, stderr),
        (s.trace_output, stdout),
        (s.standard_input, stdin),
        (s.terminal_io, terminal),
        (s.query_io, query),
        (s.debug_io, debug),
        (s.random_state, random_state),
        (s.default_pathname_defaults, default_pathname),
        (s.load_pathname, Value::Nil),
        (s.load_truename, Value::Nil),
        (s.package_var, cl_user),
        (s.print_base, Value::Fixnum(10)),
        (s.print_radix, Value::Nil),
        (s.print_escape, t),
        (s.print_readably, Value::Nil),
        (s.print_length, Value::Nil),
        (s.print_level, Value::Nil),
        (s.print_case, upcase),
        (s.print_pretty, t),
        (s.print_circle, Value::Nil),
        (s.print_right_margin, Value::Nil),
        (s.print_miser_width, Value::Nil),
        (s.print_lines, Value::Nil),
        (s.print_array, t),
        (s.print_gensym, t),
        (s.print_pprint_dispatch, Value::Nil),
        (s.read_base, Value::Fixnum(10)),
        (s.read_eval, t),
        (s.features, features),
        (s.star, Value::Nil),
        (s.star2, Value::Nil),
        (s.star3, Value::Nil),
    ];
    for (sym, value) in globals {
        if let Some(symbol) = image.heap.symbol_mut(sym) {
            symbol.value = value;
            symbol.special = true;
        }
    }
    Ok(())
}

fn load_prelude(vm: &mut Vm) -> LispResult<()> {
    let cl = vm.image.pkg.cl;
    let mut thread = LispThread::new(0, "boot");
    let package = vm.image.package_object(cl)?;
    vm.bind_special(&mut thread, vm.image.sym.package_var, package);
    load_boot_source(vm, &mut thread, &PRELUDE.text()?, cl)?;
    vm.reset_thread(&mut thread);
    load_clos(vm, &mut thread)
}

/// Loads `clos.lisp` in the SWANKD package (its helpers stay out of COMMON-LISP, whose
/// standard names it defines are exported already).
fn load_clos(vm: &mut Vm, thread: &mut LispThread) -> LispResult<()> {
    let swankd = vm.image.pkg.swankd;
    load_boot_source(vm, thread, &CLOS.text()?, swankd)?;
    vm.reset_thread(thread);
    Ok(())
}

/// How much the heap may grow while boot forms run before garbage is collected.
const BOOT_COLLECTION_INTERVAL: usize = 192 << 10;

/// Reads and evaluates the forms of a source loaded at boot one by one, collecting garbage
/// between forms once [`BOOT_COLLECTION_INTERVAL`] bytes were allocated since the last
/// collection, whichever source made them. Most of what booting allocates (the source's
/// forms, macro expansions) is garbage at once; collected only later, it would leave the
/// heap's arenas several times larger than what stays alive, resident for the daemon's life.
pub fn load_boot_source(
    vm: &mut Vm,
    thread: &mut LispThread,
    text: &str,
    package: PackageId,
) -> LispResult<()> {
    let options = read_options(vm);
    let mut position = 0;
    loop {
        let form = match reader::read_one(text, position, &options) {
            Ok(Some((datum, end))) => {
                position = end;
                datum_to_value(&mut vm.image, &datum, package)?
            }
            Ok(None) => return Ok(()),
            Err(error) => return Err(LispError::new(ErrorKind::ReaderError, error.to_string())),
        };
        eval_to_completion(vm, thread, form)?;
        if vm.image.heap.allocated_since_collection() >= BOOT_COLLECTION_INTERVAL {
            collect_between_boot_forms(vm, thread);
        }
    }
}

/// A collection while booting: the roots are the interned symbols, the packages, and the
/// boot thread's bindings and stack.
fn collect_between_boot_forms(vm: &mut Vm, thread: &LispThread) {
    let image = &mut vm.image;
    let symbols: Vec<_> = image.packages.all_symbols().collect();
    let mut pinned = image.package_objects();
    pinned.extend_from_slice(&thread.stack);
    pinned.extend(thread.bindings.iter().map(|(_, value)| *value));
    image.heap.collect(|marker| {
        for sym in symbols {
            marker.value(Value::Symbol(sym));
        }
        marker.values(&pinned);
    });
}

/// Reader options from the image's current settings: `*READ-EVAL*`, `*READ-BASE*` and the
/// names of the symbols in `*FEATURES*`.
pub fn read_options(vm: &Vm) -> ReadOptions {
    read_options_with(vm, |sym| vm.image.heap.symbol(sym).value)
}

/// The reader's options as `thread` sees them, its dynamic bindings included
/// (`(let ((*read-base* 16)) (read-from-string "ff"))`).
pub fn thread_read_options(vm: &Vm, thread: &LispThread) -> ReadOptions {
    read_options_with(vm, |sym| {
        vm.symbol_value(thread, sym)
            .unwrap_or(vm.image.heap.symbol(sym).value)
    })
}

fn read_options_with(vm: &Vm, global: impl Fn(SymRef) -> Value) -> ReadOptions {
    let image = &vm.image;
    let mut options =
        ReadOptions::default_with_eval(matches!(global(image.sym.read_eval), Value::Symbol(_)));
    if let Value::Fixnum(base @ 2..=36) = global(image.sym.read_base) {
        options.read_base = base as u32;
    }
    if let Some(features) = image.list_to_vec(global(image.sym.features)) {
        options.features = features
            .into_iter()
            .filter_map(|feature| image.as_symbol(feature))
            .map(|sym| image.symbol_name(sym))
            .collect();
    }
    options
}

/// Reads every form in `text`, interning symbols in `package`.
pub fn read_all(vm: &mut Vm, text: &str, package: PackageId) -> LispResult<Vec<Value>> {
    let options = read_options(vm);
    let mut position = 0;
    let mut forms = Vec::new();
    loop {
        match reader::read_one(text, position, &options) {
            Ok(Some((datum, end))) => {
                forms.push(datum_to_value(&mut vm.image, &datum, package)?);
                position = end;
            }
            Ok(None) => return Ok(forms),
            Err(error) => return Err(LispError::new(ErrorKind::ReaderError, error.to_string())),
        }
    }
}

/// Compiles and runs `form` to completion on `thread`, without a fuel limit. Sleeping or
/// waiting is an error here.
pub fn eval_to_completion(
    vm: &mut Vm,
    thread: &mut LispThread,
    form: Value,
) -> LispResult<Vec<Value>> {
    let function = builtins::compile_to_function(vm, thread, form)?;
    vm.start_call(thread, function, &[])?;
    let depth = thread.frames.len().saturating_sub(1);
    loop {
        match vm.run(thread, 1 << 40, depth) {
            Outcome::Finished(values) => {
                thread.stack.pop();
                return Ok(values);
            }
            Outcome::Yielded => continue,
            Outcome::Parked(_) => {
                vm.reset_thread(thread);
                return Err(LispError::control(
                    "cannot sleep or wait during synchronous evaluation",
                ));
            }
            Outcome::Failed(error) => {
                vm.reset_thread(thread);
                return Err(error);
            }
        }
    }
}
