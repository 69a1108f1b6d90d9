//! `SWANK:CREATE-SERVER`, `SWANK:CREATE-SERVER-UNIX` and `SWANK:STOP-SERVER` underneath:
//! builtins that ask the daemon's network side for listeners (see `events::ListenerControl`).

use std::path::PathBuf;
use std::sync::Arc;

use crate::events::ListenerControl;
use crate::lisp::builtins::{BuiltinTable, expect_fixnum, expect_string, value};
use crate::lisp::error::{LispError, LispResult};
use crate::lisp::image::Image;
use crate::lisp::value::Value;
use crate::lisp::vm::Vm;

use super::host::with_host;

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%LISTEN-TCP", (2, Some(2)), |vm, _, a| {
        let host = expect_string(&vm.image, a[0])?;
        let port = port_number(a[1])?;
        let port = control(vm)?
            .listen_tcp(&host, port)
            .map_err(LispError::simple)?;
        value(Value::Fixnum(i64::from(port)))
    })?;
    table.define(image, swankd, "%LISTEN-UNIX", (1, Some(1)), |vm, _, a| {
        let path = PathBuf::from(expect_string(&vm.image, a[0])?);
        control(vm)?.listen_unix(&path).map_err(LispError::simple)?;
        value(a[0])
    })?;
    table.define(
        image,
        swankd,
        "%WRITE-PORT-FILE",
        (2, Some(2)),
        |vm, _, a| {
            let path = PathBuf::from(expect_string(&vm.image, a[0])?);
            let port = port_number(a[1])?;
            let mut temporary = path.as_os_str().to_owned();
            temporary.push(format!(".tmp{}", std::process::id()));
            let temporary = PathBuf::from(temporary);
            std::fs::write(&temporary, format!("{port}\n"))
                .and_then(|()| std::fs::rename(&temporary, &path))
                .map_err(|error| {
                    let _ = std::fs::remove_file(&temporary);
                    LispError::simple(format!("cannot write {}: {error}", path.display()))
                })?;
            value(a[1])
        },
    )?;
    table.define(image, swankd, "%STOP-TCP", (1, Some(1)), |vm, _, a| {
        let port = port_number(a[0])?;
        let stopped = control(vm)?.stop_tcp(port);
        value(truth(vm, stopped))
    })?;
    table.define(image, swankd, "%STOP-UNIX", (1, Some(1)), |vm, _, a| {
        let path = PathBuf::from(expect_string(&vm.image, a[0])?);
        let stopped = control(vm)?.stop_unix(&path);
        value(truth(vm, stopped))
    })?;
    Ok(())
}

fn control(vm: &Vm) -> LispResult<Arc<dyn ListenerControl + Sync>> {
    with_host(vm, |host| host.listeners.clone())
        .flatten()
        .ok_or_else(|| LispError::simple("this swankd has no network side to listen with"))
}

fn port_number(value: Value) -> LispResult<u16> {
    let port = expect_fixnum(value)?;
    u16::try_from(port).map_err(|_| LispError::type_error(value, "(INTEGER 0 65535)"))
}

fn truth(vm: &Vm, truth: bool) -> Value {
    if truth {
        Value::Symbol(vm.image.sym.t)
    } else {
        Value::Nil
    }
}
