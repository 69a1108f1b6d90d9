//! Common Lisp's environment inquiries: what this Lisp is and the machine it runs on
//! (`lisp-implementation-type`, `machine-instance`, `software-version` ...). Answers that
//! cannot be found are NIL, as the standard allows. Also ROOM, which tells how much of the
//! heap is in use.

use super::super::error::{LispError, LispResult};
use super::super::heap::ArenaUsage;
use super::super::image::Image;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    let none = (0, Some(0));
    table.define(image, cl, "LISP-IMPLEMENTATION-TYPE", none, |vm, _, _| {
        answer(vm, Some("swankd".into()))
    })?;
    table.define(
        image,
        cl,
        "LISP-IMPLEMENTATION-VERSION",
        none,
        |vm, _, _| answer(vm, Some(env!("CARGO_PKG_VERSION").into())),
    )?;
    table.define(image, cl, "MACHINE-TYPE", none, |vm, _, _| {
        answer(
            vm,
            Some(std::env::consts::ARCH.replace('_', "-").to_uppercase()),
        )
    })?;
    table.define(image, cl, "MACHINE-VERSION", none, |vm, _, _| {
        answer(vm, cpu_model())
    })?;
    table.define(image, cl, "MACHINE-INSTANCE", none, |vm, _, _| {
        answer(vm, kernel_fact("hostname"))
    })?;
    table.define(image, cl, "SOFTWARE-TYPE", none, |vm, _, _| {
        answer(vm, software_type())
    })?;
    table.define(image, cl, "SOFTWARE-VERSION", none, |vm, _, _| {
        answer(vm, kernel_fact("osrelease"))
    })?;
    table.define(image, cl, "SHORT-SITE-NAME", none, |vm, _, _| {
        answer(vm, None)
    })?;
    table.define(image, cl, "LONG-SITE-NAME", none, |vm, _, _| {
        answer(vm, None)
    })?;
    table.define(image, cl, "ROOM", (0, Some(1)), room)?;
    Ok(())
}

/// `(ROOM &OPTIONAL VERBOSITY)`: the heap's use against its limit, with each arena's slots
/// and free slots; with T, also when the next collection comes.
fn room(vm: &mut Vm, thread: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    let verbose = match args.first().copied() {
        None | Some(Value::Nil) => false,
        Some(Value::Symbol(s)) if s == vm.image.sym.t => true,
        Some(Value::Symbol(s))
            if vm.image.is_keyword(s) && &*vm.image.symbol_name(s) == "DEFAULT" =>
        {
            false
        }
        Some(other) => return Err(LispError::type_error(other, "(MEMBER T NIL :DEFAULT)")),
    };
    let usage = vm.image.heap.usage();
    let mut report = format!(
        "Heap usage is {} bytes of a {}-byte limit.\n",
        grouped(usage.bytes),
        grouped(usage.limit)
    );
    for (name, arena) in [
        ("Conses", usage.conses),
        ("Symbols", usage.symbols),
        ("Objects", usage.objects),
    ] {
        report.push_str(&arena_line(name, arena));
    }
    if verbose {
        report.push_str(&format!(
            "The next collection comes when usage reaches {} bytes.\n",
            grouped(usage.next_collection)
        ));
    }
    let stream = vm.output_stream(thread, Value::Nil)?;
    vm.write_text(stream, &report)?;
    value(Value::Nil)
}

fn arena_line(name: &str, arena: ArenaUsage) -> String {
    format!(
        "{name}: {} slots, {} of them free.\n",
        grouped(arena.slots),
        grouped(arena.free)
    )
}

/// `n` with commas between groups of three digits, as ROOM prints sizes.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

fn answer(vm: &mut Vm, text: Option<String>) -> LispResult<Control> {
    match text {
        Some(text) => value(vm.image.string(text)?),
        None => value(Value::Nil),
    }
}

/// A line of `/proc/sys/kernel/NAME`, such as the host name.
fn kernel_fact(name: &str) -> Option<String> {
    std::fs::read_to_string(format!("/proc/sys/kernel/{name}"))
        .ok()
        .map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty())
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, model)| model.trim().to_string())
}

fn software_type() -> Option<String> {
    let os = std::env::consts::OS;
    let mut letters = os.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
}
