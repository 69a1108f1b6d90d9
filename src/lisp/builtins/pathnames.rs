//! The pathname functions: `PATHNAME`, `PARSE-NAMESTRING`, `MAKE-PATHNAME`,
//! `MERGE-PATHNAMES`, the component readers, the namestrings, `TRUENAME` and
//! `USER-HOMEDIR-PATHNAME`. The pathnames themselves are `pathname::Pathname`.

use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::pathname::{Directory, DirectoryPart, Part, Pathname};
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, keyword_arg, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "PATHNAME", (1, Some(1)), |vm, _, a| {
        let pathname = designated(vm, a[0])?;
        value(make(vm, pathname)?)
    })?;
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%FILE-NAME", (1, Some(1)), |vm, _, a| {
        let name = file_name(vm, a[0])?;
        value(vm.image.string(name)?)
    })?;
    table.define(image, cl, "PATHNAMEP", (1, Some(1)), |vm, _, a| {
        let is = matches!(vm.image.object(a[0]), Some(Object::Pathname(_)));
        value(vm.image.boolean(is))
    })?;
    table.define(image, cl, "PARSE-NAMESTRING", (1, None), parse_namestring)?;
    table.define(image, cl, "NAMESTRING", (1, Some(1)), |vm, _, a| {
        let text = designated(vm, a[0])?.namestring();
        value(vm.image.string(text)?)
    })?;
    table.define(image, cl, "FILE-NAMESTRING", (1, Some(1)), |vm, _, a| {
        let text = designated(vm, a[0])?.file_namestring();
        value(vm.image.string(text)?)
    })?;
    table.define(
        image,
        cl,
        "DIRECTORY-NAMESTRING",
        (1, Some(1)),
        |vm, _, a| {
            let text = designated(vm, a[0])?.directory_namestring();
            value(vm.image.string(text)?)
        },
    )?;
    table.define(image, cl, "ENOUGH-NAMESTRING", (1, Some(2)), |vm, t, a| {
        let pathname = designated(vm, a[0])?;
        let defaults = match a.get(1) {
            Some(defaults) => designated(vm, *defaults)?,
            None => default_pathname(vm, t)?,
        };
        let text = pathname.enough(&defaults).namestring();
        value(vm.image.string(text)?)
    })?;
    table.define(image, cl, "MAKE-PATHNAME", (0, None), make_pathname)?;
    table.define(image, cl, "MERGE-PATHNAMES", (1, Some(3)), |vm, t, a| {
        let pathname = designated(vm, a[0])?;
        let defaults = match a.get(1) {
            Some(defaults) => designated(vm, *defaults)?,
            None => default_pathname(vm, t)?,
        };
        value(make(vm, pathname.merge(&defaults))?)
    })?;
    table.define(image, cl, "PATHNAME-DIRECTORY", (1, None), |vm, _, a| {
        let directory = designated(vm, a[0])?.directory;
        value(directory_list(vm, directory.as_ref())?)
    })?;
    table.define(image, cl, "PATHNAME-NAME", (1, None), |vm, _, a| {
        let name = designated(vm, a[0])?.name;
        value(part_value(vm, name.as_ref())?)
    })?;
    table.define(image, cl, "PATHNAME-TYPE", (1, None), |vm, _, a| {
        let kind = designated(vm, a[0])?.kind;
        value(part_value(vm, kind.as_ref())?)
    })?;
    table.define(image, cl, "PATHNAME-VERSION", (1, Some(1)), |vm, _, a| {
        if designated(vm, a[0])?.newest {
            value(Value::Symbol(vm.image.keyword("NEWEST")?))
        } else {
            value(Value::Nil)
        }
    })?;
    // The local file system has neither hosts nor devices to tell apart.
    table.define(image, cl, "PATHNAME-HOST", (1, None), |vm, _, a| {
        designated(vm, a[0])?;
        value(Value::Nil)
    })?;
    table.define(image, cl, "PATHNAME-DEVICE", (1, None), |vm, _, a| {
        designated(vm, a[0])?;
        value(Value::Nil)
    })?;
    table.define(image, cl, "WILD-PATHNAME-P", (1, Some(2)), |vm, _, a| {
        let wild = designated(vm, a[0])?.is_wild();
        value(vm.image.boolean(wild))
    })?;
    table.define(
        image,
        cl,
        "USER-HOMEDIR-PATHNAME",
        (0, Some(1)),
        |vm, _, _| {
            let home = std::env::var("HOME").unwrap_or_else(|_| "/".to_string());
            value(make(vm, Pathname::parse(&format!("{home}/")))?)
        },
    )?;
    table.define(image, cl, "TRUENAME", (1, Some(1)), |vm, _, a| {
        let name = file_name(vm, a[0])?;
        match truename(&name) {
            Some(found) => value(make(vm, found)?),
            None => Err(LispError::new(
                ErrorKind::FileError(a[0]),
                format!("The file {name:?} does not exist."),
            )),
        }
    })?;
    Ok(())
}

/// The file name a pathname designator (a string or a pathname) stands for.
pub fn file_name(vm: &Vm, designator: Value) -> LispResult<String> {
    match vm.image.object(designator) {
        Some(Object::String(text)) => Ok(text.as_str().to_string()),
        Some(Object::Pathname(pathname)) => Ok(pathname.namestring()),
        Some(Object::Vector(vector)) if vector.characters => Ok(vector.text().unwrap_or_default()),
        _ => Err(LispError::type_error(designator, "(OR STRING PATHNAME)")),
    }
}

/// The absolute, resolved name of an existing file, as a pathname (a directory's ends in
/// `/`, as SBCL's does).
pub fn truename(name: &str) -> Option<Pathname> {
    let path = std::fs::canonicalize(name).ok()?;
    let mut text = path.to_string_lossy().into_owned();
    if path.is_dir() && !text.ends_with('/') {
        text.push('/');
    }
    Some(Pathname::parse(&text))
}

/// A new pathname object.
pub fn make(vm: &mut Vm, pathname: Pathname) -> LispResult<Value> {
    Ok(vm.image.heap.alloc(Object::Pathname(Box::new(pathname)))?)
}

/// The pathname a designator stands for, as given (not merged).
pub fn designated(vm: &Vm, designator: Value) -> LispResult<Pathname> {
    match vm.image.object(designator) {
        Some(Object::Pathname(pathname)) => Ok(pathname.as_ref().clone()),
        _ => Ok(Pathname::parse(&file_name(vm, designator)?)),
    }
}

/// The pathname a designator stands for, merged with `*DEFAULT-PATHNAME-DEFAULTS*` (as the
/// file functions use it).
pub fn designated_pathname(
    vm: &Vm,
    thread: &LispThread,
    designator: Value,
) -> LispResult<Pathname> {
    let pathname = designated(vm, designator)?;
    Ok(pathname.merge(&default_pathname(vm, thread)?))
}

fn default_pathname(vm: &Vm, thread: &LispThread) -> LispResult<Pathname> {
    let defaults = vm.symbol_value(thread, vm.image.sym.default_pathname_defaults)?;
    designated(vm, defaults)
}

fn parse_namestring(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    if let Some(Object::Pathname(_)) = vm.image.object(a[0]) {
        let start = keyword_arg(&mut vm.image, a.get(3..).unwrap_or(&[]), "START")?;
        thread.mv = Some(smallvec::smallvec![a[0], start.unwrap_or(Value::Fixnum(0))]);
        return value(a[0]);
    }
    let text = file_name(vm, a[0])?;
    let keys = a.get(3..).unwrap_or(&[]);
    let start = match keyword_arg(&mut vm.image, keys, "START")? {
        Some(start) => super::expect_index(start)?,
        None => 0,
    };
    let end = match keyword_arg(&mut vm.image, keys, "END")? {
        None | Some(Value::Nil) => text.chars().count(),
        Some(end) => super::expect_index(end)?,
    };
    let chars: Vec<char> = text.chars().collect();
    let Some(slice) = chars.get(start..end) else {
        return Err(LispError::bounding_indices(start, end, chars.len()));
    };
    let slice: String = slice.iter().collect();
    let pathname = make(vm, Pathname::parse(&slice))?;
    // SBCL's second value counts from START, not from the beginning of the string.
    thread.mv = Some(smallvec::smallvec![
        pathname,
        Value::Fixnum((end - start) as i64)
    ]);
    value(pathname)
}

/// Without `:DEFAULTS` the components not given are NIL; with it, they are the defaults'.
fn make_pathname(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    if a.len() % 2 != 0 {
        return Err(LispError::program("odd number of &KEY arguments"));
    }
    let mut pathname = match keyword_arg(&mut vm.image, a, "DEFAULTS")? {
        Some(defaults) if defaults.truthy() => designated(vm, defaults)?,
        _ => Pathname::default(),
    };
    if let Some(directory) = keyword_arg(&mut vm.image, a, "DIRECTORY")? {
        pathname.directory = directory_from(vm, directory)?;
    }
    if let Some(name) = keyword_arg(&mut vm.image, a, "NAME")? {
        pathname.name = part_from(vm, name)?;
    }
    if let Some(kind) = keyword_arg(&mut vm.image, a, "TYPE")? {
        pathname.kind = part_from(vm, kind)?;
    }
    if let Some(version) = keyword_arg(&mut vm.image, a, "VERSION")? {
        pathname.newest = version.truthy();
    }
    value(make(vm, pathname)?)
}

/// `(:ABSOLUTE "a" :UP ...)`, a string (an absolute directory of one component), `:WILD`
/// or NIL.
fn directory_from(vm: &Vm, value: Value) -> LispResult<Option<Directory>> {
    if value.is_nil() {
        return Ok(None);
    }
    let keyword = |vm: &Vm, v: Value| match v {
        Value::Symbol(s) if vm.image.heap.symbol(s).package == Some(vm.image.pkg.keyword) => {
            Some(vm.image.symbol_name(s).to_string())
        }
        _ => None,
    };
    if let Some(name) = keyword(vm, value) {
        return match name.as_str() {
            "WILD" => Ok(Some(Directory {
                absolute: true,
                parts: vec![DirectoryPart::WildInferiors],
            })),
            _ => Err(LispError::type_error(
                value,
                "(OR LIST STRING (MEMBER :WILD))",
            )),
        };
    }
    if let Some(Object::String(text)) = vm.image.object(value) {
        return Ok(Some(Directory {
            absolute: true,
            parts: vec![DirectoryPart::Name(text.as_str().to_string())],
        }));
    }
    let Some(items) = vm.image.list_to_vec(value) else {
        return Err(LispError::type_error(
            value,
            "(OR LIST STRING (MEMBER :WILD))",
        ));
    };
    let mut items = items.into_iter();
    let absolute = match items.next().and_then(|first| keyword(vm, first)).as_deref() {
        Some("ABSOLUTE") => true,
        Some("RELATIVE") => false,
        _ => {
            return Err(LispError::type_error(
                value,
                "(CONS (MEMBER :ABSOLUTE :RELATIVE) LIST)",
            ));
        }
    };
    let mut parts = Vec::new();
    for item in items {
        let part = match (vm.image.object(item), keyword(vm, item).as_deref()) {
            (Some(Object::String(text)), _) => DirectoryPart::Name(text.as_str().to_string()),
            (_, Some("UP" | "BACK")) => DirectoryPart::Up,
            (_, Some("WILD")) => DirectoryPart::Wild,
            (_, Some("WILD-INFERIORS")) => DirectoryPart::WildInferiors,
            (_, Some("HOME")) => DirectoryPart::Home,
            _ => {
                return Err(LispError::type_error(
                    item,
                    "(OR STRING (MEMBER :UP :WILD))",
                ));
            }
        };
        parts.push(part);
    }
    Ok(Some(Directory { absolute, parts }))
}

fn part_from(vm: &Vm, value: Value) -> LispResult<Option<Part>> {
    match (value, vm.image.object(value)) {
        (Value::Nil, _) => Ok(None),
        (_, Some(Object::String(text))) => Ok(Some(Part::Text(text.as_str().to_string()))),
        (Value::Symbol(s), _) if vm.image.symbol_name(s).as_ref() == "WILD" => Ok(Some(Part::Wild)),
        _ => Err(LispError::type_error(
            value,
            "(OR STRING (MEMBER NIL :WILD))",
        )),
    }
}

fn directory_list(vm: &mut Vm, directory: Option<&Directory>) -> LispResult<Value> {
    let Some(directory) = directory else {
        return Ok(Value::Nil);
    };
    let mut items = Vec::with_capacity(directory.parts.len() + 1);
    let head = if directory.absolute {
        "ABSOLUTE"
    } else {
        "RELATIVE"
    };
    items.push(Value::Symbol(vm.image.keyword(head)?));
    for part in &directory.parts {
        items.push(match part {
            DirectoryPart::Name(name) => vm.image.string(name.clone())?,
            DirectoryPart::Up => Value::Symbol(vm.image.keyword("UP")?),
            DirectoryPart::Wild => Value::Symbol(vm.image.keyword("WILD")?),
            DirectoryPart::WildInferiors => Value::Symbol(vm.image.keyword("WILD-INFERIORS")?),
            DirectoryPart::Home => Value::Symbol(vm.image.keyword("HOME")?),
        });
    }
    Ok(vm.image.list(&items)?)
}

fn part_value(vm: &mut Vm, part: Option<&Part>) -> LispResult<Value> {
    Ok(match part {
        None => Value::Nil,
        Some(Part::Text(text)) => vm.image.string(text.clone())?,
        Some(Part::Wild) => Value::Symbol(vm.image.keyword("WILD")?),
    })
}
