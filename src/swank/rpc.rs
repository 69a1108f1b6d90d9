//! Swank functions written in Rust: the ones that need the connection or the process.

use crate::lisp::builtins::{BuiltinTable, Control, expect_string, value};
use crate::lisp::error::{LispError, LispResult};
use crate::lisp::image::Image;
use crate::lisp::number::Number;
use crate::lisp::object::Object;
use crate::lisp::package::PackageId;
use crate::lisp::thread::LispThread;
use crate::lisp::value::Value;
use crate::lisp::vm::Vm;

use super::host::with_host;
use super::output::{Flush, flush_output};
use super::wire_value::to_wire;

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swank = image.pkg.swank;
    let swankd = image.pkg.swankd;
    table.define(
        image,
        swank,
        "CONNECTION-INFO",
        (0, Some(0)),
        connection_info,
    )?;
    table.define(image, swank, "QUIT-LISP", (0, Some(0)), |vm, _, _| {
        let allowed = with_host(vm, |host| {
            if host.allow_quit {
                host.exit_code = Some(0);
            }
            host.allow_quit
        })
        .ok_or_else(no_host)?;
        if !allowed {
            return Err(LispError::simple(
                "quit-lisp is disabled for this swankd (--no-quit)",
            ));
        }
        tracing::info!("quit-lisp requested by a client");
        value(Value::Nil)
    })?;
    table.define(
        image,
        swankd,
        "%SEND-TO-EMACS",
        (1, Some(1)),
        |vm, thread, a| {
            let message = to_wire(&vm.image, a[0]);
            with_host(vm, |host| {
                if let Some(connection) = host.connection_of(thread.id) {
                    host.send(connection, message);
                }
            })
            .ok_or_else(no_host)?;
            value(Value::Nil)
        },
    )?;
    table.define(image, swankd, "%FUNCTION-NAME", (1, Some(1)), |vm, _, a| {
        let name = match vm.image.object(a[0]) {
            Some(Object::Closure(closure)) => closure.proto.name,
            Some(Object::Builtin(builtin)) => Value::Symbol(builtin.name),
            _ => Value::Nil,
        };
        value(name)
    })?;
    table.define(
        image,
        swankd,
        "SET-CLIENT-SLIME-VERSION",
        (1, Some(1)),
        set_client_slime_version,
    )?;
    table.define(
        image,
        swankd,
        "CLIENT-SLIME-VERSION",
        (0, Some(0)),
        |vm, thread, _| {
            let version = with_host(vm, |host| {
                let connection = host.connection_of(thread.id)?;
                host.connections
                    .get(&connection)?
                    .pacing
                    .client_version
                    .clone()
            })
            .flatten();
            match version {
                Some(version) => value(vm.image.string(version)?),
                None => value(Value::Nil),
            }
        },
    )?;
    table.define(image, swankd, "%FLUSH-OUTPUT", (0, Some(0)), |vm, _, _| {
        flush_output(vm, Flush::Ordering);
        value(Value::Nil)
    })?;
    table.define(
        image,
        swankd,
        "%FORMAT-VALUES-FOR-ECHO-AREA",
        (1, Some(1)),
        |vm, thread, a| {
            let values = vm.image.list_to_vec(a[0]).unwrap_or_default();
            let preparation = vm.prepare_printing(thread, &values, &[true])?;
            let text = format_values_for_echo_area(vm, thread, &values);
            vm.finish_printing(preparation);
            value(vm.image.string(text)?)
        },
    )?;
    table.define(image, swankd, "%PACKAGE-NAMES", (1, Some(1)), |vm, _, a| {
        let with_nicknames = a[0].truthy();
        let mut names: Vec<String> = Vec::new();
        for package in vm.image.packages.all() {
            names.push(package.name.clone());
            if with_nicknames {
                names.extend(package.nicknames.iter().cloned());
            }
        }
        names.sort();
        let mut values = Vec::with_capacity(names.len());
        for name in names {
            values.push(vm.image.string(name)?);
        }
        value(vm.image.list(&values)?)
    })?;
    table.define(
        image,
        swankd,
        "%CURRENT-DIRECTORY",
        (0, Some(0)),
        |vm, _, _| {
            let directory = std::env::current_dir().map_err(|error| {
                LispError::simple(format!("cannot read the current directory: {error}"))
            })?;
            value(vm.image.string(directory_text(&directory))?)
        },
    )?;
    table.define(
        image,
        swankd,
        "%SET-CURRENT-DIRECTORY",
        (1, Some(1)),
        |vm, _, a| {
            let path = expect_string(&vm.image, a[0])?;
            std::env::set_current_dir(&path)
                .map_err(|error| LispError::simple(format!("cannot change to {path}: {error}")))?;
            let directory = std::env::current_dir().unwrap_or_else(|_| path.into());
            value(vm.image.string(directory_text(&directory))?)
        },
    )?;
    table.define(
        image,
        swankd,
        "%PACKAGE-PROMPT",
        (1, Some(1)),
        |vm, _, a| {
            let id = package_of(&vm.image, a[0])?;
            let package = vm.image.packages.get(id);
            let prompt = package
                .nicknames
                .iter()
                .chain(std::iter::once(&package.name))
                .min_by_key(|name| name.len())
                .cloned()
                .unwrap_or_default();
            value(vm.image.string(prompt)?)
        },
    )?;
    table.define(
        image,
        swankd,
        "%REPL-CREATED",
        (0, Some(0)),
        |vm, thread, _| {
            with_host(vm, |host| {
                if let Some(connection) = host.connection_of(thread.id)
                    && let Some(c) = host.connections.get_mut(&connection)
                {
                    c.repl_created = true;
                    super::debugger::adopt_orphans(host, connection);
                }
            })
            .ok_or_else(no_host)?;
            value(Value::Nil)
        },
    )?;
    table.define(
        image,
        swankd,
        "%ARGLIST-STRING",
        (1, Some(1)),
        |vm, _, a| {
            let Some(sym) = vm.image.as_symbol(a[0]) else {
                return value(Value::Nil);
            };
            let arglist = vm
                .image
                .heap
                .symbol(sym)
                .info
                .as_ref()
                .and_then(|i| i.arglist.clone());
            match arglist {
                Some(text) => {
                    let name = crate::lisp::print::prin1_to_string(&vm.image, a[0]);
                    // Only the outer parentheses: `(Y &OPTIONAL (X NIL XP))`.
                    let args = text
                        .strip_prefix('(')
                        .and_then(|t| t.strip_suffix(')'))
                        .unwrap_or(&text)
                        .trim()
                        .to_string();
                    let shown = if args.is_empty() {
                        format!("({name})")
                    } else {
                        format!("({name} {args})")
                    };
                    value(vm.image.string(shown)?)
                }
                None => value(Value::Nil),
            }
        },
    )?;
    Ok(())
}

fn no_host() -> LispError {
    LispError::simple("this function needs a Swank connection")
}

fn package_of(image: &Image, value: Value) -> LispResult<PackageId> {
    match image.object(value) {
        Some(Object::Package(id)) => Ok(*id),
        _ => Err(LispError::type_error(value, "PACKAGE")),
    }
}

/// Swank's echo-area text for evaluation results (`=> 3 (2 bits, #x3, #o3, #b11)`).
pub fn format_values_for_echo_area(vm: &Vm, thread: &LispThread, values: &[Value]) -> String {
    // Printed where they stand after "=> " (pretty output indents continuation lines).
    let printed_at = |value: Value, column: usize| {
        let options = vm.print_options_at(thread, true, column);
        crate::lisp::print::print_to_string(&vm.image, value, &options)
    };
    match values {
        [] => "; No value".to_string(),
        [single] => {
            let printed = printed_at(*single, 3);
            match Number::from_value(&vm.image, *single) {
                Some(Number::Integer(n)) => {
                    let bits = n.bits().max(if n.sign() == num_bigint::Sign::Minus {
                        1
                    } else {
                        0
                    });
                    format!(
                        "=> {printed} ({bits} bit{}, #x{}, #o{}, #b{})",
                        if bits == 1 { "" } else { "s" },
                        n.to_str_radix(16).to_uppercase(),
                        n.to_str_radix(8),
                        n.to_str_radix(2)
                    )
                }
                Some(ratio @ Number::Ratio(_)) => {
                    format!(
                        "=> {printed} ({})",
                        crate::lisp::printer::format_single(ratio.to_f64() as f32)
                    )
                }
                _ => format!("=> {printed}"),
            }
        }
        many => {
            let mut text = "=> ".to_string();
            for (index, value) in many.iter().enumerate() {
                if index > 0 {
                    text.push_str(", ");
                }
                let column = crate::lisp::stream::advance_column(0, &text);
                text.push_str(&printed_at(*value, column));
            }
            text
        }
    }
}

/// `(swankd:set-client-slime-version "2.32.git")`: swankd's Emacs package says which SLIME
/// this connection is, so that swankd speaks its dialect (`:write-done` from 2.28 on).
fn set_client_slime_version(
    vm: &mut Vm,
    thread: &mut LispThread,
    a: &[Value],
) -> LispResult<Control> {
    let version = expect_string(&vm.image, a[0])?;
    let write_done = super::output::speaks_write_done(&version);
    with_host(vm, |host| {
        let connection = host.connection_of(thread.id)?;
        let client = host.connections.get_mut(&connection)?;
        client.pacing.write_done = write_done;
        client.pacing.client_version = Some(version.to_string());
        tracing::info!(connection, %version, write_done, "client SLIME version");
        Some(())
    })
    .flatten()
    .ok_or_else(no_host)?;
    value(a[0])
}

fn connection_info(vm: &mut Vm, _: &mut LispThread, _: &[Value]) -> LispResult<Control> {
    let version = with_host(vm, |h| h.slime_version.clone()).unwrap_or_else(|| "2.27".into());
    let image = &mut vm.image;
    let mut kw = |name: &str| -> LispResult<Value> { Ok(Value::Symbol(image.keyword(name)?)) };
    let (
        pid,
        style,
        lisp_impl,
        type_,
        name,
        version_kw,
        machine,
        instance,
        encoding,
        coding_systems,
    ) = (
        kw("PID")?,
        kw("STYLE")?,
        kw("LISP-IMPLEMENTATION")?,
        kw("TYPE")?,
        kw("NAME")?,
        kw("VERSION")?,
        kw("MACHINE")?,
        kw("INSTANCE")?,
        kw("ENCODING")?,
        kw("CODING-SYSTEMS")?,
    );
    let (spawn, package_kw, prompt_kw, features_kw, modules_kw) = (
        kw("SPAWN")?,
        kw("PACKAGE")?,
        kw("PROMPT")?,
        kw("FEATURES")?,
        kw("MODULES")?,
    );
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    let s = |image: &mut Image, text: &str| image.string(text);
    let impl_plist = {
        let t = s(image, "swankd")?;
        let n = s(image, "swankd")?;
        let v = s(image, env!("CARGO_PKG_VERSION"))?;
        image.list(&[type_, t, name, n, version_kw, v])?
    };
    let machine_plist = {
        let i = s(image, &hostname)?;
        let t = s(image, std::env::consts::ARCH)?;
        let v = s(image, "")?;
        image.list(&[instance, i, type_, t, version_kw, v])?
    };
    let encoding_plist = {
        let utf8 = s(image, "utf-8-unix")?;
        let list = image.list(&[utf8])?;
        image.list(&[coding_systems, list])?
    };
    let package_plist = {
        let n = s(image, "COMMON-LISP-USER")?;
        let p = s(image, "CL-USER")?;
        image.list(&[name, n, prompt_kw, p])?
    };
    let features = image.heap.symbol(image.sym.features).value;
    let version_string = s(image, &version)?;
    let modules = image.list(&[])?;
    let info = image.list(&[
        pid,
        Value::Fixnum(i64::from(std::process::id())),
        style,
        spawn,
        encoding,
        encoding_plist,
        lisp_impl,
        impl_plist,
        machine,
        machine_plist,
        features_kw,
        features,
        modules_kw,
        modules,
        package_kw,
        package_plist,
        version_kw,
        version_string,
    ])?;
    value(info)
}

/// A directory as SLIME shows it: absolute, ending in `/`.
fn directory_text(directory: &std::path::Path) -> String {
    let mut text = directory.display().to_string();
    if !text.ends_with('/') {
        text.push('/');
    }
    text
}
