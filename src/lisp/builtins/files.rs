//! Files: `OPEN` (through `SWANKD::%OPEN-FILE`, under the prelude's `OPEN` and
//! `WITH-OPEN-FILE`), `PROBE-FILE` and `DELETE-FILE`. A file opened for input is read
//! whole, as text, when it is opened (counted against the heap limit) and read as a string
//! stream; a file opened for output is written through a buffer, flushed by
//! `FINISH-OUTPUT` and `CLOSE`. Names are strings (swankd has no pathname objects),
//! relative to the daemon's working directory.

use std::fs::{File, OpenOptions};
use std::io::BufWriter;
use std::path::Path;

use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::stream::Stream;
use super::super::value::Value;
use super::super::vm::Vm;
use super::pathnames::{file_name, make as make_pathname, truename};
use super::{BuiltinTable, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%OPEN-FILE", (4, Some(4)), |vm, _, a| {
        let name = file_name(vm, a[0])?;
        let direction = keyword_name(vm, a[1]);
        let if_exists = keyword_name(vm, a[2]);
        let if_does_not_exist = keyword_name(vm, a[3]);
        let exists = Path::new(&name).exists();
        if !exists && if_does_not_exist.as_deref() == Some("NIL") {
            return value(Value::Nil);
        }
        if !exists && if_does_not_exist.as_deref() == Some("ERROR") {
            return Err(file_error(
                vm,
                a[0],
                &format!("The file {name:?} does not exist."),
            ));
        }
        match direction.as_deref() {
            Some("INPUT") => open_input(vm, a[0], &name),
            Some("OUTPUT") => {
                if exists {
                    match if_exists.as_deref() {
                        Some("NIL") => return value(Value::Nil),
                        Some("ERROR") => {
                            return Err(file_error(
                                vm,
                                a[0],
                                &format!("The file {name:?} already exists."),
                            ));
                        }
                        _ => {}
                    }
                }
                let append = exists && if_exists.as_deref() == Some("APPEND");
                open_output(vm, a[0], &name, append)
            }
            _ => Err(LispError::unsupported(format!(
                "OPEN with :DIRECTION {}",
                direction.unwrap_or_default()
            ))),
        }
    })?;
    table.define(image, cl, "PROBE-FILE", (1, Some(1)), |vm, _, a| {
        let name = file_name(vm, a[0])?;
        match truename(&name) {
            Some(found) => value(make_pathname(vm, found)?),
            None => value(Value::Nil),
        }
    })?;
    table.define(image, cl, "DELETE-FILE", (1, Some(1)), |vm, _, a| {
        let name = file_name(vm, a[0])?;
        match std::fs::remove_file(&name) {
            Ok(()) => value(vm.image.t()),
            Err(error) => Err(file_error(
                vm,
                a[0],
                &format!("cannot delete {name:?}: {error}"),
            )),
        }
    })?;
    Ok(())
}

fn open_input(vm: &mut Vm, name_value: Value, name: &str) -> LispResult<super::Control> {
    let bytes = std::fs::read(name)
        .map_err(|error| file_error(vm, name_value, &format!("cannot open {name:?}: {error}")))?;
    vm.image.heap.grew(bytes.len())?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    value(vm.image.heap.alloc(Object::Stream(Stream::StringInput {
        text,
        position: 0,
        from_file: true,
    }))?)
}

fn open_output(
    vm: &mut Vm,
    name_value: Value,
    name: &str,
    append: bool,
) -> LispResult<super::Control> {
    let file: std::io::Result<File> = if append {
        OpenOptions::new().append(true).open(name)
    } else {
        File::create(name)
    };
    let file = file
        .map_err(|error| file_error(vm, name_value, &format!("cannot open {name:?}: {error}")))?;
    value(vm.image.heap.alloc(Object::Stream(Stream::FileOutput {
        writer: Some(BufWriter::new(file)),
        column: 0,
    }))?)
}

fn keyword_name(vm: &Vm, value: Value) -> Option<String> {
    match value {
        Value::Nil => Some("NIL".into()),
        _ => vm
            .image
            .as_symbol(value)
            .map(|sym| vm.image.symbol_name(sym).to_string()),
    }
}

fn file_error(_vm: &Vm, name: Value, message: &str) -> LispError {
    LispError::new(ErrorKind::FileError(name), message.to_string())
}
