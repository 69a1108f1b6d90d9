//! Conses and lists.

use super::super::equality;
use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, expect_index, expect_list, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "CONS", (2, Some(2)), |vm, _, a| {
        value(vm.image.cons(a[0], a[1])?)
    })?;
    table.define(image, cl, "CAR", (1, Some(1)), |vm, _, a| {
        value(car(&vm.image, a[0])?)
    })?;
    table.define(image, cl, "CDR", (1, Some(1)), |vm, _, a| {
        value(cdr(&vm.image, a[0])?)
    })?;
    table.define(image, cl, "FIRST", (1, Some(1)), |vm, _, a| {
        value(car(&vm.image, a[0])?)
    })?;
    table.define(image, cl, "REST", (1, Some(1)), |vm, _, a| {
        value(cdr(&vm.image, a[0])?)
    })?;
    table.define(image, cl, "SECOND", (1, Some(1)), |vm, _, a| {
        value(nth(&vm.image, 1, a[0])?)
    })?;
    table.define(image, cl, "THIRD", (1, Some(1)), |vm, _, a| {
        value(nth(&vm.image, 2, a[0])?)
    })?;
    table.define(image, cl, "CADR", (1, Some(1)), |vm, _, a| {
        value(nth(&vm.image, 1, a[0])?)
    })?;
    table.define(image, cl, "CDDR", (1, Some(1)), |vm, _, a| {
        let rest = cdr(&vm.image, a[0])?;
        value(cdr(&vm.image, rest)?)
    })?;
    table.define(image, cl, "CAAR", (1, Some(1)), |vm, _, a| {
        let first = car(&vm.image, a[0])?;
        value(car(&vm.image, first)?)
    })?;
    table.define(image, cl, "CDAR", (1, Some(1)), |vm, _, a| {
        let first = car(&vm.image, a[0])?;
        value(cdr(&vm.image, first)?)
    })?;
    table.define(image, cl, "NTH", (2, Some(2)), |vm, _, a| {
        value(nth(&vm.image, expect_index(a[0])?, a[1])?)
    })?;
    table.define(image, cl, "NTHCDR", (2, Some(2)), |vm, _, a| {
        let mut rest = a[1];
        for _ in 0..expect_index(a[0])? {
            rest = cdr(&vm.image, rest)?;
            if rest.is_nil() {
                break;
            }
        }
        value(rest)
    })?;
    table.define(image, cl, "LIST", (0, None), |vm, _, a| {
        value(vm.image.list(a)?)
    })?;
    table.define(image, cl, "LIST*", (1, None), |vm, _, a| {
        let (last, items) = a.split_last().unwrap_or((&Value::Nil, &[]));
        value(vm.image.list_with_tail(items, *last)?)
    })?;
    table.define(image, cl, "APPEND", (0, None), append)?;
    table.define(image, cl, "COPY-LIST", (1, Some(1)), |vm, _, a| {
        // A dotted list keeps its final atom.
        let mut items = Vec::new();
        let mut rest = a[0];
        while let Value::Cons(r) = rest {
            let (car, cdr) = vm.image.heap.car_cdr(r);
            items.push(car);
            rest = cdr;
        }
        if items.is_empty() {
            expect_list(&vm.image, rest)?;
        }
        value(vm.image.list_with_tail(&items, rest)?)
    })?;
    table.define(image, cl, "LAST", (1, Some(2)), |vm, _, a| {
        let n = match a.get(1) {
            Some(v) => expect_index(*v)?,
            None => 1,
        };
        let mut conses = Vec::new();
        let mut rest = a[0];
        // `slow` moves at half speed: meeting it means the list is circular, which would
        // otherwise collect conses until memory ran out.
        let mut slow = a[0];
        while let Value::Cons(r) = rest {
            conses.push(rest);
            rest = vm.image.heap.car_cdr(r).1;
            if conses.len() % 2 == 0
                && let Value::Cons(s) = slow
            {
                slow = vm.image.heap.car_cdr(s).1;
            }
            if matches!((rest, slow), (Value::Cons(fast), Value::Cons(slow)) if fast == slow) {
                return Err(LispError::type_error(a[0], "LIST"));
            }
        }
        if n == 0 {
            return value(rest);
        }
        value(if n >= conses.len() {
            a[0]
        } else {
            conses[conses.len() - n]
        })
    })?;
    table.define(image, cl, "RPLACA", (2, Some(2)), |vm, _, a| {
        let Value::Cons(r) = a[0] else {
            return Err(LispError::type_error(a[0], "CONS"));
        };
        vm.image.heap.set_car(r, a[1]);
        value(a[0])
    })?;
    table.define(image, cl, "RPLACD", (2, Some(2)), |vm, _, a| {
        let Value::Cons(r) = a[0] else {
            return Err(LispError::type_error(a[0], "CONS"));
        };
        vm.image.heap.set_cdr(r, a[1]);
        value(a[0])
    })?;
    table.define(image, cl, "CONSP", (1, Some(1)), |vm, _, a| {
        value(vm.image.boolean(matches!(a[0], Value::Cons(_))))
    })?;
    table.define(image, cl, "LISTP", (1, Some(1)), |vm, _, a| {
        value(vm.image.boolean(a[0].is_list()))
    })?;
    table.define(image, cl, "ATOM", (1, Some(1)), |vm, _, a| {
        value(vm.image.boolean(!matches!(a[0], Value::Cons(_))))
    })?;
    table.define(image, cl, "NULL", (1, Some(1)), |vm, _, a| {
        value(vm.image.boolean(a[0].is_nil()))
    })?;
    table.define(image, cl, "NOT", (1, Some(1)), |vm, _, a| {
        value(vm.image.boolean(a[0].is_nil()))
    })?;
    table.define(image, cl, "ENDP", (1, Some(1)), |vm, _, a| match a[0] {
        Value::Nil => value(vm.image.t()),
        Value::Cons(_) => value(Value::Nil),
        other => Err(LispError::type_error(other, "LIST")),
    })?;
    table.define(image, cl, "EQ", (2, Some(2)), |vm, _, a| {
        value(vm.image.boolean(a[0].eq(a[1])))
    })?;
    table.define(image, cl, "EQL", (2, Some(2)), |vm, _, a| {
        value(vm.image.boolean(equality::eql(&vm.image, a[0], a[1])))
    })?;
    table.define(image, cl, "EQUAL", (2, Some(2)), |vm, _, a| {
        value(vm.image.boolean(equality::equal(&vm.image, a[0], a[1])))
    })?;
    table.define(image, cl, "EQUALP", (2, Some(2)), |vm, _, a| {
        value(vm.image.boolean(equality::equalp(&vm.image, a[0], a[1])))
    })?;
    table.define(image, cl, "GETF", (2, Some(3)), |vm, _, a| {
        let items = expect_list(&vm.image, a[0])?;
        let found = items
            .chunks(2)
            .find(|pair| pair[0].eq(a[1]))
            .and_then(|pair| pair.get(1).copied());
        value(found.unwrap_or(a.get(2).copied().unwrap_or(Value::Nil)))
    })?;
    Ok(())
}

pub fn car(image: &Image, v: Value) -> LispResult<Value> {
    image.car(v).ok_or_else(|| LispError::type_error(v, "LIST"))
}

pub fn cdr(image: &Image, v: Value) -> LispResult<Value> {
    image.cdr(v).ok_or_else(|| LispError::type_error(v, "LIST"))
}

fn nth(image: &Image, n: usize, list: Value) -> LispResult<Value> {
    let mut rest = list;
    for _ in 0..n {
        rest = cdr(image, rest)?;
        if rest.is_nil() {
            return Ok(Value::Nil);
        }
    }
    car(image, rest)
}

fn append(vm: &mut Vm, _: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    let Some((last, lists)) = args.split_last() else {
        return value(Value::Nil);
    };
    let mut items = Vec::new();
    for list in lists {
        items.extend(expect_list(&vm.image, *list)?);
    }
    value(vm.image.list_with_tail(&items, *last)?)
}
