//! Hash tables: making them (with their sizing arguments), looking keys up, and the
//! readers of a table's test, count and sizing.

use super::super::equality;
use super::super::error::{LispError, LispResult};
use super::super::hash_table::{HashTable, HashTest};
use super::super::hash_table_sizing::{RehashSize, Sizing};
use super::super::image::Image;
use super::super::number::Number;
use super::super::object::Object;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, keyword_arg, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    let swankd = image.pkg.swankd;
    table.define(image, cl, "MAKE-HASH-TABLE", (0, None), make_hash_table)?;
    table.define(image, cl, "GETHASH", (2, Some(3)), gethash)?;
    table.define(image, swankd, "%PUTHASH", (3, Some(3)), puthash)?;
    table.define(image, cl, "REMHASH", (2, Some(2)), |vm, _, a| {
        let removed = remove_key(&mut vm.image, a[1], a[0])?;
        value(vm.image.boolean(removed))
    })?;
    table.define(image, cl, "HASH-TABLE-COUNT", (1, Some(1)), |vm, _, a| {
        value(Value::Fixnum(entries(&vm.image, a[0])?.len() as i64))
    })?;
    table.define(image, cl, "SXHASH", (1, Some(1)), |vm, _, a| {
        let hash = crate::lisp::equality::hash_key(
            &vm.image,
            crate::lisp::hash_table::HashTest::Equal,
            a[0],
        );
        value(Value::Fixnum((hash & 0x3fff_ffff_ffff_ffff) as i64))
    })?;
    table.define(image, cl, "HASH-TABLE-TEST", (1, Some(1)), |vm, _, a| {
        let name = match vm.image.object(a[0]) {
            Some(Object::HashTable(table)) => match table.test {
                crate::lisp::hash_table::HashTest::Eq => "EQ",
                crate::lisp::hash_table::HashTest::Eql => "EQL",
                crate::lisp::hash_table::HashTest::Equal => "EQUAL",
                crate::lisp::hash_table::HashTest::Equalp => "EQUALP",
            },
            _ => return Err(LispError::type_error(a[0], "HASH-TABLE")),
        };
        let cl = vm.image.pkg.cl;
        value(Value::Symbol(vm.image.intern(name, cl)?))
    })?;
    table.define(image, cl, "HASH-TABLE-SIZE", (1, Some(1)), |vm, _, a| {
        let size = sizing(&vm.image, a[0])?.size;
        value(Value::Fixnum(i64::try_from(size).unwrap_or(i64::MAX)))
    })?;
    table.define(
        image,
        cl,
        "HASH-TABLE-REHASH-SIZE",
        (1, Some(1)),
        |vm, _, a| match sizing(&vm.image, a[0])?.rehash_size {
            RehashSize::Add(amount) => {
                value(Value::Fixnum(i64::try_from(amount).unwrap_or(i64::MAX)))
            }
            RehashSize::Scale(factor) => value(Value::Single(factor)),
        },
    )?;
    table.define(
        image,
        cl,
        "HASH-TABLE-REHASH-THRESHOLD",
        (1, Some(1)),
        |vm, _, a| value(Value::Single(sizing(&vm.image, a[0])?.rehash_threshold)),
    )?;
    table.define(image, cl, "HASH-TABLE-P", (1, Some(1)), |vm, _, a| {
        let is = matches!(vm.image.object(a[0]), Some(Object::HashTable(_)));
        value(vm.image.boolean(is))
    })?;
    table.define(image, cl, "CLRHASH", (1, Some(1)), |vm, _, a| {
        if let Some(Object::HashTable(t)) = vm.image.object_mut(a[0]) {
            t.clear();
        }
        value(a[0])
    })?;
    table.define(
        image,
        swankd,
        "%HASH-TABLE-ENTRIES",
        (1, Some(1)),
        |vm, _, a| {
            let pairs = entries(&vm.image, a[0])?;
            let mut conses = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                conses.push(vm.image.cons(k, v)?);
            }
            value(vm.image.list(&conses)?)
        },
    )?;
    Ok(())
}

fn entries(image: &Image, table: Value) -> LispResult<Vec<(Value, Value)>> {
    match image.object(table) {
        Some(Object::HashTable(t)) => Ok(t.entries()),
        _ => Err(LispError::type_error(table, "HASH-TABLE")),
    }
}

fn sizing(image: &Image, table: Value) -> LispResult<Sizing> {
    match image.object(table) {
        Some(Object::HashTable(t)) => Ok(t.sizing),
        _ => Err(LispError::type_error(table, "HASH-TABLE")),
    }
}

/// The sizing `MAKE-HASH-TABLE`'s `:SIZE`, `:REHASH-SIZE` and `:REHASH-THRESHOLD` ask for,
/// each checked against the type SBCL declares for it.
fn requested_sizing(vm: &mut Vm, a: &[Value]) -> LispResult<Sizing> {
    let defaults = Sizing::default();
    let size = match keyword_arg(&mut vm.image, a, "SIZE")? {
        None => defaults.size,
        Some(given @ Value::Fixnum(n)) => {
            usize::try_from(n).map_err(|_| LispError::type_error(given, "UNSIGNED-BYTE"))?
        }
        Some(other) => return Err(LispError::type_error(other, "UNSIGNED-BYTE")),
    };
    let rehash_size = match keyword_arg(&mut vm.image, a, "REHASH-SIZE")? {
        None => defaults.rehash_size,
        Some(given) => rehash_size(given)?,
    };
    let rehash_threshold = match keyword_arg(&mut vm.image, a, "REHASH-THRESHOLD")? {
        None => defaults.rehash_threshold,
        Some(given) => rehash_threshold(&vm.image, given)?,
    };
    Ok(Sizing::new(size, rehash_size, rehash_threshold))
}

fn rehash_size(given: Value) -> LispResult<RehashSize> {
    let wrong = || {
        LispError::type_error(
            given,
            "(OR (INTEGER 1) (SINGLE-FLOAT (1.0)) (DOUBLE-FLOAT (1.0d0)))",
        )
    };
    match given {
        Value::Fixnum(n) if n >= 1 => Ok(RehashSize::Add(n.unsigned_abs())),
        Value::Single(f) if f > 1.0 => Ok(RehashSize::Scale(f)),
        Value::Double(f) if f > 1.0 => Ok(RehashSize::Scale(f as f32)),
        _ => Err(wrong()),
    }
}

fn rehash_threshold(image: &Image, given: Value) -> LispResult<f32> {
    let wrong = || {
        LispError::type_error(
            given,
            "(OR (SINGLE-FLOAT 0.0 1.0) (DOUBLE-FLOAT 0.0d0 1.0d0) (RATIONAL 0 1))",
        )
    };
    let Some(number) = Number::from_value(image, given) else {
        return Err(wrong());
    };
    let threshold = number.to_f64();
    if !(0.0..=1.0).contains(&threshold) {
        return Err(wrong());
    }
    Ok(threshold as f32)
}

fn make_hash_table(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let test = match keyword_arg(&mut vm.image, a, "TEST")? {
        None => HashTest::Eql,
        Some(designator) => {
            let sym = match vm.image.object(designator) {
                Some(Object::Builtin(b)) => Some(b.name),
                _ => vm.image.as_symbol(designator),
            };
            let name = sym
                .map(|s| vm.image.symbol_name(s).to_string())
                .unwrap_or_default();
            match name.as_str() {
                "EQ" => HashTest::Eq,
                "EQL" => HashTest::Eql,
                "EQUAL" => HashTest::Equal,
                "EQUALP" => HashTest::Equalp,
                _ => return Err(LispError::simple(format!("Unknown hash table test {name}"))),
            }
        }
    };
    let mut table = HashTable::new(test);
    table.sizing = requested_sizing(vm, a)?;
    value(vm.image.heap.alloc(Object::HashTable(Box::new(table)))?)
}

/// `REMHASH`: removes `key`'s entry from `table`; whether there was one.
pub fn remove_key(image: &mut Image, table: Value, key: Value) -> LispResult<bool> {
    let (hash, slot) = locate(image, table, key)?;
    if let (Some(slot), Some(Object::HashTable(t))) = (slot, image.object_mut(table)) {
        t.remove_at(hash, slot);
    }
    Ok(slot.is_some())
}

/// The key's hash and the slot holding it, if present.
fn locate(image: &Image, table: Value, key: Value) -> LispResult<(u64, Option<u32>)> {
    let Some(Object::HashTable(t)) = image.object(table) else {
        return Err(LispError::type_error(table, "HASH-TABLE"));
    };
    let hash = equality::hash_key(image, t.test, key);
    let slot = t.find(hash, |k| equality::same_key(image, t.test, k, key));
    Ok((hash, slot))
}

fn gethash(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let (key, table) = (a[0], a[1]);
    let (_, slot) = locate(&vm.image, table, key)?;
    let found = match (slot, vm.image.object(table)) {
        (Some(slot), Some(Object::HashTable(t))) => t.value_at(slot),
        _ => None,
    };
    let result = found.unwrap_or(a.get(2).copied().unwrap_or(Value::Nil));
    thread.mv = Some(smallvec::smallvec![
        result,
        vm.image.boolean(found.is_some())
    ]);
    value(result)
}

fn puthash(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let (key, table, new_value) = (a[0], a[1], a[2]);
    let (hash, slot) = locate(&vm.image, table, key)?;
    if slot.is_none() {
        vm.image.heap.grew(48)?;
    }
    if let Some(Object::HashTable(t)) = vm.image.object_mut(table) {
        match slot {
            Some(slot) => t.set_value_at(slot, new_value),
            None => t.insert_new(hash, key, new_value),
        }
    }
    value(new_value)
}
