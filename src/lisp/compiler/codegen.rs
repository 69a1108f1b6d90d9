//! Code generation: turns an analyzed lambda into a `Proto` of stack-machine instructions.

mod effect;

use std::collections::HashMap;
use std::rc::Rc;

use super::super::bytecode::{CaptureFrom, LambdaShape, Op, Proto};
use super::super::value::{SymRef, Value};
use super::ir::{Binding, LambdaNode, Node, Primitive, VarId, VarInfo};

#[derive(Debug, Clone, Copy)]
enum Location {
    Local(u32),
    Captured(u32),
}

/// Where a value goes once computed.
#[derive(Debug, Clone, Copy)]
struct Context {
    /// The value is the function's result: emit a return (or tail call).
    tail: bool,
    /// The caller needs the multiple-values register to describe this value.
    mv: bool,
}

const PLAIN: Context = Context {
    tail: false,
    mv: false,
};

struct FunctionBuilder<'v> {
    vars: &'v [VarInfo],
    t: SymRef,
    code: Vec<Op>,
    constants: Vec<Value>,
    children: Vec<Rc<Proto>>,
    locations: HashMap<VarId, Location>,
    next_slot: u32,
    /// Non-zero while special bindings or blocks of this function are active: no tail calls.
    dynamic_depth: u32,
    /// See [`Proto::local_names`].
    local_names: Vec<Option<(SymRef, bool)>>,
}

/// Generates the prototype of `lambda`. `outer` tells where the lambda's free variables live
/// in the function that creates it.
pub fn generate(vars: &[VarInfo], lambda: &LambdaNode, t: SymRef) -> Rc<Proto> {
    generate_with_captures(vars, lambda, t, Vec::new())
}

fn generate_with_captures(
    vars: &[VarInfo],
    lambda: &LambdaNode,
    t: SymRef,
    captures: Vec<CaptureFrom>,
) -> Rc<Proto> {
    let mut builder = FunctionBuilder {
        vars,
        t,
        code: Vec::new(),
        constants: Vec::new(),
        children: Vec::new(),
        locations: HashMap::new(),
        next_slot: 0,
        dynamic_depth: 0,
        local_names: Vec::new(),
    };
    for (index, var) in lambda.free.iter().enumerate() {
        builder
            .locations
            .insert(*var, Location::Captured(index as u32));
    }
    let shape = builder.parameters(lambda);
    builder.expr(
        &lambda.body,
        Context {
            tail: true,
            mv: true,
        },
    );
    // Compiled code lives as long as its function, often the daemon's whole life: no room
    // to spare.
    let mut code = builder.code;
    code.shrink_to_fit();
    let mut constants = builder.constants;
    constants.shrink_to_fit();
    let mut children = builder.children;
    children.shrink_to_fit();
    let mut local_names = builder.local_names;
    local_names.shrink_to_fit();
    Rc::new(Proto {
        name: lambda.name,
        code,
        constants,
        children,
        captures,
        shape,
        local_count: builder.next_slot,
        local_names,
        macros: lambda.macros.clone(),
    })
}

impl FunctionBuilder<'_> {
    fn emit(&mut self, op: Op) -> usize {
        self.code.push(op);
        self.code.len() - 1
    }

    fn here(&self) -> u32 {
        self.code.len() as u32
    }

    fn patch(&mut self, at: usize, target: u32) {
        match &mut self.code[at] {
            Op::Jump(t) | Op::JumpIfNil(t) | Op::JumpIfTrue(t) | Op::CompareJump(_, _, t) => {
                *t = target
            }
            Op::CompareLocalsJump { target: t, .. }
            | Op::CompareLocalFixnumJump { target: t, .. } => *t = target,
            Op::JumpIfSupplied(_, t) | Op::BlockEnter(_, t) | Op::CatchEnter(t) => *t = target,
            _ => {}
        }
    }

    fn constant(&mut self, value: Value) -> u32 {
        if let Some(index) = self.constants.iter().position(|c| c.eq(value)) {
            return index as u32;
        }
        self.constants.push(value);
        (self.constants.len() - 1) as u32
    }

    fn symbol_constant(&mut self, sym: SymRef) -> u32 {
        self.constant(Value::Symbol(sym))
    }

    fn slot(&mut self, var: VarId) -> u32 {
        let slot = self.next_slot;
        self.next_slot += 1;
        self.locations.insert(var, Location::Local(slot));
        let info = self.vars.get(var.0 as usize);
        self.local_names
            .push(info.and_then(|v| v.name.map(|name| (name, v.boxed()))));
        slot
    }

    fn boxed(&self, var: VarId) -> bool {
        self.vars.get(var.0 as usize).is_some_and(VarInfo::boxed)
    }

    fn load(&mut self, var: VarId) {
        let boxed = self.boxed(var);
        match self.locations.get(&var).copied() {
            Some(Location::Local(slot)) if boxed => self.emit(Op::LocalCell(slot)),
            Some(Location::Local(slot)) => self.emit(Op::Local(slot)),
            Some(Location::Captured(index)) if boxed => self.emit(Op::CapturedCell(index)),
            Some(Location::Captured(index)) => self.emit(Op::Captured(index)),
            None => self.emit(Op::Nil),
        };
    }

    /// Pops the top of the stack into `var`.
    fn store(&mut self, var: VarId) {
        let boxed = self.boxed(var);
        match self.locations.get(&var).copied() {
            Some(Location::Local(slot)) if boxed => self.emit(Op::SetLocalCell(slot)),
            Some(Location::Local(slot)) => self.emit(Op::SetLocal(slot)),
            Some(Location::Captured(index)) => self.emit(Op::SetCapturedCell(index)),
            None => self.emit(Op::Pop),
        };
    }

    /// Stores a freshly bound value into a new slot, boxing it when closures share it.
    fn bind_new(&mut self, var: VarId) {
        let slot = self.slot(var);
        self.emit(Op::SetLocal(slot));
        if self.boxed(var) {
            self.emit(Op::MakeCell(slot));
        }
    }

    fn parameters(&mut self, lambda: &LambdaNode) -> LambdaShape {
        let params = &lambda.params;
        let mut shape = LambdaShape {
            required: params.required.len() as u16,
            optional: params.optional.len() as u16,
            rest: params.rest.is_some(),
            keys: params.keys.iter().map(|k| k.keyword).collect(),
            has_keys: params.has_keys,
            allow_other_keys: params.allow_other_keys,
        };
        if !params.has_keys {
            shape.keys.clear();
        }
        for var in &params.required {
            self.slot(*var);
        }
        let optional_slots: Vec<u32> = params.optional.iter().map(|p| self.slot(p.var)).collect();
        let rest_slot = params.rest.map(|var| self.slot(var));
        let key_slots: Vec<u32> = params.keys.iter().map(|k| self.slot(k.var)).collect();
        for var in &params.required {
            self.box_parameter(*var);
        }
        for (param, slot) in params.optional.iter().zip(optional_slots) {
            self.default_value(slot, param.var, &param.default, param.supplied);
        }
        if let (Some(var), Some(_)) = (params.rest, rest_slot) {
            self.box_parameter(var);
        }
        for (param, slot) in params.keys.iter().zip(key_slots) {
            self.default_value(slot, param.var, &param.default, param.supplied);
        }
        for aux in &params.aux {
            let slot = self.slot(aux.var);
            self.expr(&aux.init, PLAIN);
            self.emit(Op::SetLocal(slot));
            self.box_parameter(aux.var);
        }
        shape
    }

    fn box_parameter(&mut self, var: VarId) {
        if let (true, Some(Location::Local(slot))) =
            (self.boxed(var), self.locations.get(&var).copied())
        {
            self.emit(Op::MakeCell(slot));
        }
    }

    fn default_value(&mut self, slot: u32, var: VarId, default: &Node, supplied: Option<VarId>) {
        if let Some(supplied) = supplied {
            self.emit(Op::Supplied(slot));
            self.bind_new(supplied);
        }
        let jump = self.emit(Op::JumpIfSupplied(slot, 0));
        self.expr(default, PLAIN);
        self.emit(Op::SetLocal(slot));
        let target = self.here();
        self.patch(jump, target);
        self.box_parameter(var);
    }

    /// Finishes a value: returns it in tail position, or makes the multiple-values register
    /// describe it when the caller needs that.
    fn done(&mut self, context: Context, from_call: bool) {
        if context.tail {
            self.emit(if from_call { Op::ReturnMv } else { Op::Return });
        } else if context.mv && !from_call {
            self.emit(Op::ClearMv);
        }
    }

    fn expr(&mut self, node: &Node, context: Context) {
        match node {
            Node::Const(value) => {
                match value {
                    Value::Nil => self.emit(Op::Nil),
                    Value::Symbol(s) if *s == self.t => self.emit(Op::T),
                    Value::Fixnum(n) if i32::try_from(*n).is_ok() => {
                        self.emit(Op::Fixnum(*n as i32))
                    }
                    other => {
                        let index = self.constant(*other);
                        self.emit(Op::Const(index))
                    }
                };
                self.done(context, false);
            }
            Node::Var(var) => {
                self.load(*var);
                self.done(context, false);
            }
            Node::SetVar(var, value) => {
                self.expr(value, PLAIN);
                self.emit(Op::Dup);
                self.store(*var);
                self.done(context, false);
            }
            Node::Global(sym) => {
                let index = self.symbol_constant(*sym);
                self.emit(Op::Global(index));
                self.done(context, false);
            }
            Node::SetGlobal(sym, value) => {
                self.expr(value, PLAIN);
                self.emit(Op::Dup);
                let index = self.symbol_constant(*sym);
                self.emit(Op::SetGlobal(index));
                self.done(context, false);
            }
            Node::Function(sym) => {
                let index = self.symbol_constant(*sym);
                self.emit(Op::FunctionOf(index));
                self.done(context, false);
            }
            Node::Lambda(lambda) => {
                self.closure(lambda);
                self.done(context, false);
            }
            Node::If(test, then, otherwise) => {
                let to_else = self.jump_unless(test);
                self.expr(then, context);
                let to_end = if context.tail {
                    None
                } else {
                    Some(self.emit(Op::Jump(0)))
                };
                let else_start = self.here();
                self.patch(to_else, else_start);
                self.expr(otherwise, context);
                if let Some(jump) = to_end {
                    let end = self.here();
                    self.patch(jump, end);
                }
            }
            Node::Progn(nodes) => match nodes.split_last() {
                Some((last, rest)) => {
                    for node in rest {
                        self.effect(node);
                    }
                    self.expr(last, context);
                }
                None => self.expr(&Node::Const(Value::Nil), context),
            },
            Node::Let(bindings, body) => self.let_form(bindings, body, context),
            Node::CallGlobal(sym, args) => {
                for arg in args {
                    self.expr(arg, PLAIN);
                }
                let index = self.symbol_constant(*sym);
                let argc = args.len() as u16;
                if context.tail && self.dynamic_depth == 0 {
                    self.emit(Op::TailCallGlobal(index, argc));
                } else {
                    self.emit(Op::CallGlobal(index, argc));
                    self.done(context, true);
                }
            }
            Node::Call(function, args) => {
                self.expr(function, PLAIN);
                for arg in args {
                    self.expr(arg, PLAIN);
                }
                let argc = args.len() as u16;
                if context.tail && self.dynamic_depth == 0 {
                    self.emit(Op::TailCall(argc));
                } else {
                    self.emit(Op::Call(argc));
                    self.done(context, true);
                }
            }
            Node::Primitive(primitive, args) => {
                if let Some((operand, amount)) = effect::immediate_addition(node) {
                    self.expr(operand, PLAIN);
                    self.emit(Op::AddImmediate(amount));
                } else {
                    for arg in args {
                        self.expr(arg, PLAIN);
                    }
                    self.emit(primitive_op(*primitive));
                }
                self.done(context, false);
            }
            Node::Block(var, body) => {
                let used = self
                    .vars
                    .get(var.0 as usize)
                    .is_some_and(|v| v.used_as_block);
                if !used {
                    self.expr(body, context);
                    return;
                }
                let slot = self.slot(*var);
                let enter = self.emit(Op::BlockEnter(slot, 0));
                self.dynamic_depth += 1;
                self.expr(
                    body,
                    Context {
                        tail: false,
                        mv: context.mv || context.tail,
                    },
                );
                self.emit(Op::BlockExit);
                self.dynamic_depth -= 1;
                let target = self.here();
                self.patch(enter, target);
                self.done(context, true);
            }
            Node::ReturnFrom(var, value) => {
                self.load(*var);
                self.expr(
                    value,
                    Context {
                        tail: false,
                        mv: true,
                    },
                );
                self.emit(Op::ReturnFrom);
            }
            Node::Catch(tag, body) => {
                self.expr(tag, PLAIN);
                let enter = self.emit(Op::CatchEnter(0));
                self.dynamic_depth += 1;
                self.expr(
                    body,
                    Context {
                        tail: false,
                        mv: true,
                    },
                );
                self.emit(Op::CatchExit);
                self.dynamic_depth -= 1;
                let target = self.here();
                self.patch(enter, target);
                self.done(context, true);
            }
            Node::Throw(tag, value) => {
                self.expr(tag, PLAIN);
                self.expr(
                    value,
                    Context {
                        tail: false,
                        mv: true,
                    },
                );
                self.emit(Op::Throw);
            }
            Node::UnwindProtect(protected, cleanup) => {
                self.expr(cleanup, PLAIN);
                self.emit(Op::UnwindProtectEnter);
                self.dynamic_depth += 1;
                self.expr(
                    protected,
                    Context {
                        tail: false,
                        mv: true,
                    },
                );
                self.emit(Op::UnwindProtectExit);
                self.dynamic_depth -= 1;
                self.done(context, true);
            }
            Node::MultipleValueProg1(first, rest) => {
                self.expr(
                    first,
                    Context {
                        tail: false,
                        mv: true,
                    },
                );
                self.emit(Op::MvList);
                for node in rest {
                    self.effect(node);
                }
                self.emit(Op::MvFromList);
                self.done(context, true);
            }
            Node::Loop(body) => {
                let start = self.here();
                self.effect(body);
                self.emit(Op::Jump(start));
            }
            Node::MultipleValueList(inner) => {
                self.expr(
                    inner,
                    Context {
                        tail: false,
                        mv: true,
                    },
                );
                self.emit(Op::MvList);
                self.done(context, false);
            }
        }
    }

    fn let_form(&mut self, bindings: &[(Binding, Node)], body: &Node, context: Context) {
        for (_, init) in bindings {
            self.expr(init, PLAIN);
        }
        let mut specials = 0;
        for (binding, _) in bindings.iter().rev() {
            match binding {
                Binding::Lexical(var) => self.bind_new(*var),
                Binding::Special(sym) => {
                    let index = self.symbol_constant(*sym);
                    self.emit(Op::BindSpecial(index));
                    specials += 1;
                }
            }
        }
        if specials == 0 {
            self.expr(body, context);
            return;
        }
        self.dynamic_depth += 1;
        let wants_values = context.mv || context.tail;
        self.expr(
            body,
            Context {
                tail: false,
                mv: wants_values,
            },
        );
        self.emit(Op::Unbind(specials));
        self.dynamic_depth -= 1;
        self.done(context, wants_values);
    }

    fn closure(&mut self, lambda: &LambdaNode) {
        let captures = lambda
            .free
            .iter()
            .map(|var| match self.locations.get(var).copied() {
                Some(Location::Local(slot)) => CaptureFrom::Local(slot),
                Some(Location::Captured(index)) => CaptureFrom::Captured(index),
                None => CaptureFrom::Local(u32::MAX),
            })
            .collect();
        let proto = generate_with_captures(self.vars, lambda, self.t, captures);
        self.children.push(proto);
        let index = (self.children.len() - 1) as u32;
        self.emit(Op::MakeClosure(index));
    }
}

fn primitive_op(primitive: Primitive) -> Op {
    match primitive {
        Primitive::Add => Op::Add,
        Primitive::Sub => Op::Sub,
        Primitive::Mul => Op::Mul,
        Primitive::Lt => Op::Lt,
        Primitive::Gt => Op::Gt,
        Primitive::Le => Op::Le,
        Primitive::Ge => Op::Ge,
        Primitive::NumEq => Op::NumEq,
        Primitive::Inc => Op::AddImmediate(1),
        Primitive::Dec => Op::AddImmediate(-1),
        Primitive::Car => Op::Car,
        Primitive::Cdr => Op::Cdr,
        Primitive::Cons => Op::Cons,
        Primitive::Eq => Op::Eq,
        Primitive::Not => Op::Not,
        Primitive::Length => Op::Length,
    }
}
