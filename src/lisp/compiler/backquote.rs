//! Backquote: turns a quasiquoted template into a form that builds it.

use super::super::error::{LispError, LispResult};
use super::super::value::Value;
use super::analyze::Analyzer;

impl Analyzer<'_> {
    /// The form that constructs `template` at nesting `depth` (1 = the outermost backquote).
    pub(super) fn backquote(&mut self, template: Value, depth: usize) -> LispResult<Value> {
        let compound = matches!(template, Value::Cons(_)) || self.vector_items(template).is_some();
        if !compound || !self.contains_unquote(template) {
            return self.quoted(template);
        }
        let s = self.image().sym;
        if let Some((head, arg)) = self.unary_form(template) {
            if head == s.unquote {
                if depth == 1 {
                    return Ok(arg);
                }
                let inner = self.backquote(arg, depth - 1)?;
                let head = self.quoted(Value::Symbol(s.unquote))?;
                return self.call("LIST", &[head, inner]);
            }
            if head == s.unquote_splicing && depth > 1 {
                let inner = self.backquote(arg, depth - 1)?;
                let head = self.quoted(Value::Symbol(s.unquote_splicing))?;
                return self.call("LIST", &[head, inner]);
            }
            if head == s.quasiquote {
                let inner = self.backquote(arg, depth + 1)?;
                let head = self.quoted(Value::Symbol(s.quasiquote))?;
                return self.call("LIST", &[head, inner]);
            }
            if head == s.unquote_splicing && depth == 1 {
                return Err(LispError::program(
                    ",@ after backquote is not inside a list",
                ));
            }
        }
        if let Some(items) = self.vector_items(template) {
            let list = self.image().list(&items)?;
            let built = self.backquote(list, depth)?;
            let vector = self.cl_function("VECTOR")?;
            return self.call("APPLY", &[vector, built]);
        }
        let mut segments = Vec::new();
        let mut rest = template;
        loop {
            match rest {
                Value::Nil => break,
                Value::Cons(r) => {
                    if let Some((head, arg)) = self.unary_form(rest)
                        && head == s.unquote
                        && depth == 1
                    {
                        segments.push(arg);
                        return self.call("APPEND", &segments);
                    }
                    let (item, cdr) = self.image().heap.car_cdr(r);
                    match self.unary_form(item) {
                        Some((head, arg)) if head == s.unquote_splicing && depth == 1 => {
                            segments.push(arg)
                        }
                        _ => {
                            let built = self.backquote(item, depth)?;
                            segments.push(self.call("LIST", &[built])?);
                        }
                    }
                    rest = cdr;
                }
                atom => {
                    segments.push(self.backquote(atom, depth)?);
                    return self.call("APPEND", &segments);
                }
            }
        }
        segments.push(Value::Nil);
        self.call("APPEND", &segments)
    }

    fn contains_unquote(&mut self, value: Value) -> bool {
        let s = self.image().sym;
        let mut pending = vec![value];
        let mut steps = 0usize;
        while let Some(v) = pending.pop() {
            steps += 1;
            if steps > 1_000_000 {
                return true;
            }
            match v {
                Value::Symbol(sym) if sym == s.unquote || sym == s.unquote_splicing => return true,
                Value::Cons(r) => {
                    let (car, cdr) = self.image().heap.car_cdr(r);
                    pending.push(car);
                    pending.push(cdr);
                }
                other => {
                    if let Some(items) = self.vector_items(other) {
                        pending.extend(items);
                    }
                }
            }
        }
        false
    }

    /// `(HEAD ARG)` for a two-element list whose head is a symbol.
    fn unary_form(&mut self, value: Value) -> Option<(super::super::value::SymRef, Value)> {
        let items = self.image().list_to_vec(value)?;
        match items.as_slice() {
            [Value::Symbol(head), arg] => Some((*head, *arg)),
            _ => None,
        }
    }

    fn vector_items(&mut self, value: Value) -> Option<Vec<Value>> {
        match self.image().object(value) {
            Some(super::super::object::Object::Vector(v)) => Some(v.items.clone()),
            _ => None,
        }
    }

    fn quoted(&mut self, value: Value) -> LispResult<Value> {
        match value {
            Value::Symbol(_) | Value::Cons(_) => {
                let quote = self.image().sym.quote;
                Ok(self.image().list(&[Value::Symbol(quote), value])?)
            }
            other => Ok(other),
        }
    }

    fn cl_function(&mut self, name: &str) -> LispResult<Value> {
        let cl = self.image().pkg.cl;
        let sym = self.image().intern(name, cl)?;
        let function = self.image().sym.function;
        Ok(self
            .image()
            .list(&[Value::Symbol(function), Value::Symbol(sym)])?)
    }

    fn call(&mut self, name: &str, args: &[Value]) -> LispResult<Value> {
        let cl = self.image().pkg.cl;
        let sym = self.image().intern(name, cl)?;
        let mut items = vec![Value::Symbol(sym)];
        items.extend_from_slice(args);
        Ok(self.image().list(&items)?)
    }
}
