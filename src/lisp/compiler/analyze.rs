//! Analysis: macroexpands a form, resolves every variable to a lexical slot or a global, and
//! notes which variables closures capture and which are assigned.

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::value::{SymRef, Value};
use super::ir::{Binding, LambdaNode, Node, Params, Primitive, VarId, VarInfo};

/// What the analyzer needs from the running system.
pub trait CompileHost {
    fn image(&mut self) -> &mut Image;
    /// Runs a macro expander on a whole form in a lexical environment (see
    /// [`Analyzer::environment`]) and returns the expansion.
    fn expand_macro(&mut self, expander: Value, form: Value, env: Value) -> LispResult<Value>;
    /// How deeply forms may nest before the compiler gives up.
    fn max_nesting(&self) -> usize;
    /// Something worth telling the user about the code being compiled (compiler notes).
    fn note(&mut self, _note: CompileNote) {}
}

/// What the analyzer notices for compiler notes; whether each deserves a note is decided
/// when the whole unit has been compiled and run (a later form may define what an earlier
/// one used).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileNote {
    /// A call of a global function that is not defined at the time.
    UndefinedFunction(SymRef),
    /// A read or assignment of a global variable that is neither special nor bound.
    UndefinedVariable(SymRef),
    /// A call of a global function with this many arguments.
    Call(SymRef, usize),
    /// A lexical variable the code binds and never uses.
    UnusedVariable(SymRef),
}

#[derive(Debug, Clone, Copy)]
enum ScopeEntry {
    Var(SymRef, VarId),
    LocalSpecial(SymRef),
    Function(SymRef, VarId),
    Block(SymRef, VarId),
    /// A `TAGBODY` tag: the inner block to return from and the segment to resume.
    Tag(Value, VarId, u32),
    /// A `MACROLET` macro and its expander function.
    Macro(SymRef, Value),
    /// A `SYMBOL-MACROLET` symbol and its expansion.
    SymbolMacro(SymRef, Value),
}

/// What an operator name means in the current lexical scope.
enum LocalOperator {
    Function(VarId),
    Macro(Value),
}

struct LambdaContext {
    id: u32,
    free: Vec<VarId>,
    /// Global macros expanded in this lambda's own code (for xref `:macroexpands`).
    macros: Vec<SymRef>,
}

pub struct Analyzer<'h> {
    pub(super) host: &'h mut dyn CompileHost,
    pub vars: Vec<VarInfo>,
    scope: Vec<ScopeEntry>,
    lambdas: Vec<LambdaContext>,
    next_lambda: u32,
    depth: usize,
    /// Variables declared IGNORE or IGNORABLE anywhere in the form.
    ignored: Vec<SymRef>,
}

impl<'h> Analyzer<'h> {
    pub fn new(host: &'h mut dyn CompileHost) -> Self {
        Analyzer {
            host,
            vars: Vec::new(),
            scope: Vec::new(),
            lambdas: vec![LambdaContext {
                id: 0,
                free: Vec::new(),
                macros: Vec::new(),
            }],
            next_lambda: 1,
            depth: 0,
            ignored: Vec::new(),
        }
    }

    pub(super) fn image(&mut self) -> &mut Image {
        self.host.image()
    }

    fn current_lambda(&self) -> u32 {
        self.lambdas.last().map(|l| l.id).unwrap_or(0)
    }

    pub(super) fn new_var(&mut self) -> VarId {
        let id = VarId(self.vars.len() as u32);
        self.vars.push(VarInfo {
            lambda: self.current_lambda(),
            captured: false,
            assigned: false,
            used_as_block: false,
            used: false,
            name: None,
        });
        id
    }

    /// A new variable named `sym` (shown by the debugger).
    pub(super) fn named_var(&mut self, sym: SymRef) -> VarId {
        let id = self.new_var();
        if let Some(info) = self.vars.last_mut() {
            info.name = Some(sym);
        }
        id
    }

    /// Records a reference to `var` from the current lambda, capturing it if needed.
    fn reference(&mut self, var: VarId) {
        let owner = self.vars[var.0 as usize].lambda;
        if owner == self.current_lambda() {
            return;
        }
        self.vars[var.0 as usize].captured = true;
        for context in self.lambdas.iter_mut().rev() {
            if context.id == owner {
                break;
            }
            if !context.free.contains(&var) {
                context.free.push(var);
            }
        }
    }

    fn lookup_var(&self, name: SymRef) -> Option<VarId> {
        for entry in self.scope.iter().rev() {
            match entry {
                ScopeEntry::Var(n, var) if *n == name => return Some(*var),
                ScopeEntry::LocalSpecial(n) if *n == name => return None,
                _ => {}
            }
        }
        None
    }

    fn lookup_function(&self, name: SymRef) -> Option<VarId> {
        match self.lookup_operator(name) {
            Some(LocalOperator::Function(var)) => Some(var),
            _ => None,
        }
    }

    /// The innermost local function or local macro named `name`.
    fn lookup_operator(&self, name: SymRef) -> Option<LocalOperator> {
        self.scope.iter().rev().find_map(|entry| match entry {
            ScopeEntry::Function(n, var) if *n == name => Some(LocalOperator::Function(*var)),
            ScopeEntry::Macro(n, expander) if *n == name => Some(LocalOperator::Macro(*expander)),
            _ => None,
        })
    }

    /// The expansion of `name` if it is a symbol macro here (not shadowed by a variable).
    pub(super) fn lookup_symbol_macro(&self, name: SymRef) -> Option<Value> {
        self.scope.iter().rev().find_map(|entry| match entry {
            ScopeEntry::Var(n, _) | ScopeEntry::LocalSpecial(n) if *n == name => Some(None),
            ScopeEntry::SymbolMacro(n, expansion) if *n == name => Some(Some(*expansion)),
            _ => None,
        })?
    }

    /// The lexical environment a macro expander receives as `&environment`, for
    /// `MACROEXPAND`: `NIL` when no local macro or symbol macro is in scope, otherwise the
    /// local definitions innermost first, each `(:MACRO name . expander)`,
    /// `(:SYMBOL-MACRO name . expansion)`, `(:FUNCTION name)` or `(:VARIABLE name)` (the
    /// last two shadow the others).
    pub(super) fn environment(&mut self) -> LispResult<Value> {
        let has_macros = self
            .scope
            .iter()
            .any(|entry| matches!(entry, ScopeEntry::Macro(..) | ScopeEntry::SymbolMacro(..)));
        if !has_macros {
            return Ok(Value::Nil);
        }
        let entries: Vec<ScopeEntry> = self.scope.iter().rev().copied().collect();
        let mut items = Vec::new();
        for entry in entries {
            let (kind, name, data) = match entry {
                ScopeEntry::Macro(name, expander) => ("MACRO", name, Some(expander)),
                ScopeEntry::SymbolMacro(name, expansion) => ("SYMBOL-MACRO", name, Some(expansion)),
                ScopeEntry::Function(name, _) => ("FUNCTION", name, None),
                ScopeEntry::Var(name, _) | ScopeEntry::LocalSpecial(name) => {
                    ("VARIABLE", name, None)
                }
                _ => continue,
            };
            let kind = Value::Symbol(self.image().keyword(kind)?);
            let tail = match data {
                Some(data) => data,
                None => Value::Nil,
            };
            let tail = self.image().cons(Value::Symbol(name), tail)?;
            items.push(self.image().cons(kind, tail)?);
        }
        Ok(self.image().list(&items)?)
    }

    /// Brings local macros (`MACROLET`) or symbol macros (`SYMBOL-MACROLET`) into scope for
    /// `body`.
    pub(super) fn with_local_macros<T>(
        &mut self,
        macros: &[(SymRef, Value)],
        symbol_macros: bool,
        body: impl FnOnce(&mut Self) -> LispResult<T>,
    ) -> LispResult<T> {
        let mark = self.scope.len();
        for (name, value) in macros {
            self.scope.push(if symbol_macros {
                ScopeEntry::SymbolMacro(*name, *value)
            } else {
                ScopeEntry::Macro(*name, *value)
            });
        }
        let result = body(self);
        self.scope.truncate(mark);
        result
    }

    /// Brings `TAGBODY` tags into scope for `body`.
    pub(super) fn with_tags<T>(
        &mut self,
        tags: &[(Value, u32)],
        block: VarId,
        body: impl FnOnce(&mut Self) -> LispResult<T>,
    ) -> LispResult<T> {
        let mark = self.scope.len();
        for (tag, index) in tags {
            self.scope.push(ScopeEntry::Tag(*tag, block, *index));
        }
        let result = body(self);
        self.scope.truncate(mark);
        result
    }

    /// The block and segment index of a visible `TAGBODY` tag, referenced from here.
    pub(super) fn lookup_tag(&mut self, tag: Value) -> Option<(VarId, u32)> {
        let found = self.scope.iter().rev().find_map(|entry| match entry {
            ScopeEntry::Tag(t, block, index) if t.eq(tag) => Some((*block, *index)),
            _ => None,
        })?;
        self.reference(found.0);
        self.vars[found.0.0 as usize].used_as_block = true;
        Some(found)
    }

    pub(super) fn mark_block_used(&mut self, var: VarId) {
        self.vars[var.0 as usize].used_as_block = true;
    }

    /// A local function (FLET/LABELS) named `name`, referenced from here.
    pub(super) fn local_function(&mut self, name: SymRef) -> Option<VarId> {
        let var = self.lookup_function(name)?;
        self.reference(var);
        Some(var)
    }

    fn lookup_block(&self, name: SymRef) -> Option<VarId> {
        self.scope.iter().rev().find_map(|entry| match entry {
            ScopeEntry::Block(n, var) if *n == name => Some(*var),
            _ => None,
        })
    }

    pub(super) fn symbol_of(&mut self, value: Value) -> Option<SymRef> {
        self.image().as_symbol(value)
    }

    pub(super) fn list(&mut self, value: Value, what: &str) -> LispResult<Vec<Value>> {
        self.image()
            .list_to_vec(value)
            .ok_or_else(|| LispError::program(format!("{what} is not a proper list")))
    }

    /// Analyzes one form.
    pub fn form(&mut self, form: Value) -> LispResult<Node> {
        self.depth += 1;
        if self.depth > self.host.max_nesting() {
            self.depth -= 1;
            return Err(LispError::new(
                super::super::error::ErrorKind::StackExhausted,
                "Control stack exhausted while compiling: the form is nested too deeply.",
            ));
        }
        let result = self.form_inner(form);
        self.depth -= 1;
        result
    }

    fn form_inner(&mut self, form: Value) -> LispResult<Node> {
        match form {
            Value::Symbol(sym) => self.variable(sym),
            Value::Cons(_) => self.compound(form),
            other => Ok(Node::Const(other)),
        }
    }

    fn variable(&mut self, sym: SymRef) -> LispResult<Node> {
        let image = self.image();
        let symbol = image.heap.symbol(sym);
        if symbol.constant {
            let value = symbol.value;
            if !matches!(value, Value::Unbound) {
                return Ok(Node::Const(value));
            }
        }
        if let Some(expansion) = self.lookup_symbol_macro(sym) {
            return self.form(expansion);
        }
        if let Some(var) = self.lookup_var(sym) {
            self.reference(var);
            self.vars[var.0 as usize].used = true;
            return Ok(Node::Var(var));
        }
        self.note_global_variable(sym);
        Ok(Node::Global(sym))
    }

    pub(super) fn body(&mut self, forms: &[Value]) -> LispResult<Node> {
        let mut nodes = Vec::with_capacity(forms.len());
        for form in forms {
            if self.is_declaration(*form) {
                self.note_ignored(*form);
                continue;
            }
            nodes.push(self.form(*form)?);
        }
        Ok(match nodes.len() {
            0 => Node::Const(Value::Nil),
            1 => nodes.pop().unwrap_or(Node::Const(Value::Nil)),
            _ => Node::Progn(nodes),
        })
    }

    pub(super) fn is_declaration(&mut self, form: Value) -> bool {
        let declare = self.image().sym.declare;
        matches!(self.image().car(form), Some(Value::Symbol(s)) if s == declare)
            && matches!(form, Value::Cons(_))
    }

    /// Names declared special by `(declare (special ...))` forms at the start of a body.
    pub(super) fn local_specials(&mut self, body: &[Value]) -> Vec<SymRef> {
        let mut specials = Vec::new();
        let special = self.image().sym.special;
        for form in body {
            if !self.is_declaration(*form) {
                break;
            }
            let Some(specs) = self
                .image()
                .cdr(*form)
                .and_then(|d| self.image().list_to_vec(d))
            else {
                continue;
            };
            for spec in specs {
                let Some(items) = self.image().list_to_vec(spec) else {
                    continue;
                };
                if items
                    .first()
                    .is_some_and(|h| matches!(h, Value::Symbol(s) if *s == special))
                {
                    specials.extend(items[1..].iter().filter_map(|v| self.image().as_symbol(*v)));
                }
            }
        }
        specials
    }

    fn compound(&mut self, form: Value) -> LispResult<Node> {
        let (head, args) = match form {
            Value::Cons(r) => self.image().heap.car_cdr(r),
            _ => return Ok(Node::Const(form)),
        };
        match head {
            Value::Symbol(sym) => {
                if let Some(node) = self.special_form(sym, form, args)? {
                    return Ok(node);
                }
                match self.lookup_operator(sym) {
                    Some(LocalOperator::Function(var)) => {
                        self.reference(var);
                        let args = self.arguments(args)?;
                        return Ok(Node::Call(Box::new(Node::Var(var)), args));
                    }
                    Some(LocalOperator::Macro(expander)) => {
                        let env = self.environment()?;
                        let expansion = self.host.expand_macro(expander, form, env)?;
                        return self.form(expansion);
                    }
                    None => {}
                }
                let symbol = self.image().heap.symbol(sym);
                if symbol.is_macro() {
                    let expander = symbol.function;
                    if let Some(context) = self.lambdas.last_mut()
                        && !context.macros.contains(&sym)
                    {
                        context.macros.push(sym);
                    }
                    let env = self.environment()?;
                    let expansion = self.host.expand_macro(expander, form, env)?;
                    return self.form(expansion);
                }
                let args = self.arguments(args)?;
                if let Some(primitive) = self.primitive(sym, args.len()) {
                    return Ok(Node::Primitive(primitive, args));
                }
                if matches!(self.image().heap.symbol(sym).function, Value::Unbound) {
                    self.host.note(CompileNote::UndefinedFunction(sym));
                } else {
                    self.host.note(CompileNote::Call(sym, args.len()));
                }
                let call = Node::CallGlobal(sym, args);
                let s = self.image().sym;
                if [s.error, s.cerror, s.invoke_debugger].contains(&sym) {
                    // Never a tail call: the caller's frame stays for the debugger's
                    // backtrace, as in SBCL, which knows these functions do not return.
                    return Ok(Node::Progn(vec![call, Node::Const(Value::Nil)]));
                }
                Ok(call)
            }
            Value::Cons(_) if self.is_lambda_form(head) => {
                let lambda = self.lambda_expression(head, Value::Nil)?;
                let args = self.arguments(args)?;
                Ok(Node::Call(Box::new(lambda), args))
            }
            _ => {
                let text = super::super::print::prin1_to_string(self.image(), head);
                Err(LispError::program(format!("illegal function call: {text}")))
            }
        }
    }

    fn is_lambda_form(&mut self, value: Value) -> bool {
        let lambda = self.image().sym.lambda;
        matches!(self.image().car(value), Some(Value::Symbol(s)) if s == lambda)
    }

    fn arguments(&mut self, args: Value) -> LispResult<Vec<Node>> {
        let args = self.list(args, "the argument list")?;
        args.into_iter().map(|arg| self.form(arg)).collect()
    }

    fn primitive(&mut self, sym: SymRef, argc: usize) -> Option<Primitive> {
        let s = self.image().sym;
        let primitive = match argc {
            1 if sym == s.one_plus => Primitive::Inc,
            1 if sym == s.one_minus => Primitive::Dec,
            1 if sym == s.car => Primitive::Car,
            1 if sym == s.cdr => Primitive::Cdr,
            1 if sym == s.not_ || sym == s.null => Primitive::Not,
            1 if sym == s.length => Primitive::Length,
            2 if sym == s.plus => Primitive::Add,
            2 if sym == s.minus => Primitive::Sub,
            2 if sym == s.star => Primitive::Mul,
            2 if sym == s.less => Primitive::Lt,
            2 if sym == s.greater => Primitive::Gt,
            2 if sym == s.less_equal => Primitive::Le,
            2 if sym == s.greater_equal => Primitive::Ge,
            2 if sym == s.num_equal => Primitive::NumEq,
            2 if sym == s.cons => Primitive::Cons,
            2 if sym == s.eq => Primitive::Eq,
            _ => return None,
        };
        Some(primitive)
    }

    /// Analyzes `(lambda LAMBDA-LIST . BODY)` (or a `NAMED-LAMBDA` without its name).
    pub(super) fn lambda_expression(&mut self, form: Value, name: Value) -> LispResult<Node> {
        let items = self.list(form, "a LAMBDA form")?;
        let Some(lambda_list) = items.get(1).copied() else {
            return Err(LispError::program("LAMBDA needs a lambda list"));
        };
        self.lambda(name, lambda_list, &items[2..], None)
    }

    /// Analyzes a function: parameters, declarations and body, in a new lambda context.
    /// `block` wraps the body in a block of that name (for DEFUN).
    pub(super) fn lambda(
        &mut self,
        name: Value,
        lambda_list: Value,
        body: &[Value],
        block: Option<SymRef>,
    ) -> LispResult<Node> {
        self.lambda_with(name, |this| {
            let body = strip_docstring(this, body);
            let local_specials = this.local_specials(body);
            let mut specials = Vec::new();
            let params = this.parameters(lambda_list, &local_specials, &mut specials)?;
            let mut body_node = this.body_with_specials(body, &local_specials, block)?;
            if !specials.is_empty() {
                let bindings = specials
                    .into_iter()
                    .map(|(sym, var)| (Binding::Special(sym), Node::Var(var)))
                    .collect();
                body_node = Node::Let(bindings, Box::new(body_node));
            }
            Ok((params, body_node))
        })
    }

    /// Runs `build` in a new lambda context and wraps what it returns in a lambda node.
    pub(super) fn lambda_with(
        &mut self,
        name: Value,
        build: impl FnOnce(&mut Self) -> LispResult<(Params, Node)>,
    ) -> LispResult<Node> {
        let id = self.next_lambda;
        self.next_lambda += 1;
        self.lambdas.push(LambdaContext {
            id,
            free: Vec::new(),
            macros: Vec::new(),
        });
        let scope_mark = self.scope.len();
        let result = build(self);
        self.scope.truncate(scope_mark);
        let (free, macros) = self
            .lambdas
            .pop()
            .map(|c| (c.free, c.macros))
            .unwrap_or_default();
        let (params, body) = result?;
        Ok(Node::Lambda(Box::new(LambdaNode {
            name,
            params,
            body,
            free,
            macros,
        })))
    }

    fn body_with_specials(
        &mut self,
        body: &[Value],
        local_specials: &[SymRef],
        block: Option<SymRef>,
    ) -> LispResult<Node> {
        let mark = self.scope.len();
        for sym in local_specials {
            self.scope.push(ScopeEntry::LocalSpecial(*sym));
        }
        let result = match block {
            Some(name) => self.block_body(name, body),
            None => self.body(body),
        };
        self.scope.truncate(mark);
        result
    }

    /// Binds a parameter or LET variable: a lexical variable, or a special one.
    pub(super) fn bind_name(
        &mut self,
        sym: SymRef,
        local_specials: &[SymRef],
    ) -> LispResult<Binding> {
        let symbol = self.image().heap.symbol(sym);
        if symbol.constant {
            let name = symbol.name.clone();
            return Err(LispError::program(format!(
                "{name} names a constant and cannot be bound"
            )));
        }
        if symbol.special || local_specials.contains(&sym) {
            return Ok(Binding::Special(sym));
        }
        let var = self.named_var(sym);
        Ok(Binding::Lexical(var))
    }

    pub(super) fn push_binding(&mut self, sym: SymRef, binding: Binding) {
        match binding {
            Binding::Lexical(var) => self.scope.push(ScopeEntry::Var(sym, var)),
            Binding::Special(_) => self.scope.push(ScopeEntry::LocalSpecial(sym)),
        }
    }

    /// A parameter slot for `sym`; special parameters get a slot plus a later dynamic binding.
    pub(super) fn parameter_var(
        &mut self,
        sym: SymRef,
        local_specials: &[SymRef],
        specials: &mut Vec<(SymRef, VarId)>,
    ) -> LispResult<VarId> {
        match self.bind_name(sym, local_specials)? {
            Binding::Lexical(var) => {
                self.scope.push(ScopeEntry::Var(sym, var));
                Ok(var)
            }
            Binding::Special(_) => {
                let var = self.named_var(sym);
                specials.push((sym, var));
                self.scope.push(ScopeEntry::LocalSpecial(sym));
                Ok(var)
            }
        }
    }

    pub(super) fn block_body(&mut self, name: SymRef, body: &[Value]) -> LispResult<Node> {
        let var = self.new_var();
        self.scope.push(ScopeEntry::Block(name, var));
        let body = self.body(body);
        self.scope.pop();
        Ok(Node::Block(var, Box::new(body?)))
    }

    pub(super) fn return_from(&mut self, name: SymRef, value: Node) -> LispResult<Node> {
        match self.lookup_block(name) {
            Some(var) => {
                self.reference(var);
                self.vars[var.0 as usize].used_as_block = true;
                Ok(Node::ReturnFrom(var, Box::new(value)))
            }
            None => {
                let name = self.image().symbol_name(name);
                Err(LispError::control(format!(
                    "return for unknown block: {name}"
                )))
            }
        }
    }

    pub(super) fn assign(&mut self, sym: SymRef, value: Node) -> LispResult<Node> {
        if self.image().heap.symbol(sym).constant {
            let name = self.image().symbol_name(sym);
            return Err(LispError::program(format!(
                "{name} is a constant and thus can't be set."
            )));
        }
        match self.lookup_var(sym) {
            Some(var) => {
                self.reference(var);
                self.vars[var.0 as usize].assigned = true;
                Ok(Node::SetVar(var, Box::new(value)))
            }
            None => {
                self.note_global_variable(sym);
                Ok(Node::SetGlobal(sym, Box::new(value)))
            }
        }
    }

    /// Notes a use of a global variable that is neither special nor bound.
    fn note_global_variable(&mut self, sym: SymRef) {
        let symbol = self.image().heap.symbol(sym);
        if !symbol.special && matches!(symbol.value, Value::Unbound) {
            self.host.note(CompileNote::UndefinedVariable(sym));
        }
    }

    /// Remembers the variables an `(declare (ignore ...) (ignorable ...))` names.
    fn note_ignored(&mut self, declaration: Value) {
        let Some(specs) = self
            .image()
            .cdr(declaration)
            .and_then(|d| self.image().list_to_vec(d))
        else {
            return;
        };
        for spec in specs {
            let Some(items) = self.image().list_to_vec(spec) else {
                continue;
            };
            let ignoring = items
                .first()
                .and_then(|head| self.image().as_symbol(*head))
                .is_some_and(|head| {
                    let name = self.image().symbol_name(head);
                    &*name == "IGNORE" || &*name == "IGNORABLE"
                });
            if ignoring {
                let names: Vec<SymRef> = items[1..]
                    .iter()
                    .filter_map(|v| self.image().as_symbol(*v))
                    .collect();
                self.ignored.extend(names);
            }
        }
    }

    /// Notes the named variables that were bound and never used, unless declared ignored
    /// or made by macros (uninterned, or in swankd's own packages).
    pub(super) fn note_unused_variables(&mut self) {
        let unused: Vec<SymRef> = self
            .vars
            .iter()
            .filter(|info| !info.used && !info.used_as_block)
            .filter_map(|info| info.name)
            .collect();
        for sym in unused {
            if self.ignored.contains(&sym) || !self.is_user_symbol(sym) {
                continue;
            }
            self.host.note(CompileNote::UnusedVariable(sym));
        }
    }

    fn is_user_symbol(&mut self, sym: SymRef) -> bool {
        let image = self.image();
        let Some(package) = image.heap.symbol(sym).package else {
            return false;
        };
        let pkg = image.pkg;
        ![pkg.cl, pkg.swankd, pkg.swank, pkg.swank_repl, pkg.keyword].contains(&package)
    }

    /// Binds local functions (FLET/LABELS) in scope for `body`.
    pub(super) fn with_functions<T>(
        &mut self,
        functions: &[(SymRef, VarId)],
        body: impl FnOnce(&mut Self) -> LispResult<T>,
    ) -> LispResult<T> {
        let mark = self.scope.len();
        for (name, var) in functions {
            self.scope.push(ScopeEntry::Function(*name, *var));
        }
        let result = body(self);
        self.scope.truncate(mark);
        result
    }

    pub(super) fn with_scope<T>(
        &mut self,
        body: impl FnOnce(&mut Self) -> LispResult<T>,
    ) -> LispResult<T> {
        let mark = self.scope.len();
        let result = body(self);
        self.scope.truncate(mark);
        result
    }

    pub(super) fn mark_assigned(&mut self, var: VarId) {
        self.vars[var.0 as usize].assigned = true;
    }
}

/// Drops a leading docstring from a function body (only when more forms follow it).
pub(super) fn strip_docstring<'b>(analyzer: &mut Analyzer, body: &'b [Value]) -> &'b [Value] {
    match body.first() {
        Some(first) if body.len() > 1 && analyzer.image().as_str(*first).is_some() => &body[1..],
        _ => body,
    }
}
