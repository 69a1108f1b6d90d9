//! Hash tables.

use super::super::equality;
use super::super::error::{LispError, LispResult};
use super::super::hash_table::{HashTable, HashTest};
use super::super::image::Image;
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
        let (key, table) = (a[0], a[1]);
        let (hash, slot) = locate(&vm.image, table, key)?;
        if let (Some(slot), Some(Object::HashTable(t))) = (slot, vm.image.object_mut(table)) {
            t.remove_at(hash, slot);
        }
        value(vm.image.boolean(slot.is_some()))
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
    value(
        vm.image
            .heap
            .alloc(Object::HashTable(HashTable::new(test)))?,
    )
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
