//! `TYPE-OF` (answers as SBCL's, e.g. `BIT`, `(INTEGER 0 4611686018427387903)`,
//! `(SIMPLE-ARRAY CHARACTER (3))`) and the type predicates `TYPEP` (prelude.lisp) needs.

use num_traits::Signed;

use super::super::error::LispResult;
use super::super::image::Image;
use super::super::object::Object;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, value};

/// SBCL's fixnums are 62 bits wide.
const MOST_POSITIVE_FIXNUM: i64 = 4611686018427387903;
const MOST_NEGATIVE_FIXNUM: i64 = -4611686018427387904;

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "TYPE-OF", (1, Some(1)), type_of)?;
    table.define(image, cl, "STREAMP", (1, Some(1)), |vm, _, a| {
        let is = matches!(vm.image.object(a[0]), Some(Object::Stream(_)));
        value(vm.image.boolean(is))
    })?;
    table.define(
        image,
        cl,
        "COMPILED-FUNCTION-P",
        (1, Some(1)),
        |vm, _, a| {
            let is = matches!(
                vm.image.object(a[0]),
                Some(Object::Closure(_) | Object::Builtin(_))
            );
            value(vm.image.boolean(is))
        },
    )?;
    Ok(())
}

fn sym(vm: &mut Vm, name: &str) -> LispResult<Value> {
    let cl = vm.image.pkg.cl;
    Ok(Value::Symbol(vm.image.intern(name, cl)?))
}

fn type_of(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let result = match a[0] {
        Value::Nil => sym(vm, "NULL")?,
        Value::Fixnum(0 | 1) => sym(vm, "BIT")?,
        Value::Fixnum(n) if (2..=MOST_POSITIVE_FIXNUM).contains(&n) => {
            let integer = sym(vm, "INTEGER")?;
            vm.image.list(&[
                integer,
                Value::Fixnum(0),
                Value::Fixnum(MOST_POSITIVE_FIXNUM),
            ])?
        }
        Value::Fixnum(n) if (MOST_NEGATIVE_FIXNUM..0).contains(&n) => sym(vm, "FIXNUM")?,
        Value::Fixnum(n) if n > 0 => positive_bignum(vm)?,
        Value::Fixnum(_) => sym(vm, "BIGNUM")?,
        Value::Char(c) => {
            let standard = c.is_ascii_graphic() || c == ' ' || c == '\n';
            sym(
                vm,
                if standard {
                    "STANDARD-CHAR"
                } else if (c as u32) < 128 {
                    "BASE-CHAR"
                } else {
                    "EXTENDED-CHAR"
                },
            )?
        }
        Value::Single(_) => sym(vm, "SINGLE-FLOAT")?,
        Value::Double(_) => sym(vm, "DOUBLE-FLOAT")?,
        Value::Symbol(s) if Value::Symbol(s).eq(vm.image.t()) => sym(vm, "BOOLEAN")?,
        Value::Symbol(s) if vm.image.is_keyword(s) => sym(vm, "KEYWORD")?,
        Value::Symbol(_) => sym(vm, "SYMBOL")?,
        Value::Cons(_) => sym(vm, "CONS")?,
        Value::Unbound => sym(vm, "T")?,
        Value::Object(_) => match vm.image.object(a[0]) {
            Some(Object::String(s)) => {
                let n = s.char_count() as i64;
                let (array, character) = (sym(vm, "SIMPLE-ARRAY")?, sym(vm, "CHARACTER")?);
                let dims = vm.image.list(&[Value::Fixnum(n)])?;
                vm.image.list(&[array, character, dims])?
            }
            Some(Object::Bignum(b)) if b.is_positive() => positive_bignum(vm)?,
            Some(Object::Bignum(_)) => sym(vm, "BIGNUM")?,
            Some(Object::Ratio(_)) => sym(vm, "RATIO")?,
            Some(Object::Vector(v)) => {
                let n = Value::Fixnum(v.items.len() as i64);
                let characters = v.characters;
                if v.fill_pointer.is_some() || v.adjustable {
                    let vector = sym(vm, "VECTOR")?;
                    let element = if characters {
                        sym(vm, "CHARACTER")?
                    } else {
                        vm.image.t()
                    };
                    vm.image.list(&[vector, element, n])?
                } else {
                    let vector = sym(vm, "SIMPLE-VECTOR")?;
                    vm.image.list(&[vector, n])?
                }
            }
            Some(Object::Array(array)) => {
                let dimensions: Vec<Value> = array
                    .dimensions
                    .iter()
                    .map(|n| Value::Fixnum(*n as i64))
                    .collect();
                let dimensions = vm.image.list(&dimensions)?;
                let (simple_array, t) = (sym(vm, "SIMPLE-ARRAY")?, vm.image.t());
                vm.image.list(&[simple_array, t, dimensions])?
            }
            Some(Object::HashTable(_)) => sym(vm, "HASH-TABLE")?,
            Some(Object::Closure(_) | Object::Builtin(_)) => sym(vm, "COMPILED-FUNCTION")?,
            Some(Object::Package(_)) => sym(vm, "PACKAGE")?,
            Some(Object::Condition(c)) => Value::Symbol(c.type_name),
            Some(Object::Stream(stream)) => {
                use super::super::stream::Stream;
                let name = match stream.as_made() {
                    Stream::TwoWay { .. } => "TWO-WAY-STREAM",
                    Stream::Synonym { .. } => "SYNONYM-STREAM",
                    Stream::Broadcast { .. } => "BROADCAST-STREAM",
                    Stream::Concatenated { .. } => "CONCATENATED-STREAM",
                    Stream::Echo { .. } => "ECHO-STREAM",
                    _ => "STREAM",
                };
                sym(vm, name)?
            }
            Some(Object::Struct(s)) => vm
                .image
                .list_to_vec(s.layout)
                .and_then(|layout| layout.first().copied())
                .unwrap_or(Value::Nil),
            Some(Object::Instance(i)) => match vm.image.object(i.class) {
                Some(Object::Instance(class)) => class.slots.first().copied().unwrap_or(Value::Nil),
                _ => Value::Nil,
            },
            Some(Object::Thread(_)) => {
                let swankd = vm.image.pkg.swankd;
                Value::Symbol(vm.image.intern("THREAD", swankd)?)
            }
            Some(Object::Lock(_)) => {
                let swankd = vm.image.pkg.swankd;
                Value::Symbol(vm.image.intern("MUTEX", swankd)?)
            }
            Some(Object::ConditionVariable(_)) => {
                let swankd = vm.image.pkg.swankd;
                Value::Symbol(vm.image.intern("WAITQUEUE", swankd)?)
            }
            Some(Object::RandomState(_)) => sym(vm, "RANDOM-STATE")?,
            Some(Object::Pathname(_)) => sym(vm, "PATHNAME")?,
            Some(Object::Port(port)) => {
                use super::super::object::NetworkPort;
                let name = match port {
                    NetworkPort::Listener(_) => "SOCKET-LISTENER",
                    NetworkPort::WebSocket(_) => "WEBSOCKET",
                    NetworkPort::WebSocketEndpoint(_) => "WEBSOCKET-ENDPOINT",
                };
                let swankd = vm.image.pkg.swankd;
                Value::Symbol(vm.image.intern(name, swankd)?)
            }
            Some(Object::Cell(_)) | None => sym(vm, "T")?,
        },
    };
    value(result)
}

fn positive_bignum(vm: &mut Vm) -> LispResult<Value> {
    let integer = sym(vm, "INTEGER")?;
    let low = super::super::number::integer_value(
        &mut vm.image,
        num_bigint::BigInt::from(MOST_POSITIVE_FIXNUM) + 1,
    )?;
    Ok(vm.image.list(&[integer, low])?)
}
