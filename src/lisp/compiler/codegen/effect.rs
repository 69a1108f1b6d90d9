//! Code for values nobody uses and for tests that only steer a jump: statements leave the
//! stack as they found it without pushing and popping a value, and comparisons jump directly
//! instead of making a boolean first.

use super::super::super::bytecode::{Compare, Op};
use super::super::ir::{Binding, Node, Primitive, VarId};
use super::{FunctionBuilder, Location, PLAIN};
use crate::lisp::value::Value;

impl FunctionBuilder<'_> {
    /// Evaluates `node` for its effects only.
    pub(super) fn effect(&mut self, node: &Node) {
        match node {
            Node::Const(_) | Node::Var(_) | Node::Lambda(_) => {}
            Node::SetVar(var, value) => {
                if let Some((slot, amount)) = self.increment_in_place(*var, value) {
                    self.emit(Op::AddToLocal(slot, amount));
                } else {
                    self.expr(value, PLAIN);
                    self.store(*var);
                }
            }
            Node::SetGlobal(sym, value) => {
                self.expr(value, PLAIN);
                let index = self.symbol_constant(*sym);
                self.emit(Op::SetGlobal(index));
            }
            Node::If(test, then, otherwise) => {
                let to_else = self.jump_unless(test);
                self.effect(then);
                if matches!(**otherwise, Node::Const(_)) {
                    let end = self.here();
                    self.patch(to_else, end);
                } else {
                    let to_end = self.emit(Op::Jump(0));
                    let else_start = self.here();
                    self.patch(to_else, else_start);
                    self.effect(otherwise);
                    let end = self.here();
                    self.patch(to_end, end);
                }
            }
            Node::Progn(nodes) => {
                for node in nodes {
                    self.effect(node);
                }
            }
            Node::Let(bindings, body)
                if bindings
                    .iter()
                    .all(|(binding, _)| matches!(binding, Binding::Lexical(_))) =>
            {
                for (_, init) in bindings {
                    self.expr(init, PLAIN);
                }
                for (binding, _) in bindings.iter().rev() {
                    if let Binding::Lexical(var) = binding {
                        self.bind_new(*var);
                    }
                }
                self.effect(body);
            }
            _ => {
                self.expr(node, PLAIN);
                self.emit(Op::Pop);
            }
        }
    }

    /// Emits `test` and a jump (to be patched) taken when `test` is false.
    pub(super) fn jump_unless(&mut self, test: &Node) -> usize {
        self.conditional_jump(test, false)
    }

    /// Emits `test` and a jump (to be patched) taken when its truth equals `when`.
    fn conditional_jump(&mut self, test: &Node, when: bool) -> usize {
        match test {
            Node::Primitive(Primitive::Not, args) if args.len() == 1 => {
                self.conditional_jump(&args[0], !when)
            }
            Node::Primitive(primitive, args) if args.len() == 2 => match comparison(*primitive) {
                Some(compare) => self.comparison_jump(compare, &args[0], &args[1], when),
                None => self.truth_jump(test, when),
            },
            _ => self.truth_jump(test, when),
        }
    }

    /// Compares two local slots, or a slot and a small fixnum, in one instruction when it
    /// can; otherwise pushes both operands.
    fn comparison_jump(&mut self, compare: Compare, a: &Node, b: &Node, when: bool) -> usize {
        let fused = match (self.plain_slot(a), self.plain_slot(b), b) {
            (Some(a), Some(b), _) => Some(Op::CompareLocalsJump {
                compare,
                when,
                a,
                b,
                target: 0,
            }),
            (Some(a), None, Node::Const(Value::Fixnum(n))) => {
                i16::try_from(*n).ok().map(|b| Op::CompareLocalFixnumJump {
                    compare,
                    when,
                    a,
                    b,
                    target: 0,
                })
            }
            _ => None,
        };
        if let Some(op) = fused {
            return self.emit(op);
        }
        self.expr(a, PLAIN);
        self.expr(b, PLAIN);
        self.emit(Op::CompareJump(compare, when, 0))
    }

    fn truth_jump(&mut self, test: &Node, when: bool) -> usize {
        self.expr(test, PLAIN);
        self.emit(if when {
            Op::JumpIfTrue(0)
        } else {
            Op::JumpIfNil(0)
        })
    }

    /// The slot of a variable read straight from this frame's stack (not a cell), if it fits
    /// the operands of the fused comparisons.
    fn plain_slot(&self, node: &Node) -> Option<u16> {
        let Node::Var(var) = node else {
            return None;
        };
        match self.locations.get(var).copied() {
            Some(Location::Local(slot)) if !self.boxed(*var) => u16::try_from(slot).ok(),
            _ => None,
        }
    }

    /// For `(setq var (+ var n))` on a plain local slot: the slot and `n`.
    fn increment_in_place(&self, var: VarId, value: &Node) -> Option<(u32, i32)> {
        let Some(Location::Local(slot)) = self.locations.get(&var).copied() else {
            return None;
        };
        if self.boxed(var) {
            return None;
        }
        match immediate_addition(value)? {
            (Node::Var(operand), amount) if *operand == var => Some((slot, amount)),
            _ => None,
        }
    }
}

/// `(1+ x)`, `(1- x)`, `(+ x n)`, `(+ n x)` and `(- x n)` with a small fixnum `n`: `x` and
/// what to add to it.
pub(super) fn immediate_addition(node: &Node) -> Option<(&Node, i32)> {
    let Node::Primitive(primitive, args) = node else {
        return None;
    };
    match (primitive, args.as_slice()) {
        (Primitive::Inc, [x]) => Some((x, 1)),
        (Primitive::Dec, [x]) => Some((x, -1)),
        (Primitive::Add, [x, Node::Const(Value::Fixnum(n))])
        | (Primitive::Add, [Node::Const(Value::Fixnum(n)), x]) => {
            Some((x, i32::try_from(*n).ok()?))
        }
        (Primitive::Sub, [x, Node::Const(Value::Fixnum(n))]) => {
            Some((x, i32::try_from(n.checked_neg()?).ok()?))
        }
        _ => None,
    }
}

fn comparison(primitive: Primitive) -> Option<Compare> {
    Some(match primitive {
        Primitive::Lt => Compare::Lt,
        Primitive::Gt => Compare::Gt,
        Primitive::Le => Compare::Le,
        Primitive::Ge => Compare::Ge,
        Primitive::NumEq => Compare::NumEq,
        Primitive::Eq => Compare::Eq,
        _ => return None,
    })
}
