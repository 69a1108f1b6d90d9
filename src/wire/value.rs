//! Helpers for `lexpr::Value` trees that are safe on any shape.
//!
//! `lexpr::Value` frees its cons cells recursively: dropping a list of about 15 000 elements
//! overflows a 2 MiB thread stack in a debug build (measured). Everything the network side
//! throws away goes through [`dispose`], which frees a tree with an explicit stack instead.

use lexpr::Value;

/// Frees `value` without recursing on the native stack, whatever its length or depth.
pub fn dispose(value: Value) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::Cons(pair) => {
                let (car, cdr) = pair.into_pair();
                pending.push(cdr);
                pending.push(car);
            }
            Value::Vector(items) => pending.extend(items.into_vec()),
            _ => {}
        }
    }
}

/// The elements of a proper list (`nil`/`()` is the empty list), or `None` for anything else
/// (an atom or a dotted list).
pub fn list_elements(value: &Value) -> Option<Vec<&Value>> {
    let mut elements = Vec::new();
    let mut rest = value;
    loop {
        match rest {
            Value::Cons(pair) => {
                elements.push(pair.car());
                rest = pair.cdr();
            }
            Value::Null | Value::Nil => return Some(elements),
            _ => return None,
        }
    }
}

/// Takes a proper list apart into its elements; a dotted list or an atom comes back unchanged
/// as the error.
pub fn into_list_elements(value: Value) -> Result<Vec<Value>, Value> {
    if list_elements(&value).is_none() {
        return Err(value);
    }
    let mut elements = Vec::new();
    let mut rest = value;
    while let Value::Cons(pair) = rest {
        let (car, cdr) = pair.into_pair();
        elements.push(car);
        rest = cdr;
    }
    Ok(elements)
}

/// Builds a list from `elements` ending in `tail` (`Value::Null` for a proper list).
pub fn list_with_tail(elements: Vec<Value>, tail: Value) -> Value {
    elements
        .into_iter()
        .rev()
        .fold(tail, |rest, element| Value::cons(element, rest))
}

/// Builds a proper list from `elements`; no elements give `Value::Nil`.
pub fn list(elements: Vec<Value>) -> Value {
    if elements.is_empty() {
        Value::Nil
    } else {
        list_with_tail(elements, Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long_list(length: usize) -> Value {
        (0..length).fold(Value::Null, |rest, n| Value::cons(n as i64, rest))
    }

    #[test]
    fn dispose_frees_a_list_too_long_for_recursive_drop() {
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| dispose(long_list(200_000)))
            .unwrap();
        handle.join().unwrap();
    }

    #[test]
    fn dispose_frees_deep_nesting() {
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let mut value = Value::Nil;
                for _ in 0..200_000 {
                    value = Value::cons(value, Value::Null);
                }
                dispose(Value::Vector(vec![value].into_boxed_slice()));
            })
            .unwrap();
        handle.join().unwrap();
    }

    #[test]
    fn list_elements_accepts_proper_lists_only() {
        let proper = list(vec![Value::from(1), Value::from(2)]);
        assert_eq!(list_elements(&proper).unwrap().len(), 2);
        assert_eq!(list_elements(&Value::Nil).unwrap().len(), 0);
        let dotted = Value::cons(1, 2);
        assert!(list_elements(&dotted).is_none());
        assert!(into_list_elements(dotted).is_err());
        assert!(list_elements(&Value::from(3)).is_none());
    }

    #[test]
    fn into_list_elements_round_trips() {
        let elements = vec![Value::from(1), Value::symbol("a"), Value::string("s")];
        let value = list(elements.clone());
        assert_eq!(into_list_elements(value).unwrap(), elements);
    }
}
