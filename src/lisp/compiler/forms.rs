//! The special forms, and the defining forms the compiler lowers to calls of internal functions.

use super::super::error::{LispError, LispResult};
use super::super::value::{SymRef, Value};
use super::analyze::{Analyzer, strip_docstring};
use super::ir::{Binding, Node, VarId};

impl Analyzer<'_> {
    /// Analyzes `form` if its operator `sym` is a special form; `None` otherwise.
    pub(super) fn special_form(
        &mut self,
        sym: SymRef,
        form: Value,
        args: Value,
    ) -> LispResult<Option<Node>> {
        let s = self.image().sym;
        let node = if sym == s.quote {
            let items = self.exact_args(args, 1, "QUOTE")?;
            Node::Const(items[0])
        } else if sym == s.function {
            let items = self.exact_args(args, 1, "FUNCTION")?;
            self.function_form(items[0])?
        } else if sym == s.if_ {
            let items = self.list(args, "IF")?;
            if items.len() < 2 || items.len() > 3 {
                return Err(LispError::program(format!(
                    "error while parsing arguments to special operator IF:\n  invalid number of elements in\n    {}\n  to satisfy lambda list\n    (TEST THEN &OPTIONAL ELSE):\n  between 2 and 3 expected, but got {}",
                    super::super::print::prin1_to_string(self.image(), args),
                    items.len()
                )));
            }
            let test = self.form(items[0])?;
            let then = self.form(items[1])?;
            let otherwise = match items.get(2) {
                Some(form) => self.form(*form)?,
                None => Node::Const(Value::Nil),
            };
            Node::If(Box::new(test), Box::new(then), Box::new(otherwise))
        } else if sym == s.progn || sym == s.locally {
            let items = self.list(args, "PROGN")?;
            self.body(&items)?
        } else if sym == s.eval_when {
            let items = self.list(args, "EVAL-WHEN")?;
            self.body(items.get(1..).unwrap_or(&[]))?
        } else if sym == s.the {
            let items = self.exact_args(args, 2, "THE")?;
            self.form(items[1])?
        } else if sym == s.let_ {
            self.let_form(args, false)?
        } else if sym == s.let_star {
            self.let_form(args, true)?
        } else if sym == s.lambda {
            self.lambda_expression(form, Value::Nil)?
        } else if sym == s.named_lambda {
            let items = self.list(args, "NAMED-LAMBDA")?;
            let name = items.first().copied().unwrap_or(Value::Nil);
            let lambda_list = items.get(1).copied().unwrap_or(Value::Nil);
            let block = self.image().as_symbol(name);
            self.lambda(name, lambda_list, items.get(2..).unwrap_or(&[]), block)?
        } else if sym == s.setq {
            self.setq(args)?
        } else if sym == s.block {
            let items = self.list(args, "BLOCK")?;
            let name = self.name_symbol(items.first().copied(), "BLOCK")?;
            self.block_body(name, &items[1..])?
        } else if sym == s.return_from {
            let items = self.list(args, "RETURN-FROM")?;
            let name = self.name_symbol(items.first().copied(), "RETURN-FROM")?;
            let value = match items.get(1) {
                Some(v) => self.form(*v)?,
                None => Node::Const(Value::Nil),
            };
            self.return_from(name, value)?
        } else if sym == s.flet {
            self.local_functions(args, false)?
        } else if sym == s.labels {
            self.local_functions(args, true)?
        } else if sym == s.macrolet {
            self.macrolet(args)?
        } else if sym == s.symbol_macrolet {
            self.symbol_macrolet(args)?
        } else if sym == s.multiple_value_list {
            let items = self.exact_args(args, 1, "MULTIPLE-VALUE-LIST")?;
            Node::MultipleValueList(Box::new(self.form(items[0])?))
        } else if sym == s.quasiquote {
            let items = self.exact_args(args, 1, "QUASIQUOTE")?;
            let expansion = self.backquote(items[0], 1)?;
            self.form(expansion)?
        } else if sym == s.catch {
            let items = self.list(args, "CATCH")?;
            let Some(tag) = items.first() else {
                return Err(LispError::program("CATCH needs a tag"));
            };
            let tag = self.form(*tag)?;
            let body = self.body(&items[1..])?;
            Node::Catch(Box::new(tag), Box::new(body))
        } else if sym == s.throw {
            let items = self.exact_args(args, 2, "THROW")?;
            let tag = self.form(items[0])?;
            let value = self.form(items[1])?;
            Node::Throw(Box::new(tag), Box::new(value))
        } else if sym == s.unwind_protect {
            let items = self.list(args, "UNWIND-PROTECT")?;
            let Some(protected) = items.first() else {
                return Err(LispError::program("UNWIND-PROTECT needs a protected form"));
            };
            let protected = self.form(*protected)?;
            let cleanup_forms = items[1..].to_vec();
            let cleanup = self.lambda_with(Value::Nil, |this| {
                let body = this.body(&cleanup_forms)?;
                Ok((Default::default(), body))
            })?;
            Node::UnwindProtect(Box::new(protected), Box::new(cleanup))
        } else if sym == s.multiple_value_prog1 {
            let items = self.list(args, "MULTIPLE-VALUE-PROG1")?;
            let Some(first) = items.first() else {
                return Err(LispError::program("MULTIPLE-VALUE-PROG1 needs a form"));
            };
            let first = self.form(*first)?;
            let rest = items[1..]
                .iter()
                .map(|f| self.form(*f))
                .collect::<LispResult<Vec<_>>>()?;
            Node::MultipleValueProg1(Box::new(first), rest)
        } else if sym == s.tagbody {
            let items = self.list(args, "TAGBODY")?;
            self.tagbody(&items)?
        } else if sym == s.go {
            let items = self.exact_args(args, 1, "GO")?;
            self.go(items[0])?
        } else if sym == s.loop_forever {
            let items = self.list(args, "%LOOP")?;
            Node::Loop(Box::new(self.body(&items)?))
        } else if sym == s.destructuring_bind {
            self.destructuring_bind(args)?
        } else if sym == s.defun {
            self.defun(args)?
        } else if sym == s.defmacro {
            self.defmacro(args)?
        } else if sym == s.defvar || sym == s.defparameter || sym == s.defconstant {
            self.defvar(sym, args)?
        } else if sym == s.declare {
            return Err(LispError::program(
                "There is no function named DECLARE. References to DECLARE in some contexts (like starts of blocks) are unevaluated expressions, but here the expression is being evaluated, which invokes undefined behaviour.",
            ));
        } else {
            return Ok(None);
        };
        Ok(Some(node))
    }

    fn exact_args(&mut self, args: Value, count: usize, operator: &str) -> LispResult<Vec<Value>> {
        let items = self.list(args, operator)?;
        if items.len() != count {
            return Err(LispError::program(format!(
                "{operator} takes {count} argument{}, but {} were given",
                if count == 1 { "" } else { "s" },
                items.len()
            )));
        }
        Ok(items)
    }

    pub(super) fn name_symbol(
        &mut self,
        value: Option<Value>,
        operator: &str,
    ) -> LispResult<SymRef> {
        value
            .and_then(|v| self.symbol_of(v))
            .ok_or_else(|| LispError::program(format!("{operator} needs a symbol as its name")))
    }

    /// `NAME` of a function name `(SETF NAME)`.
    pub(super) fn setf_function_name(&mut self, spec: Value) -> Option<SymRef> {
        let items = self.image().list_to_vec(spec)?;
        let cl = self.image().pkg.cl;
        let setf = self.image().packages.find_external(cl, "SETF")?;
        match items.as_slice() {
            [Value::Symbol(head), Value::Symbol(name)] if *head == setf => Some(*name),
            _ => None,
        }
    }

    fn function_form(&mut self, spec: Value) -> LispResult<Node> {
        if let Value::Symbol(sym) = spec {
            if let Some(var) = self.local_function(sym) {
                return Ok(Node::Var(var));
            }
            return Ok(Node::Function(sym));
        }
        if let Some(name) = self.setf_function_name(spec) {
            return Ok(Node::Function(self.image().setf_function_symbol(name)?));
        }
        let s = self.image().sym;
        match self.image().car(spec) {
            Some(Value::Symbol(head)) if head == s.lambda => {
                self.lambda_expression(spec, Value::Nil)
            }
            Some(Value::Symbol(head)) if head == s.named_lambda => {
                let items = self.list(spec, "NAMED-LAMBDA")?;
                let name = items.get(1).copied().unwrap_or(Value::Nil);
                let lambda_list = items.get(2).copied().unwrap_or(Value::Nil);
                let block = self.image().as_symbol(name);
                self.lambda(name, lambda_list, items.get(3..).unwrap_or(&[]), block)
            }
            _ => {
                let text = super::super::print::prin1_to_string(self.image(), spec);
                Err(LispError::unsupported(format!("function name {text}")))
            }
        }
    }

    fn let_form(&mut self, args: Value, sequential: bool) -> LispResult<Node> {
        let items = self.list(args, "LET")?;
        let Some(bindings_form) = items.first().copied() else {
            return Err(LispError::program("LET needs a binding list"));
        };
        let body = &items[1..];
        let specs = self.list(bindings_form, "the LET binding list")?;
        let local_specials = self.local_specials(body);
        self.with_scope(|this| {
            let mut pairs: Vec<(SymRef, Binding, Node)> = Vec::new();
            let mut pending: Vec<(SymRef, Binding)> = Vec::new();
            for spec in specs {
                let (sym, init) = this.binding_spec(spec)?;
                let init = this.form(init)?;
                let binding = this.bind_name(sym, &local_specials)?;
                if sequential {
                    this.push_binding(sym, binding);
                } else {
                    pending.push((sym, binding));
                }
                pairs.push((sym, binding, init));
            }
            for (sym, binding) in pending {
                this.push_binding(sym, binding);
            }
            for sym in &local_specials {
                this.push_binding(*sym, Binding::Special(*sym));
            }
            let body = this.body(body)?;
            if sequential {
                Ok(pairs
                    .into_iter()
                    .rev()
                    .fold(body, |acc, (_, binding, init)| {
                        Node::Let(vec![(binding, init)], Box::new(acc))
                    }))
            } else {
                let bindings = pairs.into_iter().map(|(_, b, init)| (b, init)).collect();
                Ok(Node::Let(bindings, Box::new(body)))
            }
        })
    }

    /// `VAR`, `(VAR)` or `(VAR INIT)`.
    fn binding_spec(&mut self, spec: Value) -> LispResult<(SymRef, Value)> {
        if let Value::Symbol(sym) = spec {
            return Ok((sym, Value::Nil));
        }
        let parts = self.list(spec, "a LET binding")?;
        let sym = parts.first().and_then(|v| match v {
            Value::Symbol(s) => Some(*s),
            _ => None,
        });
        match (sym, parts.len()) {
            (Some(sym), 1 | 2) => Ok((sym, parts.get(1).copied().unwrap_or(Value::Nil))),
            _ => {
                let text = super::super::print::prin1_to_string(self.image(), spec);
                Err(LispError::program(format!(
                    "The LET binding spec {text} is malformed."
                )))
            }
        }
    }

    fn setq(&mut self, args: Value) -> LispResult<Node> {
        let items = self.list(args, "SETQ")?;
        if items.len() % 2 != 0 {
            return Err(LispError::program("odd number of args to SETQ"));
        }
        let mut nodes = Vec::new();
        for pair in items.chunks(2) {
            let Some(sym) = self.symbol_of(pair[0]) else {
                let text = super::super::print::prin1_to_string(self.image(), pair[0]);
                return Err(LispError::program(format!(
                    "Variable name is not a symbol: {text}"
                )));
            };
            if let Some(expansion) = self.lookup_symbol_macro(sym) {
                let cl = self.image().pkg.cl;
                let setf = self.image().intern("SETF", cl)?;
                let form = self
                    .image()
                    .list(&[Value::Symbol(setf), expansion, pair[1]])?;
                nodes.push(self.form(form)?);
                continue;
            }
            let value = self.form(pair[1])?;
            nodes.push(self.assign(sym, value)?);
        }
        Ok(match nodes.len() {
            0 => Node::Const(Value::Nil),
            1 => nodes.pop().unwrap_or(Node::Const(Value::Nil)),
            _ => Node::Progn(nodes),
        })
    }

    fn local_functions(&mut self, args: Value, recursive: bool) -> LispResult<Node> {
        let items = self.list(args, "FLET")?;
        let Some(definitions) = items.first().copied() else {
            return Err(LispError::program("FLET needs a list of definitions"));
        };
        let definitions = self.list(definitions, "the FLET definitions")?;
        let mut names: Vec<(SymRef, VarId)> = Vec::new();
        let mut parsed = Vec::new();
        for definition in definitions {
            let parts = self.list(definition, "a local function definition")?;
            let name = self.name_symbol(parts.first().copied(), "FLET")?;
            let var = self.new_var();
            if recursive {
                self.mark_assigned(var);
            }
            names.push((name, var));
            parsed.push(parts);
        }
        let body = &items[1..];
        let analyze_lambda = |this: &mut Self, parts: &[Value], name: SymRef| -> LispResult<Node> {
            let lambda_list = parts.get(1).copied().unwrap_or(Value::Nil);
            this.lambda(
                Value::Symbol(name),
                lambda_list,
                parts.get(2..).unwrap_or(&[]),
                Some(name),
            )
        };
        if recursive {
            self.with_functions(&names, |this| {
                let mut inits = Vec::new();
                for (parts, (name, var)) in parsed.iter().zip(&names) {
                    let lambda = analyze_lambda(this, parts, *name)?;
                    inits.push(Node::SetVar(*var, Box::new(lambda)));
                }
                inits.push(this.body(body)?);
                let bindings = names
                    .iter()
                    .map(|(_, var)| (Binding::Lexical(*var), Node::Const(Value::Nil)))
                    .collect();
                Ok(Node::Let(bindings, Box::new(Node::Progn(inits))))
            })
        } else {
            let mut bindings = Vec::new();
            for (parts, (name, var)) in parsed.iter().zip(&names) {
                let lambda = analyze_lambda(self, parts, *name)?;
                bindings.push((Binding::Lexical(*var), lambda));
            }
            let body = self.with_functions(&names, |this| this.body(body))?;
            Ok(Node::Let(bindings, Box::new(body)))
        }
    }

    fn defun(&mut self, args: Value) -> LispResult<Node> {
        let items = self.list(args, "DEFUN")?;
        let lambda_list = items.get(1).copied().unwrap_or(Value::Nil);
        let body = items.get(2..).unwrap_or(&[]);
        let doc = docstring(self, body);
        // (defun (setf foo) (value object) ...): a function SETF calls for (setf (foo ...) v).
        if let Some(spec) = items.first().copied()
            && let Some(accessor) = self.setf_function_name(spec)
        {
            let name = self.image().setf_function_symbol(accessor)?;
            let lambda = self.lambda(spec, lambda_list, body, Some(accessor))?;
            let define = self.define_function(name, lambda, doc, lambda_list)?;
            return Ok(Node::Progn(vec![define, Node::Const(spec)]));
        }
        let name = self.name_symbol(items.first().copied(), "DEFUN")?;
        let lambda = self.lambda(Value::Symbol(name), lambda_list, body, Some(name))?;
        self.define_function(name, lambda, doc, lambda_list)
    }

    /// `(%DEFUN 'NAME LAMBDA DOC 'LAMBDA-LIST)`: installs the function and what describes it.
    fn define_function(
        &mut self,
        name: SymRef,
        lambda: Node,
        doc: Value,
        lambda_list: Value,
    ) -> LispResult<Node> {
        let define = self.internal_symbol("%DEFUN")?;
        Ok(Node::CallGlobal(
            define,
            vec![
                Node::Const(Value::Symbol(name)),
                lambda,
                Node::Const(doc),
                Node::Const(lambda_list),
            ],
        ))
    }

    fn defmacro(&mut self, args: Value) -> LispResult<Node> {
        let items = self.list(args, "DEFMACRO")?;
        let name = self.name_symbol(items.first().copied(), "DEFMACRO")?;
        let lambda_list = items.get(1).copied().unwrap_or(Value::Nil);
        let body = items.get(2..).unwrap_or(&[]);
        let doc = docstring(self, body);
        let expander = self.macro_function(name, lambda_list, body)?;
        let define = self.internal_symbol("%DEFMACRO")?;
        Ok(Node::CallGlobal(
            define,
            vec![
                Node::Const(Value::Symbol(name)),
                expander,
                Node::Const(doc),
                Node::Const(lambda_list),
            ],
        ))
    }

    fn defvar(&mut self, operator: SymRef, args: Value) -> LispResult<Node> {
        let s = self.image().sym;
        let items = self.list(args, "DEFVAR")?;
        let name = self.name_symbol(items.first().copied(), "DEFVAR")?;
        if let Some(symbol) = self.image().heap.symbol_mut(name) {
            symbol.special = true;
        }
        let value = match items.get(1) {
            Some(form) => Some(self.form(*form)?),
            None if operator == s.defvar => None,
            None => return Err(LispError::program("DEFPARAMETER needs a value")),
        };
        let doc = items.get(2).copied().unwrap_or(Value::Nil);
        let kind = if operator == s.defvar {
            "VAR"
        } else if operator == s.defparameter {
            "PARAMETER"
        } else {
            "CONSTANT"
        };
        let kind = self.image().keyword(kind)?;
        let declare = self.internal_symbol("%DECLARE-VARIABLE")?;
        let set = self.internal_symbol("%SET-GLOBAL-VALUE")?;
        let name_node = || Node::Const(Value::Symbol(name));
        let declared = Node::CallGlobal(
            declare,
            vec![
                name_node(),
                Node::Const(Value::Symbol(kind)),
                Node::Const(doc),
            ],
        );
        Ok(match value {
            Some(value) => Node::If(
                Box::new(declared),
                Box::new(Node::CallGlobal(set, vec![name_node(), value])),
                Box::new(name_node()),
            ),
            None => Node::Progn(vec![declared, name_node()]),
        })
    }

    pub(super) fn internal_symbol(&mut self, name: &str) -> LispResult<SymRef> {
        let package = self.image().pkg.swankd;
        Ok(self.image().intern(name, package)?)
    }
}

/// The docstring of a function body, or NIL.
fn docstring(analyzer: &mut Analyzer, body: &[Value]) -> Value {
    let stripped = strip_docstring(analyzer, body);
    if stripped.len() < body.len() {
        body[0]
    } else {
        Value::Nil
    }
}
