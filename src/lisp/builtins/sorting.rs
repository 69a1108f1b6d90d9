//! The fast path of `SORT` and `STABLE-SORT`: a list of real numbers ordered by `<`, `>`,
//! `<=` or `>=` with no key is sorted natively (stably, as `STABLE-SORT` requires), which
//! is what most sorts are. Everything else goes through the merge sort in the prelude.

use std::cmp::Ordering;

use super::super::error::LispResult;
use super::super::image::Image;
use super::super::number::compare_values;
use super::super::value::Value;
use super::{BuiltinTable, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%SORT-REALS", (2, Some(2)), |vm, _, a| {
        let image = &vm.image;
        let Some(descending) = numeric_order(image, a[1]) else {
            return value(Value::Symbol(vm.image.keyword("UNSORTED")?));
        };
        let Some(mut items) = image.list_to_vec(a[0]) else {
            return value(Value::Symbol(vm.image.keyword("UNSORTED")?));
        };
        let mut comparable = true;
        items.sort_by(|x, y| match compare_values(image, *x, *y) {
            Ok(Some(order)) => {
                if descending {
                    order.reverse()
                } else {
                    order
                }
            }
            _ => {
                comparable = false;
                Ordering::Equal
            }
        });
        if !comparable {
            return value(Value::Symbol(vm.image.keyword("UNSORTED")?));
        }
        value(vm.image.list(&items)?)
    })?;
    Ok(())
}

/// Whether `predicate` is the function `<`/`<=` (ascending, `Some(false)`) or `>`/`>=`
/// (descending, `Some(true)`) of COMMON-LISP, as an object or a symbol.
fn numeric_order(image: &Image, predicate: Value) -> Option<bool> {
    let cl = image.pkg.cl;
    for (name, descending) in [("<", false), ("<=", false), (">", true), (">=", true)] {
        let sym = image.packages.find_external(cl, name)?;
        let function = image.heap.symbol(sym).function;
        let same_object =
            matches!((predicate, function), (Value::Object(p), Value::Object(f)) if p == f);
        let same_symbol = matches!(predicate, Value::Symbol(s) if s == sym);
        if same_object || same_symbol {
            return Some(descending);
        }
    }
    None
}
