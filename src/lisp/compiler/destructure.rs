//! Macro lambda lists and `DESTRUCTURING-BIND`: nested patterns, `&whole`, `&optional`,
//! `&rest`/`&body`, `&key`, `&environment`, lowered to sequential bindings.

use super::super::error::{LispError, LispResult};
use super::super::value::{SymRef, Value};
use super::analyze::{Analyzer, strip_docstring};
use super::ir::{Binding, Node, Params, Primitive, VarId};

#[derive(PartialEq, Clone, Copy)]
enum Section {
    Required,
    Optional,
    Rest,
    Key,
    Aux,
}

type Bindings = Vec<(Binding, Node)>;

impl Analyzer<'_> {
    /// The expander function of `(defmacro NAME LAMBDA-LIST . BODY)`: a function of the whole
    /// form and an environment.
    pub(super) fn macro_function(
        &mut self,
        name: SymRef,
        lambda_list: Value,
        body: &[Value],
    ) -> LispResult<Node> {
        self.lambda_with(Value::Symbol(name), |this| {
            let form = this.new_var();
            let env = this.new_var();
            let params = Params {
                required: vec![form, env],
                ..Default::default()
            };
            let body = strip_docstring(this, body);
            let node = this.with_scope(|this| {
                let mut bindings = Vec::new();
                let args = this.temp(
                    Node::Primitive(Primitive::Cdr, vec![Node::Var(form)]),
                    &mut bindings,
                );
                this.destructure(lambda_list, args, form, Some(env), &mut bindings)?;
                let body = this.block_body(name, body)?;
                Ok(nest(bindings, body))
            })?;
            Ok((params, node))
        })
    }

    /// `(destructuring-bind LAMBDA-LIST EXPRESSION . BODY)`.
    pub(super) fn destructuring_bind(&mut self, args: Value) -> LispResult<Node> {
        let items = self.list(args, "DESTRUCTURING-BIND")?;
        if items.len() < 2 {
            return Err(LispError::program(
                "DESTRUCTURING-BIND needs a lambda list and a form",
            ));
        }
        let value = self.form(items[1])?;
        self.with_scope(|this| {
            let mut bindings = Vec::new();
            let whole = this.temp(value, &mut bindings);
            this.destructure(items[0], whole, whole, None, &mut bindings)?;
            let body = this.body(&items[2..])?;
            Ok(nest(bindings, body))
        })
    }

    fn temp(&mut self, init: Node, bindings: &mut Bindings) -> VarId {
        let var = self.new_var();
        bindings.push((Binding::Lexical(var), init));
        var
    }

    fn bind_sequential(
        &mut self,
        sym: SymRef,
        init: Node,
        bindings: &mut Bindings,
    ) -> LispResult<()> {
        let binding = self.bind_name(sym, &[])?;
        self.push_binding(sym, binding);
        bindings.push((binding, init));
        Ok(())
    }

    fn helper(&mut self, name: &str, args: Vec<Node>) -> LispResult<Node> {
        let sym = self.internal_symbol(name)?;
        Ok(Node::CallGlobal(sym, args))
    }

    /// Binds the variables of `pattern` against the list in `source`.
    fn destructure(
        &mut self,
        pattern: Value,
        source: VarId,
        whole: VarId,
        env: Option<VarId>,
        bindings: &mut Bindings,
    ) -> LispResult<()> {
        let s = self.image().sym;
        let mut cursor = source;
        let mut section = Section::Required;
        let mut rest_seen = false;
        let mut keys: Vec<SymRef> = Vec::new();
        let mut allow_other_keys = false;
        let mut pattern_rest = pattern;
        let mut first = true;
        loop {
            let item = match pattern_rest {
                Value::Nil => break,
                Value::Cons(r) => {
                    let (car, cdr) = self.image().heap.car_cdr(r);
                    pattern_rest = cdr;
                    car
                }
                Value::Symbol(sym) => {
                    self.bind_sequential(sym, Node::Var(cursor), bindings)?;
                    rest_seen = true;
                    break;
                }
                _ => return Err(LispError::program("malformed destructuring lambda list")),
            };
            if let Value::Symbol(sym) = item {
                if sym == s.whole {
                    if !first {
                        return Err(LispError::program(
                            "&WHOLE must come first in a lambda list",
                        ));
                    }
                    let target = self.next_pattern_item(&mut pattern_rest)?;
                    self.bind_pattern(target, Node::Var(whole), whole, bindings)?;
                    first = false;
                    continue;
                }
                first = false;
                let next = if sym == s.optional {
                    Some(Section::Optional)
                } else if sym == s.rest || sym == s.body {
                    Some(Section::Rest)
                } else if sym == s.key {
                    Some(Section::Key)
                } else if sym == s.aux {
                    Some(Section::Aux)
                } else if sym == s.allow_other_keys {
                    allow_other_keys = true;
                    continue;
                } else if sym == s.environment {
                    let target = self.next_pattern_item(&mut pattern_rest)?;
                    let init = env.map(Node::Var).unwrap_or(Node::Const(Value::Nil));
                    self.bind_pattern(target, init, whole, bindings)?;
                    continue;
                } else {
                    None
                };
                if let Some(next) = next {
                    section = next;
                    continue;
                }
            }
            first = false;
            match section {
                Section::Required => {
                    let value =
                        self.helper("%DL-CAR", vec![Node::Var(cursor), Node::Var(whole)])?;
                    self.bind_pattern(item, value, whole, bindings)?;
                    cursor = self.temp(
                        Node::Primitive(Primitive::Cdr, vec![Node::Var(cursor)]),
                        bindings,
                    );
                }
                Section::Optional => {
                    let (target, default, supplied) = self.optional_spec(item)?;
                    let default = self.form(default)?;
                    if let Some(sp) = supplied {
                        let test = Node::Primitive(
                            Primitive::Not,
                            vec![Node::Primitive(Primitive::Not, vec![Node::Var(cursor)])],
                        );
                        self.bind_sequential(sp, test, bindings)?;
                    }
                    let value = Node::If(
                        Box::new(Node::Var(cursor)),
                        Box::new(
                            self.helper("%DL-CAR", vec![Node::Var(cursor), Node::Var(whole)])?,
                        ),
                        Box::new(default),
                    );
                    self.bind_pattern(target, value, whole, bindings)?;
                    cursor = self.temp(
                        Node::Primitive(Primitive::Cdr, vec![Node::Var(cursor)]),
                        bindings,
                    );
                }
                Section::Rest => {
                    self.bind_pattern(item, Node::Var(cursor), whole, bindings)?;
                    rest_seen = true;
                }
                Section::Key => {
                    let (keyword, target, default, supplied) = self.destructuring_key_spec(item)?;
                    keys.push(keyword);
                    let found = self.helper(
                        "%DL-KEY",
                        vec![Node::Var(cursor), Node::Const(Value::Symbol(keyword))],
                    )?;
                    let found = self.temp(found, bindings);
                    let missing = Node::Primitive(
                        Primitive::Eq,
                        vec![Node::Var(found), Node::Const(Value::Unbound)],
                    );
                    if let Some(sp) = supplied {
                        self.bind_sequential(
                            sp,
                            Node::Primitive(Primitive::Not, vec![missing.clone()]),
                            bindings,
                        )?;
                    }
                    let default = self.form(default)?;
                    let value = Node::If(
                        Box::new(missing),
                        Box::new(default),
                        Box::new(Node::Var(found)),
                    );
                    self.bind_pattern(target, value, whole, bindings)?;
                    rest_seen = true;
                }
                Section::Aux => {
                    let (target, init, _) = self.optional_spec(item)?;
                    let init = self.form(init)?;
                    self.bind_pattern(target, init, whole, bindings)?;
                }
            }
        }
        if section == Section::Key || !keys.is_empty() {
            let keys = self
                .image()
                .list(&keys.iter().map(|k| Value::Symbol(*k)).collect::<Vec<_>>())?;
            let allow = self.image().boolean(allow_other_keys);
            let check = self.helper(
                "%DL-CHECK-KEYS",
                vec![
                    Node::Var(cursor),
                    Node::Const(keys),
                    Node::Const(allow),
                    Node::Var(whole),
                ],
            )?;
            self.temp(check, bindings);
        } else if !rest_seen {
            let check = self.helper("%DL-END", vec![Node::Var(cursor), Node::Var(whole)])?;
            self.temp(check, bindings);
        }
        Ok(())
    }

    fn next_pattern_item(&mut self, rest: &mut Value) -> LispResult<Value> {
        match *rest {
            Value::Cons(r) => {
                let (car, cdr) = self.image().heap.car_cdr(r);
                *rest = cdr;
                Ok(car)
            }
            _ => Err(LispError::program(
                "a lambda-list keyword is missing its variable",
            )),
        }
    }

    /// Binds a symbol, or destructures a nested pattern.
    fn bind_pattern(
        &mut self,
        target: Value,
        init: Node,
        whole: VarId,
        bindings: &mut Bindings,
    ) -> LispResult<()> {
        match target {
            Value::Symbol(sym) => self.bind_sequential(sym, init, bindings),
            Value::Nil => {
                self.temp(init, bindings);
                Ok(())
            }
            Value::Cons(_) => {
                let source = self.temp(init, bindings);
                self.destructure(target, source, whole, None, bindings)
            }
            _ => Err(LispError::program("malformed destructuring lambda list")),
        }
    }

    fn optional_spec(&mut self, item: Value) -> LispResult<(Value, Value, Option<SymRef>)> {
        match item {
            Value::Symbol(_) => Ok((item, Value::Nil, None)),
            _ => {
                let parts = self.list(item, "a parameter specification")?;
                let supplied = parts.get(2).and_then(|v| self.symbol_of(*v));
                Ok((
                    parts.first().copied().unwrap_or(Value::Nil),
                    parts.get(1).copied().unwrap_or(Value::Nil),
                    supplied,
                ))
            }
        }
    }

    fn destructuring_key_spec(
        &mut self,
        item: Value,
    ) -> LispResult<(SymRef, Value, Value, Option<SymRef>)> {
        let (head, default, supplied) = self.optional_spec(item)?;
        match head {
            Value::Symbol(sym) => {
                let name = self.image().symbol_name(sym);
                let keyword = self.image().keyword(&name)?;
                Ok((keyword, head, default, supplied))
            }
            _ => {
                let parts = self.list(head, "a (KEYWORD VAR) pair")?;
                let keyword = parts
                    .first()
                    .and_then(|v| self.symbol_of(*v))
                    .ok_or_else(|| LispError::program("malformed keyword parameter"))?;
                Ok((
                    keyword,
                    parts.get(1).copied().unwrap_or(Value::Nil),
                    default,
                    supplied,
                ))
            }
        }
    }
}

/// Sequential bindings around a body, innermost last.
fn nest(bindings: Bindings, body: Node) -> Node {
    bindings
        .into_iter()
        .rev()
        .fold(body, |acc, binding| Node::Let(vec![binding], Box::new(acc)))
}
