//! Common Lisp's environment inquiries: what this Lisp is and the machine it runs on
//! (`lisp-implementation-type`, `machine-instance`, `software-version` ...). Answers that
//! cannot be found are NIL, as the standard allows.

use super::super::error::LispResult;
use super::super::image::Image;
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
    Ok(())
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
